"""Scoring kit's redaction against the marked corpus (benchmarks/redaction_corpus.yml).

Each sentence marks what must be replaced: ``[[...]]`` roster names,
``{{...}}`` other personal data; everything else must stay. The redactor's
replacements (:meth:`kit.privacy.redaction.Redactor.edits`) are compared with
the marks by position:

* a mark is *found* when one replacement covers all of it;
* a replacement is *right* when it overlaps a mark.

recall = found marks / marks (also for roster names alone);
precision = right replacements / replacements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from kit.privacy.roster import Roster

CORPUS = Path(__file__).with_name("redaction_corpus.yml")
MARK = re.compile(r"\[\[(.+?)\]\]|\{\{(.+?)\}\}")


@dataclass
class Sentence:
    text: str  # without the marks
    names: list[tuple[int, int]]  # spans of roster names
    other: list[tuple[int, int]]  # spans of other personal data


@dataclass
class Score:
    sentences: int = 0
    names: int = 0
    names_found: int = 0
    other: int = 0
    other_found: int = 0
    replacements: int = 0
    right: int = 0
    missed: list[str] = field(default_factory=list)  # "sentence: item"
    wrong: list[str] = field(default_factory=list)  # "sentence: replaced text"

    @property
    def name_recall(self) -> float:
        return self.names_found / self.names if self.names else 1.0

    @property
    def recall(self) -> float:
        total = self.names + self.other
        return (self.names_found + self.other_found) / total if total else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.replacements if self.replacements else 1.0


def parse(line: str) -> Sentence:
    """A marked line -> its plain text and the spans of its marks."""
    text, names, other, at = "", [], [], 0
    for m in MARK.finditer(line):
        text += line[at : m.start()]
        item = m.group(1) or m.group(2)
        (names if m.group(1) else other).append((len(text), len(text) + len(item)))
        text += item
        at = m.end()
    return Sentence(text + line[at:], names, other)


def load(path: Path = CORPUS) -> tuple[Roster, list[Sentence]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = [(pid, name, email, "s", "yes", "yes") for pid, name, email in data["roster"]["participants"]]
    people = pd.DataFrame(
        rows, columns=["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording"]
    )
    first = people["participant_id"].iloc[0]
    sessions = pd.DataFrame(
        [("S01", first, "2026-10-19", data["roster"]["moderator"], ";".join(data["roster"]["observers"]))],
        columns=["session_id", "participant_id", "date", "moderator", "observers"],
    )
    lines = [line.strip() for line in data["sentences"].splitlines() if line.strip()]
    return Roster.from_frames(people, sessions), [parse(line) for line in lines]


def score(roster: Roster, sentences: list[Sentence]) -> Score:
    out = Score(sentences=len(sentences))
    for s in sentences:
        edits = roster.redactor.edits(s.text)
        for spans, kind in ((s.names, "name"), (s.other, "other")):
            for start, end in spans:
                found = any(a <= start and end <= b for a, b, _ in edits)
                if kind == "name":
                    out.names += 1
                    out.names_found += found
                else:
                    out.other += 1
                    out.other_found += found
                if not found:
                    out.missed.append(f"{s.text!r}: {s.text[start:end]!r}")
        marks = s.names + s.other
        for a, b, _ in edits:
            out.replacements += 1
            if any(a < end and start < b for start, end in marks):
                out.right += 1
            else:
                out.wrong.append(f"{s.text!r}: {s.text[a:b]!r}")
    return out
