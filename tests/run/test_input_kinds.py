"""The inputs of a stage's cache key come from a registry of providers (kit.run.inputs, kit.run.input_kinds).

Notebooks are not executed: ``kit.run.runner._execute`` is replaced by a
stand-in that writes what a stage writes, as in tests/run/test_manifest.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from kit.layout import STAGES
from kit.run import input_kinds, runner
from kit.run.digests import MISSING, file_digest
from kit.run.input_kinds import INPUT_PROVIDERS
from kit.run.inputs import InputRegistry, RunContext, StageContext, StageSpec
from kit.run.manifest import MANIFEST_FILE, stage_inputs, stage_specs
from kit.run.runner import run_studies

ROOT = Path(__file__).resolve().parents[2]
PLAN, SESSIONS, INSIGHTS = STAGES


def _data_files(study: Path) -> set[str]:
    """Every file below the study's data/ (os.walk, not the kit's globs), hidden ones left out."""
    found = set()
    for folder, dirs, files in os.walk(study / "data"):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found |= {(Path(folder) / f).relative_to(study).as_posix() for f in files if not f.startswith(".")}
    return found


@pytest.mark.parametrize("slug", ["demo-checkout", "quick-onboarding"])
def test_the_demo_studies_stages_read_these_inputs(slug: str, tmp_path: Path):
    # Pinned: which inputs make each stage's key. A provider lost or renamed changes
    # every key (every study re-runs once); one added must be added here on purpose.
    study = ROOT / "notebooks" / slug
    labels = {
        stage: set(stage_inputs(spec, study, ROOT / "templates" / stage, tmp_path, None))
        for stage, spec in stage_specs().items()
    }
    data = _data_files(study)
    assert data and "data/notes.csv" in data
    always = {"kit", "notebook", "study.yml"}
    assert labels[PLAN] == always | {"panel:supply"}
    assert labels[SESSIONS] == always | data | {
        "codebook.yml",
        "../../codebook.yml",
        "env:KIT_THEME_EMBEDDINGS",
        "panel:consent",
        "stage:01-plan.ipynb",
        "reports/plan.json",
    }
    # only the metric series its recommendations cite (the demo's R1: metrics/checkout-completion.csv)
    metrics = {"metrics/checkout-completion.csv"} if slug == "demo-checkout" else set()
    assert labels[INSIGHTS] == always | data | metrics | {
        "insights.yml",
        "../../lifecycle.yml",  # the repository's review periods (the default review_by)
        "panel:consent",
        "stage:02-sessions.ipynb",
        "reports/synthesis.json",
    }


def _notebook(source: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('study_dir = "."\nreports_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    return nb


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    for stage in STAGES:
        nbformat.write(_notebook(f"print('{stage}')"), tmp_path / "templates" / stage)
    for slug in ("alpha", "beta"):
        d = tmp_path / "notebooks" / slug
        (d / "data").mkdir(parents=True)
        (d / "study.yml").write_text("title: A study\nstart_date: 2026-11-02\n")
        (d / "data" / "notes.csv").write_text(
            "note_id,session_id,participant_id,task,text,tags\nN001,S01,P01,pay,Paused at the total,hesitation\n"
        )
    return tmp_path


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Replace notebook execution by writing the stage's outputs; record (study, stage)."""
    calls: list[tuple[str, str]] = []

    def fake_execute(
        notebook: Path, executed: object, params: dict, repo_root: Path, opts: object, kernel: object = None
    ) -> nbformat.NotebookNode:
        out_dir = repo_root / params["reports_dir"]
        calls.append((out_dir.name, notebook.name))
        for name in stage_specs()[notebook.name].writes:
            (out_dir / name).write_text(json.dumps({"stage": notebook.name}))
        return nbformat.read(notebook, as_version=4)  # the runner writes the notebook it is handed

    monkeypatch.setattr(runner, "_execute", fake_execute)
    return calls


def _run(repo: Path, calls: list[tuple[str, str]]) -> set[tuple[str, str]]:
    calls.clear()
    assert all(r.ok for r in run_studies(repo, jobs=2))
    return set(calls)


class DashboardExport:
    """A new kind of input: a product-analytics export at the repository root, read by the synthesis.

    Stamped per study (``metrics/<slug>.csv``), so a change re-runs that study only.
    """

    name = "metrics"

    def stamp(self, context: StageContext) -> dict[str, str]:
        if context.spec.notebook != SESSIONS:
            return {}
        return {f"metrics:{context.slug}": file_digest(context.repo_root / "metrics" / f"{context.slug}.csv")}


def test_a_registered_provider_adds_its_stamp_and_its_change_reruns_the_stage(
    repo: Path, executed: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
):
    everything = {(s, st) for s in ("alpha", "beta") for st in STAGES}
    assert _run(repo, executed) == everything
    monkeypatch.setitem(INPUT_PROVIDERS.providers, "metrics", DashboardExport())
    # the new input is "missing" in every study: a new input, so the synthesis and what follows run again
    assert _run(repo, executed) == {(s, st) for s in ("alpha", "beta") for st in (SESSIONS, INSIGHTS)}
    saved = json.loads((repo / "reports" / "alpha" / MANIFEST_FILE).read_text())["stages"]
    assert saved[SESSIONS]["inputs"]["metrics:alpha"] == MISSING
    assert not any(label.startswith("metrics:") for label in saved[PLAN]["inputs"])
    assert _run(repo, executed) == set()
    (repo / "metrics").mkdir()
    (repo / "metrics" / "beta.csv").write_text("metric,value\nweekly active accounts,1204\n")
    assert _run(repo, executed) == {("beta", SESSIONS), ("beta", INSIGHTS)}
    (repo / "metrics" / "beta.csv").write_text("metric,value\nweekly active accounts,1311\n")
    events: list[tuple[str, str, str, str]] = []
    run_studies(repo, ["beta"], on_event=lambda *e: events.append(e))
    assert [(st, detail) for _, st, status, detail in events if status == "started"][0] == (
        SESSIONS,
        "changed: metrics:beta",
    )


def test_a_kind_is_registered_once_and_a_label_belongs_to_one_kind(tmp_path: Path):
    registry = InputRegistry()
    registry.register(DashboardExport())
    with pytest.raises(ValueError, match="'metrics' is registered already"):
        registry.register(DashboardExport())

    class Impostor:
        name = "other metrics"

        def stamp(self, context: StageContext) -> dict[str, str]:
            return {f"metrics:{context.slug}": "0" * 64}

    registry.register(Impostor())
    study = tmp_path / "notebooks" / "s"
    context = StageContext(RunContext(tmp_path).study(study), stage_specs()[SESSIONS], tmp_path / "nb.ipynb")
    with pytest.raises(ValueError, match=r"'other metrics' stamps \['metrics:s'\] again"):
        registry.stamps(context)


def test_a_file_of_the_panel_is_an_input_and_a_spreadsheet_panel_counts(tmp_path: Path):
    study = tmp_path / "notebooks" / "s"
    (study / "data").mkdir(parents=True)
    (tmp_path / "panel").mkdir()
    spec = StageSpec("02-sessions.ipynb", (), (), panel=("rules.yml", "people.csv", "consent"))
    inputs = stage_inputs(spec, study, tmp_path / "nb.ipynb", tmp_path / "out", None)
    assert {k: v for k, v in inputs.items() if k.startswith("panel")} == {
        "panel/rules.yml": MISSING,
        "panel/people.csv": MISSING,
        "panel:consent": inputs["panel:consent"],  # derived by its own provider, not read as a file
    }
    (tmp_path / "panel" / "rules.yml").write_text("cooldown_days: 90\n")
    (tmp_path / "panel" / "people.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    files_only = StageSpec("02-sessions.ipynb", (), (), panel=("rules.yml", "people.csv"))
    again = stage_inputs(files_only, study, tmp_path / "nb.ipynb", tmp_path / "out", None)
    assert again["panel/rules.yml"] == file_digest(tmp_path / "panel" / "rules.yml")
    assert again["panel/people.csv"] == file_digest(tmp_path / "panel" / "people.xlsx")


def test_a_study_s_stages_ask_the_panel_for_its_consent_once(
    repo: Path, executed: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
):
    # 02 and 03 both read the consent of the study's people: one answer per study and run.
    asked: list[Path] = []
    original = input_kinds.study_consent

    def counting(repo_root: Path, study_dir: Path) -> list[tuple[str, tuple[bool, bool]]]:
        asked.append(study_dir)
        return original(repo_root, study_dir)

    monkeypatch.setattr(input_kinds, "study_consent", counting)
    _run(repo, executed)
    assert sorted(p.name for p in asked) == ["alpha", "beta"]


def test_a_changed_metric_series_reruns_only_the_insights_of_the_studies_citing_it(
    repo: Path, executed: list[tuple[str, str]]
):
    (repo / "metrics").mkdir()
    (repo / "metrics" / "checkout-completion.csv").write_text("date,successes,trials\n2026-11-02,61,100\n")
    (repo / "metrics" / "basket-value.csv").write_text("date,value\n2026-11-02,54.2\n")
    (repo / "notebooks" / "alpha" / "insights.yml").write_text(
        "insights:\n  - id: I1\n    recommendations:\n      - id: R1\n        metric_id: checkout-completion\n"
    )
    assert _run(repo, executed) == {(s, st) for s in ("alpha", "beta") for st in STAGES}
    (repo / "metrics" / "checkout-completion.csv").write_text("date,successes,trials\n2026-11-02,64,100\n")
    assert _run(repo, executed) == {("alpha", INSIGHTS)}
    (repo / "metrics" / "basket-value.csv").write_text("date,value\n2026-11-02,55.0\n")  # cited by nobody
    assert _run(repo, executed) == set()
    saved = json.loads((repo / "reports" / "alpha" / MANIFEST_FILE).read_text())["stages"][INSIGHTS]["inputs"]
    assert saved["metrics/checkout-completion.csv"] == file_digest(repo / "metrics" / "checkout-completion.csv")
