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

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

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
    table = read_csv_text(decoded.text, METRIC_TABLE, source, problems, sniff_delimiter(decoded.text))
    table.encoding, table.first_odd_line = decoded.encoding, decoded.first_odd_line
    return table


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
    read_dates(table, problems)
    read_numbers(table, problems)
    if (how := table.format_problem()) is not None:  # not plain UTF-8 comma CSV: say how it was read
        problems.append(how)
    counts = ("successes", "trials") if rate else ("value",)
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
    dates = f["date"].to_numpy(dtype=object)
    bad_dates = [i for i, d in enumerate(dates) if keep[i] and not _is_iso(d)]
    for i in bad_dates:
        keep[i] = False  # read_dates named it
        if not dates[i]:
            problems.append(problem("date_invalid", table.where(int(lines[i])), "no date, expected YYYY-MM-DD"))
    seen: dict[str, int] = {}
    for i in np.flatnonzero(keep).tolist():
        if (first := seen.setdefault(dates[i], int(lines[i]))) != int(lines[i]):
            problems.append(
                problem(
                    "metric_duplicate_date",
                    table.where(int(lines[i])),
                    f"{dates[i]} already has a row (line {first}), expected one row per day",
                )
            )
    if any(p.fatal for p in problems):
        return None
    order = np.argsort(dates[keep].astype("datetime64[D]"), kind="stable")
    day = dates[keep].astype("datetime64[D]")[order]
    if rate:
        s, n = s[keep][order], n[keep][order]
        return MetricSeries(metric_id, table.source, day, s / n, s, n)
    return MetricSeries(metric_id, table.source, day, table.numbers["value"].to_numpy()[keep][order])


def _is_iso(value: object) -> bool:
    text = str(value)
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


def load_metric_series(repo_root: str | Path, metric_id: str) -> MetricSeries | None:
    """The series of ``metric_id``, None when ``metrics/`` has no file for it."""
    path = metric_path(repo_root, metric_id)
    return None if path is None else read_metric_series(path, metric_id)
