"""How a text file was written: its encoding and, for tables, its delimiter.

Excel writes CSV in the locale's shape: ``CSV UTF-8`` (UTF-8 with a BOM,
commas), plain ``CSV`` (Windows-1252; semicolons wherever the decimal mark
is a comma, i.e. most of Europe) and ``Unicode text`` (UTF-16 with a BOM,
tabs). A file that decodes as UTF-8 is UTF-8 (the check is exact); anything
else is handed to charset-normalizer, limited to the encodings those
exports use, since left free it reads a short Windows-1252 file as
Windows-1250 and turns ``Núñez`` into ``Núńez``. The delimiter comes from
:class:`csv.Sniffer` over the first lines, checked against the header.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import charset_normalizer

# What spreadsheet and meeting tools write (see the module docstring).
CANDIDATE_ENCODINGS = ("utf_8", "utf_16", "utf_16_le", "utf_16_be", "cp1252")
ENCODING_NAMES = {
    "utf_8": "UTF-8",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16",
    "utf_16_be": "UTF-16",
    "cp1252": "Windows-1252",
}
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass(frozen=True)
class Decoded:
    """A file's text (newlines normalised) and what it was read as."""

    text: str
    encoding: str  # "UTF-8", "Windows-1252", "UTF-16"
    bom: bool = False
    first_odd_line: int | None = None  # first line that is not valid UTF-8 (non-UTF-8 files)

    @property
    def plain(self) -> bool:
        """UTF-8 with or without BOM: nothing worth telling the user."""
        return self.encoding == "UTF-8"


def decode_bytes(data: bytes) -> Decoded:
    """Decode ``data``: exact UTF-8 first, else the encoding charset-normalizer finds among the candidates."""
    odd = None
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 of ASCII text is valid UTF-8 (with NULs)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            odd = data[: exc.start].count(b"\n") + 1
        else:
            if "\x00" not in text:
                return Decoded(_newlines(text), "UTF-8", bom=data.startswith(b"\xef\xbb\xbf"))
    best = charset_normalizer.from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS)).best()
    if best is None:  # nothing fits: Windows-1252 decodes (almost) any byte, so the text is still shown
        return Decoded(_newlines(data.decode("cp1252", errors="replace")), "Windows-1252", False, odd)
    text = str(best).lstrip("\ufeff")
    name = ENCODING_NAMES.get(best.encoding, best.encoding)
    return Decoded(
        _newlines(text),
        name,
        bool(best.bom) or data.startswith((b"\xff\xfe", b"\xfe\xff")),
        odd if name != "UTF-16" else None,
    )


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_delimiter(text: str) -> str:
    """The table's delimiter among comma, semicolon and tab.

    :class:`csv.Sniffer` looks at the first lines; its answer is kept only
    when it splits the header into at least as many cells as the other
    candidates do (a header is never one cell), else the candidate that
    splits the header most wins (comma on a tie: the plain CSV).
    """
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return ","
    header = lines[0]
    counts = {d: _cells(header, d) for d in DELIMITERS}
    most = max(counts.values())
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in counts and counts[sniffed] == most and most > 1:
        return sniffed
    return next(d for d in DELIMITERS if counts[d] == most)


def _cells(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        return 0
