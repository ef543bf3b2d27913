"""Every case of issue 15, one row each: read correctly, or refused with file:line naming the value.

A case passes when the value the stages would use is the right one, or when
a problem names the file, the line and the value (and says what was
expected). A case that yields a wrong value, or nothing and no problem, is a
silent misread and fails here. Each is written in the shape the tool exports.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from kit.privacy.roster import Roster
from kit.study import tables as sources
from kit.study import transcripts
from synthesis_fixture import FILES, make_study

HEADERS = sources.scaffold_headers()


def _study(tmp_path: Path, files: dict | None = None, raw: dict[str, bytes] | None = None) -> Path:
    study = make_study(tmp_path, files={"transcripts/S01.vtt": None, **(files or {})})
    for name, data in (raw or {}).items():
        (study / "data" / name).write_bytes(data)
    return study


def _read(study: Path):
    data = sources.load_tables(study, raise_fatal=False)
    roster = Roster.from_frames(data.frame("participants"), data.frame("sessions"))
    problems = list(data.problems)
    utterances = transcripts.read_transcripts(study, roster, problems)
    return data, utterances, problems


def _refused(problems, where: str, value: str) -> bool:
    return any(p.fatal and p.where == where and f"'{value}'" in p.message and "expected" in p.message for p in problems)


def _excel_beside_header_only_csvs(tmp_path):
    study = _study(tmp_path, {f"{t}.csv": ",".join(HEADERS[t]) + "\n" for t in ("participants", "notes")})
    pd.read_csv(io.StringIO(FILES["participants.csv"])).to_excel(study / "data" / "participants.xlsx", index=False)
    pd.read_csv(io.StringIO(FILES["notes.csv"])).to_excel(study / "data" / "notes.xlsx", index=False)
    data, _, problems = _read(study)
    assert len(data.frame("participants")) == 4 and len(data.frame("notes")) == 11
    assert sum("reading data/" in p.message for p in problems) == 2


def _thousands_separator(tmp_path):
    data, _, _ = _read(_study(tmp_path, {"tasks.csv": 'participant_id,task,success,time_s,seq\nR-1,Pay,1,"1,234",6\n'}))
    assert data.frame("tasks")["time_s"].tolist() == [1234]


def _ambiguous_number(tmp_path):
    text = "participant_id\ttask\tsuccess\ttime_s\tseq\nR-1\tPay\t1\t1,234\t6\n"
    _, _, problems = _read(_study(tmp_path, {"tasks.csv": None}, {"tasks.csv": text.encode("utf-16")}))
    assert _refused(problems, "data/tasks.csv:2", "1,234")


def _moderator_with_pronouns_guest_host_last_first(tmp_path):
    text = "Uma UXR (she/her): Q1?\nAnn Archer: A1.\nUma UXR (Guest): Q2?\nUma UXR (Host): Q3?\nUXR, Uma: Q4?\n"
    _, utts, problems = _read(_study(tmp_path, {"transcripts/S01.txt": text}))
    assert [u.participant_id for u in utts] == [None, "R-1", None, None, None] and problems == []


def _unknown_speaker_in_a_moderated_session(tmp_path):
    _, utts, problems = _read(_study(tmp_path, {"transcripts/S01.txt": "Speaker 2: Q?\nAnn Archer: A.\n"}))
    assert utts[0].participant_id is None
    assert any(p.where == "data/transcripts/S01.txt:1" and "'Speaker 2'" in p.message for p in problems)


def _otter_and_meet_text(tmp_path):
    text = "Uma UXR  0:03\nWhat happened?\n\nAnn Archer  0:10\nIt broke at 10:30.\n"
    _, utts, _ = _read(_study(tmp_path, {"transcripts/S01.txt": text}))
    assert [(u.participant_id, u.text) for u in utts] == [(None, "What happened?"), ("R-1", "It broke at 10:30.")]


def _meet_timestamp_lines(tmp_path):
    text = "00:00:00\nUma UXR: Hi.\n00:05:00\nAnn Archer: Hello.\n"
    _, utts, _ = _read(_study(tmp_path, {"transcripts/S01.txt": text}))
    assert [u.text for u in utts] == ["Hi.", "Hello."] and utts[1].start == 300


def _zoom_caption_txt(tmp_path):
    _, utts, _ = _read(
        _study(tmp_path, {"transcripts/S01.txt": "[Uma UXR] 10:00:01\nHi.\n[Ann Archer] 10:00:04\nHello.\n"})
    )
    assert [(u.participant_id, u.text) for u in utts] == [(None, "Hi."), ("R-1", "Hello.")]


def _two_blank_trailing_columns_and_duplicate_names(tmp_path):
    data, _, problems = _read(
        _study(tmp_path, {"tasks.csv": "participant_id,task,success,time_s,seq,,\nR-1,Pay,1,60,6,,\n"})
    )
    assert data.frame("tasks")["time_s"].tolist() == [60] and not problems
    _, _, problems = _read(
        _study(tmp_path / "dup", {"tasks.csv": "participant_id,task,task,success,time_s,seq\nR-1,Pay,Pay,1,60,6\n"})
    )
    assert any(p.fatal and p.where == "data/tasks.csv:1" and "'task' appears twice" in p.message for p in problems)


def _semicolon_csv_windows_1252(tmp_path):
    text = "participant_id;task;success;time_s;seq\nR-1;Zahlung \u00fcben;1;60,5;6\n"
    data, _, problems = _read(_study(tmp_path, {"tasks.csv": None}, {"tasks.csv": text.encode("cp1252")}))
    assert data.frame("tasks")["time_s"].tolist() == [60.5]
    assert data.frame("tasks")["task"].tolist() == ["Zahlung \u00fcben"]
    assert [p.fatal for p in problems] == [False]  # the line saying what it was read as


def _utf16_unicode_text(tmp_path):
    text = FILES["participants.csv"].replace(",", "\t")
    data, _, _ = _read(_study(tmp_path, {"participants.csv": None}, {"participants.csv": text.encode("utf-16")}))
    assert data.frame("participants")["name"].tolist()[0] == "Ann Archer"


def _ambiguous_date(tmp_path):
    sessions = FILES["sessions.csv"].replace("2026-01-10,Uma UXR,Pat PM;Dan Design", "03/12/2026,Uma UXR,")
    _, _, problems = _read(_study(tmp_path, {"sessions.csv": sessions}))
    assert _refused(problems, "data/sessions.csv:2", "03/12/2026")


CASES: dict[str, Callable] = {
    "excel beside the scaffold's CSVs": _excel_beside_header_only_csvs,
    "thousands separator 1,234": _thousands_separator,
    "ambiguous 1,234 without a locale": _ambiguous_number,
    "moderator with pronouns, (Guest), (Host), Last, First": _moderator_with_pronouns_guest_host_last_first,
    "unknown speaker with a moderator": _unknown_speaker_in_a_moderated_session,
    "Otter / Meet 'Name  0:03' blocks": _otter_and_meet_text,
    "Meet timestamp lines": _meet_timestamp_lines,
    "Zoom caption .txt": _zoom_caption_txt,
    "blank trailing columns, duplicate names": _two_blank_trailing_columns_and_duplicate_names,
    "semicolon CSV, Windows-1252, decimal comma": _semicolon_csv_windows_1252,
    "UTF-16 Unicode text": _utf16_unicode_text,
    "date 03/12/2026": _ambiguous_date,
}


@pytest.mark.parametrize("case", list(CASES))
def test_no_silent_misread(tmp_path, case):
    CASES[case](tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail anna at example dot com", "mail [email]"),
        ("call 0044 20 7946 0958", "call [phone]"),
        ("ping @annalee", "ping [handle]"),
        ("Obrien and O Brien", "P05 and P05"),
        ("Will it ship?", "Will it ship?"),
        ("Will said so", "P06 said so"),
    ],
)
def test_redaction_cases(text, expected):
    people = pd.read_csv(io.StringIO(FILES["participants.csv"]))
    extra = pd.DataFrame(
        [["R-5", "Grace O'Brien", "", "New", "yes", "yes"], ["R-6", "Will Turner", "", "New", "yes", "yes"]],
        columns=people.columns,
    )
    roster = Roster.from_frames(pd.concat([people, extra], ignore_index=True))
    assert roster.redact(text) == expected
