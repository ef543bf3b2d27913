"""Which problems with a data file stop the stage and which are warnings: the table ``data/data_checks.csv``.

Every reader of study files builds its problems through :func:`problem`, so
a check's fatality is decided in one place (README, "Spreadsheets from any
locale") and each row says why.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache

from kit.errors import Problem
from kit.layout import kit_data


@lru_cache(maxsize=1)
def checks() -> dict[str, bool]:
    """Check name -> fatal, from ``data/data_checks.csv``."""
    text = kit_data("data_checks.csv")
    return {row["check"]: row["fatal"] == "yes" for row in csv.DictReader(io.StringIO(text))}


def problem(check: str, where: str, message: str) -> Problem:
    """A Problem whose fatality comes from the check table."""
    return Problem(where, message, fatal=checks()[check])
