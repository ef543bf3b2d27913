"""Analytics tools' own downloads as ``metrics/<metric_id>.csv``: GA4 and Amplitude.

A PM metric is usually downloaded from the analytics tool, not typed. Its
file is read as it is (README, "Recommendation outcomes"): the tool is
recognised by the first non-blank line (``data/metric_exports.yml``, where
each layout's source is given), its preamble is set aside, and the series
becomes the kit's own ``date,value`` table, so it is validated like one
typed by hand (:mod:`kit.study.metric_series`). Line numbers stay the
file's own: preamble lines are blanked, not removed.

Which function sets a preamble aside, lays the series out and reads its
dates is named by the table and looked up in a registry (:data:`PREAMBLES`,
:data:`LAYOUTS`, :data:`DATE_READERS`): a new tool is a row of the table,
and a new kind of layout one more registered function. An export that is not
one daily series (two metrics, an hourly chart, no date column) is refused
naming the file, the line and what to export instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import yaml

from kit.errors import Problem
from kit.layout import kit_data
from kit.study import cells
from kit.study.data_checks import problem
from kit.study.encoding import sniff_delimiter
from kit.study.table_reader import LINE, Table, read_csv_text

METRIC_TABLE = "metric"  # the table's name in data/data_columns.csv


@dataclass
class Export:
    """One file's text while a shape reads it: its lines (blanked as the preamble is set aside) and findings."""

    source: str
    lines: list[str]
    shape: dict[str, Any]
    start: dt.date | None = None  # the range's first day, from the preamble (GA4's Nth day counts from it)
    problems: list[Problem] = field(default_factory=list)

    @property
    def header_line(self) -> int:
        """The line of the series' header: the first one left once the preamble is set aside."""
        return next((i + 1 for i, line in enumerate(self.lines) if line.strip()), 1)

    def refuse(self, line: int, message: str) -> None:
        self.problems.append(problem("metric_export_unreadable", f"{self.source}:{line}", message))


@lru_cache(maxsize=1)
def export_shapes() -> tuple[dict[str, Any], ...]:
    """``data/metric_exports.yml``: the tools' layouts, in the order they are tried."""
    return tuple(yaml.safe_load(kit_data("metric_exports.yml"))["shapes"])


def detect_shape(text: str) -> dict[str, Any] | None:
    """The first shape whose signature matches the file's first non-blank line; None: the kit's own layout."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return next((s for s in export_shapes() if re.search(s["signature"], first.strip(), re.IGNORECASE)), None)


# --- preambles: blank what is not the series, keep the line numbers -----------------------------


def _comment_lines(export: Export) -> None:
    """GA4: ``#`` lines are the preamble (the start date is read there); keep the first dated section."""
    comment, start_re = export.shape["comment"], re.compile(export.shape["start_date"], re.IGNORECASE)
    for i, line in enumerate(export.lines):
        if line.lstrip().startswith(comment):
            if (m := start_re.match(line.strip())) is not None:
                export.start = dt.datetime.strptime(next(g for g in m.groups() if g), "%Y%m%d").date()
            export.lines[i] = ""
    dated = set(export.shape["date_columns"])
    sections = _sections(export.lines)
    chosen = next((s for s in sections if _first_header(export.lines[s[0]]) in dated), None)
    if chosen is None:
        names = ", ".join(repr(export.lines[s[0]].split(",")[0].strip()) for s in sections) or "none"
        export.refuse(
            sections[0][0] + 1 if sections else 1,
            f"no section of this {export.shape['name']} export is a daily series (first columns: {names}), "
            "expected one whose first column is Date or Nth day: download a report over time by day",
        )
    for start, end in sections:
        if (start, end) != chosen:
            export.lines[start:end] = [""] * (end - start)


def _before_header(export: Export) -> None:
    """Amplitude: everything above the header row (chart URL, measure, event) is the preamble."""
    header = re.compile(export.shape["header"], re.IGNORECASE)
    at = next((i for i, line in enumerate(export.lines) if line.strip() and header.match(_first_header(line))), None)
    if at is None:
        export.refuse(1, f"no header row, expected a {export.shape['name']} chart download with a Segment column")
        return
    export.lines[:at] = [""] * at


def _first_header(line: str) -> str:
    cell = line.split(",")[0]
    return " ".join(cell.replace('"', " ").split()).lower().replace(" ", "_")


def _sections(lines: list[str]) -> list[tuple[int, int]]:
    """(first, past-last) index of each run of non-blank lines."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    for i, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            out.append((start, i))
            start = None
    return out


PREAMBLES: dict[str, Callable[[Export], None]] = {"comment_lines": _comment_lines, "before_header": _before_header}


# --- dates --------------------------------------------------------------------------------------


def _yyyymmdd(cell: str, export: Export) -> dt.date:
    return dt.datetime.strptime(cell, "%Y%m%d").date()


def _nth_day(cell: str, export: Export) -> dt.date:
    if export.start is None:
        raise ValueError("Nth day counts from the export's start date, and its preamble names none")
    return export.start + dt.timedelta(days=int(cell))


def _iso(cell: str, export: Export) -> dt.date:
    return cells.parse_date(cell.upper())  # header cells are read lower case: 2025-09-30t00:00:00


DATE_READERS: dict[str, Callable[[str, Export], dt.date]] = {"yyyymmdd": _yyyymmdd, "nth_day": _nth_day, "iso": _iso}


# --- layouts: the series as the kit's own date,value table ------------------------------------


def _series_table(export: Export, dates: list[str], values: list[str], lines: list[int]) -> Table:
    frame = pd.DataFrame({"date": dates, "value": values})
    frame[LINE] = np.asarray(lines, dtype=np.int64)
    return Table(METRIC_TABLE, export.source, frame)


def _rows(export: Export, table: Table) -> Table | None:
    """GA4: one row per day, a date column and exactly one metric column."""
    f = table.frame
    readers = export.shape["date_columns"]
    date_col = next((c for c in f.columns if c in readers), None)
    header_line = export.header_line
    if date_col is None:
        export.refuse(header_line, f"no Date or Nth day column, expected a daily report ({', '.join(readers)})")
        return None
    metrics = [c for c in f.columns if c not in (LINE, date_col) and c not in readers]
    if len(metrics) != 1:
        export.refuse(
            header_line,
            f"{len(metrics)} metric columns ({', '.join(metrics) or 'none'}), expected one: download the report "
            "with one metric, or write the series as date,value (or date,successes,trials for a rate)",
        )
        return None
    read = DATE_READERS[readers[date_col]]
    dates, values, lines = [], [], []
    for row in f.to_dict("records"):
        try:
            dates.append(read(str(row[date_col]), export).isoformat())
        except ValueError as exc:
            export.refuse(int(row[LINE]), f"{date_col} {row[date_col]!r} is not a day of the export ({exc})")
            continue
        values.append(str(row[metrics[0]]))
        lines.append(int(row[LINE]))
    export.problems.append(
        problem(
            "metric_export",
            export.source,
            f"read as a download of {export.shape['name']}: columns {date_col} and {metrics[0]}",
        )
    )
    return _series_table(export, dates, values, lines)


def _columns(export: Export, table: Table) -> Table | None:
    """Amplitude: one column per day, one row per series (exactly one series)."""
    f = table.frame
    labels = set(export.shape["label_columns"])
    day_cols = [c for c in f.columns if c != LINE and c not in labels]
    header_line = export.header_line
    if len(f) != 1:
        shown = ", ".join(str(n) for n in f[LINE].tolist()) or "none"
        export.refuse(
            header_line,
            f"{len(f)} series (lines {shown}), expected one: download the chart with one event and one segment",
        )
        return None
    read = DATE_READERS[export.shape["dates"]]
    days: dict[str, str] = {}
    for col in day_cols:
        try:
            day = read(col, export).isoformat()
        except ValueError:
            export.refuse(header_line, f"column {col!r} is not a date, expected one column per day")
            return None
        if day in days:
            export.refuse(
                header_line,
                f"columns {days[day]!r} and {col!r} are the same day (an hourly chart?), expected one column "
                "per day: set the chart's interval to Daily",
            )
            return None
        days[day] = col
    line = int(f[LINE].iloc[0])
    export.problems.append(
        problem(
            "metric_export",
            export.source,
            f"read as a chart download of {export.shape['name']}: {len(days)} days in line {line}",
        )
    )
    return _series_table(export, list(days), [str(f[c].iloc[0]) for c in days.values()], [line] * len(days))


LAYOUTS: dict[str, Callable[[Export, Table], Table | None]] = {"rows": _rows, "columns": _columns}


def read_metric_export(text: str, source: str, shape: dict[str, Any], problems: list[Problem]) -> Table | None:
    """An export's text as the kit's ``date,value`` table (None when it cannot be read; problems say why)."""
    export = Export(source, text.split("\n"), shape)
    PREAMBLES[shape["preamble"]](export)
    if "skip_rows" in shape:  # a totals row (it has one cell more than the header: blank it before parsing)
        skip = re.compile(shape["skip_rows"], re.IGNORECASE)
        for i, line in enumerate(export.lines):
            if any(skip.match(cell.strip(' \t"')) for cell in line.split(",")):
                export.lines[i] = ""
    table = None
    if not any(p.fatal for p in export.problems):
        rest = "\n".join(export.lines)
        raw = read_csv_text(rest, METRIC_TABLE, source, export.problems, sniff_delimiter(rest))
        table = LAYOUTS[shape["layout"]](export, raw)
    problems.extend(export.problems)
    return None if any(p.fatal for p in export.problems) else table
