"""Reading a table's number and date columns by rule, each problem naming its cell.

Which columns hold numbers or dates is the ``type`` column of
``data/data_columns.csv``. Numbers take the table's decimal mark (the one its
unambiguous cells show, else the one its delimiter implies); dates are read
only when day and month cannot be confused (:mod:`kit.study.cells`, README
"Spreadsheets from any locale"). A cell whose meaning is not settled is a
problem naming the cell, never a guess.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache

import numpy as np
import pandas as pd

from kit.errors import Problem
from kit.layout import kit_data
from kit.study import cells
from kit.study.data_checks import problem
from kit.study.table_reader import LINE, Table

DEFAULT_DECIMAL = {",": cells.POINT, ";": cells.COMMA}  # what the delimiter says of the locale (tab: nothing)


@lru_cache(maxsize=1)
def column_types() -> dict[str, dict[str, str]]:
    """Table -> {column: type} (text, number, date) from ``data/data_columns.csv``."""
    out: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(kit_data("data_columns.csv"))):
        out.setdefault(row["table"], {})[row["column"]] = row["type"]
    return out


def read_numbers(table: Table, problems: list[Problem]) -> None:
    """Parse the table's number columns into ``table.numbers`` (see :mod:`kit.study.cells`).

    The decimal mark is the table's (its unambiguous cells, else its
    delimiter's locale). A cell whose meaning that mark does not settle, or
    that uses the other mark, is reported here naming the cell and left out
    (NaN, marked in ``table.reported`` so the range checks do not report it
    again); text that is no number at all is left to those checks.
    """
    f = table.frame
    cols = [c for c, kind in column_types()[table.name].items() if kind == "number" and c in f.columns]
    if not cols:
        return
    default = DEFAULT_DECIMAL.get(table.delimiter) if table.delimiter else None
    mark, seen = cells.table_decimal((v for c in cols for v in f[c].tolist()), default)
    table.decimal = mark
    shown_at = {
        m: next(line for c in cols for line, v in zip(f[LINE].tolist(), f[c].tolist()) if v == cell)
        for m, cell in seen.items()
    }
    lines = f[LINE].tolist()
    for col in cols:
        values = f[col].tolist()
        parsed = np.full(len(values), np.nan)
        reported = np.zeros(len(values), dtype=bool)
        for i, value in enumerate(values):
            if not value:
                continue
            try:
                parsed[i] = cells.parse_number(value, mark)
            except cells.AmbiguousNumber:
                reported[i] = True
                problems.append(
                    problem(
                        "number_ambiguous",
                        table.where(lines[i]),
                        (
                            f"{col} '{value}' is ambiguous: 1,234 is 1234 with a thousands separator but 1.234 with a "
                            "decimal comma, and no other number in this file shows which; expected the number "
                            "without separators (1234) or with its decimals (1234.0)"
                        ),
                    )
                )
            except ValueError as exc:
                if mark is not None and "uses" in str(exc):
                    reported[i] = True
                    name = cells.DECIMAL_NAMES[mark]
                    example = seen.get(mark) or ("1.5" if mark == cells.POINT else "1,5")
                    where = (
                        f"line {shown_at[mark]} '{example}'"
                        if mark in shown_at
                        else f"the file is separated by {'semicolons' if table.delimiter == ';' else 'commas'}"
                    )
                    problems.append(
                        problem(
                            "number_mixed_decimal",
                            table.where(lines[i]),
                            (
                                f"{col} '{value}' {exc}, but this file's numbers use {name} ({where}); "
                                "expected one convention per file"
                            ),
                        )
                    )
        table.numbers[col], table.reported[col] = pd.Series(parsed, index=f.index), reported


def read_dates(table: Table, problems: list[Problem]) -> None:
    """Date columns -> ISO ``YYYY-MM-DD`` text; ambiguous or unreadable dates are reported naming the cell."""
    f = table.frame
    for col in (c for c, kind in column_types()[table.name].items() if kind == "date" and c in f.columns):
        out = []
        for line, value in zip(f[LINE].tolist(), f[col].tolist()):
            if not value:
                out.append(value)
                continue
            try:
                out.append(cells.parse_date(value).isoformat())
            except cells.AmbiguousDate as exc:
                problems.append(
                    problem(
                        "date_ambiguous",
                        table.where(line),
                        f"{col} '{value}' is ambiguous ({exc}), expected {cells.EXPECTED_DATE}",
                    )
                )
                out.append(value)
            except ValueError:
                problems.append(
                    problem(
                        "date_invalid",
                        table.where(line),
                        f"{col} '{value}' is not a date, expected {cells.EXPECTED_DATE}",
                    )
                )
                out.append(value)
        f[col] = pd.Series(out, index=f.index, dtype=object)
