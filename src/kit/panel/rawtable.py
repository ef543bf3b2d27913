"""A data file as it is on disk, for editing cells in place (``kit purge``).

The stages' reader (:mod:`kit.study.tables`) cleans cells and drops blank
rows; a purge must change only the cells it means to and keep everything
else of the file (columns the kit does not know, row order, blank rows). CSV
files are decoded as the stages decode them (UTF-8, else Windows-1252) and
written back as UTF-8; ``.xlsx`` files are edited cell by cell with openpyxl.
Writes are atomic (:func:`kit.iorw.atomic_write_bytes`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import PanelError, Problem
from kit.iorw import atomic_write_bytes
from kit.study.encoding import sniff_delimiter
from kit.study.input_limits import check_zip_archive
from kit.study.tables import decode


def _header_key(value: object) -> str:
    return " ".join(str(value or "").split()).lstrip("\ufeff").lower().replace(" ", "_")


@dataclass
class RawTable:
    """Header and rows of one CSV/xlsx file as text; ``changed`` after :meth:`set`."""

    path: Path
    header: list[str]  # normalised column names (as the stages name them)
    rows: list[list[str]]  # every row after the header, as text
    changed: bool = False
    delimiter: str = ","  # a CSV's, kept when it is written back
    lines: list[int] = field(default_factory=list)  # the line (Excel row) each of ``rows`` starts on
    _edits: dict[tuple[int, int], str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, shown: str | None = None) -> "RawTable":
        """Read the file; ``shown`` is its name in messages (the repository-relative path)."""
        shown = shown or path.name
        delimiter = ","
        values: list[list[str]] = []
        starts: list[int] = []  # the line each record starts on
        if path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            check_zip_archive(path, shown)  # before openpyxl inflates it
            try:
                sheet = load_workbook(path, read_only=True).active
                assert sheet is not None  # a workbook read from a file has an active sheet
                values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
                starts = list(range(1, len(values) + 1))  # Excel rows
            except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
                raise PanelError(Problem(shown, f"cannot read the workbook ({exc}), expected an .xlsx file")) from None
        else:
            text = decode(path.read_bytes(), shown, [])
            delimiter = sniff_delimiter(text)
            reader = csv.reader(io.StringIO(text), delimiter=delimiter)
            previous = 0
            try:
                for record in reader:  # a quoted cell may span lines: each row starts after the last
                    values.append(record)
                    starts.append(previous + 1)
                    previous = reader.line_num
            except csv.Error as exc:
                raise PanelError(Problem(f"{shown}:{reader.line_num}", f"{exc}, expected a CSV row")) from None
        header = [_header_key(v) for v in values[0]] if values else []
        return cls(path, header, [list(r) for r in values[1:]], delimiter=delimiter, lines=starts[1:])

    def col(self, name: str) -> int | None:
        """Index of a column, or None when the file has no such column."""
        return self.header.index(name) if name in self.header else None

    def get(self, row: int, name: str) -> str:
        """The cell's text, whitespace runs collapsed ('' when absent)."""
        c = self.col(name)
        return "" if c is None else self.cell(row, c)

    def cell(self, row: int, c: int) -> str:
        """The text of the cell in column ``c`` (an index: a header may repeat a name)."""
        return " ".join(self.rows[row][c].split()) if c < len(self.rows[row]) else ""

    def set(self, row: int, name: str, value: str) -> bool:
        """Change a cell; True when it changed."""
        c = self.col(name)
        return c is not None and self.set_cell(row, c, value)

    def set_cell(self, row: int, c: int, value: str) -> bool:
        """Change the cell in column ``c``; True when it changed."""
        if self.cell(row, c) == value:
            return False
        cells = self.rows[row]
        cells.extend([""] * (c + 1 - len(cells)))
        cells[c] = value
        self._edits[(row, c)] = value
        self.changed = True
        return True

    def content(self) -> bytes:
        """The file's bytes with the edits made (what :meth:`save` writes)."""
        if self.path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(self.path)
            sheet = book.active
            assert sheet is not None  # a workbook read from a file has an active sheet
            for (row, col), value in self._edits.items():
                # 1-based, after the header; cell(value=None) would leave the old value
                sheet.cell(row=row + 2, column=col + 1).value = value or None
            buf = io.BytesIO()
            book.save(buf)
            return buf.getvalue()
        text = io.StringIO()
        writer = csv.writer(text, delimiter=self.delimiter, lineterminator="\n")
        raw = list(
            csv.reader(io.StringIO(decode(self.path.read_bytes(), self.path.name, [])), delimiter=self.delimiter)
        )
        writer.writerow(raw[0] if raw else self.header)
        writer.writerows(self.rows)
        return text.getvalue().encode("utf-8")

    def save(self) -> None:
        """Write the table back atomically (only when a cell changed)."""
        if not self.changed:
            return
        atomic_write_bytes(self.path, self.content())
        self.changed = False
        self._edits.clear()
