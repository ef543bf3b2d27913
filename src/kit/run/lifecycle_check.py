"""``kit run``'s check of the insights' lifecycle across studies, after the studies ran.

Two findings need more than one study's notebook (see
:mod:`kit.study.supersession`): a ``superseded_by`` that points into
another study (unknown there, or closing a loop A→B→A) fails the study that
wrote it, with the file, line and chain; and a review date that passed
since the study's notebook last ran is a warning now, not when the
notebook happens to run again (it reads the review dates the stage wrote,
from ``reports/index.json``). ``--strict`` fails a study with a review due,
as with any warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.errors import NotebookFailure
from kit.layout import INSIGHTS_FILE
from kit.run.results import StudyResult
from kit.study.supersession import review_warnings, supersession_problems


@dataclass
class LifecycleFailure(NotebookFailure):
    """A study failed by the check across studies (no notebook or cell to name)."""

    def __str__(self) -> str:
        return self.message


def apply_lifecycle_checks(
    repo_root: Path,
    results: list[StudyResult],
    warnings: dict[str, list[str]],
    index: dict[str, Any] | None,
    today: dt.date | None = None,
) -> None:
    """Fail the run's studies whose ``superseded_by`` is wrong; add the reviews now due to their warnings."""
    today = today or dt.date.today()
    errors = supersession_problems(repo_root)
    due = review_warnings(repo_root, (index or {}).get("insights", []), today)
    for r in results:
        if r.removed or not r.ok:
            continue
        if r.slug in errors:
            lines = [str(p) for p in errors[r.slug]]
            message = lines[0] if len(lines) == 1 else f"{len(lines)} problems:\n" + "\n".join(f"  {x}" for x in lines)
            r.failure = LifecycleFailure(r.slug, INSIGHTS_FILE, None, message)
            continue
        if r.slug in due:
            warnings[r.slug] = list(dict.fromkeys([*warnings.get(r.slug, []), *due[r.slug]]))
