"""Reading a study's data files, with validation that names file and line.

Tables live under ``notebooks/<slug>/data/`` as CSV or Excel (``.xlsx``, same
stem): participants, sessions, notes, tasks and sus. Which columns each table
has is data (``data/data_columns.csv``); which problems stop the stage and
which are only warnings is data too (``data/data_checks.csv``).

CSV files are read as UTF-8 (with or without BOM) and fall back to
Windows-1252, which is what Excel's plain "CSV" export writes. Line endings
(CRLF, CR) and whitespace (runs, non-breaking spaces, padding) are normalised
in every cell. Line numbers in messages are the file's own lines (header =
line 1; a quoted cell spanning lines counts all of them), so the user can go
straight to the fault. Every problem of every file is collected before
:class:`~kit.errors.DataError` is raised, so one run lists them all.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import DataError, Problem
from kit.layout import kit_data

TABLES = ("participants", "sessions", "notes", "tasks", "sus")
REQUIRED_FILES = ("participants",)  # everything else: its sections are left out when absent
NOTE_KINDS = ("observation", "quote", "problem")
SUS_ITEMS = tuple(f"q{i}" for i in range(1, 11))
LINE = "_line"  # column holding each row's first line in its file


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


@lru_cache(maxsize=1)
def checks() -> dict[str, bool]:
    """Check name -> fatal, from ``data/data_checks.csv``."""
    text = kit_data("data_checks.csv")
    return {row["check"]: row["fatal"] == "yes" for row in csv.DictReader(io.StringIO(text))}


def problem(check: str, where: str, message: str) -> Problem:
    """A Problem whose fatality comes from the check table."""
    return Problem(where, message, fatal=checks()[check])


@dataclass
class Table:
    """One data file read as text cells; ``frame[LINE]`` is each row's line in the file."""

    name: str
    source: str  # shown in messages, e.g. data/notes.csv
    frame: pd.DataFrame

    def where(self, line: int) -> str:
        return f"{self.source}:{line}"


def find_table(data_dir: Path, stem: str) -> Path | None:
    """``data/<stem>.csv`` or ``data/<stem>.xlsx`` (CSV wins), or None."""
    for ext in (".csv", ".xlsx"):
        if (data_dir / f"{stem}{ext}").is_file():
            return data_dir / f"{stem}{ext}"
    return None


def clean(value: object) -> str:
    """One cell as text: whitespace runs (incl. newlines, NBSP) -> one space, trimmed."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 1 as 1.0
    elif isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date().isoformat()  # an Excel date cell, as the CSV would spell it
    return " ".join(str(value).split())


def _header_name(value: object) -> str:
    return clean(value).lstrip("\ufeff").lower().replace(" ", "_")


def decode(data: bytes, source: str, problems: list[Problem]) -> str:
    """UTF-8 (BOM optional), else Windows-1252 with a warning; newlines normalised."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.append(problem("not_utf8", f"{source}:{line}",
                                f"not UTF-8 (byte 0x{data[exc.start]:02x}), read as Windows-1252"))
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def record_lines(text: str) -> list[int]:
    """First physical line of every non-blank CSV record (header included).

    A record continues onto the next line while it has an odd number of
    double quotes so far (RFC 4180: quotes inside a quoted cell are doubled,
    so they keep the parity).
    """
    starts, open_quote = [], False
    for number, line in enumerate(text.split("\n"), 1):
        if not open_quote and line.strip(" \t,"):
            starts.append(number)
        if line.count('"') % 2:
            open_quote = not open_quote
    return starts


def read_csv_text(text: str, name: str, source: str, problems: list[Problem] | None = None) -> Table:
    """Parse CSV text keeping each record's first physical line number.

    pandas' C parser reads the cells; :func:`record_lines` finds the line
    numbers. Should the two ever disagree (unbalanced quotes), the slower
    :mod:`csv` reader, which tracks lines itself, is used instead.
    """
    starts = record_lines(text)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                            skip_blank_lines=True, header=None, skipinitialspace=False)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except pd.errors.ParserError:  # a row with more cells than the header
        return _read_csv_slow(text, name, source, problems)
    if len(frame):
        blank = np.ones(len(frame), dtype=bool)
        for col in frame.columns:
            blank &= np.asarray([not v.strip(" \t") for v in frame[col].tolist()])
        frame = frame[~blank]
    if len(frame) != len(starts):
        return _read_csv_slow(text, name, source, problems)
    if frame.empty:
        return Table(name, source, pd.DataFrame({LINE: np.asarray([], dtype=np.int64)}))
    header = [_header_name(c) for c in frame.iloc[0]]
    body = frame.iloc[1:].copy()
    body.columns = header
    body = body.reset_index(drop=True)
    for col in header:  # a list comprehension is ~20x faster than pandas' .str methods here
        body[col] = pd.Series([" ".join(v.split()) for v in body[col].tolist()], dtype=object)
    body[LINE] = np.asarray(starts[1:], dtype=np.int64)
    return Table(name, source, body.loc[:, ~body.columns.duplicated()])


def _read_csv_slow(text: str, name: str, source: str, problems: list[Problem] | None = None) -> Table:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    for record in reader:
        start, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines (Excel leaves trailing ,,,, rows)
        if header is None:
            header = [_header_name(c) for c in record]
            continue
        rows.append([" ".join(c.split()) for c in record])
        lines.append(start)
    header = header or []
    width = len(header)
    for r, line in zip(rows, lines):
        if len(r) > width and any(r[width:]) and problems is not None:
            problems.append(problem("extra_cells", f"{source}:{line}",
                                    f"{len(r)} cells, expected {width} as in the header "
                                    "(a comma in text that is not in double quotes?)"))
    rows = [r[:width] + [""] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header)
    frame[LINE] = np.asarray(lines, dtype=np.int64)
    return Table(name, source, frame)


def read_table_file(path: Path, name: str, problems: list[Problem], source: str | None = None) -> Table | None:
    """Read one CSV/xlsx table; problems (encoding, parse errors) are appended."""
    source = source or f"data/{path.name}"
    try:
        if path.suffix.lower() == ".xlsx":
            raw = pd.read_excel(path, dtype=object, header=None)
            raw = raw.dropna(how="all")
            if raw.empty:
                return Table(name, source, pd.DataFrame({LINE: []}))
            header = [_header_name(c) for c in raw.iloc[0]]
            body = raw.iloc[1:]
            frame = pd.DataFrame([[clean(v) for v in row] for row in body.itertuples(index=False)],
                                 columns=header, dtype=object)
            frame[LINE] = (body.index.to_numpy() + 1).astype(np.int64)  # Excel rows are 1-based
            return Table(name, source, frame)
        return read_csv_text(decode(path.read_bytes(), source, problems), name, source, problems)
    except (csv.Error, ValueError, OSError, KeyError) as exc:
        problems.append(problem("unreadable", source, f"cannot read the table: {exc}"))
        return None


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
        problems.append(problem("missing_column", table.where(1),
                                f"missing column '{col}'{hint}, expected columns: {', '.join(spec)}"))
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


def flag_rows(table: Table, mask: "pd.Series | np.ndarray", check: str, message, problems: list[Problem]) -> None:
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
    flag_rows(table, (ids != "") & ids.duplicated(), "duplicate_id",
          lambda r: f"{column} '{r[column]}' repeats line {first_line[r[column]]}, expected each id once",
          problems)


def check_participants(table: Table, known: set[str], problems: list[Problem]) -> None:
    pids = table.frame["participant_id"]
    flag_rows(table, ~pids.isin(known), "unknown_participant",
          lambda r: f"participant_id '{r['participant_id']}' is not in participants.csv"
                    if r["participant_id"] else "participant_id is empty, expected an id from participants.csv",
          problems)


def numbers(series: pd.Series) -> pd.Series:
    """Text -> float; '' -> NaN; unparsable -> NaN (callers flag those). Decimal commas accepted."""
    return pd.to_numeric(series.str.replace(",", ".", regex=False), errors="coerce")


def validate_notes(table: Table, pids: set[str], sessions: dict[str, str], problems: list[Problem]) -> None:
    f = table.frame
    check_ids(table, "note_id", problems)
    check_participants(table, pids, problems)
    if sessions:
        unknown = (f["session_id"] != "") & ~f["session_id"].isin(list(sessions))
        flag_rows(table, unknown, "unknown_session",
              lambda r: f"session_id '{r['session_id']}' is not in sessions.csv", problems)
        owner = f["session_id"].map(sessions).fillna("")
        mismatch = ~unknown & (owner != "") & (owner != f["participant_id"]) & f["participant_id"].isin(pids)
        flag_rows(table, mismatch, "session_mismatch",
              lambda r: f"session '{r['session_id']}' belongs to participant '{sessions[r['session_id']]}' "
                        f"in sessions.csv, but the note names participant '{r['participant_id']}'", problems)
    flag_rows(table, f["text"] == "", "empty_text", lambda r: f"note '{r['note_id']}' has no text", problems)
    kind = f["kind"].str.lower()
    bad = (kind != "") & ~kind.isin(NOTE_KINDS)
    flag_rows(table, bad, "unknown_kind",
          lambda r: f"kind '{r['kind']}', expected one of {', '.join(NOTE_KINDS)}", problems)
    f["kind"] = kind.where(kind.isin(NOTE_KINDS), "observation")
    f["tags"] = [split_tags(s) for s in f["tags"].tolist()]


def split_tags(cell: str) -> list[str]:
    """A tags cell (``a; b;a``) as sorted distinct lower-case tags (the one spelling every reader uses)."""
    return sorted({" ".join(t.split()) for t in cell.lower().split(";")} - {""})


def validate_tasks(table: Table, pids: set[str], problems: list[Problem]) -> None:
    f = table.frame
    check_participants(table, pids, problems)
    success = numbers(f["success"])
    flag_rows(table, ~success.isin([0, 0.5, 1]), "success_invalid",
          lambda r: f"success '{r['success']}', expected 1 (success), 0.5 (partial) or 0 (failure)", problems)
    time = numbers(f["time_s"])
    bad_time = ((f["time_s"] != "") & time.isna()) | (time < 0)
    flag_rows(table, bad_time, "time_invalid",
          lambda r: f"time_s '{r['time_s']}', expected a number of seconds of 0 or more (or empty)", problems)
    seq = numbers(f["seq"])
    bad_seq = ((f["seq"] != "") & seq.isna()) | ~(seq.isna() | seq.isin(range(1, 8)))
    flag_rows(table, bad_seq, "seq_out_of_range",
          lambda r: f"seq '{r['seq']}', expected a whole number 1-7 (or empty)", problems)
    key = pd.Series(list(zip(f["participant_id"].tolist(), f["task"].str.lower().tolist())), dtype=object)
    first_line = dict(zip(key.tolist()[::-1], f[LINE].tolist()[::-1]))
    flag_rows(table, key.duplicated().to_numpy(), "duplicate_task_row",
          lambda r: f"task '{r['task']}' for '{r['participant_id']}' repeats line "
                    f"{first_line[(r['participant_id'], r['task'].lower())]}", problems)
    f["success"], f["time_s"], f["seq"] = success, time.where(time >= 0), seq


def validate_sus(table: Table, pids: set[str], problems: list[Problem]) -> None:
    f = table.frame
    check_participants(table, pids, problems)
    check_ids(table, "participant_id", problems)
    for item in SUS_ITEMS:
        value = numbers(f[item])
        flag_rows(table, f[item] == "", "sus_missing",
              lambda r, item=item: f"SUS answer {item} is missing, expected 1-5 "
                                   "(this participant is left out of the SUS score)", problems)
        bad = (f[item] != "") & ~value.isin([1, 2, 3, 4, 5])
        flag_rows(table, bad, "sus_out_of_range",
              lambda r, item=item: f"SUS answer {item} is '{r[item]}', expected a whole number 1-5", problems)
        f[item] = value
    rec = numbers(f["recommend"])
    bad = (f["recommend"] != "") & ~rec.isin(range(0, 11))
    flag_rows(table, bad, "recommend_out_of_range",
          lambda r: f"recommend '{r['recommend']}', expected a whole number 0-10 (or empty)", problems)
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
    data_dir = Path(study_dir) / "data"
    out = StudyData()
    problems = out.problems
    for name in TABLES:
        path = find_table(data_dir, name)
        if path is None:
            check = "missing_file" if name in REQUIRED_FILES else "missing_optional_file"
            problems.append(problem(check, f"data/{name}.csv", f"file not found (or {name}.xlsx)"))
            continue
        table = read_table_file(path, name, problems)
        if table is not None and check_columns(table, problems):
            out.tables[name] = table
    pids: set[str] = set()
    if "participants" in out.tables:
        check_ids(out.tables["participants"], "participant_id", problems)
        pids = set(out.tables["participants"].frame["participant_id"]) - {""}
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
    return ([p for p in problems if p.fatal]
            + [Problem(p.where, f"{p.message} (warning)", False) for p in problems if not p.fatal])
