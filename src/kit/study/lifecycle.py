"""The lifecycle of an insight: its status, when it is due for review, what replaced it.

Research repositories fail by becoming a burial ground: findings written
once, never looked at again, contradicted by a later study that nobody
links back (issue 28; the validity periods and explicit replacement that
Microsoft's HITS library and the ResearchOps community recommend). So each
insight of ``insights.yml`` has

* ``status``: one of the table ``data/insight_statuses.csv`` (draft,
  confirmed, superseded, archived); confirmed unless said otherwise, and
  superseded when ``superseded_by`` is set. Only *current* statuses
  (confirmed) are listed by default and published in the feed;
* ``review_by``: a date; by default ``review_after_months`` after the study's
  last session (or after ``reviewed_on``), from the kit's
  ``data/lifecycle.yml``, which the repository's ``lifecycle.yml``
  overrides, also per product area;
* ``reviewed_on``: when someone last checked that it still holds;
* ``superseded_by``: the insight that replaced it, ``I3`` in this study or
  ``other-study/I3``.

This module holds the rules every reader shares: statuses, settings, the
default review date, references, the chain check (an unknown, a
self-reference or a loop of ``superseded_by`` is an error naming file, line
and chain), the review warning (a review date past names study, insight and
date) and the words the site shows ("review due in 9 months").
The checks of ``superseded_by`` (in a study, and across studies) are
:mod:`kit.study.supersession`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel.dates import format_date, format_timedelta
from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from kit.errors import InsightError, Problem
from kit.layout import DATA_DIR, LIFECYCLE_FILE, kit_data, lifecycle_path
from kit.study.safe_yaml import read_yaml_document

SUPERSEDED = "superseded"
DEFAULT_STATUS = "confirmed"
# Recommendations not yet shipped or rejected: acting on a replaced finding is worth a word.
OPEN_RECOMMENDATIONS = ("proposed", "accepted", "in progress")
INSIGHT_REF_RE = re.compile(r"(?:(?P<study>[a-z0-9][a-z0-9-]{1,62})/)?(?P<insight>I\d+)")
"""``superseded_by``: ``I3`` (this study) or ``<slug>/I3`` (a slug as kit.layout.SLUG_RE spells it)."""
LOCALE = "en"  # the site's language (dates as "2 May 2026", "in 9 months")


@dataclass(frozen=True)
class InsightStatus:
    name: str
    current: bool  # listed by default and published in the feed
    label: str
    meaning: str


@lru_cache(maxsize=1)
def insight_statuses() -> dict[str, InsightStatus]:
    """The status table ``data/insight_statuses.csv``, in its order."""
    rows = csv.DictReader(io.StringIO(kit_data("insight_statuses.csv")))
    return {r["status"]: InsightStatus(r["status"], r["current"] == "yes", r["label"], r["meaning"]) for r in rows}


def lifecycle_status(status: str | None, superseded_by: str | None) -> str:
    """The status with its default: superseded when ``superseded_by`` is set, else confirmed."""
    return status or (SUPERSEDED if superseded_by else DEFAULT_STATUS)


def is_current(status: str) -> bool:
    """Listed by default and in the feed (the table's ``current`` column)."""
    found = insight_statuses().get(status)
    return bool(found and found.current)


class LifecycleSettings(BaseModel):
    """``lifecycle.yml``: how long an insight holds before it is due for review."""

    model_config = ConfigDict(extra="forbid")

    review_after_months: int = Field(ge=1, le=120)
    product_areas: dict[str, int] = Field(default_factory=dict)
    due_soon_days: int = Field(default=30, ge=0, le=366)

    def months_for(self, product_area: str) -> int:
        """The review period of a product area (names compare in any case), else the default."""
        by_area = {k.casefold(): v for k, v in self.product_areas.items()}
        return by_area.get(product_area.strip().casefold(), self.review_after_months)


def load_settings(repo_root: str | Path) -> LifecycleSettings:
    """The kit's defaults (``data/lifecycle.yml``) with the repository's ``lifecycle.yml`` over them.

    A bad file is an :class:`InsightError` naming ``lifecycle.yml``, the key and what was expected.
    """
    data: dict[str, Any] = yaml.safe_load(kit_data("lifecycle.yml"))
    path = lifecycle_path(repo_root)
    if path.is_file():
        own = read_yaml_document(path, InsightError, LIFECYCLE_FILE).data or {}
        if not isinstance(own, dict):
            raise InsightError(Problem(LIFECYCLE_FILE, f"expected a mapping of keys, got {type(own).__name__}"))
        data.update(own)
    try:
        return LifecycleSettings.model_validate(data)
    except PydanticValidationError as err:
        problems = []
        for e in err.errors():
            key = ".".join(str(p) for p in e["loc"])
            problems.append(Problem(f"{LIFECYCLE_FILE}: key '{key}'", f"{e['msg']}, got {e['input']!r}"))
        raise InsightError(problems) from None


def last_session(study_dir: str | Path) -> dt.date | None:
    """The date of the study's last session held (``data/sessions.csv``), if it has any readable one.

    Unreadable rows are the synthesis stage's to report: here they are skipped.
    """
    from kit.study.table_reader import find_table, read_table_file
    from kit.study.typed_columns import read_dates

    problems: list[Problem] = []
    path = find_table(Path(study_dir) / DATA_DIR, "sessions", problems)
    table = read_table_file(path, "sessions", problems) if path is not None else None
    if table is None or "date" not in table.frame:
        return None
    read_dates(table, problems)
    frame = table.frame
    held = frame["attended"].isin(["", "yes"]) if "attended" in frame else frame["date"].notna()
    days = []
    for value in frame.loc[held, "date"]:
        try:
            days.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            continue
    return max(days, default=None)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later (31 January + 1 month = 28 or 29 February: dateutil's relativedelta)."""
    return day + relativedelta(months=months)


def default_review_by(found_on: dt.date, reviewed_on: dt.date | None, months: int) -> dt.date:
    """``months`` after the last review, else after the study found it."""
    return add_months(reviewed_on or found_on, months)


def parse_ref(ref: str, own_study: str) -> tuple[str, str]:
    """``I3`` -> (own_study, I3); ``other/I3`` -> (other, I3)."""
    m = INSIGHT_REF_RE.fullmatch(ref)
    if m is None:  # the schema refuses it first; a clear error all the same
        raise ValueError(f"expected an insight id like I3 or other-study/I3, got {ref!r}")
    return m["study"] or own_study, m["insight"]


def long_date(day: dt.date) -> str:
    """``2 May 2026``: unambiguous in every English-speaking country."""
    return str(format_date(day, "d MMMM y", locale=LOCALE))


def relative_words(day: dt.date, today: dt.date) -> str:
    """``3 months ago``, ``in 9 months``, ``today`` (babel's CLDR wording)."""
    if day == today:
        return "today"
    return str(format_timedelta(day - today, granularity="day", add_direction=True, locale=LOCALE))


def review_words(review_by: dt.date, today: dt.date) -> str:
    """``review due in 9 months`` or, once past, ``review due since 2 May 2026``."""
    if review_by > today:
        return f"review due {relative_words(review_by, today)}"
    return "review due today" if review_by == today else f"review due since {long_date(review_by)}"


def age_words(found_on: dt.date, reviewed_on: dt.date | None, today: dt.date) -> str:
    """``reviewed 3 months ago`` once reviewed, else ``found 5 months ago``."""
    if reviewed_on is not None:
        return f"reviewed {relative_words(reviewed_on, today)}"
    return f"found {relative_words(found_on, today)}"


def review_due(
    where: str, study: str, insight: str, status: str, review_by: dt.date | None, today: dt.date
) -> Problem | None:
    """The warning for a current insight whose review date has passed (the same text in the stage and `kit run`)."""
    if review_by is None or review_by > today or not is_current(status):
        return None
    return Problem(
        where,
        f"review due since {long_date(review_by)} ({study}/{insight}): check it still holds, then set "
        "reviewed_on and a later review_by, or mark it superseded or archived",
        fatal=False,
    )


def line_of(lines: list[dict[str, int]], index: int, key: str) -> int | None:
    """The line of an insight's key, else of the insight itself (None when unknown)."""
    found = lines[index] if index < len(lines) else {}
    return found.get(key) or found.get("")


def insight_where(source: str, line: int | None, insight: str) -> str:
    """``insights.yml:14: insight I2`` (the line when known)."""
    return f"{source}:{line}: insight {insight}" if line else f"{source}: insight {insight}"


@dataclass(frozen=True)
class Replacement:
    """One ``superseded_by`` link of the graph the checks walk."""

    key: str  # study/insight that was replaced
    target: str  # study/insight that replaced it
    ref: str  # as written
    where: str  # file:line: insight I2


def chain_problems(
    links: Mapping[str, Replacement], known: Mapping[str, list[str]], checked_studies: set[str]
) -> list[Problem]:
    """Unknown targets, self-references and loops among ``links``; errors naming file, line and chain.

    ``known``: study -> its insight ids. A target in a study outside
    ``checked_studies`` is left alone (the stage checks its own study;
    ``kit run`` every study, :mod:`kit.study.supersession`).
    """
    found: list[Problem] = []
    for key, link in links.items():
        study, insight = link.target.split("/")
        if link.target == key:
            found.append(Problem(link.where, f"superseded_by {link.ref!r} is the insight itself, expected another"))
        elif study not in checked_studies:
            continue
        elif study not in known:
            found.append(
                Problem(
                    link.where, f"superseded_by {link.ref!r}: no study {study!r} (with an insights.yml) in notebooks/"
                )
            )
        elif insight not in known[study]:
            ids = ", ".join(known[study]) or "none"
            found.append(
                Problem(link.where, f"superseded_by {link.ref!r}: {study} has no insight {insight} (it has {ids})")
            )
        else:
            chain = [key]
            step = link.target
            while step in links and step not in chain:
                chain.append(step)
                step = links[step].target
            if step == key:  # back where it started: a loop through this insight
                shown = " → ".join([*chain, key])
                message = f"superseded_by makes a loop: {shown}, expected a chain that ends at a current insight"
                found.append(Problem(link.where, message))
    return found
