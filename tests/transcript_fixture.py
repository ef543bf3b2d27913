"""One meeting, as each tool writes its transcript: Teams' WebVTT and the Word files of Teams and Meet.

The meeting is session S01 of :mod:`synthesis_fixture` (moderator Uma UXR,
participant Ann Archer, observer Pat PM). Every layout is built here with
python-docx the way the tool writes it:

* **Teams, current** ("Download as .docx" since about 2023): a title
  (``<meeting>-<date>_<time>-Meeting Recording``), the date, the duration,
  ``<name> started transcription``, then one paragraph per turn:
  ``Name   0:03``, a line break (``<w:br/>``) and the words. Guests show as
  ``Name (External)``; some exports start the paragraph with a line break.
  Public converters (e.g. teams-transcript-cleaner scripts) call this the
  current layout and the next one the former layout.
* **Teams, former**: the same, with the words in the paragraph after the
  ``Name   0:03`` paragraph.
* **Teams and Stream before 2022**: per cue ``0:0:3.120 --> 0:0:7.450``,
  the name and the words as paragraphs, a blank paragraph between cues.
* **Google Meet's transcript document** (Drive, "Meet Recordings"): the
  title ``<meeting> - Transcript``, ``Attendees``, the attendees' names,
  ``Transcript``, then ``Name: words`` paragraphs with a timestamp
  paragraph (``00:05:00``) every five minutes, and ``Meeting ended after
  01:05:07``.

Teams' WebVTT (voice tags, GUID cue ids) of the same meeting is the reference.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import docx


@dataclass(frozen=True)
class Spoken:
    """One turn of the meeting: who (their Teams display name), when (seconds) and what."""

    speaker: str
    start: float
    end: float
    words: str


MEETING = (
    Spoken("Uma UXR", 3.12, 7.45, "Thanks for joining. Could you pay for the order?"),
    Spoken("Archer, Ann", 8.0, 15.5, "Sure. The card box says invalid."),
    Spoken("Pat PM", 16.2, 20.9, "Note: try it without the spaces."),
    Spoken("Archer, Ann", 21.9, 30.0, "Oh, no spaces. It took until 10:30"),
    Spoken("Uma UXR", 300.4, 305.0, "Last question: would you use it again?"),
    Spoken("Archer, Ann", 305.0, 309.25, "Yes."),
    Spoken("Uma UXR", 3902.25, 3905.0, "Thanks, that is all."),
)
ROLES = (None, "R-1", None, "R-1", None, "R-1", None)  # who each turn is: staff (None) or the participant


def vtt_time(t: float) -> str:
    """WebVTT's ``00:00:03.120``."""
    return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f}"


def teams_time(t: float) -> str:
    """Teams' .docx header time: ``0:03``, ``5:00``, ``1:05:02`` (seconds truncated)."""
    h, m, s = int(t // 3600), int(t % 3600 // 60), int(t % 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def stream_time(t: float) -> str:
    """The older Teams/Stream range time: ``0:0:3.120`` (no padding)."""
    return f"{int(t // 3600)}:{int(t % 3600 // 60)}:{round(t % 60, 3):g}"


def teams_vtt() -> str:
    """The meeting as Teams' WebVTT: GUID cue ids and voice tags."""
    cues = [
        f"6f3c1e2a-9b7d-4c1e-8a2f-3b4c5d6e7f80/{n + 11}-0\n{vtt_time(s.start)} --> {vtt_time(s.end)}\n"
        f"<v {s.speaker}>{s.words}</v>"
        for n, s in enumerate(MEETING)
    ]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def _save(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _lines_paragraph(document: docx.document.Document, lines: list[str], leading_break: bool = False) -> None:
    """One paragraph whose lines are separated by line breaks (``<w:br/>``), as Word writes Shift+Enter."""
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    if leading_break:
        run.add_break()
    for i, line in enumerate(lines):
        if i:
            run.add_break()
        run.add_text(line)


def _teams_preamble(document: docx.document.Document) -> None:
    document.add_paragraph("Checkout interview-20260310_140200-Meeting Recording")
    document.add_paragraph("March 10, 2026, 2:02PM")
    document.add_paragraph("1h 5m 7s")
    document.add_paragraph("Uma UXR started transcription")


def _display(speaker: str, external: bool) -> str:
    return "Ann Archer (External)" if external and speaker == "Archer, Ann" else speaker


def teams_docx_current(external: bool = False, leading_break: bool = False) -> bytes:
    """Teams' current .docx: ``Name   0:03``, a line break and the words in one paragraph."""
    document = docx.Document()
    _teams_preamble(document)
    for s in MEETING:
        header = f"{_display(s.speaker, external)}   {teams_time(s.start)}"
        _lines_paragraph(document, [header, s.words], leading_break)
    document.add_paragraph("Uma UXR stopped transcription")
    return _save(document)


def teams_docx_former() -> bytes:
    """Teams' former .docx: the ``Name   0:03`` paragraph, then the words' paragraph."""
    document = docx.Document()
    _teams_preamble(document)
    for s in MEETING:
        document.add_paragraph(f"{s.speaker}   {teams_time(s.start)}")
        document.add_paragraph(s.words)
    document.add_paragraph("Uma UXR stopped transcription")
    return _save(document)


def teams_docx_ranges(one_paragraph_per_cue: bool = False) -> bytes:
    """Teams/Stream .docx before 2022: ``0:0:3.120 --> 0:0:7.450``, the name, the words."""
    document = docx.Document()
    for s in MEETING:
        lines = [f"{stream_time(s.start)} --> {stream_time(s.end)}", s.speaker, s.words]
        if one_paragraph_per_cue:
            _lines_paragraph(document, lines)
        else:
            for line in lines:
                document.add_paragraph(line)
        document.add_paragraph("")
    return _save(document)


def meet_docx() -> bytes:
    """Google Meet's transcript document: names as Google accounts show them, a timestamp every five minutes."""
    document = docx.Document()
    document.add_paragraph("Checkout interview (2026-03-10 14:02 GMT) - Transcript")
    document.add_paragraph("Attendees")
    document.add_paragraph("Ann Archer, Pat PM, Uma UXR")
    document.add_paragraph("Transcript")
    written = -1
    for s in MEETING:
        stamp = int(s.start // 300 * 300)  # Meet writes the five-minute mark reached before the words
        if stamp > written:
            document.add_paragraph(vtt_time(stamp)[:8])
            written = stamp
        name = "Ann Archer" if s.speaker == "Archer, Ann" else s.speaker
        document.add_paragraph(f"{name}: {s.words}")
    document.add_paragraph("Meeting ended after 01:05:07 \N{WAVING HAND SIGN}")
    return _save(document)
