"""The warnings a study's stages raised, for the command line.

Each stage writes its warnings into its JSON (``plan.json``,
``synthesis.json``, ``insights.json``: a ``warnings`` list). A run that
says "ok" while the data had problems is how research gets misread without
a word, so ``kit run`` prints them per study, and ``--strict`` fails a study
that has any (for CI). An up-to-date study that was not executed again
still shows its warnings: the runner records each stage's list in the
study's manifest when the stage runs (:func:`output_warnings`), and they
are read from there, else from the JSON.

Plan warnings name a section of study.yml (``study.yml (discussion guide):
...``); data and insight warnings already start with ``file:line``. A
message repeated by two stages is listed once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kit.layout import INSIGHTS_JSON, PLAN_JSON, STAGES, STUDY_FILE, SYNTHESIS_JSON, notebooks_root, study_reports
from kit.run.manifest import Manifest
from kit.study.outcomes_due import outcomes_due

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


def output_warnings(folder: Path, names: Iterable[str]) -> list[Any]:
    """The ``warnings`` items of the stage JSON files among ``names`` in ``folder``, as written."""
    items: list[Any] = []
    for name in names:
        if name not in STAGE_OUTPUTS:
            continue
        try:
            data = json.loads((Path(folder) / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not written (stage failed or not run): nothing to report from it
        found = data.get("warnings") if isinstance(data, dict) else None
        items.extend(found if isinstance(found, list) else [])
    return items


def study_warnings(repo_root: Path, slug: str, today: dt.date | None = None) -> list[str]:
    """Every warning of the study's stages, in stage order, each once (from its manifest, else its JSON).

    Then the recommendation outcomes due on ``today`` (default: today), decided now:
    a date passes without any input changing (:mod:`kit.study.outcomes_due`).
    """
    folder = study_reports(repo_root, slug)
    items = Manifest.load(folder).recorded_warnings(STAGES)
    if items is None:
        items = output_warnings(folder, STAGE_OUTPUTS)
    due = outcomes_due(notebooks_root(repo_root) / slug, today)
    return list(dict.fromkeys([*(_line(item) for item in items), *due]))
