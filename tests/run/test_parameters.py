"""Parameters reach the kernel only as values: study.yml's keys are checked before papermill runs.

Issue 26, point 5: a key was pasted by papermill into the injected cell as code.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from kit.errors import KitError
from kit.run.parameters import is_parameter_name, study_parameters
from kit.run.runner import run_studies

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "notebooks" / "demo-checkout"
TEMPLATE = ROOT / "templates" / "01-plan.ipynb"


def _demo_with(repo: Path, extra: str) -> Path:
    """The demo study with ``extra`` lines appended to its study.yml; the line number of the first one."""
    study = repo / "notebooks" / "demo-checkout"
    shutil.copytree(DEMO, study)
    text = (study / "study.yml").read_text(encoding="utf-8")
    (study / "study.yml").write_text(text.rstrip("\n") + "\n" + extra, encoding="utf-8")
    return study


def _line_of_first_extra(study: Path, extra: str) -> int:
    lines = (study / "study.yml").read_text(encoding="utf-8").splitlines()
    return lines.index(extra.splitlines()[0]) + 1


INJECTION = "\"a = __import__('pathlib').Path({marker!r}).touch() #\": 1\n"


def test_a_key_that_is_code_is_refused_naming_the_file_line_and_key(tmp_path: Path):
    marker = tmp_path / "pwned"
    extra = INJECTION.format(marker=str(marker))
    study = _demo_with(tmp_path, extra)
    with pytest.raises(KitError) as caught:
        study_parameters(study, tmp_path, TEMPLATE)
    message = str(caught.value)
    line = _line_of_first_extra(study, extra)
    assert message.startswith(f'notebooks/demo-checkout/study.yml:{line}: key "a = __import__')
    assert "not a parameter name" in message and "nothing was run" in message


@pytest.mark.parametrize(
    "extra, shown",
    [
        ("1: one\n", "key 1 "),
        ("true: yes\n", "key True "),
        ("class: x\n", "key 'class' "),
        ('"title\\nimport os": x\n', "key 'title\\nimport os' "),
    ],
)
def test_keys_papermill_cannot_paste_as_a_name_are_refused(tmp_path: Path, extra: str, shown: str):
    study = _demo_with(tmp_path, extra)
    with pytest.raises(KitError, match="not a parameter name") as caught:
        study_parameters(study, tmp_path)
    assert shown in str(caught.value)


def test_a_key_the_notebook_does_not_declare_is_refused_with_the_likely_one(tmp_path: Path):
    study = _demo_with(tmp_path, "feture: Pay page\n")
    line = _line_of_first_extra(study, "feture: Pay page\n")
    with pytest.raises(KitError, match=rf"study.yml:{line}: key 'feture' is not a parameter .*did you mean 'feature'"):
        study_parameters(study, tmp_path, TEMPLATE)


def test_the_demo_study_passes_every_template(tmp_path: Path):
    study = _demo_with(tmp_path, "")
    for template in sorted((ROOT / "templates").glob("*.ipynb")):
        params = study_parameters(study, tmp_path, template)
        assert params["study_dir"] == "notebooks/demo-checkout" and params["title"]
    assert is_parameter_name("product_area") and not is_parameter_name("a b") and not is_parameter_name("None")


def test_an_alias_bomb_in_study_yml_fails_the_study_fast_naming_the_file(tmp_path: Path):
    levels = ["lol0: &lol0 [" + ", ".join(['"lol"'] * 9) + "]"]
    levels += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]" for i in range(1, 6)]
    study = _demo_with(tmp_path, "\n".join(levels) + "\n")  # 9**6 = 531,441 values once expanded
    start = time.perf_counter()
    with pytest.raises(KitError, match=r"notebooks/demo-checkout/study.yml: more than [\d,]+ values"):
        study_parameters(study, tmp_path)
    assert time.perf_counter() - start < 0.5


@pytest.mark.slow
def test_kit_run_runs_nothing_of_an_injected_key(tmp_path: Path):
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    marker = tmp_path / "pwned"
    _demo_with(tmp_path, INJECTION.format(marker=str(marker)))
    [result] = run_studies(tmp_path, jobs=1, timeout=120)
    assert not marker.exists()
    assert not result.ok and result.failure is not None
    assert result.failure.notebook == "study.yml" and "not a parameter name" in result.failure.message
    assert [s.status for s in result.stages] == ["failed", "skipped", "skipped"]
