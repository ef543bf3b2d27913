"""Each stage builds its output through its declared model (kit.outputs): what it writes validates,
and a key its model does not declare fails the stage before anything is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from kit.insights.stage import run_insights_stage
from kit.outputs.insights import InsightsJson
from kit.outputs.plan import Plan
from kit.outputs.synthesis import Synthesis
from kit.plan.stage import run_plan_stage
from kit.synthesis.stage import run_synthesis_stage

STAGES: list[tuple[str, Any, type[BaseModel]]] = [
    ("plan.json", run_plan_stage, Plan),
    ("synthesis.json", run_synthesis_stage, Synthesis),
    ("insights.json", run_insights_stage, InsightsJson),
]


def test_the_demo_outputs_are_exactly_their_models_dumps(demo_repo: Path) -> None:
    """The whole files, bulk rows included (the synthesis builds those unvalidated, as typed dicts)."""
    study = demo_repo / "notebooks" / "demo-checkout"
    for name, run, model in STAGES:
        returned = run(study)
        text = (demo_repo / "reports" / "demo-checkout" / name).read_text(encoding="utf-8")
        written = json.loads(text)
        assert written == json.loads(json.dumps(returned))  # the stage returns what it wrote
        shaped = model.model_validate(written)  # every key declared, every type right
        # ... and no key in another order or beyond what the stage set: the dump is the file.
        dumped = shaped.model_dump(mode="json", by_alias=True, exclude_unset=True)
        assert json.dumps(dumped, indent=2, ensure_ascii=False) + "\n" == text, name


def _plant_key(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """Make ``module.name`` return its result with one key no model declares."""
    real = getattr(module, name)

    def planted(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        items = out[0] if isinstance(out, tuple) else out  # find_themes returns (themes, basis)
        for item in items if isinstance(items, list) else [items]:
            item["planted_key"] = 1
        return out

    monkeypatch.setattr(module, name, planted)


def test_a_plan_section_with_an_undeclared_key_fails_the_stage(
    demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kit.study import raci

    _plant_key(monkeypatch, raci, "raci_summary")
    with pytest.raises(ValidationError, match=r"RaciSummary\nplanted_key\n  Extra inputs are not permitted"):
        run_plan_stage(demo_repo / "notebooks" / "demo-checkout")
    assert not (demo_repo / "reports" / "demo-checkout" / "plan.json").exists()


def test_a_synthesis_section_with_an_undeclared_key_fails_the_stage(
    demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kit.synthesis import themes

    _plant_key(monkeypatch, themes, "find_themes")
    with pytest.raises(ValidationError, match=r"Theme\nplanted_key\n  Extra inputs are not permitted"):
        run_synthesis_stage(demo_repo / "notebooks" / "demo-checkout")
    assert not (demo_repo / "reports" / "demo-checkout" / "synthesis.json").exists()


def test_an_insights_section_with_an_undeclared_key_fails_the_stage(
    demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kit.insights import confidence

    study = demo_repo / "notebooks" / "demo-checkout"
    run_synthesis_stage(study)
    _plant_key(monkeypatch, confidence, "rate")
    with pytest.raises(ValidationError, match=r"Confidence\nplanted_key\n  Extra inputs are not permitted"):
        run_insights_stage(study, exports=False)
    assert not (demo_repo / "reports" / "demo-checkout" / "insights.json").exists()
