"""Speaker labels as meeting tools write them, and the study's own speaker table.

Zoom, Teams and Meet label a speaker by their display name, which people
decorate: ``Sam Okafor (he/him)``, ``Sam Okafor (Guest)``, ``Okafor, Sam``
(Teams in many organisations), ``SAM OKAFOR``, ``Sam  Okafor``, ``Sám``.
:func:`speaker_key` reduces a label to the key the roster is matched on:
tags in brackets that are pronouns or meeting roles (``data/speaker_tags.csv``)
dropped, ``Last, First`` turned round, accents, case, apostrophes and
hyphens, and spacing ignored.

Some labels name a role, not a person (``Interviewer``, ``Moderator 2``,
``P`` in hand-typed ``I: ... / P: ...`` transcripts):
``data/speaker_labels.csv`` says which are staff and which the participant.

``data/speakers.csv`` (optional) settles what matching cannot: columns
``session_id`` (empty: every session), ``speaker`` (the label as the
transcript writes it), ``role`` (``participant``, ``moderator``,
``observer`` or ``other``) and ``participant_id`` (for a participant).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kit.errors import Problem
from kit.layout import kit_data
from kit.study.data_checks import problem
from kit.study.table_reader import LINE, find_table, read_table_file
from kit.study.tables import check_columns

SPEAKERS_TABLE = "speakers"
ROLES = ("participant", "moderator", "observer", "other")
_BRACKETED = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*")
_PRONOUNS = re.compile(r"^\s*[a-z]{1,6}(?:\s*/\s*[a-z]{1,6}){1,3}\s*$", re.IGNORECASE)
_APOSTROPHES = "'\u2019\u02bc\u2018`"


@lru_cache(maxsize=1)
def speaker_tags() -> frozenset[str]:
    """Bracketed tags meeting tools add to a display name (``Guest``, ``Host`` ...), case-folded."""
    return frozenset(row["tag"].casefold() for row in csv.DictReader(io.StringIO(kit_data("speaker_tags.csv"))))


@lru_cache(maxsize=1)
def role_labels() -> dict[str, str]:
    """Label -> ``staff`` or ``participant`` for labels that name a role (data/speaker_labels.csv)."""
    rows = csv.DictReader(io.StringIO(kit_data("speaker_labels.csv")))
    return {row["label"].casefold(): row["role"] for row in rows}


def strip_tags(label: str) -> str:
    """``Sam Okafor (he/him) (Guest)`` -> ``Sam Okafor``; other brackets (``(Sam)``) are kept."""

    def drop(m: re.Match[str]) -> str:
        parts = [part.strip() for part in m.group(1).split(",")]  # Zoom: "(Host, me)"
        if all(p.casefold() in speaker_tags() or _PRONOUNS.match(p) for p in parts):
            return " "
        return m.group(0)

    previous = None
    while previous != label:
        previous, label = label, _BRACKETED.sub(drop, label)
    return " ".join(label.split())


def speaker_key(label: str) -> str:
    """The key a display name is matched on (see the module docstring); '' for an empty label."""
    text = strip_tags(unicodedata.normalize("NFC", str(label)))
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if last and first:
            text = f"{first} {last}"  # Teams' "Okafor, Sam"
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    text = text.replace("-", " ").replace(".", " ")
    return " ".join(text.split()).casefold()


def label_role(label: str) -> str | None:
    """``staff`` / ``participant`` when the label names a role (``Interviewer 2``, ``Researcher (Sam)``, ``P``)."""
    word = re.sub(r"[\s\d]+$|\s*\(.*\)$", "", strip_tags(label)).casefold()
    return role_labels().get(word)


@dataclass(frozen=True)
class SpeakerEntry:
    """One row of data/speakers.csv."""

    role: str  # one of ROLES
    participant_id: str | None
    where: str  # data/speakers.csv:line


def read_speaker_table(
    study_dir: str | Path, participant_ids: set[str], problems: list[Problem]
) -> dict[tuple[str, str], SpeakerEntry]:
    """(session_id or '', speaker key) -> entry, from data/speakers.csv (or .xlsx); {} when absent."""
    data_dir = Path(study_dir) / "data"
    path = find_table(data_dir, SPEAKERS_TABLE, problems)
    if path is None:
        return {}
    table = read_table_file(path, SPEAKERS_TABLE, problems)
    if table is None:
        return {}
    if not check_columns(table, problems):  # the columns are data/data_columns.csv's "speakers" rows
        return {}
    out: dict[tuple[str, str], SpeakerEntry] = {}
    for row in table.frame.to_dict("records"):
        where = table.where(row[LINE])
        speaker, sid = row.get("speaker", ""), row.get("session_id", "")
        role, pid = row.get("role", "").casefold(), row.get("participant_id", "")
        if not speaker:
            problems.append(
                problem("speakers_invalid", where, "speaker is empty, expected the label as the transcript writes it")
            )
            continue
        if pid and pid not in participant_ids:
            problems.append(problem("speakers_invalid", where, f"participant_id '{pid}' is not in participants.csv"))
            continue
        if pid and role in ("", "participant"):
            role = "participant"
        elif role not in ROLES or role == "participant":
            expected = "a participant_id" if role == "participant" else f"one of {', '.join(ROLES)}"
            problems.append(problem("speakers_invalid", where, f"role '{row.get('role', '')}', expected {expected}"))
            continue
        out[(sid, speaker_key(speaker))] = SpeakerEntry(role, pid or None, where)
    return out
