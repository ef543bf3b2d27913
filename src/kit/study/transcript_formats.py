"""Transcript file formats -> turns of speech (speaker label, text, times, line).

What the common tools export, from their public documentation and sample files:

* **WebVTT** (W3C WebVTT; read with webvtt-py): Zoom writes the speaker
  into the cue text (``Sam Okafor: ...``); Teams uses voice tags
  (``<v Sam Okafor>...</v>``) and GUID cue identifiers.
* **SRT** (SubRip; webvtt-py): numbered cues, ``00:00:01,000 --> ...``.
* **Plain text and Word** (``.txt``, ``.docx`` read with python-docx, one
  line per paragraph), in any of these shapes:

  - ``Speaker: text`` per line, optionally after ``[00:01:02]`` or ``00:01:02``;
  - a header line ``Name  0:03`` (Otter, Google Meet exports, Teams ``.docx``)
    followed by the text lines of that turn;
  - ``[Name] 14:02:11`` then the text (Zoom's saved captions ``.txt``);
  - ``14:02:11 From Name to Everyone:`` then the tab-indented message, or
    ``14:02:11 From Name : message`` (Zoom's saved chat ``.txt``);
  - a timestamp alone on its line (Google Meet documents put one every few
    minutes) sets the time of what follows and is never speech;
  - tool lines such as ``Sam Okafor started transcription``
    (``data/transcript_noise.csv``) are skipped.

  A line that starts no turn continues the previous one; lines before the
  first turn (a title, the attendees) are skipped with one warning.

Line numbers are the file's lines (for ``.docx``: paragraph numbers).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import webvtt

from kit.errors import DataError, Problem
from kit.layout import kit_data
from kit.study.data_checks import problem
from kit.study.input_limits import check_zip_archive

STAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
STAMP_ONLY = re.compile(rf"^\[?(?P<stamp>{STAMP})\]?$")
SPEAKER_LINE = re.compile(rf"^(?:\[?(?P<stamp>{STAMP})\]?\s+)?(?P<speaker>[^\W\d][^:]{{0,60}}?):\s+(?P<text>.+)$")
CAPTION_HEADER = re.compile(rf"^\[(?P<speaker>[^\]]{{1,80}})\]\s+(?P<stamp>{STAMP})$")
NAME_HEADER = re.compile(rf"^(?P<speaker>[^\W\d].{{0,80}}?)\s+(?P<stamp>{STAMP})$")
CHAT_LINE = re.compile(
    r"^(?P<stamp>\d{1,2}:\d{2}:\d{2})\s+From\s+(?P<speaker>.+?)"
    r"(?:\s+to\s+(?P<to>[^:]+?))?\s*:\s*(?P<text>.*)$"
)
TAG_RE = re.compile(r"</?[^>]+>")
NAME_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "la",
        "le",
        "el",
        "al",
        "bin",
        "binti",
        "ibn",
    }
)


@dataclass
class Turn:
    """One turn of speech as the file writes it."""

    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    line: int | None = None


@lru_cache(maxsize=1)
def noise_patterns() -> tuple[re.Pattern[str], ...]:
    """Lines meeting tools write that are nobody's speech (data/transcript_noise.csv)."""
    rows = csv.DictReader(io.StringIO(kit_data("transcript_noise.csv")))
    return tuple(re.compile(row["pattern"], re.IGNORECASE) for row in rows)


def seconds(stamp: str) -> float:
    """``1:02:03.5`` -> 3723.5."""
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + float(part.replace(",", "."))
    return round(total, 3)


def split_speaker(text: str) -> tuple[str, str]:
    """``Sam Okafor: text`` -> (``Sam Okafor``, ``text``); ('', text) without a speaker."""
    m = SPEAKER_LINE.match(text)
    if m and not m["stamp"]:
        return m["speaker"].strip(), m["text"].strip()
    return "", text


def looks_like_name(label: str) -> bool:
    """A display name, not speech that ends in a time ("I waited until 10:30").

    Up to six words, each capitalised, a number (``Speaker 2``), a bracketed
    tag (``(he/him)``) or a name particle, and no sentence punctuation outside
    brackets.
    """
    bare = re.sub(r"[(\[][^)\]]*[)\]]", "", label)
    if re.search(r"[.!?;:\"]", re.sub(r"\b[A-Z]\.", "", bare)):  # initials ("Maria G.") are fine
        return False
    words = bare.replace(",", " ").split()
    if not words or len(words) > 6:
        return False
    return all(
        w[0].isupper() or w.isdigit() or w.casefold() in NAME_PARTICLES or (len(w) <= 2 and w.rstrip(".").isupper())
        for w in words
    )


# --- cue formats (webvtt-py) ----------------------------------------------------------------


def parse_cues(text: str, srt: bool = False) -> list[Turn]:
    """Turns of a WebVTT or SRT file; raises webvtt's MalformedFileError (or ValueError) when invalid."""
    captions = (webvtt.from_buffer(io.StringIO(text), format="srt") if srt else webvtt.from_string(text)).captions
    arrows = [n for n, line in enumerate(text.split("\n"), 1) if "-->" in line]
    lines = arrows if len(arrows) == len(captions) else [None] * len(captions)
    out: list[Turn] = []
    for cap, line in zip(captions, lines):
        body = " ".join(TAG_RE.sub("", cap.text).split())
        speaker = (getattr(cap, "voice", None) or "").strip()
        if not speaker:
            speaker, body = split_speaker(body)
        if body:
            out.append(Turn(" ".join(speaker.split()), body, seconds(cap.start), seconds(cap.end), line))
    return out


# --- text formats ---------------------------------------------------------------------------


def docx_lines(path: Path) -> list[str]:
    """The paragraphs of a Word document, one line each (line breaks inside a paragraph become spaces)."""
    import zipfile

    import docx  # python-docx; imported here: only .docx transcripts need it
    from docx.opc.exceptions import OpcError

    try:
        check_zip_archive(path, path.name)  # before python-docx inflates it
    except DataError as exc:
        raise ValueError(exc.problems[0].message) from None
    try:
        document = docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile) as exc:
        raise ValueError(f"cannot open it as a Word document ({exc})") from exc
    return [" ".join(p.text.split()) for p in document.paragraphs]


def _header(line: str, header_style: bool) -> tuple[str, float] | None:
    """(speaker, start) when ``line`` opens a turn whose words follow on the next lines."""
    if m := CAPTION_HEADER.match(line):
        return m["speaker"].strip(), seconds(m["stamp"])
    if header_style and (m := NAME_HEADER.match(line)) and looks_like_name(m["speaker"]):
        return m["speaker"].strip(), seconds(m["stamp"])
    return None


def parse_lines(lines: list[str], source: str, problems: list[Problem]) -> list[Turn]:
    """Turns of a plain-text or Word transcript (shapes in the module docstring)."""
    clean = [" ".join(raw.split()) for raw in lines]
    headers = sum(
        1
        for line in clean
        if CAPTION_HEADER.match(line) or ((m := NAME_HEADER.match(line)) and looks_like_name(m["speaker"]))
    )
    # In a file of "Name  0:03" blocks, "Note: ..." inside the speech is speech, not a speaker.
    header_style = headers >= 2 or (headers == 1 and not any(SPEAKER_LINE.match(line) for line in clean))
    out: list[Turn] = []
    skipped: list[int] = []
    pending: float | None = None
    for number, line in enumerate(clean, 1):
        if not line or any(p.search(line) for p in noise_patterns()):
            continue
        if m := STAMP_ONLY.match(line):
            pending = seconds(m["stamp"])
            continue
        if m := CHAT_LINE.match(line):
            out.append(Turn(m["speaker"].strip(), m["text"].strip(), seconds(m["stamp"]), None, number))
            continue
        if (head := _header(line, header_style)) is not None:
            out.append(Turn(head[0], "", head[1], None, number))
            continue
        m = SPEAKER_LINE.match(line)
        if m and not header_style:
            start = seconds(m["stamp"]) if m["stamp"] else pending
            out.append(Turn(m["speaker"].strip(), m["text"].strip(), start, None, number))
            pending = None
            continue
        if out:
            out[-1].text = f"{out[-1].text} {line}".strip()
        else:
            skipped.append(number)
    if skipped:
        span = f"line {skipped[0]}" if len(skipped) == 1 else f"lines {skipped[0]}-{skipped[-1]}"
        problems.append(
            problem(
                "transcript_line",
                f"{source}:{skipped[0]}",
                f"no speaker, expected 'Speaker: text' or a 'Name  0:03' line before the words "
                f"({span} before the first speaker skipped)",
            )
        )
    return [t for t in out if t.text]
