"""Warnings on the command line: counted per study, the first few printed once each; --strict fails the study.

Notebook execution is replaced by a stand-in that writes each stage's JSON
with the warnings a real stage would put there (the papermill path is
covered in tests/e2e/test_real_exports.py).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.layout import STAGES
from kit.run import runner
from kit.run.manifest import stage_specs
from kit.run.stage_warnings import SHOWN, study_warnings

PLAN_WARNINGS = [
    {"section": "observers", "message": "No PM observes sessions"},
    {"section": "discussion guide", "message": "study.yml: key 'discussion_guide[2]': leading"},
]
DATA_WARNINGS = [f"data/notes.csv:{n}: session_id 'S9' is not in sessions.csv" for n in range(2, 9)]


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('study_dir = "."')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params]
    return nb


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "templates").mkdir()
    for stage in STAGES:
        nbformat.write(_notebook(), tmp_path / "templates" / stage)
    for slug in ("clean", "noisy"):
        (tmp_path / "notebooks" / slug / "data").mkdir(parents=True)
        (tmp_path / "notebooks" / slug / "study.yml").write_text("title: A study\n")

    def fake_execute(
        notebook: Path, executed: object, params: dict, repo_root: Path, opts, kernel=None
    ) -> nbformat.NotebookNode:
        out_dir = repo_root / params["reports_dir"]
        noisy = out_dir.name == "noisy"
        for name in stage_specs()[notebook.name].writes:
            warnings = []
            if noisy and name == "plan.json":
                warnings = PLAN_WARNINGS
            elif noisy and name in ("synthesis.json", "insights.json"):
                warnings = DATA_WARNINGS  # the insights stage repeats one: listed once
            (out_dir / name).write_text(json.dumps({"warnings": warnings}))
        return nbformat.read(notebook, as_version=4)  # the runner writes it

    monkeypatch.setattr(runner, "_execute", fake_execute)
    monkeypatch.setenv("KIT_REPO", str(tmp_path))
    return tmp_path


def test_study_warnings_in_stage_order_each_once(repo: Path):
    runner.run_studies(repo)
    got = study_warnings(repo, "noisy")
    assert got == [
        "study.yml (observers): No PM observes sessions",
        "study.yml: key 'discussion_guide[2]': leading",
        *DATA_WARNINGS,
    ]
    assert study_warnings(repo, "clean") == []


def test_kit_run_prints_the_count_and_the_first_few(repo: Path):
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("ok      clean  (") and "warning" not in line for line in lines)
    [noisy] = [line for line in lines if line.startswith("ok      noisy")]
    assert noisy.endswith(", 9 warnings)")
    shown = [line for line in lines if line.startswith("  warning: ")]
    assert shown == [f"  warning: {w}" for w in study_warnings(repo, "noisy")[:SHOWN]]
    assert len(set(shown)) == len(shown)
    assert '  ... and 4 more in reports/noisy/*.json ("warnings")' in lines
    again = CliRunner().invoke(cli, ["run"])  # up to date: the warnings are still shown
    assert "ok      noisy  (up to date, 9 warnings)" in again.output


def test_strict_fails_a_study_with_warnings_only(repo: Path):
    result = CliRunner().invoke(cli, ["run", "--strict"])
    assert result.exit_code == 1
    assert "FAILED  noisy  (9 warnings, --strict)" in result.output
    assert any(line.startswith("ok      clean") for line in result.output.splitlines())
    assert "1 of 2 studies ok" in result.output
    assert CliRunner().invoke(cli, ["run", "clean", "--strict"]).exit_code == 0


def test_an_up_to_date_study_s_warnings_come_from_its_manifest_not_its_json(repo: Path):
    # Parsing a 100,000-note synthesis.json to find its warnings took most of a second per run.
    runner.run_studies(repo)
    expected = study_warnings(repo, "noisy")
    (repo / "reports" / "noisy" / "synthesis.json").write_text("not JSON: never parsed for warnings")
    assert study_warnings(repo, "noisy") == expected


def test_a_manifest_of_an_older_kit_without_warnings_falls_back_to_the_json(repo: Path):
    runner.run_studies(repo)
    expected = study_warnings(repo, "noisy")
    path = repo / "reports" / "noisy" / ".manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["stages"]["02-sessions.ipynb"]["warnings"]
    path.write_text(json.dumps(manifest))
    assert study_warnings(repo, "noisy") == expected
    (repo / "reports" / "noisy" / "plan.json").write_text(json.dumps({"warnings": []}))
    assert study_warnings(repo, "noisy") == DATA_WARNINGS  # read from the JSON this time


DUE_INSIGHTS = """\
insights:
  - id: I1
    statement: Delivery cost seen late makes people hesitate.
    evidence: [N001]
    recommendations:
      - id: R1
        action: Show the delivery charge in the basket.
        shipped_on: 2020-01-06
        check_on: 2020-02-03
      - id: R2
        action: Check again next year.
        check_on: 2999-01-01
      - id: R3
        action: Already judged.
        check_on: 2020-02-03
        outcome: moved
"""


def test_an_outcome_due_is_warned_on_every_run_and_fails_strict_even_when_up_to_date(repo: Path):
    runner.run_studies(repo)  # up to date from here on: the insights stage will not run again
    (repo / "notebooks" / "clean" / "insights.yml").write_text(DUE_INSIGHTS)
    result = CliRunner().invoke(cli, ["run", "clean"])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "outcome due" in line]
    assert warned == [
        "  warning: insights.yml:9: clean: recommendation R1: outcome due since 2020-02-03 (check_on), "
        "expected an outcome: moved, not moved or inconclusive"
    ]
    strict = CliRunner().invoke(cli, ["run", "clean", "--strict"])
    assert strict.exit_code == 1 and "FAILED  clean  (1 warning, --strict)" in strict.output
    # Before its check date nothing is due.
    assert study_warnings(repo, "clean", today=dt.date(2020, 2, 3)) == []
    assert len(study_warnings(repo, "clean", today=dt.date(2020, 2, 4))) == 1
