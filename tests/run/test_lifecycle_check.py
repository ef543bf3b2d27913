"""`kit run` and the insights' lifecycle across studies: reviews due warn (and fail --strict), bad replacements fail.

The plan and synthesis stages are stand-ins (their JSON written directly);
the insights stage is the real one, run in-process, so insights.json and
reports/index.json are what a real run writes.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from insights_fixture import SYNTHESIS, insights_copy, make_study
from kit.cli import cli
from kit.insights.stage import run_insights_stage
from kit.layout import STAGES
from kit.run import runner
from kit.run.lifecycle_check import apply_lifecycle_checks
from kit.run.results import StudyResult
from kit.site.index import refresh_index


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('study_dir = "."')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params]
    return nb


def _line_of(path: Path, insight: str, key: str) -> int:
    lines = path.read_text().splitlines()
    start = next(n for n, text in enumerate(lines) if text.strip() == f"- id: {insight}")
    return next(n for n in range(start, len(lines)) if lines[n].strip().startswith(f"{key}:")) + 1


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "templates").mkdir()
    for stage in STAGES:
        nbformat.write(_notebook(), tmp_path / "templates" / stage)

    def fake_execute(notebook: Path, executed, params: dict, repo_root: Path, opts, kernel=None):
        out_dir = repo_root / params["reports_dir"]
        study_dir = repo_root / "notebooks" / out_dir.name
        if notebook.name == STAGES[0]:
            (out_dir / "plan.json").write_text(json.dumps({"warnings": []}))
        elif notebook.name == STAGES[1]:
            (out_dir / "synthesis.json").write_text(json.dumps(copy.deepcopy(SYNTHESIS)))
        else:
            run_insights_stage(study_dir, out_dir, exports=False)  # the real stage
        return nbformat.read(notebook, as_version=4)  # the runner writes it

    monkeypatch.setattr(runner, "_execute", fake_execute)
    monkeypatch.setenv("KIT_REPO", str(tmp_path))
    return tmp_path


def _studies(repo: Path, replaced: dict[str, dict[str, str]], review_by: str | None = None) -> None:
    for slug in ("alpha", "beta"):
        spec = insights_copy()
        for ins in spec["insights"]:
            ins["recommendations"][0] |= {"status": "shipped", "decided_on": "2026-02-10", "decided_by": "Pat PM"}
            if ins["id"] in replaced.get(slug, {}):
                ins["superseded_by"] = replaced[slug][ins["id"]]
        if review_by and slug == "alpha":
            spec["insights"][0]["review_by"] = review_by
        make_study(repo, slug, insights=spec, synthesis=False)


def test_a_past_review_date_warns_and_fails_strict(repo: Path):
    _studies(repo, {}, review_by="2026-01-15")  # in the past from now on
    line = _line_of(repo / "notebooks" / "alpha" / "insights.yml", "I1", "review_by")
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    assert "ok      alpha  (" in result.output and "1 warning)" in result.output
    assert f"  warning: insights.yml:{line}: insight I1: review due since 15 January 2026 (alpha/I1)" in result.output
    strict = CliRunner().invoke(cli, ["run", "--strict"])
    assert strict.exit_code == 1
    assert "FAILED  alpha  (1 warning, --strict)" in strict.output
    assert "ok      beta  (up to date)" in strict.output


def test_a_review_that_fell_due_since_the_last_run_warns_without_running_again(repo: Path):
    _studies(repo, {}, review_by="2027-01-15")  # the others: 12 months after the deadline, 2027-02-02
    assert CliRunner().invoke(cli, ["run"]).exit_code == 0
    index = refresh_index(repo)
    results = [StudyResult("alpha"), StudyResult("beta")]
    warnings: dict[str, list[str]] = {"alpha": [], "beta": []}
    apply_lifecycle_checks(repo, results, warnings, index, today=dt.date(2027, 1, 20))
    assert len(warnings["alpha"]) == 1 and "review due since 15 January 2027 (alpha/I1)" in warnings["alpha"][0]
    assert warnings["beta"] == [] and all(r.ok for r in results)


def test_a_loop_across_studies_fails_both_studies_naming_file_line_and_chain(repo: Path):
    _studies(repo, {"alpha": {"I2": "beta/I1"}, "beta": {"I1": "alpha/I2"}})
    line_a = _line_of(repo / "notebooks" / "alpha" / "insights.yml", "I2", "superseded_by")
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 1, result.output
    assert "FAILED  alpha  (" in result.output and "FAILED  beta  (" in result.output
    assert (
        f"notebooks/alpha/insights.yml:{line_a}: insight I2: superseded_by makes a loop: alpha/I2 → beta/I1 → alpha/I2"
        in result.output
    )
    assert "notebooks/beta/insights.yml:" in result.output and "beta/I1 → alpha/I2 → beta/I1" in result.output
    assert "0 of 2 studies ok" in result.output


def test_an_unknown_insight_of_another_study_fails_the_study_that_names_it(repo: Path):
    _studies(repo, {"alpha": {"I1": "beta/I9"}})
    line = _line_of(repo / "notebooks" / "alpha" / "insights.yml", "I1", "superseded_by")
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 1
    assert (
        f"notebooks/alpha/insights.yml:{line}: insight I1: superseded_by 'beta/I9': beta has no insight I9"
        in result.output
    )
    assert "ok      beta" in result.output and "1 of 2 studies ok" in result.output
