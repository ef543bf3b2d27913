"""kit run: papermill execution, failure isolation, parameters, lock."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.errors import RunLockedError, UsageError
from kit.layout import LOCK_FILE, STAGES
from kit.run.runner import (
    discover_studies,
    run_studies,
    study_parameters,
)

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
    write = "import json, pathlib\nout = pathlib.Path(reports_dir); out.mkdir(parents=True, exist_ok=True)\n"
    bodies = {
        "01-plan.ipynb": [write + "(out / 'plan.json').write_text(json.dumps({'title': title, 'start': start_date}))"],
        "02-sessions.ipynb": [
            "x = 1",
            "if 'boom' in title:\n    raise ValueError('notes.csv:3: boom')",
            "import os, time\nif 'dies' in title:\n    os._exit(1)\nif 'sleeps' in title:\n    time.sleep(60)",
            write + "(out / 'synthesis.json').write_text('{}')",
        ],
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
    assert params == {
        "title": "Fine study",
        "start_date": "2026-11-02",
        "study_dir": "notebooks/good",
        "reports_dir": "reports/good",
    }


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


def _failed_notebook(repo: Path, slug: str, stem: str = "02-sessions") -> nbformat.NotebookNode:
    return nbformat.read(repo / "reports" / slug / f"{stem}.failed.ipynb", as_version=4)


def _assert_marked(nb: nbformat.NotebookNode, ename: str) -> None:
    """papermill's red banner on top, and the failing cell carries the error."""
    assert "papermill-error-cell-tag" in nb.cells[0].metadata.get("tags", [])
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert [e.ename for e in errors] == [ename]


def test_dead_kernel_fails_its_study_only(tiny_repo: Path):
    _study(tiny_repo, "crash", "This one dies")
    results = {r.slug: r for r in run_studies(tiny_repo, jobs=2, timeout=60)}
    assert results["good"].ok
    crash = results["crash"]
    assert [s.status for s in crash.stages] == ["ok", "failed", "skipped"]
    assert crash.failure.cell == 5 and "DeadKernelError: kernel died (exit code 1)" in crash.failure.message
    _assert_marked(_failed_notebook(tiny_repo, "crash"), "DeadKernelError")


def test_cell_timeout_fails_the_study_and_keeps_the_notebook(tiny_repo: Path):
    _study(tiny_repo, "slow", "This one sleeps")
    results = {r.slug: r for r in run_studies(tiny_repo, ["slow", "good"], timeout=2)}
    assert results["good"].ok
    slow = results["slow"]
    assert slow.failure.notebook == "02-sessions.ipynb" and slow.failure.cell == 5
    assert "CellTimeoutError: cell did not finish within 2 s" in slow.failure.message
    assert slow.stages[1].seconds < 30  # the kernel was stopped, not waited for
    _assert_marked(_failed_notebook(tiny_repo, "slow"), "CellTimeoutError")


def test_wall_clock_limit_stops_a_notebook(tiny_repo: Path):
    _study(tiny_repo, "slow", "This one sleeps")
    [slow] = run_studies(tiny_repo, ["slow"], timeout=120, notebook_timeout=8)
    assert "NotebookTimeout: notebook did not finish within 8 s" in slow.failure.message
    assert slow.stages[1].seconds < 40
    _assert_marked(_failed_notebook(tiny_repo, "slow"), "NotebookTimeout")


def _kernelspec(root: Path, name: str, fail_times: int) -> Path:
    """A python kernel that exits instead of starting its first ``fail_times`` times."""
    import sys

    counter = root / f"{name}.starts"
    script = root / f"{name}.py"
    script.write_text(
        "import pathlib, sys\n"
        f"c = pathlib.Path({str(counter)!r})\n"
        "n = int(c.read_text()) if c.exists() else 0\n"
        "c.write_text(str(n + 1))\n"
        f"if n < {fail_times}:\n    sys.exit(3)\n"
        "from ipykernel import kernelapp\nkernelapp.launch_new_instance()\n"
    )
    spec = root / "share" / "kernels" / name
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, str(script), "-f", "{connection_file}"],
                "display_name": name,
                "language": "python",
            }
        )
    )
    return counter


def test_kernel_that_fails_to_start_is_started_again(tiny_repo: Path, tmp_path_factory, monkeypatch):
    root = tmp_path_factory.mktemp("kernels")
    counter = _kernelspec(root, "flaky", fail_times=1)
    monkeypatch.setenv("JUPYTER_PATH", str(root / "share"))
    [good] = run_studies(tiny_repo, ["good"], timeout=60, kernel_name="flaky")
    assert good.ok, good.failure
    assert int(counter.read_text()) == 2  # one failed start, then one kernel for the study's three notebooks


def test_kernel_that_never_starts_fails_before_any_cell(tiny_repo: Path, tmp_path_factory, monkeypatch):
    root = tmp_path_factory.mktemp("kernels")
    counter = _kernelspec(root, "broken", fail_times=99)
    monkeypatch.setenv("JUPYTER_PATH", str(root / "share"))
    [good] = run_studies(tiny_repo, ["good"], timeout=60, kernel_name="broken")
    assert [s.status for s in good.stages] == ["failed", "skipped", "skipped"]
    assert good.failure.cell is None and "kernel did not start (2 attempts)" in good.failure.message
    assert int(counter.read_text()) == 2


def test_kernel_connection_stays_private(tiny_repo: Path):
    """IPC sockets in a 0700 folder on POSIX (no TCP port), else TCP on 127.0.0.1.

    The folder, which also holds the connection file, lies in the run's own
    runtime folder (``kit-kernels.kit<pid>-*``), removed when the run ends.
    """
    import os

    probe = _notebook(
        "import json, pathlib\n"
        "from ipykernel.connect import get_connection_file, get_connection_info\n"
        "pathlib.Path(reports_dir).mkdir(parents=True, exist_ok=True)\n"
        "import os\ninfo = json.loads(get_connection_info())\n"
        "info['file'] = get_connection_file()\n"
        "if info['transport'] == 'ipc':\n"
        "    info['mode'] = os.stat(os.path.dirname(info['ip'])).st_mode & 0o777\n"
        "(pathlib.Path(reports_dir) / 'plan.json').write_text(json.dumps(info))"
    )
    nbformat.write(probe, tiny_repo / "notebooks" / "good" / "01-plan.ipynb")
    [good] = run_studies(tiny_repo, ["good"], timeout=60)
    info = json.loads((tiny_repo / "reports" / "good" / "plan.json").read_text())
    if os.name == "posix":
        assert info["transport"] == "ipc"
        folder = Path(info["ip"]).parent
        assert Path(info["ip"]).is_absolute() and folder.parent.name.startswith(f"kit-kernels.kit{os.getpid()}-")
        assert Path(info["file"]).parent == folder
        assert info["mode"] == 0o700
        assert not folder.parent.exists()  # removed with the run
    else:
        assert info["ip"] == "127.0.0.1" and info["transport"] == "tcp"


def test_second_run_executes_nothing_and_force_everything(tiny_repo: Path, monkeypatch):
    monkeypatch.setenv("KIT_REPO", str(tiny_repo))
    first = CliRunner().invoke(cli, ["run", "good"])
    assert first.exit_code == 0 and "3 notebooks executed" in first.output, first.output
    again = CliRunner().invoke(cli, ["run", "good"])
    assert again.exit_code == 0
    assert "ok      good  (up to date)" in again.output
    assert "0 notebooks executed, 3 up to date" in again.output
    forced = CliRunner().invoke(cli, ["run", "good", "--force"])
    assert "3 notebooks executed, 0 up to date" in forced.output, forced.output


def test_cli_says_clearly_when_another_run_holds_the_lock(tiny_repo: Path, monkeypatch):
    from filelock import FileLock

    monkeypatch.setenv("KIT_REPO", str(tiny_repo))
    with FileLock(str(tiny_repo / LOCK_FILE)):
        result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 2
    assert "another 'kit run' is running" in result.output
    assert not (tiny_repo / "reports").exists()


def test_interrupt_stops_running_kernels_and_starts_nothing_new(tiny_repo: Path):
    """What run_studies does on Ctrl-C: cancel, then kill the kernels that are running."""
    import threading
    import time

    from kit.run import runner

    slow = _study(tiny_repo, "slow", "This one sleeps")
    opts = runner.RunOptions(timeout=120)
    box: dict = {}
    worker = threading.Thread(target=lambda: box.update(r=runner.run_study(slow, tiny_repo, opts)))
    worker.start()
    deadline = time.monotonic() + 120
    # 01-plan is written and 02-sessions's notebook is running (its kernel starting or sleeping):
    # a kernel that starts after the stop is killed as it starts.
    while not ((tiny_repo / "reports" / "slow" / "01-plan.ipynb").exists() and runner._ACTIVE):
        assert time.monotonic() < deadline, "02-sessions never started"
        time.sleep(0.05)
    opts.cancelled.set()
    runner._stop_running_kernels()
    worker.join(60)
    assert not worker.is_alive()
    result = box["r"]
    assert [s.status for s in result.stages] == ["ok", "failed", "skipped"]
    assert "Interrupted: the run was interrupted" in result.failure.message


def test_missing_notebook_fails_the_study_without_a_kernel(tiny_repo: Path):
    (tiny_repo / "templates" / "03-insights.ipynb").unlink()
    [good] = run_studies(tiny_repo, ["good"], timeout=60)
    assert [s.status for s in good.stages] == ["ok", "ok", "failed"]
    assert good.executed == 2
    assert "notebook not found: neither notebooks/good/03-insights.ipynb nor templates/" in good.failure.message
