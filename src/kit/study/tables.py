"""Validating a study's data files, with problems that name file and line.

Tables live under ``notebooks/<slug>/data/`` as CSV or Excel (``.xlsx``, same
stem): participants, sessions, notes, tasks and sus. Reading a file
(encoding, delimiter, blank and repeated columns) is
:mod:`kit.study.table_reader`. Which columns each table has, and which hold
numbers or dates, is data (``data/data_columns.csv``); which problems stop
the stage and which are only warnings is data too (``data/data_checks.csv``).
Numbers and dates are read by rule (:mod:`kit.study.typed_columns` over
:mod:`kit.study.cells`): thousands separators and decimal commas by the
cell's shape and the table's convention, dates only when day and month
cannot be confused; anything else is a problem naming the cell, never a guess. Every problem of every file is
collected before :class:`~kit.errors.DataError` is raised, so one run lists
them all.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import DataError, Problem
from kit.layout import DATA_DIR, kit_data
from kit.study.data_checks import checks, problem  # noqa: F401 - re-exported for this module's users
from kit.study.survey_exports import read_survey_export
from kit.study.table_reader import (  # noqa: F401 - re-exported: the readers' names for this module's users
    LINE,
    Table,
    clean,
    decode,
    find_table,
    read_csv_text,
    read_table_file,
)
from kit.study.typed_columns import column_types, read_dates, read_numbers  # noqa: F401 - re-exported

TABLES = ("participants", "sessions", "notes", "tasks", "sus")
REQUIRED_FILES = ("participants",)  # everything else: its sections are left out when absent
NOTE_KINDS = ("observation", "quote", "problem")
SUS_ITEMS = tuple(f"q{i}" for i in range(1, 11))
# Tables that may also be another tool's file: its reader returns None when the file is the kit's own layout.
EXPORT_READERS = {"sus": read_survey_export}


@lru_cache(maxsize=1)
def columns() -> dict[str, dict[str, bool]]:
    """Table -> {column: required} from ``data/data_columns.csv``."""
    text = kit_data("data_columns.csv")
    out: dict[str, dict[str, bool]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out.setdefault(row["table"], {})[row["column"]] = row["required"] == "yes"
    return out


def scaffold_headers() -> dict[str, list[str]]:
    """Table -> the header row ``kit new`` writes (the columns marked ``scaffold`` in data_columns.csv)."""
    out: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(kit_data("data_columns.csv"))):
        if row["scaffold"] == "yes":
            out.setdefault(row["table"], []).append(row["column"])
    return out


def check_columns(table: Table, problems: list[Problem]) -> bool:
    """Missing columns (with the likely renamed one) and unknown ones; False when unusable."""
    spec = columns()[table.name]
    present = [c for c in table.frame.columns if c != LINE]
    unknown = [c for c in present if c not in spec]
    ok = True
    for col, required in spec.items():
        if not required or col in present:
            continue
        ok = False
        close = difflib.get_close_matches(col, unknown, n=1, cutoff=0.6)
        hint = f" (found '{close[0]}': renamed?)" if close else ""
        problems.append(
            problem(
                "missing_column", table.where(1), f"missing column '{col}'{hint}, expected columns: {', '.join(spec)}"
            )
        )
    for col in unknown:
        close = difflib.get_close_matches(col, list(spec), n=1, cutoff=0.6)
        if close and close[0] in present:
            close = []
        hint = f", did you mean '{close[0]}'?" if close else ""
        problems.append(problem("unknown_column", table.where(1), f"unknown column '{col}' ignored{hint}"))
    for col, required in spec.items():
        if not required and col not in present:
            table.frame[col] = ""
    return ok


def flag_rows(
    table: Table,
    mask: "pd.Series | np.ndarray | list[bool]",
    check: str,
    message: Callable[..., str],  # called with the row; `...`: callers bind loop variables as defaults (item=item)
    problems: list[Problem],
) -> None:
    """Append one problem per flagged row; ``message(row)`` builds its text."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    for row in table.frame.loc[mask].to_dict("records"):
        problems.append(problem(check, table.where(row[LINE]), message(row)))


def check_ids(table: Table, column: str, problems: list[Problem]) -> None:
    """Empty and repeated ids (the first row keeps the id)."""
    ids = table.frame[column]
    flag_rows(table, ids == "", "empty_id", lambda r: f"{column} is empty, expected an id", problems)
    first_line = dict(zip(ids[::-1], table.frame[LINE][::-1]))
    flag_rows(
        table,
        (ids != "") & ids.duplicated(),
        "duplicate_id",
        lambda r: f"{column} '{r[column]}' repeats line {first_line[r[column]]}, expected each id once",
        problems,
    )


def check_participants(table: Table, known: set[str], problems: list[Problem]) -> None:
    pids = table.frame["participant_id"]
    flag_rows(
        table,
        ~pids.isin(known),
        "unknown_participant",
        lambda r: (
            f"participant_id '{r['participant_id']}' is not in participants.csv"
            if r["participant_id"]
            else "participant_id is empty, expected an id from participants.csv"
        ),
        problems,
    )


def _unreported(table: Table, col: str) -> np.ndarray:
    return ~table.reported.get(col, np.zeros(len(table.frame), dtype=bool))


def validate_notes(table: Table, pids: set[str], sessions: dict[str, str], problems: list[Problem]) -> None:
    f = table.frame
    check_ids(table, "note_id", problems)
    check_participants(table, pids, problems)
    if sessions:
        unknown = (f["session_id"] != "") & ~f["session_id"].isin(list(sessions))
        flag_rows(
            table,
            unknown,
            "unknown_session",
            lambda r: f"session_id '{r['session_id']}' is not in sessions.csv",
            problems,
        )
        owner = f["session_id"].map(sessions).fillna("")
        mismatch = ~unknown & (owner != "") & (owner != f["participant_id"]) & f["participant_id"].isin(pids)
        flag_rows(
            table,
            mismatch,
            "session_mismatch",
            lambda r: (
                f"session '{r['session_id']}' belongs to participant '{sessions[r['session_id']]}' "
                f"in sessions.csv, but the note names participant '{r['participant_id']}'"
            ),
            problems,
        )
    flag_rows(table, f["text"] == "", "empty_text", lambda r: f"note '{r['note_id']}' has no text", problems)
    kind = f["kind"].str.lower()
    bad = (kind != "") & ~kind.isin(NOTE_KINDS)
    flag_rows(
        table, bad, "unknown_kind", lambda r: f"kind '{r['kind']}', expected one of {', '.join(NOTE_KINDS)}", problems
    )
    f["kind"] = kind.where(kind.isin(NOTE_KINDS), "observation")
    f["tags"] = [split_tags(s) for s in f["tags"].tolist()]


def split_tags(cell: str) -> list[str]:
    """A tags cell (``a; b;a``) as sorted distinct lower-case tags (the one spelling every reader uses)."""
    return sorted({" ".join(t.split()) for t in cell.lower().split(";")} - {""})


def validate_tasks(table: Table, pids: set[str], problems: list[Problem]) -> None:
    f = table.frame
    check_participants(table, pids, problems)
    success = table.numbers["success"]
    flag_rows(
        table,
        ~success.isin([0, 0.5, 1]) & _unreported(table, "success"),
        "success_invalid",
        lambda r: f"success '{r['success']}', expected 1 (success), 0.5 (partial) or 0 (failure)",
        problems,
    )
    time = table.numbers["time_s"]
    bad_time = (((f["time_s"] != "") & time.isna()) | (time < 0)) & _unreported(table, "time_s")
    flag_rows(
        table,
        bad_time,
        "time_invalid",
        lambda r: f"time_s '{r['time_s']}', expected a number of seconds of 0 or more (or empty)",
        problems,
    )
    seq = table.numbers["seq"]
    bad_seq = (((f["seq"] != "") & seq.isna()) | ~(seq.isna() | seq.isin(range(1, 8)))) & _unreported(table, "seq")
    flag_rows(
        table,
        bad_seq,
        "seq_out_of_range",
        lambda r: f"seq '{r['seq']}', expected a whole number 1-7 (or empty)",
        problems,
    )
    key = pd.Series(list(zip(f["participant_id"].tolist(), f["task"].str.lower().tolist())), dtype=object)
    first_line = dict(zip(key.tolist()[::-1], f[LINE].tolist()[::-1]))
    flag_rows(
        table,
        key.duplicated().to_numpy(),
        "duplicate_task_row",
        lambda r: (
            f"task '{r['task']}' for '{r['participant_id']}' repeats line "
            f"{first_line[(r['participant_id'], r['task'].lower())]}"
        ),
        problems,
    )
    f["success"], f["time_s"], f["seq"] = success, time.where(time >= 0), seq


def validate_sus(table: Table, pids: set[str], problems: list[Problem]) -> None:
    f = table.frame
    check_participants(table, pids, problems)
    check_ids(table, "participant_id", problems)
    for item in SUS_ITEMS:
        value = table.numbers[item]
        flag_rows(
            table,
            f[item] == "",
            "sus_missing",
            lambda r, item=item: (
                f"SUS answer {item} is missing, expected 1-5 (this participant is left out of the SUS score)"
            ),
            problems,
        )
        bad = (f[item] != "") & ~value.isin([1, 2, 3, 4, 5]) & _unreported(table, item)
        flag_rows(
            table,
            bad,
            "sus_out_of_range",
            lambda r, item=item: f"SUS answer {item} is '{r[item]}', expected a whole number 1-5",
            problems,
        )
        f[item] = value
    rec = table.numbers["recommend"]
    bad = (f["recommend"] != "") & ~rec.isin(range(0, 11)) & _unreported(table, "recommend")
    flag_rows(
        table,
        bad,
        "recommend_out_of_range",
        lambda r: f"recommend '{r['recommend']}', expected a whole number 0-10 (or empty)",
        problems,
    )
    f["recommend"] = rec


@dataclass
class StudyData:
    """The validated tables of one study (cells cleaned, numbers parsed)."""

    tables: dict[str, Table] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def frame(self, name: str) -> pd.DataFrame:
        """The table's rows, or an empty frame with its columns when the file is absent."""
        if name in self.tables:
            return self.tables[name].frame
        return pd.DataFrame(columns=[*columns()[name], LINE])

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.fatal]


def load_tables(study_dir: str | Path, *, raise_fatal: bool = True) -> StudyData:
    """Read and validate every table of ``<study_dir>/data``.

    Raises :class:`DataError` listing all fatal problems *and* warnings (so
    the user sees everything at once) when any problem is fatal.
    """
    data_dir = Path(study_dir) / DATA_DIR
    out = StudyData()
    problems = out.problems
    for name in TABLES:
        path = find_table(data_dir, name, problems)
        if path is None:
            check = "missing_file" if name in REQUIRED_FILES else "missing_optional_file"
            problems.append(problem(check, f"data/{name}.csv", f"file not found (or {name}.xlsx)"))
            continue
        export_reader = EXPORT_READERS.get(name)
        table = export_reader(path, problems) if export_reader else None
        table = table if table is not None else read_table_file(path, name, problems)
        if table is not None and check_columns(table, problems):
            out.tables[name] = table
            read_numbers(table, problems)
            read_dates(table, problems)
        if table is not None and (note := table.format_problem()) is not None:
            problems.append(note)
    pids: set[str] = set()
    if "participants" in out.tables:
        people = out.tables["participants"]
        check_ids(people, "participant_id", problems)
        pids = set(people.frame["participant_id"]) - {""}
        if people.frame.empty:
            problems.append(
                problem(
                    "no_participants",
                    people.where(1),
                    "no participants (only the header), expected one row per participant",
                )
            )
    sessions: dict[str, str] = {}
    if "sessions" in out.tables:
        t = out.tables["sessions"]
        check_ids(t, "session_id", problems)
        check_participants(t, pids, problems)
        sessions = dict(zip(t.frame["session_id"], t.frame["participant_id"]))
    if "notes" in out.tables:
        validate_notes(out.tables["notes"], pids, sessions, problems)
    if "tasks" in out.tables:
        validate_tasks(out.tables["tasks"], pids, problems)
    if "sus" in out.tables:
        validate_sus(out.tables["sus"], pids, problems)
    if raise_fatal and any(p.fatal for p in problems):
        raise DataError(fatal_first(problems))
    return out


def fatal_first(problems: list[Problem]) -> list[Problem]:
    """Fatal problems first, then warnings marked as such (one list the user reads once)."""
    return [p for p in problems if p.fatal] + [
        Problem(p.where, f"{p.message} (warning)", False) for p in problems if not p.fatal
    ]
