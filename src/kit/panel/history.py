"""Participation history, derived from every study's files (never typed twice).

A study's ``data/participants.csv`` links participants to the panel with its
optional ``person_id`` column; its ``data/sessions.csv`` says when each
session took place and, in the optional ``attended`` column, whether the
person came (``yes``, the default), did not (``no-show``) or the session was
``cancelled``. Spellings are a data table (``data/panel_attended.csv``);
anything else is an error naming file and line, since a misread no-show
would invite someone the rules exclude.

Only the participant of a session is counted: moderating or observing a
session (staff who are also in the panel) is not participation.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from kit.errors import PanelError, Problem
from kit.layout import kit_data
from kit.study.records import person_links, read_records, study_data_dirs

ATTENDED, NO_SHOW, CANCELLED = "yes", "no-show", "cancelled"


@functools.cache
def attended_spellings() -> dict[str, str]:
    """Spelling (lower case) -> yes / no-show / cancelled, from ``data/panel_attended.csv``."""
    rows = csv.DictReader(io.StringIO(kit_data("panel_attended.csv")))
    return {row["spelling"].strip().casefold(): row["attended"] for row in rows}


@dataclass(frozen=True)
class Participation:
    """One session of a panel person in one study."""

    person_id: str
    study: str
    session_id: str
    date: dt.date
    attended: str  # yes | no-show | cancelled


def study_history(data_dir: Path, problems: list[Problem]) -> list[Participation]:
    """The sessions of one study's panel people."""
    links = person_links(data_dir, problems)
    if not links:
        return []
    slug = data_dir.parent.name
    table = read_records(data_dir, "sessions", slug, problems)
    if table is None:
        return []
    f = table.columns
    for col in ("session_id", "participant_id", "date"):
        if col not in f:
            problems.append(Problem(table.where(1), f"missing column '{col}', expected the sessions columns"))
            return []
    attended = f.get("attended") or [""] * len(table.lines)
    spellings = attended_spellings()
    out: list[Participation] = []
    for sid, pid, day, came, line in zip(f["session_id"], f["participant_id"], f["date"], attended, table.lines):
        person = links.get(pid)
        if person is None:
            continue
        status = spellings.get(came.casefold())
        if status is None:
            problems.append(
                Problem(table.where(line), f"attended {came!r}, expected yes, no-show or cancelled (or empty for yes)")
            )
            continue
        try:
            date = dt.date.fromisoformat(day[:10])
        except ValueError:
            problems.append(Problem(table.where(line), f"date {day!r}, expected a date like 2026-03-01"))
            continue
        out.append(Participation(person, slug, sid, date, status))
    return out


def load_history(repo_root: str | Path) -> list[Participation]:
    """Every panel person's sessions in every study; :class:`PanelError` lists bad rows."""
    problems: list[Problem] = []
    out: list[Participation] = []
    for data_dir in study_data_dirs(Path(repo_root)):
        out += study_history(data_dir, problems)
    fatal = [p for p in problems if p.fatal]
    if fatal:
        raise PanelError(fatal)
    return out


def by_person(history: list[Participation]) -> dict[str, list[Participation]]:
    """person_id -> their sessions, by date."""
    out: dict[str, list[Participation]] = {}
    for p in sorted(history, key=lambda p: (p.date, p.study, p.session_id)):
        out.setdefault(p.person_id, []).append(p)
    return out
