"""The demo study demo-checkout copied alone, for tests of one study.

The demo's I2 is superseded by an insight of the other demo study
(``superseded_by: quick-onboarding/I3``); ``kit run`` refuses a replacement
whose study is not in the repository. A copy without that study therefore
comments the line out, keeping every other line where it was (tests name lines).
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "notebooks" / "demo-checkout"
CROSS_STUDY = "    superseded_by: quick-onboarding/I3\n"


def copy_demo_study(dest: Path, source: Path = DEMO) -> Path:
    """Copy ``source`` (the demo study) to ``dest``, its link to the other demo study commented out."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    path = dest / "insights.yml"
    text = path.read_text("utf-8")
    assert text.count(CROSS_STUDY) == 1, "the demo's cross-study supersession moved: update tests/demo_copy.py"
    path.write_text(text.replace(CROSS_STUDY, "    # " + CROSS_STUDY.lstrip()), encoding="utf-8")
    return dest
