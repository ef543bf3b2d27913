"""Transcript file formats -> turns of speech (speaker label, text, times, line).

What the common tools export, from their public documentation and sample files:

* **WebVTT** (W3C WebVTT; read with webvtt-py): Zoom writes the speaker
  into the cue text (``Sam Okafor: ...``); Teams uses voice tags
  (``<v Sam Okafor>...</v>``) and GUID cue identifiers.
* **SRT** (SubRip; webvtt-py): numbered cues, ``00:00:01,000 --> ...``.
* **Plain text and Word** (``.txt``; ``.docx`` read with python-docx, one
  line per line of a paragraph: a line break inside a paragraph starts a
  line), in any of these shapes (``data/transcript_lines.csv``, one row per
  kind of line with the tool that writes it):

  - ``Speaker: text`` per line, optionally after ``[00:01:02]`` or
    ``00:01:02`` (Google Meet's transcript document: a title, ``Attendees``
    and their names, ``Transcript``, then ``Name: words`` paragraphs);
  - a header line ``Name  0:03`` followed by the text lines of that turn:
    Otter, and Teams' ``.docx``, whose current layout puts the header, a
    line break and the words in one paragraph (with a display name such as
    ``Jane Doe (External)``, sometimes after a leading break) and whose
    former layout put the words in the next paragraph;
  - ``0:0:3.120 --> 0:0:7.450``, the speaker's name, then the words (Teams
    and Stream ``.docx`` before 2022);
  - ``[Name] 14:02:11`` then the text (Zoom's saved captions ``.txt``);
  - ``14:02:11 From Name to Everyone:`` then the tab-indented message, or
    ``14:02:11 From Name : message`` (Zoom's saved chat ``.txt``);
  - a timestamp alone on its line (Google Meet documents put one every five
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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import webvtt

from kit.errors import DataError, Problem
from kit.layout import kit_data
from kit.study.data_checks import problem
from kit.study.input_limits import check_zip_archive

STAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"  # 0:03, 1:02:03, 00:01:02.500
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
    m = line_pattern("speaker_text").match(text)
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


@dataclass(frozen=True)
class LineKind:
    """One kind of line a text transcript holds (a row of ``data/transcript_lines.csv``)."""

    kind: str
    pattern: re.Pattern[str]
    source: str  # which tool writes it, and how


@lru_cache(maxsize=1)
def line_kinds() -> tuple[LineKind, ...]:
    """The kinds of line, in the order they are tried (``data/transcript_lines.csv``).

    ``{STAMP}`` in a pattern is :data:`STAMP`, a time such as ``0:03``,
    ``1:02:03`` or ``00:01:02.500``.
    """
    rows = csv.DictReader(io.StringIO(kit_data("transcript_lines.csv")))
    return tuple(LineKind(r["kind"], re.compile(r["pattern"].replace("{STAMP}", STAMP)), r["source"]) for r in rows)


@cache
def line_pattern(kind: str) -> re.Pattern[str]:
    """The pattern of one kind of line (``speaker_text``, ``name_time`` ...)."""
    return next(k.pattern for k in line_kinds() if k.kind == kind)


def docx_numbered_lines(path: Path) -> list[tuple[int, str]]:
    """(paragraph number, line) for every line of a Word document.

    A paragraph's line breaks (``<w:br/>``, which python-docx 1.x renders as
    a newline in ``paragraph.text``) separate lines: Teams' current ``.docx``
    writes ``Name   0:03``, a break and the words in one paragraph. Line
    numbers stay the paragraphs' numbers, which is what Word shows.
    """
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
    return [
        (number, " ".join(line.split()))
        for number, paragraph in enumerate(document.paragraphs, 1)
        for line in paragraph.text.split("\n")
    ]


def docx_lines(path: Path) -> list[str]:
    """The lines of a Word document (a paragraph's line breaks separate lines)."""
    return [line for _, line in docx_numbered_lines(path)]


@dataclass
class _LineReader:
    """The state of reading one text transcript: the turns so far and what the next line belongs to."""

    lines: list[str]
    numbers: list[int]
    header_style: bool
    out: list[Turn] = field(default_factory=list)
    pending: float | None = None  # a timestamp line's time, for the next turn
    consumed: set[int] = field(default_factory=set)  # lines already read as part of an earlier one


LineHandler = Callable[[_LineReader, re.Match[str], int], bool]


def _stamp(reader: _LineReader, m: re.Match[str], index: int) -> bool:
    reader.pending = seconds(m["stamp"])
    return True


def _chat(reader: _LineReader, m: re.Match[str], index: int) -> bool:
    reader.out.append(Turn(m["speaker"].strip(), m["text"].strip(), seconds(m["stamp"]), None, reader.numbers[index]))
    return True


def _cue_range(reader: _LineReader, m: re.Match[str], index: int) -> bool:
    """``0:0:3.120 --> 0:0:7.450``: the next line is the speaker's name when words follow it."""
    block: list[int] = []
    for j in range(index + 1, len(reader.lines)):
        line = reader.lines[j]
        if line_pattern("cue_range").match(line):
            break
        if line and not is_noise(line):
            block.append(j)
    speaker = ""
    if len(block) >= 2 and looks_like_name(reader.lines[block[0]]):
        speaker = reader.lines[block[0]]
        reader.consumed.add(block[0])
    reader.out.append(Turn(speaker, "", seconds(m["stamp"]), seconds(m["end"]), reader.numbers[index]))
    return True


def _header(reader: _LineReader, m: re.Match[str], index: int) -> bool:
    """A line that opens a turn whose words follow (``[Name] 14:02:11``)."""
    reader.out.append(Turn(m["speaker"].strip(), "", seconds(m["stamp"]), None, reader.numbers[index]))
    return True


def _name_time(reader: _LineReader, m: re.Match[str], index: int) -> bool:
    """``Name  0:03`` opens a turn in a file of such blocks; elsewhere it is speech ending in a time."""
    return reader.header_style and looks_like_name(m["speaker"]) and _header(reader, m, index)


def _speaker_text(reader: _LineReader, m: re.Match[str], index: int) -> bool:
    """``Speaker: text``; in a file of ``Name  0:03`` blocks, ``Note: ...`` is speech instead."""
    if reader.header_style:
        return False
    start = seconds(m["stamp"]) if m["stamp"] else reader.pending
    reader.out.append(Turn(m["speaker"].strip(), m["text"].strip(), start, None, reader.numbers[index]))
    reader.pending = None
    return True


# What each kind of line does; a handler returning False leaves the line to the next kind.
LINE_HANDLERS: dict[str, LineHandler] = {
    "stamp": _stamp,
    "chat": _chat,
    "cue_range": _cue_range,
    "caption": _header,
    "name_time": _name_time,
    "speaker_text": _speaker_text,
}


def is_noise(line: str) -> bool:
    """A line a meeting tool writes that is nobody's speech (``data/transcript_noise.csv``)."""
    return any(p.search(line) for p in noise_patterns())


def _header_style(clean: list[str]) -> bool:
    """Whether the file is made of blocks whose first line names the speaker and the words follow."""
    headers = sum(
        1
        for line in clean
        if line_pattern("caption").match(line)
        or line_pattern("cue_range").match(line)
        or ((m := line_pattern("name_time").match(line)) and looks_like_name(m["speaker"]))
    )
    speaker_lines = any(line_pattern("speaker_text").match(line) for line in clean)
    return headers >= 2 or (headers == 1 and not speaker_lines)


def parse_lines(lines: list[str], source: str, problems: list[Problem], numbers: list[int] | None = None) -> list[Turn]:
    """Turns of a plain-text or Word transcript (shapes in the module docstring).

    ``numbers`` are the lines' numbers in the file (a ``.docx``'s paragraph
    numbers); by default 1, 2, 3 ...
    """
    clean = [" ".join(raw.split()) for raw in lines]
    reader = _LineReader(clean, numbers or list(range(1, len(clean) + 1)), _header_style(clean))
    skipped: list[int] = []
    for index, line in enumerate(clean):
        if not line or index in reader.consumed or is_noise(line):
            continue
        if any((m := k.pattern.match(line)) and LINE_HANDLERS[k.kind](reader, m, index) for k in line_kinds()):
            continue
        if reader.out:
            reader.out[-1].text = f"{reader.out[-1].text} {line}".strip()
        elif not skipped or skipped[-1] != reader.numbers[index]:
            skipped.append(reader.numbers[index])
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
    return [t for t in reader.out if t.text]
