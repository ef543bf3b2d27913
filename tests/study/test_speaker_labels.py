"""Who spoke: display names as people type them, data/speakers.csv, and unknown speakers never quoted."""

from __future__ import annotations

import pytest

from kit.privacy.roster import Roster
from kit.study import tables as sources
from kit.study import transcripts
from kit.study.speaker_labels import label_role, speaker_key
from synthesis_fixture import FILES, make_study


@pytest.mark.parametrize(
    "label",
    [
        "Sam Okafor",
        "Sam Okafor (he/him)",
        "Sam Okafor (Guest)",
        "Sam Okafor (Host)",
        "Sam Okafor (External)",
        "Okafor, Sam",
        "Okafor, Sam (he/him)",
        "SAM OKAFOR",
        "sam  okafor",
        "Sám Okafor",
        "Sam Okafor [EXT]",
        "Sam Okafor (Host, me)",
        "Sam Okafor (he/they)",
    ],
)
def test_display_names_reduce_to_one_key(label):
    assert speaker_key(label) == "sam okafor"


def test_keys_keep_what_is_not_a_tag():
    assert speaker_key("Siobh\u00e1n O\u2019Brien-Kelly (she/her)") == "siobhan obrien kelly"
    assert speaker_key("Researcher (Sam)") == "researcher (sam)"
    assert label_role("Researcher (Sam)") == "staff" and label_role("Interviewer 2") == "staff"
    assert label_role("P") == "participant" and label_role("Participant") == "participant"
    assert label_role("Sam Okafor") is None


def _read(tmp_path, text: str, name: str = "S01.txt", files: dict | None = None):
    study = make_study(tmp_path, files={"transcripts/S01.vtt": None, **(files or {})})
    (study / "data" / "transcripts" / name).write_text(text, encoding="utf-8")
    tables = sources.load_tables(study)
    roster = Roster.from_frames(tables.frame("participants"), tables.frame("sessions"))
    problems: list = []
    return transcripts.read_transcripts(study, roster, problems), problems


@pytest.mark.parametrize("moderator", ["Uma UXR (she/her)", "UXR, Uma", "Uma UXR (Guest)", "uma uxr", "Uma"])
def test_decorated_moderator_is_never_quoted(tmp_path, moderator):
    utts, problems = _read(tmp_path, f"{moderator}: What did you expect?\nAnn Archer: A clear error.\n")
    assert problems == []
    assert [u.participant_id for u in utts] == [None, "R-1"]
    assert [q for q, _, _ in transcripts.participant_turns(utts)] == ["Q-S01-2"]


def test_partial_participant_names_and_email_display_names(tmp_path):
    text = "Uma UXR: Hi.\nAnn A.: Hello.\nann@example.com: From my laptop.\nAnn: Me again.\n"
    utts, problems = _read(tmp_path, text)
    assert problems == [] and [u.participant_id for u in utts] == [None, "R-1", "R-1", "R-1"]


def test_observer_in_the_session_is_staff(tmp_path):
    utts, _ = _read(tmp_path, "Pat PM (he/him): Quick question.\nDan: Me too.\nAnn Archer: Sure.\n")
    assert [u.participant_id for u in utts] == [None, None, "R-1"]


def test_unknown_speaker_with_a_moderator_is_warned_and_not_quoted(tmp_path):
    text = "Speaker 1: Tell me more.\nAnn Archer: Sure.\nSpeaker 1: And then?\nSpeaker 2: It broke.\n"
    utts, problems = _read(tmp_path, text)
    assert [u.participant_id for u in utts] == [None, "R-1", None, None]
    assert [(p.where, p.fatal) for p in problems] == [
        ("data/transcripts/S01.txt:1", False),
        ("data/transcripts/S01.txt:4", False),
    ]
    assert problems[0].message.startswith(
        "speaker 'Speaker 1' is not in participants.csv or sessions.csv for session 'S01': their words are not quoted"
    )
    assert "data/speakers.csv" in problems[0].message


def test_unknown_labels_that_may_be_names_are_withheld_from_warnings(tmp_path):
    _, problems = _read(tmp_path, "Jon Smyth: Tell me more.\nAnn Archer: Sure.\n")
    [p] = problems
    assert p.where == "data/transcripts/S01.txt:1" and "Jon" not in p.message and "Smyth" not in p.message
    assert p.message.startswith("speaker (label withheld: it may be a name) is not in participants.csv")


def test_unknown_speaker_without_a_moderator_is_the_participant_with_a_warning(tmp_path):
    sessions = FILES["sessions.csv"].replace("S01,R-1,2026-01-10,Uma UXR,Pat PM;Dan Design", "S01,R-1,2026-01-10,,")
    utts, problems = _read(tmp_path, "Speaker 1: It broke.\n", files={"sessions.csv": sessions})
    assert [u.participant_id for u in utts] == ["R-1"]
    [p] = problems
    assert p.where == "data/transcripts/S01.txt:1" and not p.fatal and "has no moderator" in p.message


def test_speakers_csv_settles_the_rest(tmp_path):
    speakers = (
        "session_id,speaker,role,participant_id\n"
        "S01,Speaker 1,moderator,\n"
        "S01,Speaker 2,,R-1\n"
        ",Ann's iPhone,participant,R-1\n"
    )
    text = "Speaker 1: Tell me more.\nSpeaker 2: It broke.\nAnn's iPhone: Sorry, on my phone.\n"
    utts, problems = _read(tmp_path, text, files={"speakers.csv": speakers})
    assert problems == []
    assert [u.participant_id for u in utts] == [None, "R-1", "R-1"]


def test_bad_speakers_csv_rows_name_their_line(tmp_path):
    speakers = (
        "session_id,speaker,role,participant_id\n"
        "S01,Speaker 1,boss,\n"
        "S01,Speaker 2,,R-99\n"
        "S01,,moderator,\n"
        "S01,Speaker 3,participant,\n"
    )
    _, problems = _read(tmp_path, "Uma UXR: Hi.\n", files={"speakers.csv": speakers})
    assert [(p.where, p.fatal) for p in problems] == [(f"data/speakers.csv:{n}", True) for n in (2, 3, 4, 5)]
    assert "role 'boss', expected one of participant, moderator" in problems[0].message
    assert "participant_id 'R-99' is not in participants.csv" in problems[1].message
    assert "expected a participant_id" in problems[3].message


def test_quote_ids_stay_the_same_when_a_label_changes(tmp_path):
    base = "{mod}: What happened?\nAnn Archer: It broke.\n{mod}: And then?\n{ann}: I gave up.\n"
    ids = []
    for i, (mod, ann) in enumerate(
        [("Uma UXR", "Ann Archer"), ("Uma UXR (she/her)", "Archer, Ann"), ("Unknown Person", "Ann")]
    ):
        utts, _ = _read(tmp_path / str(i), base.format(mod=mod, ann=ann))
        ids.append([q for q, _, _ in transcripts.participant_turns(utts)])
    assert ids == [["Q-S01-2", "Q-S01-4"]] * 3


def test_speakers_csv_without_its_speaker_column_is_refused(tmp_path):
    speakers = "session_id,label,role\nS01,Speaker 1,moderator\n"
    _, problems = _read(tmp_path, "Uma UXR: Hi.\n", files={"speakers.csv": speakers})
    fatal = [p for p in problems if p.fatal]
    assert [p.where for p in fatal] == ["data/speakers.csv:1"] and "missing column 'speaker'" in fatal[0].message
