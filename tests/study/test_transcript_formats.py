"""Transcripts as the tools export them: Teams/Zoom WebVTT, Zoom captions and chat, Otter, Google Meet, Word.

The samples are written here in each tool's documented shape; each must be
read into the right turns and speakers, or refused with file:line.
"""

from __future__ import annotations

import pytest

import transcript_fixture
from kit.privacy.roster import Roster
from kit.study import tables as sources
from kit.study import transcripts
from kit.study.speaker_labels import speaker_key
from synthesis_fixture import make_study

TEAMS_VTT = """WEBVTT

3f1c9a2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c/12-0
00:00:01.250 --> 00:00:04.000
<v Uma UXR (she/her)>Please pay for the order.</v>

3f1c9a2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c/13-0
00:00:05.000 --> 00:00:09.500
<v Archer, Ann (Guest)>The card box says invalid.</v>

3f1c9a2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c/13-1
00:00:09.500 --> 00:00:11.000
<v Archer, Ann (Guest)>Oh, no spaces.</v>

3f1c9a2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c/14-0
00:00:12.000 --> 00:00:13.000
<v UXR, Uma>Thanks.</v>
"""

ZOOM_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:03.000
Uma UXR (Host, me): Ready?

2
00:01:02.500 --> 00:01:05.000
ann archer: Yes, ready.
Let me start.
"""

OTTER_TXT = """Uma UXR  0:03
So tell me about the last time you paid online.

Ann Archer  0:10
Well, I waited until 10:30 for the code.
Note: it never came.

Uma UXR  1:02:15
Thanks.

Transcribed by https://otter.ai
"""

MEET_TXT = """Checkout study - Transcript
Attendees
Ann Archer, Uma UXR
Transcript
00:00:00

Uma UXR: Hello, thanks for joining.
Ann Archer: Hi.
00:05:00
Ann Archer: The total changed at the end.
Meeting ended after 00:06:12
"""

ZOOM_CAPTIONS_TXT = """[Uma UXR] 14:02:11
Ready?
[Ann Archer (she/her)] 14:02:15
Yes.
I think so.
"""

ZOOM_CHAT_TXT = """00:01:12 From Uma UXR to Everyone:
\tPlease share your screen
00:02:01 From Ann Archer to Everyone:
\tok sharing now
\tcan you see it?
"""

ZOOM_CHAT_OLD_TXT = """10:02:15\t From  Uma UXR : Please share your screen
10:02:40\t From  Ann Archer : sharing now
"""


def _read(tmp_path, name: str, data: str | bytes, sessions: str | None = None, extra: dict | None = None):
    files = {"transcripts/S01.vtt": None, **(extra or {})}
    if sessions is not None:
        files["sessions.csv"] = sessions
    study = make_study(tmp_path, files=files)
    path = study / "data" / "transcripts" / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    tables = sources.load_tables(study)
    roster = Roster.from_frames(tables.frame("participants"), tables.frame("sessions"))
    problems: list = []
    return transcripts.read_transcripts(study, roster, problems), problems


def _who(utts) -> list[tuple[str | None, str]]:
    return [(u.participant_id, u.text) for u in utts]


def test_teams_vtt_with_guid_cue_ids_pronouns_guest_and_last_first(tmp_path):
    utts, problems = _read(tmp_path, "S01.vtt", TEAMS_VTT)
    assert problems == []
    assert _who(utts) == [
        (None, "Please pay for the order."),
        ("R-1", "The card box says invalid."),
        ("R-1", "Oh, no spaces."),
        (None, "Thanks."),
    ]
    assert [u.line for u in utts] == [4, 8, 12, 16] and utts[1].start == 5.0
    assert [q for q, _, _ in transcripts.participant_turns(utts)] == ["Q-S01-2", "Q-S01-3"]


def test_zoom_vtt_host_tag_lower_case_name_and_two_line_cue(tmp_path):
    utts, problems = _read(tmp_path, "S01.vtt", ZOOM_VTT)
    assert problems == []
    assert _who(utts) == [(None, "Ready?"), ("R-1", "Yes, ready. Let me start.")]


def test_otter_export(tmp_path):
    utts, problems = _read(tmp_path, "S01.txt", OTTER_TXT)
    assert problems == []
    assert [(u.speaker, u.participant_id, u.start, u.line) for u in utts] == [
        ("Uma UXR", None, 3.0, 1),
        ("Ann Archer", "R-1", 10.0, 4),
        ("Uma UXR", None, 3735.0, 8),
    ]
    # a sentence ending in a time is speech, and so is "Note:" inside a turn
    assert utts[1].text == "Well, I waited until 10:30 for the code. Note: it never came."


def test_google_meet_text_keeps_timestamps_out_of_the_speech(tmp_path):
    utts, problems = _read(tmp_path, "S01.txt", MEET_TXT)
    assert _who(utts) == [
        (None, "Hello, thanks for joining."),
        ("R-1", "Hi."),
        ("R-1", "The total changed at the end."),
    ]
    assert [u.start for u in utts] == [0.0, None, 300.0]
    [p] = problems  # the title and attendees before the first speaker: one warning
    assert p.where == "data/transcripts/S01.txt:1" and not p.fatal and "lines 1-3" in p.message


def test_zoom_captions_txt(tmp_path):
    utts, problems = _read(tmp_path, "S01.txt", ZOOM_CAPTIONS_TXT)
    assert problems == []
    assert _who(utts) == [(None, "Ready?"), ("R-1", "Yes. I think so.")]
    assert utts[1].start == 14 * 3600 + 2 * 60 + 15


@pytest.mark.parametrize("chat", [ZOOM_CHAT_TXT, ZOOM_CHAT_OLD_TXT])
def test_zoom_chat_txt(tmp_path, chat):
    utts, problems = _read(tmp_path, "S01.chat.txt", chat)
    assert problems == []
    assert [u.participant_id for u in utts] == [None, "R-1"]
    assert utts[0].session_id == "S01" and utts[1].text.startswith(("ok sharing now", "sharing now"))
    assert transcripts.participant_turns(utts)[0][0] == "Q-S01.chat-2"


def _docx(paragraphs: list[str]) -> bytes:
    import io

    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_teams_word_transcript(tmp_path):
    paragraphs = [
        "Transcript",
        "March 3, 2026, 2:02PM",
        "Uma UXR started transcription",
        "Uma UXR   0:03",
        "Please pay for the order.",
        "Archer, Ann (Guest)   0:10",
        "Where is the pay button?",
        "Found it.",
        "Uma UXR stopped transcription",
    ]
    utts, problems = _read(tmp_path, "S01.docx", _docx(paragraphs))
    assert _who(utts) == [(None, "Please pay for the order."), ("R-1", "Where is the pay button? Found it.")]
    assert [u.line for u in utts] == [4, 6]
    [p] = problems  # the date line ("Transcript" is a heading Teams and Meet write: skipped)
    assert p.where == "data/transcripts/S01.docx:2" and "(line 2 before the first speaker skipped)" in p.message


def test_meet_word_transcript(tmp_path):
    utts, _ = _read(
        tmp_path,
        "S01.docx",
        _docx(["00:00:00", "Uma UXR: Hello.", "Ann Archer: Hi there.", "00:05:00", "Ann Archer: Still here."]),
    )
    assert _who(utts) == [(None, "Hello."), ("R-1", "Hi there."), ("R-1", "Still here.")]


def test_broken_word_file_is_reported(tmp_path):
    utts, problems = _read(tmp_path, "S01.docx", b"not a zip file")
    assert utts == [] and problems[0].where == "data/transcripts/S01.docx" and problems[0].fatal
    assert "not a valid Word file" in problems[0].message


def test_utf16_transcript(tmp_path):
    utts, problems = _read(tmp_path, "S01.txt", "Uma UXR: Hi.\nAnn Archer: Caf\u00e9.\n".encode("utf-16"))
    assert _who(utts) == [(None, "Hi."), ("R-1", "Caf\u00e9.")]
    assert "\x00" not in utts[1].text and "UTF-16" in problems[0].message


def test_cues_without_a_speaker_are_counted_not_quoted(tmp_path):
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nUma UXR: Ready?\n\n"
        "2\n00:00:03.000 --> 00:00:04.000\nYes I am.\n\n3\n00:00:05.000 --> 00:00:06.000\nStill here.\n"
    )
    utts, problems = _read(tmp_path, "S01.vtt", vtt)
    assert [u.participant_id for u in utts] == [None, None, None]
    [p] = problems
    assert p.where == "data/transcripts/S01.vtt:8" and not p.fatal and p.message.startswith("2 turn(s) name no speaker")


# --- one meeting in every Word layout reads as its WebVTT (transcript_fixture) ---------------------


def _same_meeting_as_vtt(tmp_path, name: str, data: bytes):
    vtt, _ = _read(tmp_path / "vtt", "S01.vtt", transcript_fixture.teams_vtt())
    word, problems = _read(tmp_path / "word", name, data)
    assert len(vtt) == len(transcript_fixture.MEETING) == len(word)
    assert [u.participant_id for u in word] == [u.participant_id for u in vtt] == list(transcript_fixture.ROLES)
    assert [speaker_key(u.speaker) for u in word] == [speaker_key(u.speaker) for u in vtt]
    assert [u.text for u in word] == [u.text for u in vtt]
    assert not any(p.fatal for p in problems)
    return vtt, word, problems


@pytest.mark.parametrize(
    "layout,paragraphs_per_turn",
    [
        pytest.param(transcript_fixture.teams_docx_current(), 1, id="teams-current"),
        pytest.param(transcript_fixture.teams_docx_current(external=True), 1, id="teams-current-external"),
        pytest.param(transcript_fixture.teams_docx_current(leading_break=True), 1, id="teams-current-leading-break"),
        pytest.param(transcript_fixture.teams_docx_former(), 2, id="teams-former"),
    ],
)
def test_teams_word_layouts_read_as_the_vtt(tmp_path, layout, paragraphs_per_turn):
    vtt, word, problems = _same_meeting_as_vtt(tmp_path, "S01.docx", layout)
    # Teams' .docx shows whole seconds (0:03, 1:05:02): the VTT's starts, truncated
    assert [u.start for u in word] == [float(int(u.start)) for u in vtt]
    # line numbers are paragraphs: title, date, duration and "started transcription" come first
    assert [u.line for u in word] == [5 + paragraphs_per_turn * n for n in range(len(word))]
    [skipped] = problems  # the title, date and duration lines before the first speaker
    assert skipped.where == "data/transcripts/S01.docx:1" and "lines 1-3" in skipped.message


@pytest.mark.parametrize("one_paragraph_per_cue", [False, True], ids=["paragraphs", "line-breaks"])
def test_older_teams_and_stream_range_layout_reads_as_the_vtt(tmp_path, one_paragraph_per_cue):
    data = transcript_fixture.teams_docx_ranges(one_paragraph_per_cue)
    vtt, word, problems = _same_meeting_as_vtt(tmp_path, "S01.docx", data)
    assert [(u.start, u.end) for u in word] == [(u.start, u.end) for u in vtt]  # the ranges are the cues' times
    assert problems == []
    step = 2 if one_paragraph_per_cue else 4  # a blank paragraph between cues
    assert [u.line for u in word] == [1 + step * n for n in range(len(word))]


def test_meet_transcript_document_reads_as_the_vtt(tmp_path):
    vtt, word, problems = _same_meeting_as_vtt(tmp_path, "S01.docx", transcript_fixture.meet_docx())
    # Meet's document times only the turn after each five-minute mark, with that mark
    assert [u.start for u in word] == [0.0, None, None, None, 300.0, None, 3900.0]
    assert all(w.start is None or v.start - 300 < w.start <= v.start for v, w in zip(vtt, word))
    [skipped] = problems  # the title and the attendees' names
    assert skipped.where == "data/transcripts/S01.docx:1" and not skipped.fatal


def test_word_file_with_no_turn_is_an_error_naming_it(tmp_path):
    prose = _docx(["Interview notes", "We talked about the checkout.", "She found it slow."])
    utts, problems = _read(tmp_path, "S01.docx", prose)
    assert utts == []
    fatal = [p for p in problems if p.fatal]
    assert [p.where for p in fatal] == ["data/transcripts/S01.docx"]
    assert "no turn of speech could be read" in fatal[0].message and "0:0:3.120 --> 0:0:7.450" in fatal[0].message


def test_word_file_with_no_turn_stops_the_synthesis(tmp_path):
    from kit.errors import DataError, KitError
    from kit.synthesis.stage import synthesise

    study = make_study(tmp_path, files={"transcripts/S01.vtt": None})
    (study / "data" / "transcripts" / "S01.docx").write_bytes(_docx(["Only a title"]))
    with pytest.raises(DataError) as caught:
        synthesise(study)
    assert isinstance(caught.value, KitError)
    assert "data/transcripts/S01.docx: no turn of speech could be read" in str(caught.value)


def test_every_kind_of_line_in_the_table_has_a_handler():
    from kit.study.transcript_formats import LINE_HANDLERS, line_kinds

    assert [k.kind for k in line_kinds()] and {k.kind for k in line_kinds()} == set(LINE_HANDLERS)


def test_range_layout_without_names_counts_turns_but_quotes_none(tmp_path):
    # Stream without speaker identification: the range, then only the words
    data = _docx(["0:0:1.0 --> 0:0:2.500", "Ready?", "", "0:0:3.0 --> 0:0:4.0", "Yes I am."])
    utts, problems = _read(tmp_path, "S01.docx", data)
    assert [(u.speaker, u.text, u.start, u.participant_id) for u in utts] == [
        ("", "Ready?", 1.0, None),
        ("", "Yes I am.", 3.0, None),
    ]
    [p] = problems
    assert p.where == "data/transcripts/S01.docx:1" and p.message.startswith("2 turn(s) name no speaker")
