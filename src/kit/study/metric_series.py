"""A PM metric's daily series, ``metrics/<metric_id>.csv`` at the repository root, read and validated.

Two layouts of the kit's own (README, "Recommendation outcomes"), as an
analytics tool or a spreadsheet writes them: ``date,value`` (a count, an
amount, an average per day) or ``date,successes,trials`` (a rate: completed
transactions out of checkouts started). The file may also be ``.xlsx``, or
an analytics tool's own download (GA4, Amplitude: :mod:`kit.study.metric_exports`).
Cells are read by the kit's table reader (encodings, delimiters, decimal
commas, dates in any unambiguous spelling: :mod:`kit.study.table_reader`,
:mod:`kit.study.typed_columns`). Every problem names the file and line; a
file with any fatal one raises :class:`~kit.errors.DataError` listing them all.
A blank value is a day without data, not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import DataError, Problem
from kit.layout import METRICS_DIR, metrics_root
from kit.study.data_checks import problem
from kit.study.encoding import decode_bytes, sniff_delimiter
from kit.study.input_limits import decoding_problems, link_problem
from kit.study.metric_exports import METRIC_TABLE, detect_shape, read_metric_export
from kit.study.table_reader import LINE, Table, find_table, read_csv_text, read_table_file
from kit.study.typed_columns import read_dates, read_numbers


@dataclass
class MetricSeries:
    """One metric, one row per day with data, in date order (``value`` is the day's rate for a rate)."""

    metric_id: str
    source: str  # metrics/<id>.csv, as messages name it
    dates: np.ndarray  # datetime64[D]
    values: np.ndarray  # float: the value, or successes / trials
    successes: np.ndarray | None = None  # a rate's counts per day
    trials: np.ndarray | None = None
    warnings: list[Problem] = field(default_factory=list)

    @property
    def is_rate(self) -> bool:
        return self.trials is not None


def metric_ids(repo_root: str | Path) -> list[str]:
    """The ids of the series in ``metrics/`` (file names without ``.csv`` / ``.xlsx``)."""
    folder = metrics_root(repo_root)
    if not folder.is_dir():
        return []
    return sorted({p.stem for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx") and p.is_file()})


def metric_path(repo_root: str | Path, metric_id: str) -> Path | None:
    """``metrics/<metric_id>.csv`` (or ``.xlsx``) when it exists."""
    return find_table(metrics_root(repo_root), metric_id)


def _read_table(path: Path, source: str, problems: list[Problem]) -> Table | None:
    if path.suffix.lower() == ".xlsx":
        return read_table_file(path, METRIC_TABLE, problems, source)
    if (link := link_problem(path, source)) is not None:
        problems.append(link)
        if link.fatal:
            return None
    decoded = decode_bytes(path.read_bytes())
    problems.extend(decoding_problems(decoded, source))
    shape = detect_shape(decoded.text)
    if shape is not None:
        return read_metric_export(decoded.text, source, shape, problems)
    table = read_csv_text(decoded.text, METRIC_TABLE, source, problems, _delimiter(decoded.text))
    table.encoding, table.first_odd_line = decoded.encoding, decoded.first_odd_line
    return table


def _delimiter(text: str) -> str:
    """A header of commas alone (``date,successes,trials``) is comma-separated; anything else is sniffed."""
    header = text.lstrip("\n").split("\n", 1)[0]
    if "," in header and ";" not in header and "\t" not in header:
        return ","  # csv.Sniffer costs more than reading two years of days
    return sniff_delimiter(text)


def read_metric_series(path: Path, metric_id: str) -> MetricSeries:
    """Read and validate one series file; :class:`DataError` naming file and line on any fatal problem."""
    source = f"{METRICS_DIR}/{path.name}"
    problems: list[Problem] = []
    try:
        table = _read_table(path, source, problems)
    except (OSError, ValueError) as exc:
        raise DataError(problem("unreadable", source, f"cannot read the series: {exc}")) from None
    if table is None or any(p.fatal for p in problems):
        raise DataError([p for p in problems if p.fatal] or [problem("unreadable", source, "cannot read the series")])
    series = _validate(table, metric_id, problems)
    fatal = [p for p in problems if p.fatal]
    if fatal or series is None:
        raise DataError(fatal)
    series.warnings = problems
    return series


def _validate(table: Table, metric_id: str, problems: list[Problem]) -> MetricSeries | None:
    f = table.frame
    columns = set(f.columns) - {LINE}
    rate, plain = {"successes", "trials"} <= columns, "value" in columns
    if "date" not in columns or rate == plain:
        found = ", ".join(sorted(columns)) or "none"
        problems.append(
            problem(
                "metric_columns",
                f"{table.source}:1",
                f"columns {found}, expected date,value or date,successes,trials (a rate)",
            )
        )
        return None
    counts = ("successes", "trials") if rate else ("value",)
    if not _plain_cells(table, ("date", *counts)):  # else every cell is read by rule, one by one
        read_dates(table, problems)
        read_numbers(table, problems)
    if (how := table.format_problem()) is not None:  # not plain UTF-8 comma CSV: say how it was read
        problems.append(how)
    lines = f[LINE].to_numpy()
    keep = np.ones(len(f), dtype=bool)
    for col in counts:
        raw, parsed = f[col].to_numpy(dtype=object), table.numbers[col].to_numpy()
        bad = np.isnan(parsed) & (raw != "") & ~table.reported[col]
        for line, cell in zip(lines[bad], raw[bad]):
            problems.append(problem("metric_value_invalid", table.where(int(line)), f"{col} {cell!r} is not a number"))
        keep &= ~np.isnan(parsed)  # a blank cell: a day without data
    if rate:
        s, n = table.numbers["successes"].to_numpy(), table.numbers["trials"].to_numpy()
        wrong = keep & ((s < 0) | (n < 0) | (s > n) | (s != np.round(s)) | (n != np.round(n)))
        for line, a, b in zip(lines[wrong], s[wrong], n[wrong]):
            problems.append(
                problem(
                    "metric_value_invalid",
                    table.where(int(line)),
                    f"successes {a:g} of trials {b:g}, expected whole numbers with 0 <= successes <= trials",
                )
            )
        keep &= ~wrong & (n > 0)  # a day with no trials says nothing about the rate
    dates = f["date"].astype(str)
    iso = np.asarray([len(d) == 10 and d[4] == "-" and d[7] == "-" for d in dates.tolist()], dtype=bool)
    for i in np.flatnonzero(keep & ~iso).tolist():  # read_dates named each but an empty one
        if not dates.iloc[i]:
            problems.append(problem("date_invalid", table.where(int(lines[i])), "no date, expected YYYY-MM-DD"))
    keep &= iso
    kept = dates[keep]
    for i in np.flatnonzero(kept.duplicated().to_numpy()).tolist():
        line, twice = int(lines[keep][i]), str(kept.iloc[i])
        first = int(lines[keep][int(np.flatnonzero(kept.to_numpy() == twice)[0])])
        problems.append(
            problem(
                "metric_duplicate_date",
                table.where(line),
                f"{twice} already has a row (line {first}), expected one row per day",
            )
        )
    if any(p.fatal for p in problems):
        return None
    day_values = kept.to_numpy().astype("datetime64[D]")
    order = np.argsort(day_values, kind="stable")
    day = day_values[order]
    if rate:
        s, n = s[keep][order], n[keep][order]
        return MetricSeries(metric_id, table.source, day, s / n, s, n)
    return MetricSeries(metric_id, table.source, day, table.numbers["value"].to_numpy()[keep][order])


_PLAIN_DAYS = re.compile(r"\d{4}-\d{2}-\d{2}(?:\n\d{4}-\d{2}-\d{2})*")
_PLAIN_NUMBERS = re.compile(r"(?:-?\d+(?:\.\d+)?)?(?:\n(?:-?\d+(?:\.\d+)?)?)*")


def _plain_cells(table: Table, columns: tuple[str, ...]) -> bool:
    """Read a comma-separated file of ISO days and plain numbers at once; False: read it cell by cell.

    What an analytics tool writes (``2026-11-02,612,1000``) means the same under
    every rule of :mod:`kit.study.cells` (a comma-separated file's numbers take
    the decimal point, and these cells show no other mark), so two years of
    days need not go through the rules one cell at a time (``make bench``):
    one regular expression checks each whole column.
    """
    f = table.frame
    if table.delimiter != "," or not len(f):
        return False
    dates = f["date"].tolist()
    numbers = {c: f[c].tolist() for c in columns if c != "date"}
    if not _PLAIN_DAYS.fullmatch("\n".join(dates)):
        return False
    if not all(_PLAIN_NUMBERS.fullmatch("\n".join(cells)) for cells in numbers.values()):
        return False
    if pd.to_datetime(pd.Series(dates), format="%Y-%m-%d", errors="coerce").isna().any():
        return False  # 2026-02-30: the rules name it
    for c, cells in numbers.items():
        parsed = np.asarray([float(v) if v else np.nan for v in cells], dtype=float)
        table.numbers[c] = pd.Series(parsed, index=f.index)
        table.reported[c] = np.zeros(len(f), dtype=bool)
    table.decimal = "." if any("." in v for cells in numbers.values() for v in cells) else None
    return True


def load_metric_series(repo_root: str | Path, metric_id: str) -> MetricSeries | None:
    """The series of ``metric_id``, None when ``metrics/`` has no file for it."""
    path = metric_path(repo_root, metric_id)
    return None if path is None else read_metric_series(path, metric_id)
