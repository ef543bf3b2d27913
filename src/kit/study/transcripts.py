"""Reading session transcripts and telling who spoke.

``data/transcripts/<session_id>.vtt|.srt|.txt|.docx``: the file stem (up to
its first dot: ``S01.chat.txt`` is session S01 too) is the session id, and
the session's participant, moderator and observers come from sessions.csv.
The formats (Zoom and Teams WebVTT, SRT, Zoom captions and chat, Otter and
Google Meet exports, ``Speaker: text``, Word) are :mod:`kit.study.transcript_formats`.

Who spoke, for each turn, in order:

1. ``data/speakers.csv`` (session, speaker label -> role or participant id);
2. a role label (``Interviewer``, ``P``; ``data/speaker_labels.csv``);
3. the roster: display names normalised (pronouns, ``(Guest)``, ``Last,
   First``, case, accents; :meth:`kit.privacy.roster.Roster.match_speaker`);
4. otherwise the speaker is unknown. In a session with a moderator an
   unknown speaker is never taken for the participant: a warning names the
   file, line and label, and their words are not quoted. In a session
   without one, the only other voice is taken to be the participant, with
   a warning saying so.

Staff and unknown speakers have no participant, so they are never
participant quotes. Quote ids are ``Q-<file stem>-<n>`` with ``n`` the
turn's position among all turns of the file, so they stay the same when a
speaker's label or attribution changes. Files are decoded like the tables
(UTF-8, Windows-1252, UTF-16; :mod:`kit.study.encoding`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from webvtt.errors import MalformedFileError

from kit.errors import Problem
from kit.layout import DATA_DIR, TRANSCRIPTS_DIR
from kit.study.data_checks import problem
from kit.study.input_limits import link_problem
from kit.study.speaker_labels import SpeakerEntry, label_role, read_speaker_table, speaker_key
from kit.study.table_reader import decode
from kit.study.transcript_formats import docx_numbered_lines, parse_cues, parse_lines

EXTENSIONS = (".vtt", ".srt", ".txt", ".docx")
NO_DOCX_TURNS = (
    "no turn of speech could be read, expected Teams' layout ('Name   0:03', then the words on the next "
    "line), the older '0:0:3.120 --> 0:0:7.450' layout (then the name, then the words) "
    "or Google Meet's 'Name: words' paragraphs"
)
GENERIC_LABEL = re.compile(r"[A-Za-z]{1,12}[ _-]?\d{1,3}")  # Speaker 2, Guest_3, Participant-1


@dataclass
class Utterance:
    """One turn of speech in a session."""

    session_id: str
    speaker: str  # as written in the file (a real name: never published as is)
    text: str
    start: float | None = None
    end: float | None = None
    participant_id: str | None = None  # None for staff and unknown speakers
    line: int | None = None  # line in the file (paragraph in a .docx)
    file_stem: str = ""  # the file's name without its suffix: part of the quote id
    turn: int = 0  # position among all turns of the file, from 1


def session_of(path: Path) -> str:
    """The session a transcript file belongs to: its name up to the first dot."""
    return path.name.split(".")[0]


def read_transcript(path: Path, problems: list[Problem]) -> list[Utterance]:
    """Utterances of one transcript file (participants not yet assigned)."""
    source = f"data/transcripts/{path.name}"
    session_id, stem = session_of(path), path.stem
    suffix = path.suffix.lower()
    if (link := link_problem(path, source)) is not None:
        problems.append(link)
        if link.fatal:
            return []
    try:
        if suffix == ".docx":
            numbered = docx_numbered_lines(path)
            turns = parse_lines([line for _, line in numbered], source, problems, [n for n, _ in numbered])
            if not turns:  # a Word file is a transcript on purpose: reading none of it is no warning
                problems.append(problem("transcript_docx_no_turns", source, NO_DOCX_TURNS))
        else:
            text = decode(path.read_bytes(), source, problems)
            if suffix == ".txt":
                turns = parse_lines(text.split("\n"), source, problems)
            else:
                turns = parse_cues(text, srt=suffix == ".srt")
    except (MalformedFileError, ValueError, IndexError, KeyError, OSError) as exc:
        kind = "Word" if suffix == ".docx" else suffix[1:].upper()
        problems.append(problem("unreadable", source, f"not a valid {kind} file: {exc}"))
        return []
    return [
        Utterance(session_id, t.speaker, t.text, t.start, t.end, line=t.line, file_stem=stem, turn=n)
        for n, t in enumerate(turns, 1)
    ]


class SpeakerMatchLike(Protocol):
    """What attribution reads of :class:`kit.privacy.roster.SpeakerMatch`."""

    @property
    def participant_id(self) -> str | None: ...


class SpeakerRoster(Protocol):
    """What attribution asks of a roster: :class:`kit.privacy.roster.Roster` is one (study sits below privacy)."""

    pseudonyms: dict[str, str]
    session_participant: dict[str, str]

    def has_moderator(self, session_id: str) -> bool: ...

    def match_speaker(self, label: str, session_id: str | None = None) -> SpeakerMatchLike | None: ...


def read_transcripts(study_dir: str | Path, roster: SpeakerRoster, problems: list[Problem]) -> list[Utterance]:
    """All transcripts of a study, each utterance assigned to a participant or to nobody.

    ``roster`` is a :class:`kit.privacy.roster.Roster` (it knows sessions, staff and names).
    """
    folder = Path(study_dir) / DATA_DIR / TRANSCRIPTS_DIR
    if not folder.is_dir():
        return []
    table = read_speaker_table(study_dir, set(roster.pseudonyms), problems)
    out: list[Utterance] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in EXTENSIONS and p.is_file()):
        utterances = read_transcript(path, problems)
        sid = session_of(path)
        if sid not in roster.session_participant:
            problems.append(
                problem(
                    "transcript_unknown_session",
                    f"data/transcripts/{path.name}",
                    f"session '{sid}' is not in sessions.csv (the file name must start with "
                    "the session id); only speakers named in participants.csv are attributed",
                )
            )
        warned: set[str] = set()
        for u in utterances:
            u.participant_id = _attribute(u, sid, roster, table, warned, f"data/transcripts/{path.name}", problems)
        silent = [u for u in utterances if not u.speaker]
        if silent:
            first = silent[0].line
            problems.append(
                problem(
                    "transcript_no_speaker",
                    f"data/transcripts/{path.name}" + (f":{first}" if first else ""),
                    f"{len(silent)} turn(s) name no speaker (the first here): they are not quoted; "
                    "expected 'Speaker: text' or a voice tag <v Name>",
                )
            )
        out += utterances
    return out


def _attribute(
    u: Utterance,
    sid: str,
    roster: SpeakerRoster,
    table: dict[tuple[str, str], SpeakerEntry],
    warned: set[str],
    source: str,
    problems: list[Problem],
) -> str | None:
    """The participant id of one utterance, or None (staff, unknown); warns once per unknown label."""
    if not u.speaker:
        return None
    key = speaker_key(u.speaker)
    entry = table.get((sid, key)) or table.get(("", key))
    if entry is not None:
        return entry.participant_id if entry.role == "participant" else None
    role = label_role(u.speaker)
    if role == "staff":
        return None
    participant = roster.session_participant.get(sid)
    if role == "participant":
        return participant if participant in roster.pseudonyms else None
    match = roster.match_speaker(u.speaker, sid if sid in roster.session_participant else None)
    if match is not None:
        return match.participant_id if match.participant_id in roster.pseudonyms else None
    where = f"{source}:{u.line}" if u.line else source
    if roster.has_moderator(sid) or participant not in roster.pseudonyms:
        if key not in warned:
            warned.add(key)
            problems.append(
                problem(
                    "transcript_unknown_speaker",
                    where,
                    (
                        f"speaker {shown_label(u.speaker)} is not in participants.csv or sessions.csv "
                        f"for session '{sid}': "
                        "their words are not quoted; expected a name from those files, or a row in data/speakers.csv "
                        "(session_id, speaker, role or participant_id)"
                    ),
                )
            )
        return None
    if key not in warned:
        warned.add(key)
        problems.append(
            problem(
                "transcript_assumed_participant",
                where,
                (
                    f"speaker {shown_label(u.speaker)} is taken to be the session's participant "
                    f"(session '{sid}' has no "
                    "moderator in sessions.csv); add a row to data/speakers.csv to say who it is"
                ),
            )
        )
    return participant


def shown_label(label: str) -> str:
    """A speaker label as warnings may show it: generic labels (``Speaker 2``) quoted, others withheld.

    Warnings are published (synthesis.json, the report), and an unmatched
    label may be a person's name the roster does not know, so it cannot be
    redacted: the file and line lead the user to it instead.
    """
    return f"'{label}'" if GENERIC_LABEL.fullmatch(label.strip()) else "(label withheld: it may be a name)"


def participant_turns(utterances: list[Utterance]) -> list[tuple[str, int, Utterance]]:
    """(quote id, n, utterance) for participant turns: ``Q-<file stem>-<n>``, n the turn's place in its file."""
    return [
        (f"Q-{u.file_stem or u.session_id}-{u.turn}", u.turn, u) for u in utterances if u.participant_id is not None
    ]
