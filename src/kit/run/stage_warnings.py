"""The warnings a study's stages raised, for the command line.

Each stage writes its warnings into its JSON (``plan.json``,
``synthesis.json``, ``insights.json``: a ``warnings`` list). A run that
says "ok" while the data had problems is how research gets misread without
a word, so ``kit run`` prints them per study, and ``--strict`` fails a study
that has any (for CI). They are read from the JSON, so an up-to-date study
that was not executed again still shows its warnings.

Plan warnings name a section of study.yml (``study.yml (discussion guide):
...``); data and insight warnings already start with ``file:line``. A
message repeated by two stages is listed once.
"""
from __future__ import annotations

import json
from pathlib import Path

from kit.layout import INSIGHTS_JSON, PLAN_JSON, STUDY_FILE, SYNTHESIS_JSON, study_reports

STAGE_OUTPUTS = (PLAN_JSON, SYNTHESIS_JSON, INSIGHTS_JSON)
SHOWN = 5  # warnings printed per study; the rest are counted


def _line(item: object) -> str:
    if isinstance(item, dict):
        section, message = item.get("section"), " ".join(str(item.get("message", "")).split())
        if message.startswith(f"{STUDY_FILE}:"):  # already names its key
            return message
        where = item.get("where") or (f"{STUDY_FILE} ({section})" if section else STUDY_FILE)
        return f"{where}: {message}"
    return " ".join(str(item).split())


def study_warnings(repo_root: Path, slug: str) -> list[str]:
    """Every warning in the study's stage outputs, in stage order, each once."""
    out: dict[str, None] = {}
    folder = study_reports(repo_root, slug)
    for name in STAGE_OUTPUTS:
        path = folder / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not written (stage failed or not run): nothing to report from it
        items = data.get("warnings") if isinstance(data, dict) else None
        for item in items or []:
            out.setdefault(_line(item), None)
    return list(out)
