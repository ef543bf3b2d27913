"""Outcomes due: recommendations whose ``check_on`` date has passed with no ``outcome`` recorded.

A date passes without any file changing, so this is decided on every
``kit run`` (:func:`kit.run.stage_warnings.study_warnings`), not frozen into
insights.json when the insights stage last ran: the warning appears the day
after ``check_on`` and stays until an outcome is recorded; ``kit run --strict``
then fails the study (README, "Recommendation outcomes"). Studies whose
insights.yml never mentions ``check_on`` are not parsed at all, so a no-op
run of hundreds of studies stays fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kit.errors import KitError
from kit.layout import INSIGHTS_FILE
from kit.study.insights_file import load_insights_document, recommendation_line

CHECK_KEY = b"check_on"  # a file without it has no outcome that can be due


def outcomes_due(study_dir: str | Path, today: dt.date | None = None) -> list[str]:
    """``insights.yml:LINE: <slug>: recommendation R3: outcome due since 2026-12-02 ...``, one per recommendation.

    An insights.yml that cannot be read or validated gives nothing here: the
    insights stage reports it, and fails.
    """
    study_dir = Path(study_dir)
    path = study_dir / INSIGHTS_FILE
    try:
        if CHECK_KEY not in path.read_bytes():
            return []
        spec, document = load_insights_document(study_dir)
    except (OSError, KitError):
        return []
    today = today or dt.date.today()
    due = []
    for ins in spec.insights:
        for rec in ins.recommendations:
            if rec.check_on is not None and rec.check_on < today and rec.outcome is None:
                line = recommendation_line(document, spec, rec.id, "check_on")
                due.append(
                    f"{INSIGHTS_FILE}:{line}: {study_dir.name}: recommendation {rec.id}: outcome due since "
                    f"{rec.check_on.isoformat()} (check_on), expected an outcome: moved, not moved or inconclusive"
                )
    return due
