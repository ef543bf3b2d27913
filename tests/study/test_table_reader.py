"""Spreadsheets as Excel exports them in other locales: read correctly or refused with file:line.

Every fixture is built here in the shape the tool writes: Excel's "CSV" in a
German locale (Windows-1252, semicolons, decimal commas), "Unicode text"
(UTF-16 with BOM, tabs), "CSV UTF-8" (BOM), .xlsx with blank trailing
columns, and the header-only CSVs `kit new` writes beside an .xlsx.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kit.errors import DataError
from kit.study import tables as sources
from kit.study.encoding import decode_bytes, sniff_delimiter
from synthesis_fixture import FILES, make_study

TASKS_HEADER = ["participant_id", "task", "success", "time_s", "seq"]


def _load(study):
    return sources.load_tables(study, raise_fatal=False)


def _where(problems, check_text: str) -> list[str]:
    return [p.where for p in problems if check_text in p.message]


def test_semicolon_windows_1252_with_decimal_commas(tmp_path):
    study = make_study(tmp_path, files={"tasks.csv": None})
    text = (
        "participant_id;task;success;time_s;seq\r\n"
        "R-1;Zahlung \u00fcberpr\u00fcfen;1;60,5;6\r\n"
        "R-2;Zahlung \u00fcberpr\u00fcfen;0,5;1.234;5\r\n"  # German #,##0: 1234 seconds
        "R-3;Zahlung \u00fcberpr\u00fcfen;0;200;2\r\n"
    )
    (study / "data" / "tasks.csv").write_bytes(text.encode("cp1252"))
    data = _load(study)
    tasks = data.frame("tasks")
    assert tasks["task"].tolist()[0] == "Zahlung \u00fcberpr\u00fcfen"
    assert tasks["success"].tolist() == [1, 0.5, 0]
    assert tasks["time_s"].tolist() == [60.5, 1234, 200]
    [note] = [p for p in data.problems if p.where.startswith("data/tasks.csv")]
    assert not note.fatal
    assert note.message == (
        "read as Windows-1252 (detected: not UTF-8), separated by semicolons, numbers with a decimal comma"
    )


def test_comma_csv_with_thousands_separators(tmp_path):
    tasks = 'participant_id,task,success,time_s,seq\nR-1,Pay,1,"1,234",6\nR-2,Pay,1,90,5\n'
    data = _load(make_study(tmp_path, files={"tasks.csv": tasks}))
    assert data.frame("tasks")["time_s"].tolist() == [1234, 90]
    assert not [p for p in data.problems if p.where.startswith("data/tasks.csv")]  # plain CSV: no note


def test_semicolon_file_written_with_decimal_points_keeps_them(tmp_path):
    # pandas' to_csv(sep=';') writes points: the unambiguous 12.5 decides that 1.234 is 1.234 s
    tasks = "participant_id;task;success;time_s;seq\nR-1;Pay;1;12.5;6\nR-2;Pay;1;1.234;5\n"
    data = _load(make_study(tmp_path, files={"tasks.csv": tasks}))
    assert data.frame("tasks")["time_s"].tolist() == [12.5, 1.234]
    assert any("numbers with a decimal point" in p.message for p in data.problems)


def test_utf16_unicode_text_export_with_tabs(tmp_path):
    study = make_study(tmp_path, files={"participants.csv": None})
    rows = FILES["participants.csv"].replace(",", "\t").replace("Ann Archer", "Ann \u00c1rcher")
    (study / "data" / "participants.csv").write_bytes(rows.replace("\n", "\r\n").encode("utf-16"))
    data = _load(study)
    people = data.frame("participants")
    assert people["name"].tolist()[0] == "Ann \u00c1rcher"
    assert "\x00" not in "".join(people["name"])
    [note] = [p for p in data.problems if p.where.startswith("data/participants.csv")]
    assert note.message.startswith("read as UTF-16") and "separated by tabs" in note.message


def test_ambiguous_thousands_in_a_tab_file_name_the_cell(tmp_path):
    study = make_study(tmp_path, files={"tasks.csv": None})
    text = "participant_id\ttask\tsuccess\ttime_s\tseq\nR-1\tPay\t1\t60\t6\nR-2\tPay\t1\t1,234\t5\n"
    (study / "data" / "tasks.csv").write_bytes(text.encode("utf-16"))
    with pytest.raises(DataError) as err:
        sources.load_tables(study)
    [p] = [p for p in err.value.problems if p.fatal]
    assert p.where == "data/tasks.csv:3"
    assert "time_s '1,234' is ambiguous" in p.message and "expected the number without separators" in p.message


def test_mixed_decimal_marks_are_refused(tmp_path):
    tasks = "participant_id;task;success;time_s;seq\nR-1;Pay;1;12,5;6\nR-2;Pay;1;90.5;5\n"
    with pytest.raises(DataError) as err:
        sources.load_tables(make_study(tmp_path, files={"tasks.csv": tasks}))
    [p] = [p for p in err.value.problems if p.fatal]
    assert p.where == "data/tasks.csv:3"
    assert (
        "time_s '90.5' uses a decimal point, but this file's numbers use a decimal comma (line 2 '12,5')" in p.message
    )


def test_dates_iso_or_unambiguous_else_refused(tmp_path):
    sessions = (
        "session_id,participant_id,date,moderator,observers\n"
        "S01,R-1,13/01/2026,Uma UXR,\nS02,R-2,Jan 10 2026,Uma UXR,\n"
        "S03,R-3,03/12/2026,Uma UXR,\nS04,R-4,last week,Uma UXR,\n"
    )
    data = _load(make_study(tmp_path, files={"sessions.csv": sessions}))
    assert data.frame("sessions")["date"].tolist()[:2] == ["2026-01-13", "2026-01-10"]
    bad = {p.where: p.message for p in data.problems if p.fatal}
    assert bad == {
        "data/sessions.csv:4": "date '03/12/2026' is ambiguous (day and month could be either way round), "
        "expected a date like 2026-03-12 (YYYY-MM-DD)",
        "data/sessions.csv:5": "date 'last week' is not a date, expected a date like 2026-03-12 (YYYY-MM-DD)",
    }


def test_xlsx_with_blank_trailing_columns_and_rows(tmp_path):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    study = make_study(tmp_path, files={"tasks.csv": None})
    book = Workbook()
    sheet = book.active
    for row in (TASKS_HEADER, ["R-1", "Pay", 1, 60, 6], ["R-2", "Pay", 1, 90, 5]):
        sheet.append(row)
    for r in range(1, 6):  # cells left holding a space or a format: Excel keeps them, pandas reads them
        for c in range(6, 9):
            sheet.cell(row=r, column=c).value = " "
            sheet.cell(row=r, column=c).font = Font(bold=True)
    book.save(study / "data" / "tasks.xlsx")
    assert pd.read_excel(study / "data" / "tasks.xlsx", header=None).shape[1] == 8
    data = _load(study)
    assert list(data.frame("tasks").columns[:5]) == TASKS_HEADER
    assert data.frame("tasks")["time_s"].tolist() == [60, 90]
    assert not [p for p in data.problems if p.where.startswith("data/tasks")]


def test_csv_with_blank_trailing_columns(tmp_path):
    tasks = "participant_id,task,success,time_s,seq,,,\nR-1,Pay,1,60,6,,,\nR-2,Pay,1,90,5,,,\n,,,,,,,\n"
    data = _load(make_study(tmp_path, files={"tasks.csv": tasks}))
    assert data.frame("tasks")["time_s"].tolist() == [60, 90]
    assert not [p for p in data.problems if p.where.startswith("data/tasks")]


def test_unnamed_column_with_data_and_duplicate_columns(tmp_path):
    tasks = "participant_id,task,success,time_s,seq,,seq\nR-1,Pay,1,60,6,oops,7\nR-2,Pay,1,90,5,,\n"
    with pytest.raises(DataError) as err:
        sources.load_tables(make_study(tmp_path, files={"tasks.csv": tasks}))
    got = {(p.where, p.fatal): p.message for p in err.value.problems if p.where.startswith("data/tasks")}
    assert got == {
        ("data/tasks.csv:1", True): "column 'seq' appears twice (columns 5 and 7), expected each column once",
        ("data/tasks.csv:2", False): "column 6 has no header but holds data from this line on (and is ignored), "
        "expected a column name in line 1 (warning)",
    }


def test_xlsx_with_two_columns_of_one_name(tmp_path):
    study = make_study(tmp_path, files={"tasks.csv": None})
    pd.DataFrame([[*TASKS_HEADER, "task", None, None], ["R-1", "Pay", 1, 60, 6, "Pay again", None, None]]).to_excel(
        study / "data" / "tasks.xlsx", index=False, header=False
    )
    with pytest.raises(DataError, match=r"data/tasks.xlsx:1: column 'task' appears twice"):
        sources.load_tables(study)


def test_header_only_csv_yields_to_xlsx(tmp_path):
    headers = sources.scaffold_headers()
    study = make_study(tmp_path, files={"tasks.csv": ",".join(headers["tasks"]) + "\n"})
    pd.DataFrame([["R-1", "Pay", 1, 60, 6]], columns=TASKS_HEADER).to_excel(study / "data" / "tasks.xlsx", index=False)
    data = _load(study)
    assert data.frame("tasks")["time_s"].tolist() == [60]
    [note] = [p for p in data.problems if p.where.startswith("data/tasks")]
    assert not note.fatal and note.where == "data/tasks.csv"
    assert "holds only a header: reading data/tasks.xlsx instead" in note.message


def test_csv_and_xlsx_both_with_rows_is_an_error_naming_both(tmp_path):
    study = make_study(tmp_path)
    pd.DataFrame([["R-1", "Pay", 1, 60, 6]], columns=TASKS_HEADER).to_excel(study / "data" / "tasks.xlsx", index=False)
    with pytest.raises(DataError, match=r"data/tasks.csv: both data/tasks.csv and data/tasks.xlsx hold rows"):
        sources.load_tables(study)


def test_empty_roster_is_a_warning(tmp_path):
    header = "participant_id,name,email,segment,consent_quotes,consent_recording\n"
    data = _load(
        make_study(
            tmp_path,
            files={
                "participants.csv": header,
                "sessions.csv": None,
                "notes.csv": None,
                "tasks.csv": None,
                "sus.csv": None,
            },
        )
    )
    assert "data/participants.csv:1: no participants (only the header), expected one row per participant" in [
        str(p) for p in data.problems
    ]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2;3\n", ";"),
        ("a\tb\tc\n1,5\t2;x\t3\n", "\t"),
        ('name;text\n"Smith, Ann";"hi; there"\n', ";"),
        ("only\n1\n", ","),
    ],
)
def test_delimiter_sniffing(text, delimiter):
    assert sniff_delimiter(text) == delimiter


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8"),
        ("cp1252", "Windows-1252"),
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
    ],
)
def test_encoding_detection(encoding, name):
    text = "participant_id,name\nR-1,Jos\u00e9 N\u00fa\u00f1ez\nR-2,Fran\u00e7ois M\u00fcller\n"
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.encoding == name and decoded.text == text
