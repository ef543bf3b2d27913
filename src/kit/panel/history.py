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
from kit.layout import DATA_DIR, NOTEBOOKS_DIR, kit_data, notebooks_root
from kit.study.tables import LINE, clean, decode, find_table, read_table_file

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


def study_data_dirs(repo_root: Path) -> list[Path]:
    """Every ``notebooks/<slug>/data`` folder, sorted by slug."""
    return sorted(p for p in notebooks_root(repo_root).glob(f"*/{DATA_DIR}") if p.is_dir())


@dataclass
class Records:
    """One study table as text columns with each row's file line (what the history needs of it)."""

    source: str
    columns: dict[str, list[str]]
    lines: list[int]

    def where(self, line: int) -> str:
        return f"{self.source}:{line}"


def _table(data_dir: Path, stem: str, slug: str, problems: list[Problem]) -> Records | None:
    """One study table as text cells with file lines.

    CSV goes through :mod:`csv` directly: the panel reads two small files of
    every study (200 studies: 400 files) and pandas' per-file set-up would
    cost seconds. Cells are cleaned as the stages clean them; ``.xlsx`` uses
    the stages' reader.
    """
    path = find_table(data_dir, stem)
    if path is None:
        return None
    source = f"{NOTEBOOKS_DIR}/{slug}/{DATA_DIR}/{path.name}"
    if path.suffix.lower() != ".csv":
        table = read_table_file(path, stem, problems, source=source)
        if table is None:
            return None
        frame = table.frame
        return Records(source, {c: frame[c].tolist() for c in frame.columns if c != LINE}, frame[LINE].tolist())
    reader = csv.reader(io.StringIO(decode(path.read_bytes(), source, problems)))
    header: list[str] | None = None
    rows, lines = [], []
    previous = 0
    for record in reader:
        start, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines (Excel leaves trailing ,,,, rows)
        if header is None:
            header = [clean(c).lstrip("\ufeff").lower().replace(" ", "_") for c in record]
            continue
        rows.append([" ".join(c.split()) for c in record[:len(header)]] + [""] * (len(header) - len(record)))
        lines.append(start)
    header = header or []
    return Records(source, {name: [r[i] for r in rows] for i, name in enumerate(header)}, lines)


def person_links(data_dir: Path, problems: list[Problem]) -> dict[str, str]:
    """participant_id -> person_id of one study ({} without a person_id column)."""
    slug = data_dir.parent.name
    table = _table(data_dir, "participants", slug, problems)
    if table is None or "person_id" not in table.columns or "participant_id" not in table.columns:
        return {}
    f = table.columns
    return {p: q for p, q in zip(f["participant_id"], f["person_id"]) if p and q}


def study_history(data_dir: Path, problems: list[Problem]) -> list[Participation]:
    """The sessions of one study's panel people."""
    links = person_links(data_dir, problems)
    if not links:
        return []
    slug = data_dir.parent.name
    table = _table(data_dir, "sessions", slug, problems)
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
            problems.append(Problem(table.where(line), f"attended {came!r}, expected yes, no-show or "
                                                       "cancelled (or empty for yes)"))
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
