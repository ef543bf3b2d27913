"""The two demo studies run through their three stages in-process (no papermill), with the shared codebook.

What ``kit run`` would leave in ``reports/``: real insights.json files built by
the stages from the demo's data, for the tests of what reads them (``kit ask``,
topic pages).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kit.insights.stage import run_insights_stage
from kit.plan.stage import run_plan_stage
from kit.site.index import refresh_index
from kit.synthesis.stage import run_synthesis_stage

ROOT = Path(__file__).resolve().parent.parent
DEMO_STUDIES = ("demo-checkout", "quick-onboarding")


def seed_demo_reports(repo: Path, *, copy_studies: bool = True) -> Path:
    """Copy the demo studies (unless there), ``codebook.yml`` and ``metrics/`` into ``repo``; run their stages."""
    (repo / "notebooks").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "codebook.yml", repo / "codebook.yml")
    if not (repo / "metrics").exists():  # the PM metric series demo-checkout's R1 is judged by
        shutil.copytree(ROOT / "metrics", repo / "metrics")
    for slug in DEMO_STUDIES:
        study = repo / "notebooks" / slug
        if copy_studies:
            shutil.copytree(ROOT / "notebooks" / slug, study, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for stage in (run_plan_stage, run_synthesis_stage, run_insights_stage):
            stage(study)
    refresh_index(repo)
    return repo
