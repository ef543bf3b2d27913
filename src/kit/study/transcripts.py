"""Reading session transcripts: WebVTT (Zoom, Teams), SRT and plain text.

``data/transcripts/<session_id>.vtt|.srt|.txt``: the file stem is the
session id, and the participant is that session's participant in
sessions.csv. Speakers come from

* WebVTT voice tags ``<v Maria Gonzalez>text`` (Teams),
* ``Speaker: text`` cue lines (Zoom writes the name into the cue text),
* ``Speaker: text`` lines in plain text (optionally after a ``[00:01:02]``
  timestamp); a line without a speaker continues the previous utterance.

Each utterance keeps speaker, start/end (seconds; None in plain text without
timestamps), session and participant. Lines spoken by session staff
(moderator, observers: :meth:`kit.privacy.roster.Roster.role_of`) or under a role
label (``Interviewer:``, ``Moderator 2:``; ``data/staff_speaker_labels.csv``)
have no participant, so they are never participant quotes. Any other speaker
in a session is taken to be its participant. Files are decoded like the
tables (UTF-8 with/without BOM, else Windows-1252) via :func:`kit.study.tables.decode`.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import webvtt
from webvtt.errors import MalformedFileError

from kit.errors import Problem
from kit.study.table_reader import decode, problem

EXTENSIONS = (".vtt", ".srt", ".txt")
SPEAKER_RE = re.compile(r"^(?P<speaker>[^\W\d][^:]{0,60}?):\s+(?P<text>.+)$")
STAMP_RE = re.compile(r"^\[?(?P<stamp>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?)\]?\s+(?P<rest>.*)$")
TAG_RE = re.compile(r"</?[^>]+>")


@dataclass
class Utterance:
    """One turn of speech in a session."""

    session_id: str
    speaker: str  # as written in the file (a real name: never published as is)
    text: str
    start: float | None = None
    end: float | None = None
    participant_id: str | None = None  # None for staff and unknown speakers
    line: int | None = None  # line in the file, for plain text


@lru_cache(maxsize=1)
def staff_labels() -> frozenset[str]:
    """Speaker labels that name a role, not a person (``Interviewer:``), from data/staff_speaker_labels.csv."""
    text = resources.files("kit").joinpath("data/staff_speaker_labels.csv").read_text(encoding="utf-8")
    return frozenset(row["label"].casefold() for row in csv.DictReader(io.StringIO(text)))


def is_staff_label(speaker: str) -> bool:
    """``Moderator``, ``Interviewer 2``, ``Researcher (Sam)`` ... are session staff."""
    word = re.sub(r"[\s\d]+$|\s*\(.*\)$", "", speaker.strip()).casefold()
    return word in staff_labels()


def _seconds(stamp: str) -> float:
    parts = [float(p.replace(",", ".")) for p in stamp.split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return round(total, 3)


def _split_speaker(text: str) -> tuple[str, str]:
    m = SPEAKER_RE.match(text)
    return (m["speaker"].strip(), m["text"].strip()) if m else ("", text)


def _from_captions(captions, session_id: str) -> list[Utterance]:
    out: list[Utterance] = []
    for cap in captions:
        text = " ".join(TAG_RE.sub("", cap.text).split())
        speaker = (getattr(cap, "voice", None) or "").strip()
        if not speaker:
            speaker, text = _split_speaker(text)
        if not text:
            continue
        out.append(Utterance(session_id, " ".join(speaker.split()), text,
                             _seconds(cap.start), _seconds(cap.end)))
    return out


def parse_plain(text: str, session_id: str, source: str, problems: list[Problem]) -> list[Utterance]:
    """``Speaker: text`` per line; continuation lines join the previous utterance."""
    out: list[Utterance] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = " ".join(raw.split())
        if not line:
            continue
        start = None
        if m := STAMP_RE.match(line):
            start, line = _seconds(m["stamp"]), m["rest"]
        speaker, words = _split_speaker(line)
        if speaker:
            out.append(Utterance(session_id, speaker, words, start, None, line=number))
        elif out:
            out[-1].text += " " + line
        else:
            problems.append(problem("transcript_line", f"{source}:{number}",
                                    "no speaker, expected 'Speaker: text'"))
    return out


def read_transcript(path: Path, problems: list[Problem]) -> list[Utterance]:
    """Utterances of one transcript file (participants not yet assigned)."""
    source = f"data/transcripts/{path.name}"
    session_id = path.stem
    text = decode(path.read_bytes(), source, problems)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return parse_plain(text, session_id, source, problems)
    try:
        if suffix == ".srt":
            captions = webvtt.from_buffer(text.splitlines(), format="srt").captions
        else:
            captions = webvtt.from_string(text).captions
    except (MalformedFileError, ValueError, IndexError) as exc:
        problems.append(problem("unreadable", source, f"not a valid {suffix[1:].upper()} file: {exc}"))
        return []
    return _from_captions(captions, session_id)


def read_transcripts(study_dir: str | Path, roster, problems: list[Problem]) -> list[Utterance]:
    """All transcripts of a study, each utterance assigned to a participant or to nobody.

    ``roster`` is a :class:`kit.privacy.roster.Roster` (it knows sessions, staff and names).
    """
    folder = Path(study_dir) / "data" / "transcripts"
    if not folder.is_dir():
        return []
    out: list[Utterance] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in EXTENSIONS):
        utterances = read_transcript(path, problems)
        sid = path.stem
        if sid not in roster.session_participant:
            problems.append(problem("transcript_unknown_session", f"data/transcripts/{path.name}",
                                    f"session '{sid}' is not in sessions.csv (the file stem must be "
                                    "the session id); only speakers named in participants.csv are attributed"))
        for u in utterances:
            if not u.speaker or is_staff_label(u.speaker):
                u.participant_id = None  # a role label, not a person
                continue
            u.participant_id = roster.participant_of_speaker(u.speaker, sid)
            if u.participant_id is not None and u.participant_id not in roster.pseudonyms:
                u.participant_id = None
        out += utterances
    return out


def participant_turns(utterances: list[Utterance]) -> list[tuple[str, int, Utterance]]:
    """(quote id, n, utterance) for participant turns: ``Q-<session>-<n>``, n from 1 per file."""
    counts: dict[str, int] = {}
    out = []
    for u in utterances:
        if u.participant_id is None:
            continue
        n = counts[u.session_id] = counts.get(u.session_id, 0) + 1
        out.append((f"Q-{u.session_id}-{n}", n, u))
    return out
