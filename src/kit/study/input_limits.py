"""How big an input may be before the kit refuses it, and the checks run before a file is parsed.

The limits are data (``data/input_limits.csv``: name, value, why) so that
they are read, documented and changed in one place (README, "The study
folder"). They guard against resource bombs (issue 26, point 8): a YAML
alias bomb, and a spreadsheet or Word file that is a zip archive inflating
to gigabytes. Each check reads only what is cheap to read (the file's size,
the zip archive's central directory) and raises :class:`~kit.errors.DataError`
naming the file, so the refusal takes milliseconds whatever the file holds.

The zip check follows the usual defence (Python's ``zipfile`` documentation,
"Decompression pitfalls"; OWASP's file upload cheat sheet): refuse before
inflating when the declared sizes or the compression ratio are out of
bounds; openpyxl, python-docx and the REFI-QDA reader inflate the members
themselves afterwards.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kit.errors import DataError, KitError, Problem, ValidationError
from kit.layout import NOTEBOOKS_DIR, kit_data
from kit.study.data_checks import problem
from kit.study.encoding import Decoded

if TYPE_CHECKING:  # pandas only for the annotation: study.yml's readers import this module without it
    import pandas as pd

LINES_LISTED = 10  # a file with more lines of one fault gets this many warnings, the last counting the rest


@lru_cache(maxsize=1)
def limits() -> dict[str, int]:
    """Limit name -> value, from ``data/input_limits.csv``."""
    return {row["limit"]: int(row["value"]) for row in csv.DictReader(io.StringIO(kit_data("input_limits.csv")))}


def refuse(error: type[KitError], where: str, message: str) -> KitError:
    """The error to raise: a :class:`ValidationError` subclass carries the problem, others the line."""
    if issubclass(error, ValidationError):
        return error(Problem(where, message))
    return error(f"{where}: {message}")


def check_zip_archive(path: Path, shown: str) -> None:
    """Refuse a zip archive (``.xlsx``, ``.docx``) that would inflate beyond the limits.

    The sizes come from the central directory, which :class:`zipfile.ZipFile`
    reads without inflating anything; a member that lies about its size
    gains nothing, since :mod:`zipfile` (which openpyxl and python-docx read
    through) stops inflating at the declared size. Not a zip archive at all:
    left to the reader, whose error names the file too.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return
    check_inflated(sum(m.file_size for m in members), sum(m.compress_size for m in members), shown)


def check_inflated(inflated: int, compressed: int, shown: str) -> None:
    """Refuse zip content declaring ``inflated`` bytes from ``compressed`` beyond the limits (:class:`DataError`)."""
    compressed = compressed or 1
    most, ratio = limits()["zip_max_uncompressed_bytes"], limits()["zip_max_ratio"]
    if inflated > most:
        raise DataError(
            Problem(
                shown,
                f"would inflate to {inflated:,} bytes, expected at most {most:,} "
                "(input_limits.csv: zip_max_uncompressed_bytes); refused before reading",
            )
        )
    if inflated > 1_000_000 and inflated / compressed > ratio:  # small archives compress any way they like
        raise DataError(
            Problem(
                shown,
                f"compressed {inflated / compressed:,.0f} to 1 ({compressed:,} bytes inflating to {inflated:,}), "
                f"expected at most {ratio} to 1 (input_limits.csv: zip_max_ratio); refused before reading",
            )
        )


def _per_line(check: str, source: str, lines: Iterable[int], message: str) -> list[Problem]:
    """One problem per line (``source:line``), the last of :data:`LINES_LISTED` counting the lines left out."""
    lines = list(lines)
    out = [problem(check, f"{source}:{line}", message) for line in lines[:LINES_LISTED]]
    if len(lines) > LINES_LISTED:
        out[-1].message += f" (and {len(lines) - LINES_LISTED} more lines)"
    return out


def decoding_problems(decoded: Decoded, source: str) -> list[Problem]:
    """Warnings for what decoding had to mend in a UTF-8 file: bad bytes replaced, NUL bytes dropped."""
    return _per_line(
        "bytes_not_utf8",
        source,
        decoded.replaced_lines,
        "bytes that are not UTF-8 replaced with \ufffd (the rest of the file is UTF-8), "
        "expected UTF-8 throughout (save as CSV UTF-8)",
    ) + _per_line("nul_bytes", source, decoded.nul_lines, "NUL bytes removed, expected text without NUL characters")


def cap_cells(frame: pd.DataFrame, line_column: str, source: str, problems: list[Problem] | None) -> None:
    """Cut, in place, every text cell longer than ``cell_max_chars``; a warning per row names the column.

    The length of each column's longest cell is looked at first, so a table
    with none too long (all of them, in practice) costs one pass of ``len``.
    """
    most = limits()["cell_max_chars"]
    for column in frame.columns:
        if column == line_column:
            continue
        values = frame[column].tolist()
        try:
            longest = max(map(len, values), default=0)  # map: C speed over the (usual) all-text column
        except TypeError:  # a cell that is not text (none the readers make, but cheap to allow)
            longest = max((len(v) for v in values if isinstance(v, str)), default=0)
        if longest <= most:
            continue
        lengths = [len(v) if isinstance(v, str) else 0 for v in values]
        long_rows = [i for i, n in enumerate(lengths) if n > most]
        if problems is not None:
            lines = frame[line_column].tolist()
            for i in long_rows[:LINES_LISTED]:
                problems.append(
                    problem(
                        "cell_too_long",
                        f"{source}:{lines[i]}",
                        f"column {column}: a cell of {lengths[i]:,} characters cut to {most:,} "
                        "(input_limits.csv: cell_max_chars), expected text a spreadsheet cell can hold",
                    )
                )
        frame[column] = [v[:most] if isinstance(v, str) else v for v in values]


def repository_of(path: Path) -> Path | None:
    """The repository of a file: its nearest folder holding ``notebooks/`` (links on the way not followed)."""
    for folder in Path(path).absolute().parents:
        if (folder / NOTEBOOKS_DIR).is_dir():
            return folder
    return None


def link_problem(path: Path, source: str) -> Problem | None:
    """A problem when ``path``, or a folder on its way from the repository, is a symbolic link.

    A link to a file inside the repository is read with a warning; one that
    leads outside it (``data/notes.csv -> /home/someone/export.csv``) is
    refused: the kit reads only the repository's own files. Outside any
    repository the file's own folder is the boundary.
    """
    absolute = Path(path).absolute()
    root = repository_of(absolute) or absolute.parent
    resolved = absolute.resolve()
    if resolved == root.resolve() / absolute.relative_to(root):
        return None  # no link on the way
    if root.resolve() in resolved.parents:
        return problem("linked_file", source, "a symbolic link (read), expected the file itself in data/")
    return problem(
        "linked_outside",
        source,
        "a symbolic link to a file outside the repository, not read; expected the file itself (copy it into data/)",
    )
