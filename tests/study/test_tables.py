"""Reading and validating a study's tables: encodings, Excel, file:line problems."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.errors import DataError
from kit.study import tables as sources
from synthesis_fixture import FILES, make_study

NOTES_HEADER = "note_id,session_id,participant_id,task,text,tags,kind\n"


def _problems(study) -> list:
    return sources.load_tables(study, raise_fatal=False).problems


def _texts(problems) -> list[str]:
    return [str(p) for p in problems]


def test_valid_study_reads_without_problems(tmp_path):
    data = sources.load_tables(make_study(tmp_path))
    assert data.problems == []
    notes = data.frame("notes")
    assert notes.loc[0, "tags"] == ["error", "payment"]
    assert notes.loc[6, "tags"] == [] and notes.loc[6, "kind"] == "observation"
    assert notes[sources.LINE].tolist() == list(range(2, 13))
    tasks = data.frame("tasks")
    assert tasks["success"].tolist() == [1, 1, 0, 1] and tasks["time_s"].tolist() == [60, 90, 200, 75]


def test_bom_crlf_whitespace_and_multiline_cells(tmp_path):
    notes = (
        "\ufeff"
        + NOTES_HEADER.replace("\n", "\r\n")
        + 'N001,S01,R-1,Pay,"two\r\nlines  of\u00a0text",payment, problem \r\n'
        + "\r\n"
        + "N002,S02,R-2,Pay,  padded   text ,Trust ; Error,\r\n"
    )
    study = make_study(tmp_path, files={"notes.csv": notes})
    data = sources.load_tables(study)
    f = data.frame("notes")
    assert f["text"].tolist() == ["two lines of text", "padded text"]
    assert f[sources.LINE].tolist() == [2, 5]  # the quoted cell spans lines 2-3, line 4 is blank
    assert f.loc[0, "kind"] == "problem"
    assert f.loc[1, "tags"] == ["error", "trust"]


def test_cp1252_export_is_read_with_a_warning(tmp_path):
    study = make_study(tmp_path)
    text = NOTES_HEADER + "N001,S01,R-1,Pay,Caf\u00e9 \u2013 \u201cpay\u201d failed,payment,\n"
    (study / "data" / "notes.csv").write_bytes(text.encode("cp1252"))
    data = sources.load_tables(study)
    assert data.frame("notes").loc[0, "text"] == "Caf\u00e9 \u2013 \u201cpay\u201d failed"
    [warning] = data.warnings
    assert warning.where == "data/notes.csv:2" and "Windows-1252" in warning.message


def test_excel_tables_with_row_numbers(tmp_path):
    study = make_study(tmp_path, files={"tasks.csv": None})
    rows = [["R-1", "Pay", 1, 60, 6], ["R-2", "Pay", 0.5, 90.5, None], ["R-3", "Pay", 2, 10, 3]]
    pd.DataFrame(rows, columns=["participant_id", "task", "success", "time_s", "seq"]).to_excel(
        study / "data" / "tasks.xlsx", index=False
    )
    with pytest.raises(DataError) as err:
        sources.load_tables(study)
    [p] = err.value.problems
    assert p.where == "data/tasks.xlsx:4" and "success '2'" in p.message
    data = sources.load_tables(study, raise_fatal=False)
    assert data.frame("tasks")["success"].tolist()[:2] == [1, 0.5]
    assert data.frame("tasks")["time_s"].tolist()[:2] == [60, 90.5]


def test_excel_dates_read_like_csv(tmp_path):
    import datetime as dt

    study = make_study(tmp_path, files={"sessions.csv": None})
    pd.DataFrame(
        [["S01", "R-1", dt.datetime(2026, 1, 10), "Uma UXR", "Pat PM"]],
        columns=["session_id", "participant_id", "date", "moderator", "observers"],
    ).to_excel(study / "data" / "sessions.xlsx", index=False)
    data = sources.load_tables(study, raise_fatal=False)
    assert data.frame("sessions").loc[0, "date"] == "2026-01-10"


def test_renamed_and_missing_columns_suggest_the_close_match(tmp_path):
    notes = "note_id,session,participant_id,task,txt,tags\nN001,S01,R-1,Pay,x,\n"
    problems = _problems(make_study(tmp_path, files={"notes.csv": notes}))
    text = _texts(problems)
    assert "data/notes.csv:1: missing column 'session_id' (found 'session': renamed?)" in text[0]
    assert "missing column 'text' (found 'txt': renamed?)" in text[1]
    assert all(p.fatal for p in problems[:2])
    assert any("unknown column 'session' ignored" in t and not p.fatal for t, p in zip(text, problems))


def test_every_note_defect_is_listed_with_its_line(tmp_path):
    notes = (
        NOTES_HEADER
        + "N001,S01,R-1,Pay,fine,payment,\n"  # 2 ok
        + "N001,S01,R-1,Pay,again,payment,\n"  # 3 duplicate id
        + "N003,S01,R-9,Pay,who,payment,\n"  # 4 unknown participant
        + "N004,S99,R-1,Pay,where,payment,\n"  # 5 unknown session
        + "N005,S01,R-1,Pay,,payment,\n"  # 6 empty text
        + "N006,S01,R-1,Pay,odd,payment,insight\n"  # 7 unknown kind
        + "N007,S02,R-1,Pay,wrong session,payment,\n"  # 8 session of R-2
        + ",S01,R-1,Pay,no id,payment,\n"
    )  # 9 empty id
    study = make_study(tmp_path, files={"notes.csv": notes})
    with pytest.raises(DataError) as err:
        sources.load_tables(study)
    got = {(p.where, p.fatal) for p in err.value.problems}
    assert got == {
        ("data/notes.csv:3", True),
        ("data/notes.csv:4", True),
        ("data/notes.csv:5", False),
        ("data/notes.csv:6", False),
        ("data/notes.csv:7", False),
        ("data/notes.csv:8", False),
        ("data/notes.csv:9", True),
    }
    message = str(err.value)
    assert "note_id 'N001' repeats line 2" in message
    assert "participant_id 'R-9' is not in participants.csv" in message
    assert "session_id 'S99' is not in sessions.csv" in message
    assert "note 'N005' has no text (warning)" in message
    assert "kind 'insight', expected one of observation, quote, problem" in message
    assert message.index("R-9") < message.index("S99")  # fatal problems first


def test_task_and_sus_defects(tmp_path):
    tasks = (
        "participant_id,task,success,time_s,seq\n"
        "R-1,Pay,1,60,6\nR-2,Pay,2,90,5\nR-3,Pay,0,-5,2\nR-4,Pay,1,abc,9\nR-4,pay,1,,\n"
    )
    sus = (
        "participant_id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,recommend\n"
        "R-1,4,2,4,2,4,2,4,2,4,2,9\nR-2,6,1,5,1,5,1,5,1,5,1,11\nR-3,3,,3,3,3,3,3,3,3,3,\n"
        "R-4,4,2,x,1,4,2,4,2,4,2,7\n"
    )
    problems = _problems(make_study(tmp_path, files={"tasks.csv": tasks, "sus.csv": sus}))
    found = {(p.where, p.message.split(" '")[0].split(" is")[0], p.fatal) for p in problems}
    assert found == {
        ("data/tasks.csv:3", "success", True),
        ("data/tasks.csv:4", "time_s", True),
        ("data/tasks.csv:5", "time_s", True),
        ("data/tasks.csv:5", "seq", True),
        ("data/tasks.csv:6", "task", True),
        ("data/sus.csv:3", "SUS answer q1", True),
        ("data/sus.csv:3", "recommend", True),
        ("data/sus.csv:4", "SUS answer q2", False),
        ("data/sus.csv:5", "SUS answer q3", True),
    }


def test_warnings_alone_do_not_stop(tmp_path):
    notes = NOTES_HEADER + "N001,S01,R-1,Pay,,payment,\n"
    data = sources.load_tables(make_study(tmp_path, files={"notes.csv": notes, "sus.csv": None}))
    assert sorted(p.where for p in data.warnings) == ["data/notes.csv:2", "data/sus.csv"]


def test_missing_roster_is_fatal(tmp_path):
    with pytest.raises(DataError, match="data/participants.csv: file not found"):
        sources.load_tables(make_study(tmp_path, files={"participants.csv": None}))


def test_every_check_has_a_decision():
    # The fatal/warning decisions are data; every check the code raises must be in the table.
    import re
    from pathlib import Path

    code = "".join(p.read_text() for p in Path(sources.__file__).parent.glob("*.py"))
    used = set(re.findall(r'problem\("(\w+)"', code)) | set(re.findall(r'flag_rows\([^,]+, [^,]+, "(\w+)"', code))
    assert used and used <= set(sources.checks())


def test_fixture_files_cover_every_table():
    assert {name.split(".")[0] for name in FILES} == set(sources.TABLES)


def test_stray_quote_inside_a_cell_keeps_line_numbers():
    # A quote in the middle of an unquoted cell is literal; line counting must not drift.
    t = sources.read_csv_text('a,b,c\n1,He said "hi,3\n4,5,6\n7,8,9\n', "notes", "data/notes.csv")
    assert t.frame["b"].tolist() == ['He said "hi', "5", "8"]
    assert t.frame[sources.LINE].tolist() == [2, 3, 4]


def test_rows_with_extra_cells_are_reported_with_their_line():
    problems: list = []
    t = sources.read_csv_text("a,b\n1,2\n3,4,5\n6,7\n", "notes", "data/notes.csv", problems)
    assert t.frame[["a", "b"]].values.tolist() == [["1", "2"], ["3", "4"], ["6", "7"]]
    assert t.frame[sources.LINE].tolist() == [2, 3, 4]
    [p] = problems
    assert p.where == "data/notes.csv:3" and p.fatal and "3 cells, expected 2" in p.message


def test_unquoted_comma_in_note_text_is_fatal(tmp_path):
    notes = NOTES_HEADER + "N001,S01,R-1,Pay,Hello, world,payment,problem\n"
    with pytest.raises(DataError, match=r"data/notes.csv:2: 8 cells, expected 7"):
        sources.load_tables(make_study(tmp_path, files={"notes.csv": notes}))
