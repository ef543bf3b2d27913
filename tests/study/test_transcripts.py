"""Transcripts: WebVTT voice tags (Teams), 'Speaker: text' cues (Zoom), SRT and plain text."""

from __future__ import annotations

from kit.privacy.roster import Roster
from kit.study import tables as sources
from kit.study import transcripts
from synthesis_fixture import make_study

ZOOM_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:03.000
Uma UXR: Ready?

2
00:01:02.500 --> 00:01:05.000
Ann Archer: Yes, ready.
"""

SRT = """1
00:00:01,000 --> 00:00:02,500
Uma UXR: Please start.

2
00:00:03,000 --> 00:00:06,000
Ben Brook: Where is the pay button?
"""

PLAIN = """Uma UXR: Please pay.
[00:01:10] Cat Cole: Okay, paying now.
this line continues her turn
Dan Design: (observer note)
Cat Cole: Done.
"""


def _read(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    study = make_study(tmp_path, files={"transcripts/S01.vtt": None})
    (study / "data" / "transcripts" / name).write_bytes(text.encode(encoding))
    data = sources.load_tables(study)
    roster = Roster.from_frames(data.frame("participants"), data.frame("sessions"))
    problems: list = []
    return transcripts.read_transcripts(study, roster, problems), problems


def test_teams_voice_tags(tmp_path):
    study = make_study(tmp_path)
    data = sources.load_tables(study)
    roster = Roster.from_frames(data.frame("participants"), data.frame("sessions"))
    utts = transcripts.read_transcripts(study, roster, [])
    assert [(u.speaker, u.participant_id) for u in utts] == [
        ("Uma UXR", None),
        ("Ann Archer", "R-1"),
        ("Ann Archer", "R-1"),
    ]
    assert utts[1].start == 5.0 and utts[1].end == 9.5 and utts[1].session_id == "S01"
    assert utts[1].text == "The card box says invalid, Ann is confused."
    turns = transcripts.participant_turns(utts)
    assert [q for q, _, _ in turns] == ["Q-S01-2", "Q-S01-3"]  # n is the turn's place in the file


def test_zoom_speaker_prefix_in_cues(tmp_path):
    utts, problems = _read(tmp_path, "S01.vtt", ZOOM_VTT)
    assert problems == []
    assert [(u.speaker, u.text, u.participant_id) for u in utts] == [
        ("Uma UXR", "Ready?", None),
        ("Ann Archer", "Yes, ready.", "R-1"),
    ]
    assert utts[1].start == 62.5


def test_srt(tmp_path):
    utts, _ = _read(tmp_path, "S02.srt", SRT)
    assert [(u.speaker, u.participant_id, u.start) for u in utts] == [("Uma UXR", None, 1.0), ("Ben Brook", "R-2", 3.0)]


def test_plain_text_with_timestamps_continuations_and_staff(tmp_path):
    utts, problems = _read(tmp_path, "S03.txt", PLAIN.replace("\n", "\r\n"))
    assert problems == []
    assert [(u.speaker, u.participant_id, u.line) for u in utts] == [
        ("Uma UXR", None, 1),
        ("Cat Cole", "R-3", 2),
        ("Dan Design", None, 4),
        ("Cat Cole", "R-3", 5),
    ]
    assert utts[1].text == "Okay, paying now. this line continues her turn"
    assert utts[1].start == 70.0 and utts[0].start is None


def test_cp1252_transcript_and_line_without_speaker(tmp_path):
    utts, problems = _read(tmp_path, "S03.txt", "just words\nCat Cole: caf\u00e9 \u2013 fine\n", "cp1252")
    assert utts[0].text == "caf\u00e9 \u2013 fine"
    # The encoding warning names the line of the first non-UTF-8 byte.
    assert [(p.where, p.fatal) for p in problems] == [
        ("data/transcripts/S03.txt:2", False),
        ("data/transcripts/S03.txt:1", False),
    ]
    assert "Windows-1252" in problems[0].message and "no speaker" in problems[1].message


def test_unknown_session_is_a_warning_and_unattributed(tmp_path):
    utts, problems = _read(tmp_path, "S99.txt", "Someone: hello\n")
    assert utts[0].participant_id is None
    assert problems[0].where == "data/transcripts/S99.txt" and not problems[0].fatal


def test_malformed_vtt_is_reported(tmp_path):
    utts, problems = _read(tmp_path, "S01.vtt", "not a vtt file at all\n")
    assert utts == [] and problems[0].where == "data/transcripts/S01.vtt" and problems[0].fatal


def test_role_labels_are_staff_not_participants(tmp_path):
    text = "Interviewer: What happened?\nModerator 2: Anything else?\nResearcher (Sam): Thanks.\nP: It broke.\n"
    utts, _ = _read(tmp_path, "S03.txt", text)
    assert [u.participant_id for u in utts] == [None, None, None, "R-3"]  # "P" is the session's participant
    assert [q for q, _, _ in transcripts.participant_turns(utts)] == ["Q-S03-4"]
