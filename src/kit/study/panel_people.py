"""The participant panel's file contract: ``panel/people.csv``, one row per person across all studies.

Columns (``data/data_columns.csv``, table ``people``): person_id, name, email,
account, segment, contact_owner (a RACI role: who owns the relationship and
must be asked before anyone contacts the person), opted_in (date), consent_version,
withdrawn (date, empty if not), beta (yes/no), notes. The file is read by the
studies' own table reader (UTF-8 or Excel's Windows-1252, ``.xlsx`` too), and
every problem is reported at once as ``panel/people.csv:line: ...``.

A study links its participants to the panel with an optional ``person_id``
column in ``data/participants.csv``; studies without one work as before.

:func:`withdrawn_person_ids` is the privacy-critical reader the stages and
the privacy check call: it only needs ``person_id`` and ``withdrawn``, and it
fails closed (any text in ``withdrawn``, even an unreadable date, means withdrawn).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kit.errors import PanelError, Problem
from kit.layout import PANEL_DIR, PEOPLE_FILE, panel_root
from kit.study.raci import ROLES
from kit.study.records import FilesStamp, files_stamp, read_records, roster_stamp, study_data_dirs
from kit.study.tables import LINE, check_columns, check_ids, find_table, read_table_file

SOURCE = f"{PANEL_DIR}/{PEOPLE_FILE}"
YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "": False,
}
_ROLE_BY_KEY = {r.casefold(): r for r in ROLES}
CONSENT_YES = frozenset({"yes", "y", "true", "1", "ja", "oui", "si", "sí"})
"""Spellings of consent in participants.csv (anything else is no)."""
UNRESTRICTED = (True, True)


@dataclass(frozen=True)
class Person:
    """One row of the panel (private: never published)."""

    person_id: str
    name: str
    email: str
    account: str
    segment: str
    contact_owner: str  # a RACI role
    opted_in: dt.date | None
    consent_version: str
    withdrawn: dt.date | None
    beta: bool
    line: int

    def __repr__(self) -> str:  # a notebook cell must never print a name into a report
        return f"<Person {self.person_id}: {self.segment}; name withheld>"


@dataclass
class Panel:
    """The people of ``panel/people.csv`` by person_id, in file order."""

    people: dict[str, Person]
    source: str = SOURCE

    def __len__(self) -> int:
        return len(self.people)

    def withdrawn_ids(self) -> set[str]:
        """Everyone who withdrew consent (a date in ``withdrawn``)."""
        return {pid for pid, p in self.people.items() if p.withdrawn is not None}

    def segments(self) -> list[str]:
        """The panel's segments, sorted."""
        return sorted({p.segment for p in self.people.values() if p.segment})


def panel_file(repo_root: str | Path) -> Path | None:
    """``panel/people.csv`` (or ``people.xlsx``), or None when the repository has no panel."""
    return find_table(panel_root(repo_root), Path(PEOPLE_FILE).stem)


def parse_date(value: str) -> dt.date:
    """``YYYY-MM-DD`` (also with a midnight time, as spreadsheets export dates); ValueError otherwise."""
    text = str(value).strip()
    if len(text) > 10 and text[10] in " T":
        text = text[:10]
    return dt.date.fromisoformat(text)


def _read(repo_root: Path) -> tuple[pd.DataFrame, str] | None:
    path = panel_file(repo_root)
    if path is None:
        return None
    problems: list[Problem] = []
    source = f"{PANEL_DIR}/{path.name}"
    table = read_table_file(path, "people", problems, source=source)
    if table is None or not check_columns(table, problems) or any(p.fatal for p in problems):
        raise PanelError([p for p in problems if p.fatal])
    check_ids(table, "person_id", problems)
    if any(p.fatal for p in problems):
        raise PanelError([p for p in problems if p.fatal])
    return table.frame, source


def load_panel(repo_root: str | Path) -> Panel | None:
    """Read and validate the panel; None when the repository has none.

    Raises :class:`PanelError` listing every problem (``panel/people.csv:line``):
    an empty or repeated person_id, a date that is not ``YYYY-MM-DD``, a
    contact_owner that is not a RACI role, a beta cell that is not yes/no.
    """
    read = _read(Path(repo_root))
    if read is None:
        return None
    frame, source = read
    problems: list[Problem] = []
    people: dict[str, Person] = {}
    columns = [c for c in frame.columns]
    # Plain lists row by row: DataFrame.to_dict("records") costs ~0.3 s for 5,000 people.
    for values in zip(*(frame[c].tolist() for c in columns)):
        row = dict(zip(columns, values))
        where = f"{source}:{row[LINE]}"
        dates: dict[str, dt.date | None] = {}
        for key in ("opted_in", "withdrawn"):
            text = row[key]
            dates[key] = None
            if text:
                try:
                    dates[key] = parse_date(text)
                except ValueError:
                    problems.append(Problem(where, f"{key} {text!r}, expected a date like 2026-03-01 (or empty)"))
        owner = _ROLE_BY_KEY.get(row["contact_owner"].casefold())
        if owner is None:
            problems.append(
                Problem(
                    where, f"contact_owner {row['contact_owner']!r}, expected one of the RACI roles: {', '.join(ROLES)}"
                )
            )
        beta = YES_NO.get(row["beta"].casefold())
        if beta is None:
            problems.append(Problem(where, f"beta {row['beta']!r}, expected yes or no"))
        people[row["person_id"]] = Person(
            row["person_id"],
            row["name"],
            row["email"],
            row["account"],
            row["segment"],
            owner or "",
            dates["opted_in"],
            row["consent_version"],
            dates["withdrawn"],
            bool(beta),
            int(row[LINE]),
        )
    if problems:
        raise PanelError(problems)
    return Panel(people, source)


def withdrawn_person_ids(repo_root: str | Path) -> frozenset[str]:
    """person_ids with anything in ``withdrawn`` (the consent check of every stage).

    Fails closed: a withdrawn cell that is not a valid date still withdraws
    the person (the date is for the Panel page and the purge log, not for
    deciding whether to publish). Raises :class:`PanelError` only when the
    file cannot be read at all, so the stage fails rather than publishing.
    """
    path = panel_file(repo_root)
    if path is None:
        return frozenset()
    problems: list[Problem] = []
    table = read_table_file(path, "people", problems, source=f"{PANEL_DIR}/{path.name}")
    if table is None:
        raise PanelError(problems)
    frame = table.frame
    if "person_id" not in frame or "withdrawn" not in frame:
        raise PanelError(
            Problem(
                f"{PANEL_DIR}/{path.name}:1",
                "missing column 'person_id' or 'withdrawn', "
                "expected the panel's columns (see README, 'The participant panel')",
            )
        )
    ids = frame["person_id"][frame["withdrawn"] != ""]
    return frozenset(i for i in ids.tolist() if i)


def panel_consent(repo_root: str | Path) -> dict[str, tuple[bool, bool]]:
    """person_id -> (may be quoted, may have recordings linked), for the people the panel restricts.

    Consent over time, across studies (persons not listed are unrestricted:
    each study's own consent columns apply):

    * a ``withdrawn`` date in people.csv withdraws both, in every study;
    * a person's *latest* consent, from the study whose session with them is
      the most recent (same day: a ``no`` wins), holds in every study: a
      ``no`` there withdraws what earlier studies were given, while a ``yes``
      never grants what an earlier study was refused (that study's own
      column still says no).

    Read once per process for the same file versions (every stage of every
    study asks). Fails closed like :func:`withdrawn_person_ids`.
    """
    root = Path(repo_root).resolve()
    people = panel_file(root)
    if people is None:
        return {}  # no panel: nothing restricts anyone beyond each study's own columns
    return dict(_panel_consent(root, files_stamp([people]) + roster_stamp(root)))


@functools.lru_cache(maxsize=4)
def _panel_consent(root: Path, stamp: FilesStamp) -> tuple[tuple[str, tuple[bool, bool]], ...]:
    if panel_file(root) is None:
        return ()
    latest: dict[str, tuple[dt.date, bool, bool]] = {}
    for data_dir in study_data_dirs(root):
        problems: list[Problem] = []
        people = read_records(data_dir, "participants", data_dir.parent.name, problems)
        if people is None or "person_id" not in people.columns:
            continue
        sessions = read_records(data_dir, "sessions", data_dir.parent.name, problems)
        last: dict[str, dt.date] = {}
        if sessions is not None and {"participant_id", "date"} <= set(sessions.columns):
            for pid, day in zip(sessions.columns["participant_id"], sessions.columns["date"]):
                try:
                    d = parse_date(day)
                except ValueError:
                    continue
                last[pid] = max(last.get(pid, d), d)
        cols = people.columns
        n = len(people.lines)
        for pid, person, quotes, recording in zip(
            cols.get("participant_id", [""] * n),
            cols["person_id"],
            cols.get("consent_quotes", [""] * n),
            cols.get("consent_recording", [""] * n),
        ):
            if not person or pid not in last:
                continue
            record = (last[pid], quotes.lower() in CONSENT_YES, recording.lower() in CONSENT_YES)
            old = latest.get(person)
            if old is None or record[0] > old[0]:
                latest[person] = record
            elif record[0] == old[0]:
                latest[person] = (old[0], old[1] and record[1], old[2] and record[2])
    out = {person: (q, r) for person, (_, q, r) in latest.items() if (q, r) != UNRESTRICTED}
    out.update({person: (False, False) for person in withdrawn_person_ids(root)})
    return tuple(sorted(out.items()))
