"""kit run: papermill execution, failure isolation, parameters, lock."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.errors import RunLockedError, UsageError
from kit.runner import LOCK_FILE, STAGES, discover_studies, run_studies, study_parameters

pytestmark = pytest.mark.slow

PARAMS = 'study_dir = "."\nreports_dir = None\ntitle = None\nstart_date = None'


def _notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def _write_templates(repo: Path) -> None:
    """Tiny stand-in stages: each writes a JSON the way the real ones do."""
    write = ("import json, pathlib\n"
             "out = pathlib.Path(reports_dir); out.mkdir(parents=True, exist_ok=True)\n")
    bodies = {
        "01-plan.ipynb": [write + "(out / 'plan.json').write_text(json.dumps({'title': title, "
                          "'start': start_date}))"],
        "02-sessions.ipynb": ["x = 1", "if 'boom' in title:\n    raise ValueError('notes.csv:3: boom')",
                              write + "(out / 'synthesis.json').write_text('{}')"],
        "03-insights.ipynb": [write + "(out / 'insights.json').write_text('{}')"],
    }
    (repo / "templates").mkdir(exist_ok=True)
    for name, cells in bodies.items():
        nbformat.write(_notebook(*cells), repo / "templates" / name)


def _study(repo: Path, slug: str, title: str) -> Path:
    d = repo / "notebooks" / slug
    d.mkdir(parents=True)
    (d / "study.yml").write_text(f"title: {title}\nstart_date: 2026-11-02\n")
    return d


@pytest.fixture
def tiny_repo(tmp_path: Path) -> Path:
    _write_templates(tmp_path)
    _study(tmp_path, "good", "Fine study")
    _study(tmp_path, "bad", "This goes boom")
    return tmp_path


def test_parameters_are_plain_json_with_paths(tiny_repo: Path):
    params = study_parameters(tiny_repo / "notebooks" / "good", tiny_repo)
    # YAML dates become ISO strings, as `papermill -f` leaves them
    assert params == {"title": "Fine study", "start_date": "2026-11-02",
                      "study_dir": "notebooks/good", "reports_dir": "reports/good"}


def test_failure_is_isolated_and_named(tiny_repo: Path):
    results = {r.slug: r for r in run_studies(tiny_repo, jobs=2, timeout=60)}
    good, bad = results["good"], results["bad"]
    assert good.ok and [s.status for s in good.stages] == ["ok", "ok", "ok"]
    reports = tiny_repo / "reports"
    assert json.loads((reports / "good" / "plan.json").read_text())["start"] == "2026-11-02"
    assert all((reports / "good" / s).is_file() for s in STAGES)
    assert not bad.ok
    assert [s.status for s in bad.stages] == ["ok", "failed", "skipped"]
    assert bad.failure.notebook == "02-sessions.ipynb"
    assert bad.failure.cell == 4  # In [4]: after parameters, injected parameters, x = 1
    assert "ValueError: notes.csv:3: boom" in bad.failure.message
    assert (reports / "bad" / "02-sessions.failed.ipynb").is_file()
    assert not (reports / "bad" / "02-sessions.ipynb").exists()
    assert not (reports / "bad" / "synthesis.json").exists()
    assert not list((reports / "bad").glob(".*running*"))


def test_cli_run_exit_code_and_summary(tiny_repo: Path, monkeypatch):
    monkeypatch.setenv("KIT_REPO", str(tiny_repo))
    result = CliRunner().invoke(cli, ["run", "--jobs", "2"])
    assert result.exit_code == 1
    assert "FAILED  bad" in result.output and "02-sessions.ipynb: cell 4" in result.output
    assert "ok      good" in result.output
    only_good = CliRunner().invoke(cli, ["run", "good"])
    assert only_good.exit_code == 0, only_good.output


def test_unknown_study_is_a_usage_error(tiny_repo: Path, monkeypatch):
    with pytest.raises(UsageError, match="unknown study 'nope'"):
        discover_studies(tiny_repo, ["nope"])
    monkeypatch.setenv("KIT_REPO", str(tiny_repo))
    assert CliRunner().invoke(cli, ["run", "nope"]).exit_code == 2


def test_invalid_yaml_fails_only_that_study(tiny_repo: Path):
    (tiny_repo / "notebooks" / "bad" / "study.yml").write_text("title: [unclosed\n")
    results = {r.slug: r for r in run_studies(tiny_repo, timeout=60)}
    assert results["good"].ok
    assert "notebooks/bad/study.yml:" in str(results["bad"].failure)


def test_second_run_is_refused_while_locked(tiny_repo: Path):
    from filelock import FileLock

    with FileLock(str(tiny_repo / LOCK_FILE)):
        with pytest.raises(RunLockedError, match="another 'kit run'"):
            run_studies(tiny_repo, ["good"])
