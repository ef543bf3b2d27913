"""Two runs of the stages write the same bytes: nothing depends on Python's hash seed (a set's order).

Each run is a new process with its own ``PYTHONHASHSEED``, as two ``kit run``
are; the demo studies' plan.json, synthesis.json, insights.json and the
insights exports are compared byte for byte. The stage outputs declare no
timestamps, so nothing is excluded. Seeds 1 and 3 order the demo's observer
roles differently, which is how ``sessions_by_role`` once changed between runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_STAGES = """
import sys
from kit.insights.stage import run_insights_stage
from kit.plan.stage import run_plan_stage
from kit.synthesis.stage import run_synthesis_stage
study, out = sys.argv[1], sys.argv[2]
run_plan_stage(study, out)
run_synthesis_stage(study, out)
run_insights_stage(study, out)
"""


def _run_stages(study: Path, out: Path, seed: int) -> dict[str, bytes]:
    env = {
        **os.environ,
        "PYTHONHASHSEED": str(seed),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    subprocess.run([sys.executable, "-c", RUN_STAGES, str(study), str(out)], env=env, check=True, cwd=ROOT)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.mark.parametrize("slug", ["demo-checkout", "quick-onboarding"])
def test_two_runs_with_different_hash_seeds_write_the_same_bytes(slug: str, tmp_path: Path):
    study = ROOT / "notebooks" / slug
    first = _run_stages(study, tmp_path / "first", seed=1)
    second = _run_stages(study, tmp_path / "second", seed=3)
    assert {"plan.json", "synthesis.json", "insights.json"} <= set(first)
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
