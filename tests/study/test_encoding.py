"""Encoding detection never turns a UTF-8 file into mojibake because of a few bad bytes (issue 26, points 6, 10).

Files are shaped as the tools write them: Excel's "CSV UTF-8" (BOM, CRLF),
Excel's plain "CSV" in a European locale (Windows-1252, semicolons, CRLF),
Excel's "Unicode text" (UTF-16 LE with BOM, tabs), and a UTF-8 export with
one stray Windows-1252 byte (a character pasted from another program).
"""

from __future__ import annotations

import json

import pytest

from kit.study import tables as sources
from kit.study.encoding import decode_bytes
from kit.synthesis.stage import run_synthesis_stage
from synthesis_fixture import FILES, make_study

ROWS = [
    ["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording"],
    ["R-1", "Anna Wójcik", "anna@example.com", "New", "yes", "yes"],
    ["R-2", "José Núñez", "jose@example.com", "Returning", "yes", "yes"],
]


def _text(delimiter: str) -> str:
    return "\r\n".join(delimiter.join(row) for row in ROWS) + "\r\n"


EXPORTS = {
    "excel-csv-utf8": (b"\xef\xbb\xbf" + _text(",").encode("utf-8"), "UTF-8"),
    "excel-csv-windows-1252": (_text(";").encode("cp1252"), "Windows-1252"),
    "excel-unicode-text": (b"\xff\xfe" + _text("\t").encode("utf-16-le"), "UTF-16"),
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_excel_export_reads_the_names_as_written(tmp_path, name):
    data, encoding = EXPORTS[name]
    decoded = decode_bytes(data)
    assert decoded.encoding == encoding
    assert "Anna Wójcik" in decoded.text and "José Núñez" in decoded.text
    path = tmp_path / "participants.csv"
    path.write_bytes(data)
    problems: list = []
    table = sources.read_table_file(path, "participants", problems)
    assert table is not None and table.frame["name"].tolist() == ["Anna Wójcik", "José Núñez"]
    assert not any("replaced" in p.message for p in problems)


def test_one_bad_byte_keeps_a_utf8_file_utf8_and_is_reported_at_its_line(tmp_path):
    data = _text(",").encode("utf-8").replace(b"New,yes", b"New\xff,yes", 1)  # line 2
    decoded = decode_bytes(data)
    assert decoded.encoding == "UTF-8" and decoded.replaced_lines == (2,)
    path = tmp_path / "participants.csv"
    path.write_bytes(data)
    problems: list = []
    table = sources.read_table_file(path, "participants", problems)
    assert table is not None
    assert table.frame["name"].tolist() == ["Anna Wójcik", "José Núñez"]
    assert table.frame["segment"].tolist() == ["New\ufffd", "Returning"]
    [warning] = [p for p in problems if "not UTF-8" in p.message]
    assert warning.where == "data/participants.csv:2" and not warning.fatal
    assert "Ã" not in "".join(table.frame["name"])


def test_a_windows_1252_file_is_still_read_as_windows_1252_not_as_broken_utf8():
    # Every accented letter of a Windows-1252 file is a byte UTF-8 refuses: no well-formed UTF-8 among them.
    decoded = decode_bytes(_text(";").encode("cp1252"))
    assert decoded.encoding == "Windows-1252" and decoded.replaced_lines == ()
    assert "Wójcik" in decoded.text


def test_a_bad_byte_publishes_no_name(tmp_path):
    """The leak of issue 26: one \\xff made notes.csv Windows-1252 and "Wójcik" was published as "WÃ³jcik"."""
    people = FILES["participants.csv"].replace("Ann Archer", "Anna Wójcik")
    notes = (
        FILES["notes.csv"]
        .replace("Card field rejected spaces", "Wójcik said the card field rejected spaces")
        .replace("Padlock icon missing", "Padlock icon missing \xff")
    )
    study = make_study(tmp_path, files={"participants.csv": people, "notes.csv": None})
    (study / "data" / "notes.csv").write_bytes(notes.encode("utf-8").replace("\xff".encode(), b"\xff"))
    out = run_synthesis_stage(study)
    published = json.dumps(out, ensure_ascii=False)
    for form in ("Wójcik", "Wójcik".encode().decode("cp1252"), "WÃ³jcik"):
        assert form not in published
    assert any("data/notes.csv:11" in w and "not UTF-8" in w for w in map(str, out["warnings"]))


def test_nul_bytes_are_dropped_with_a_warning_at_their_line(tmp_path):
    data = _text(",").encode("utf-8").replace(b"Returning", b"Return\x00ing")  # line 3
    decoded = decode_bytes(data)
    assert decoded.encoding == "UTF-8" and decoded.nul_lines == (3,) and "\x00" not in decoded.text
    path = tmp_path / "participants.csv"
    path.write_bytes(data)
    problems: list = []
    table = sources.read_table_file(path, "participants", problems)
    assert table is not None and table.frame["segment"].tolist() == ["New", "Returning"]
    assert [p.where for p in problems if "NUL" in p.message] == ["data/participants.csv:3"]


def test_utf16_without_its_bom_is_not_taken_for_utf8_with_nuls():
    decoded = decode_bytes(_text("\t").encode("utf-16-le"))
    assert decoded.encoding == "UTF-16" and "José Núñez" in decoded.text
