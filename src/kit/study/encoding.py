"""How a text file was written: its encoding and, for tables, its delimiter.

Excel writes CSV in the locale's shape: ``CSV UTF-8`` (UTF-8 with a BOM,
commas), plain ``CSV`` (Windows-1252; semicolons wherever the decimal mark
is a comma, i.e. most of Europe) and ``Unicode text`` (UTF-16 with a BOM,
tabs). A file that decodes as UTF-8 is UTF-8 (the check is exact). A file
that is UTF-8 but for a few bad bytes (a truncated copy, one stray
Windows-1252 character pasted in) stays UTF-8: its bad bytes become U+FFFD
and their lines are reported, since reading the whole file as Windows-1252
would turn every other letter into mojibake (``Wójcik`` -> ``WÃ³jcik``), which
redaction and the privacy check no longer recognise (issue 26, point 6).
"UTF-8 but for a few" means at least as many well-formed multi-byte
characters as bad bytes (or a UTF-8 BOM): in a Windows-1252 file an accented
letter is a lone high byte, which UTF-8 refuses, and a pair UTF-8 accepts
(an accented capital, then a symbol such as ``©``) is rare, so such files
have next to no well-formed ones. NUL bytes in
UTF-8 text (a database export, a broken editor) are dropped and their lines
reported; a file that is mostly NULs is UTF-16 without its BOM. Anything
else is handed to charset-normalizer, limited to the encodings those exports
use, since left free it reads a short Windows-1252 file as Windows-1250 and
turns ``Núñez`` into ``Núńez``. The delimiter comes from :class:`csv.Sniffer`
over the first lines, checked against the header.
"""

from __future__ import annotations

import csv
import re
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
    replaced_lines: tuple[int, ...] = ()  # UTF-8 files: lines whose bad bytes became U+FFFD
    nul_lines: tuple[int, ...] = ()  # UTF-8 files: lines whose NUL bytes were dropped

    @property
    def plain(self) -> bool:
        """UTF-8 with or without BOM: nothing worth telling the user."""
        return self.encoding == "UTF-8"


BOM_UTF8 = b"\xef\xbb\xbf"
_BAD_BYTE = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of a byte UTF-8 refuses
_NON_ASCII = re.compile("[^\x00-\x7f]")
NUL_SHARE_OF_UTF16 = 4  # ASCII text in UTF-16 is every other byte NUL: a quarter or more means UTF-16


def _lines_of(data: bytes, offsets: list[int]) -> tuple[int, ...]:
    """The 1-based lines of byte ``offsets`` (any of CRLF, LF or CR ends a line, as in the text)."""
    ends = [m.end() for m in re.finditer(rb"\r\n|\n|\r", data)]
    out: list[int] = []
    i = 0
    for offset in sorted(offsets):
        while i < len(ends) and ends[i] <= offset:
            i += 1
        if not out or out[-1] != i + 1:
            out.append(i + 1)
    return tuple(out)


def _mostly_utf8(data: bytes) -> Decoded | None:
    """``data`` as UTF-8 with its bad bytes replaced, when it is UTF-8 but for them (see the module docstring)."""
    text = data.decode("utf-8", errors="surrogateescape")
    bad = [m.start() for m in _BAD_BYTE.finditer(text)]
    well_formed = len(_NON_ASCII.findall(text)) - len(bad)
    if not bad or (not 0 < len(bad) <= well_formed and not data.startswith(BOM_UTF8)):  # a BOM says UTF-8
        return None
    byte_offsets, start, offset = [], 0, 0
    for i in bad:  # each bad character is one byte; the text between them is re-encoded once, in order
        offset += len(text[start:i].encode("utf-8", errors="surrogateescape"))
        byte_offsets.append(offset)
        start = i
    clean = _BAD_BYTE.sub("\ufffd", text).lstrip("\ufeff")
    return Decoded(_newlines(clean), "UTF-8", data.startswith(BOM_UTF8), replaced_lines=_lines_of(data, byte_offsets))


def _without_nuls(decoded: Decoded, data: bytes) -> Decoded:
    """UTF-8 text with its NUL bytes dropped (and their lines noted); none there: unchanged."""
    if "\x00" not in decoded.text:
        return decoded
    lines = _lines_of(data, [m.start() for m in re.finditer(b"\x00", data)])
    return Decoded(decoded.text.replace("\x00", ""), "UTF-8", decoded.bom, None, decoded.replaced_lines, lines)


def decode_bytes(data: bytes) -> Decoded:
    """Decode ``data``: exact UTF-8 first, then UTF-8 but for a few bad bytes, else charset-normalizer's pick."""
    odd = None
    utf16_bom = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    mostly_nul = data.count(b"\x00") * NUL_SHARE_OF_UTF16 >= len(data) > 0  # UTF-16 without its BOM
    if not utf16_bom and not mostly_nul:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            odd = data[: exc.start].count(b"\n") + 1
            mostly = _mostly_utf8(data)
            if mostly is not None:
                return _without_nuls(mostly, data)
        else:
            return _without_nuls(Decoded(_newlines(text), "UTF-8", bom=data.startswith(b"\xef\xbb\xbf")), data)
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
