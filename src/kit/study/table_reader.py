"""Reading one data file (CSV or Excel) into text cells with their line numbers.

CSV: the encoding is detected (:mod:`kit.study.encoding`: UTF-8 with or
without BOM, Windows-1252, UTF-16) and so is the delimiter (comma,
semicolon, tab); when the file is not plain UTF-8 comma CSV a warning says
what it was read as. Line endings (CRLF, CR) and whitespace (runs,
non-breaking spaces, padding) are normalised in every cell. Line numbers are
the file's own lines (header = line 1; a quoted cell spanning lines counts
all of them); Excel rows are the sheet's row numbers.

Columns: blank trailing columns (Excel leaves them after a deleted column)
and blank rows are ignored; a column without a header that holds data is
ignored with a warning naming its first cell; two columns with the same name
are an error naming the header line, since either could be the one meant.

Which problems stop the stage and which are warnings is data
(``data/data_checks.csv``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import DataError, Problem
from kit.study.data_checks import checks, problem  # noqa: F401 - checks re-exported for the readers' users
from kit.study.encoding import DELIMITER_NAMES, decode_bytes, sniff_delimiter
from kit.study.input_limits import cap_cells, check_zip_archive, decoding_problems, link_problem

LINE = "_line"  # column holding each row's first line in its file


@dataclass
class Table:
    """One data file read as text cells; ``frame[LINE]`` is each row's line in the file."""

    name: str
    source: str  # shown in messages, e.g. data/notes.csv
    frame: pd.DataFrame
    encoding: str = "UTF-8"
    delimiter: str | None = ","  # None for Excel files
    first_odd_line: int | None = None  # first line that is not UTF-8 (other encodings)
    decimal: str | None = None  # the decimal mark its number columns were read with (set by validation)
    numbers: dict[str, pd.Series] = field(default_factory=dict)  # number column -> floats (NaN: empty/bad)
    reported: dict[str, np.ndarray] = field(default_factory=dict)  # column -> cells already reported

    def where(self, line: int) -> str:
        return f"{self.source}:{line}"

    def format_problem(self) -> Problem | None:
        """A warning saying how the file was read, unless it is plain UTF-8 comma CSV with decimal points."""
        if self.delimiter is None or (self.encoding == "UTF-8" and self.delimiter == "," and self.decimal != ","):
            return None
        parts = [
            f"read as {self.encoding}" + (" (detected: not UTF-8)" if self.encoding != "UTF-8" else ""),
            f"separated by {DELIMITER_NAMES[self.delimiter]}",
        ]
        if self.decimal is not None and self.numbers:
            parts.append("numbers with " + ("a decimal comma" if self.decimal == "," else "a decimal point"))
        return problem("detected_format", self.where(self.first_odd_line or 1), ", ".join(parts))


def _has_rows(path: Path) -> bool:
    """Whether a CSV holds anything below its header (``kit new`` writes header-only files)."""
    text = decode_bytes(path.read_bytes()).text
    lines = [line for line in text.split("\n") if line.strip(" \t,;")]
    return len(lines) > 1


def find_table(data_dir: Path, stem: str, problems: list[Problem] | None = None) -> Path | None:
    """``data/<stem>.csv`` or ``data/<stem>.xlsx``, or None.

    Both present: a header-only CSV (as ``kit new`` writes it) yields to the
    Excel file, with a warning; when both hold rows neither can be chosen:
    an error naming both (the CSV is returned so callers can still read it).
    """
    csv_path, xlsx_path = data_dir / f"{stem}.csv", data_dir / f"{stem}.xlsx"
    if not xlsx_path.is_file():
        return csv_path if csv_path.is_file() else None
    if not csv_path.is_file():
        return xlsx_path
    if not _has_rows(csv_path):
        if problems is not None:
            problems.append(
                problem(
                    "table_csv_and_xlsx_header_only",
                    f"data/{csv_path.name}",
                    f"holds only a header: reading data/{xlsx_path.name} instead "
                    f"(delete {csv_path.name} to silence this)",
                )
            )
        return xlsx_path
    if problems is not None:
        problems.append(
            problem(
                "table_csv_and_xlsx",
                f"data/{csv_path.name}",
                f"both data/{csv_path.name} and data/{xlsx_path.name} hold rows, "
                "expected one file per table (delete or rename the one not meant)",
            )
        )
    return csv_path


def clean(value: object) -> str:
    """One cell as text: whitespace runs (incl. newlines, NBSP) -> one space, trimmed."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 1 as 1.0
    elif isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date().isoformat()  # an Excel date cell, as the CSV would spell it
    return " ".join(str(value).split())


def header_name(value: object) -> str:
    """A header cell as a column name: cleaned, lower case, spaces -> underscores."""
    return clean(value).lstrip("\ufeff").lower().replace(" ", "_")


def decode(data: bytes, source: str, problems: list[Problem]) -> str:
    """Text of a file; a warning says which encoding when it is not UTF-8."""
    decoded = decode_bytes(data)
    problems.extend(decoding_problems(decoded, source))
    if not decoded.plain:
        problems.append(
            problem(
                "not_utf8",
                f"{source}:{decoded.first_odd_line or 1}",
                f"not UTF-8: read as {decoded.encoding} (detected)",
            )
        )
    return decoded.text


def record_lines(text: str, delimiter: str = ",") -> list[int]:
    """First physical line of every non-blank CSV record (header included).

    A record continues onto the next line while it has an odd number of
    double quotes so far (RFC 4180: quotes inside a quoted cell are doubled,
    so they keep the parity).
    """
    starts, open_quote = [], False
    blank = " \t" + delimiter
    for number, line in enumerate(text.split("\n"), 1):
        if not open_quote and line.strip(blank):
            starts.append(number)
        if line.count('"') % 2:
            open_quote = not open_quote
    return starts


def settle_columns(
    header: list[str], frame: pd.DataFrame, source: str, header_line: int, problems: list[Problem] | None
) -> pd.DataFrame:
    """Name ``frame``'s columns by ``header``: blank columns dropped, unnamed or repeated ones reported."""
    keep: list[int] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            cells = frame.iloc[:, i].tolist()
            filled = [line for line, v in zip(frame[LINE].tolist(), cells) if v]
            if filled and problems is not None:  # the value is not shown: it may be personal data
                problems.append(
                    problem(
                        "unnamed_column",
                        f"{source}:{filled[0]}",
                        f"column {i + 1} has no header but holds data from this line on "
                        f"(and is ignored), expected a column name in line {header_line}",
                    )
                )
            continue
        if name in seen:
            if problems is not None:
                problems.append(
                    problem(
                        "duplicate_column",
                        f"{source}:{header_line}",
                        f"column '{name}' appears twice (columns {seen[name] + 1} and {i + 1}), "
                        "expected each column once",
                    )
                )
            continue
        seen[name] = i
        keep.append(i)
    out = frame.iloc[:, keep].copy()
    out.columns = [header[i] for i in keep]
    out[LINE] = frame[LINE].to_numpy()
    cap_cells(out, LINE, source, problems)
    return out.reset_index(drop=True)


def read_csv_text(
    text: str, name: str, source: str, problems: list[Problem] | None = None, delimiter: str = ","
) -> Table:
    """Parse CSV text keeping each record's first physical line number.

    pandas' C parser reads the cells; :func:`record_lines` finds the line
    numbers. Should the two ever disagree (unbalanced quotes), the slower
    :mod:`csv` reader, which tracks lines itself, is used instead.
    """
    starts = record_lines(text, delimiter)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            header=None,
            skipinitialspace=False,
            sep=delimiter,
        )
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except pd.errors.ParserError:  # a row with more cells than the header
        return _read_csv_slow(text, name, source, problems, delimiter)
    if len(frame):
        blank = np.ones(len(frame), dtype=bool)
        for col in frame.columns:
            blank &= np.asarray([not v.strip(" \t") for v in frame[col].tolist()])
        frame = frame[~blank]
    if len(frame) != len(starts):
        return _read_csv_slow(text, name, source, problems, delimiter)
    if frame.empty:
        return Table(name, source, pd.DataFrame({LINE: np.asarray([], dtype=np.int64)}), delimiter=delimiter)
    header = [header_name(c) for c in frame.iloc[0]]
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = pd.RangeIndex(body.shape[1])
    for col in body.columns:  # a list comprehension is ~20x faster than pandas' .str methods here
        body[col] = pd.Series([" ".join(v.split()) for v in body[col].tolist()], dtype=object)
    body[LINE] = np.asarray(starts[1:], dtype=np.int64)
    return Table(name, source, settle_columns(header, body, source, starts[0], problems), delimiter=delimiter)


def _read_csv_slow(
    text: str, name: str, source: str, problems: list[Problem] | None = None, delimiter: str = ","
) -> Table:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    header_line = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    for record in reader:
        start, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines (Excel leaves trailing ,,,, rows)
        if header is None:
            header, header_line = [header_name(c) for c in record], start
            continue
        rows.append([" ".join(c.split()) for c in record])
        lines.append(start)
    header = header or []
    while header and not header[-1] and not any(len(r) >= len(header) and r[len(header) - 1] for r in rows):
        header.pop()  # blank trailing columns
    width = len(header)
    for r, line in zip(rows, lines):
        if len(r) > width and any(r[width:]) and problems is not None:
            sep = {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]
            problems.append(
                problem(
                    "extra_cells",
                    f"{source}:{line}",
                    f"{len(r)} cells, expected {width} as in the header "
                    f"(a {sep} in text that is not in double quotes?)",
                )
            )
    rows = [r[:width] + [""] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(rows, columns=range(width), dtype=object) if rows else pd.DataFrame(columns=range(width))
    frame[LINE] = np.asarray(lines, dtype=np.int64)
    return Table(name, source, settle_columns(header, frame, source, header_line, problems), delimiter=delimiter)


def read_table_file(path: Path, name: str, problems: list[Problem], source: str | None = None) -> Table | None:
    """Read one CSV/xlsx table; problems (encoding, dialect, parse errors) are appended."""
    source = source or f"data/{path.name}"
    if (link := link_problem(path, source)) is not None:
        problems.append(link)
        if link.fatal:
            return None
    try:
        if path.suffix.lower() == ".xlsx":
            check_zip_archive(path, source)  # before openpyxl inflates it
            return _read_xlsx(path, name, source, problems)
        decoded = decode_bytes(path.read_bytes())
        problems.extend(decoding_problems(decoded, source))
        delimiter = sniff_delimiter(decoded.text)
        table = read_csv_text(decoded.text, name, source, problems, delimiter)
        table.encoding, table.first_odd_line = decoded.encoding, decoded.first_odd_line
        return table
    except (csv.Error, ValueError, OSError, KeyError) as exc:
        problems.append(problem("unreadable", source, f"cannot read the table: {exc}"))
        return None
    except DataError as exc:  # over a limit of data/input_limits.csv
        problems.extend(exc.problems)
        return None


def _read_xlsx(path: Path, name: str, source: str, problems: list[Problem]) -> Table:
    raw = pd.read_excel(path, dtype=object, header=None)
    rows = [[clean(v) for v in row] for row in raw.itertuples(index=False)]
    numbers = [i + 1 for i in range(len(rows))]  # Excel rows are 1-based
    kept = [(n, r) for n, r in zip(numbers, rows) if any(r)]  # cells holding only spaces are blank too
    if not kept:
        return Table(name, source, pd.DataFrame({LINE: []}), delimiter=None)
    (header_line, header_row), body = kept[0], kept[1:]
    header = [header_name(c) for c in header_row]
    frame = pd.DataFrame([r for _, r in body], columns=range(len(header)), dtype=object)
    frame[LINE] = np.asarray([n for n, _ in body], dtype=np.int64)
    return Table(name, source, settle_columns(header, frame, source, header_line, problems), delimiter=None)
