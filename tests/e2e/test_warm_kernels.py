"""One kernel per study (issue 30): each notebook sees only its own names, results as in fresh kernels,
failures and Ctrl-C as before. Real kernels, real papermill."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest

from kit.layout import STAGES
from kit.run.runner import run_studies

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PARAMS = 'study_dir = "."\nreports_dir = None\ntitle = None'
WRITE = "import json, os, pathlib\nout = pathlib.Path(reports_dir); out.mkdir(parents=True, exist_ok=True)\n"
# What each notebook records of its kernel: the process, the names it sees, its cells' numbers.
RECORD = (
    "names = sorted(k for k in globals() if not k.startswith('_'))\n"
    "(out / {file!r}).write_text(json.dumps({{'pid': os.getpid(), 'names': names, 'cwd': os.getcwd()}}))"
)


def _notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def _tiny_repo(root: Path, studies: dict[str, str]) -> Path:
    """Stages that record their kernel; 02 dies, sleeps or fails on a word in the title."""
    bodies = {
        "01-plan.ipynb": [WRITE + "only_in_01 = 1", RECORD.format(file="plan.json")],
        "02-sessions.ipynb": [
            "import os, time\nif 'dies' in title:\n    os.kill(os.getpid(), 9)\n"
            "if 'sleeps' in title:\n    time.sleep(600)",
            WRITE + RECORD.format(file="synthesis.json"),
        ],
        "03-insights.ipynb": [WRITE + RECORD.format(file="insights.json")],
    }
    (root / "templates").mkdir(parents=True)
    for name, cells in bodies.items():
        nbformat.write(_notebook(*cells), root / "templates" / name)
    for slug, title in studies.items():
        (root / "notebooks" / slug).mkdir(parents=True)
        (root / "notebooks" / slug / "study.yml").write_text(f"title: {title}\n")
    return root


def _recorded(repo: Path, slug: str) -> dict[str, Any]:
    return {name: json.loads((repo / "reports" / slug / name).read_text()) for name in STAGES_JSON}


STAGES_JSON = ("plan.json", "synthesis.json", "insights.json")


def test_one_kernel_per_study_and_each_notebook_sees_only_its_own_names(tmp_path: Path) -> None:
    repo = _tiny_repo(tmp_path / "repo", {"alpha": "Alpha", "beta": "Beta", "leaky": "Leaky"})
    # a study's own copy of 02 that uses a name its 01 defined: alone, it fails; here too
    nbformat.write(_notebook("print(only_in_01)"), repo / "notebooks" / "leaky" / "02-sessions.ipynb")
    results = {r.slug: r for r in run_studies(repo, jobs=2, timeout=60)}
    assert results["alpha"].ok and results["beta"].ok, results
    leaky = results["leaky"]
    assert leaky.failure is not None and leaky.failure.notebook == "02-sessions.ipynb"
    assert "NameError: name 'only_in_01' is not defined" in leaky.failure.message
    alpha, beta = _recorded(repo, "alpha"), _recorded(repo, "beta")
    assert len({alpha[n]["pid"] for n in STAGES_JSON}) == 1  # three notebooks, one kernel
    assert alpha["plan.json"]["pid"] != beta["plan.json"]["pid"]  # each study its own kernel
    assert "only_in_01" in alpha["plan.json"]["names"]
    assert "only_in_01" not in alpha["synthesis.json"]["names"]
    assert alpha["synthesis.json"]["cwd"] == str(repo)

    # the same notebooks, each in a kernel of its own: the same names, the same cell numbers
    fresh = _tiny_repo(tmp_path / "fresh", {"alpha": "Alpha"})
    [alone] = run_studies(fresh, jobs=1, timeout=60, fresh_kernels=True)
    assert alone.ok
    alone_rec = _recorded(fresh, "alpha")
    assert len({alone_rec[n]["pid"] for n in STAGES_JSON}) == 3
    for name in STAGES_JSON:
        assert alpha[name]["names"] == alone_rec[name]["names"]
    for stage in STAGES:
        shared = nbformat.read(repo / "reports" / "alpha" / stage, as_version=4)
        own = nbformat.read(fresh / "reports" / "alpha" / stage, as_version=4)
        assert [c.get("execution_count") for c in shared.cells] == [c.get("execution_count") for c in own.cells]
        assert [c.get("execution_count") for c in shared.cells if c.cell_type == "code"][0] == 1


def test_a_kernel_that_dies_fails_its_study_and_the_next_study_gets_a_fresh_one(tmp_path: Path) -> None:
    repo = _tiny_repo(tmp_path, {"a-crash": "This one dies", "b-after": "Fine"})
    results = {r.slug: r for r in run_studies(repo, jobs=1, timeout=60)}
    crash = results["a-crash"]
    assert [s.status for s in crash.stages] == ["ok", "failed", "skipped"]
    assert crash.failure is not None and crash.failure.notebook == "02-sessions.ipynb"
    assert "DeadKernelError: kernel died" in crash.failure.message and "-9" in crash.failure.message
    assert results["b-after"].ok
    dead = json.loads((repo / "reports" / "a-crash" / "plan.json").read_text())["pid"]
    after = _recorded(repo, "b-after")
    assert {after[n]["pid"] for n in STAGES_JSON} != {dead}
    assert not psutil.pid_exists(dead) or psutil.Process(dead).status() == psutil.STATUS_ZOMBIE


def _kernels(proc: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in proc.children(recursive=True):
        try:
            if "ipykernel_launcher" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


def _wait_for(condition: Any, what: str, limit: float = 180) -> None:
    """Poll ``condition`` until it holds; ``limit`` only stops a broken test from hanging."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_ctrl_c_stops_the_run_and_leaves_no_kernel_running(tmp_path: Path) -> None:
    repo = _tiny_repo(tmp_path, {"a-slow": "This one sleeps", "b-next": "Fine", "c-last": "Fine"})
    env = {**os.environ, "KIT_REPO": str(repo), "PYTHONPATH": str(ROOT / "src")}
    kit = shutil.which("kit", path=str(Path(sys.executable).parent)) or "kit"
    # Ctrl-C as from a terminal: a shell starts background jobs with SIGINT ignored, and a child inherits
    # that (as this test's run would when the suite itself was started with `&`), so give it the default back.
    run = subprocess.Popen(
        [kit, "run", "--jobs", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    proc = psutil.Process(run.pid)
    # a-slow's 02 sleeps in its kernel, and b-next's kernel is warming up or warm
    _wait_for(
        lambda: (repo / "reports" / "a-slow" / "plan.json").exists() and len(_kernels(proc)) >= 2,
        "a running and a warm kernel",
    )
    kernels = _kernels(proc)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode != 0
    gone, alive = psutil.wait_procs(kernels, timeout=30)
    assert not alive, f"kernels left running: {alive}\n{out.decode()}\n{err.decode()}"
    assert not (repo / "reports" / "c-last" / "plan.json").exists()  # nothing new started


# Random in every run, fresh kernel or not: plotly's div ids, pandas Styler's table ids (T_ + 5 hex).
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\bT_[0-9a-f]{5}")


def _outputs(path: Path) -> list[Any]:
    """Each cell's source, number and outputs; the random ids made equal."""
    nb = nbformat.read(path, as_version=4)
    cells = [(c.cell_type, c.source, c.get("execution_count"), c.get("outputs")) for c in nb.cells]
    return json.loads(UUID.sub("<uuid>", json.dumps(cells, sort_keys=True)))


def test_demo_studies_give_the_same_outputs_as_in_fresh_kernels(
    demo_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same string hashes in every kernel of both runs: what differs is kernel reuse, not set order.
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    shutil.copytree(ROOT / "notebooks" / "quick-onboarding", demo_repo / "notebooks" / "quick-onboarding")
    slugs = ["demo-checkout", "quick-onboarding"]
    fresh = run_studies(demo_repo, jobs=2, fresh_kernels=True)
    assert all(r.ok for r in fresh), fresh
    alone = tmp_path / "alone"
    shutil.copytree(demo_repo / "reports", alone)
    warm = run_studies(demo_repo, jobs=2, force=True)
    assert all(r.ok for r in warm), warm
    for slug in slugs:
        for name in STAGES_JSON:
            assert (demo_repo / "reports" / slug / name).read_bytes() == (alone / slug / name).read_bytes(), name
        for stage in STAGES:
            assert _outputs(demo_repo / "reports" / slug / stage) == _outputs(alone / slug / stage), (slug, stage)
