"""What a purge removes, as data, and the plan it builds before writing anything.

Which tables a purge edits and which of their cells go is the rule table
``data/purge_columns.csv``: per kind of table (``participants``, ``notes``,
``sessions``, ``speakers``, ``invites``, ``people``, ``requests``: a study's
``data/requests.csv``, the repository's ``requests/*.csv`` and a beta
program's feedback table alike; ``sus``: a survey tool's export, whose
recipient e-mail, name and IP address columns go; ``insights``: the keys of
``insights.yml`` whose researcher-written text loses a withdrawn person's
name, :mod:`kit.panel.insights_text`) the ``key`` column that says whose row it is,
the cells blanked (or set to ``no``) in the purged person's own rows, and the
cells where a withdrawn person's name is replaced by ``[withdrawn]`` in
everyone's rows. A ``*`` stands for every column neither the kit
(``data/data_columns.csv``) nor the rule table names: a tracker's export may
carry a ``Reporter`` or ``Customer note`` column the stages ignore, and a
purge must not leave a name there.

:class:`RetentionPlan` collects what is due (:class:`Subject`: one reason,
person or study, file, count) and the edits that remove it, in memory, for
:mod:`kit.panel.retention` to fill and :mod:`kit.panel.purge` to journal.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kit.layout import kit_data
from kit.panel.rawtable import RawTable
from kit.privacy.patterns import pattern_table
from kit.privacy.redaction import Redactor, name_rules
from kit.study.tables import columns as table_columns

WITHDRAWN_MARK = "[withdrawn]"
INSIGHT_MENTIONS = "insight mentions"  # names replaced in insights.yml (kit.panel.insights_text): not data/
ANY_OTHER = "*"
WHAT = (
    "participant rows",
    "note texts",
    "recording links",
    "transcripts",
    "mentions",
    "invitations",
    "panel rows",
    "requests",
    "survey responses",
    INSIGHT_MENTIONS,
)
"""What a purge counts, in log column order (a kind added later goes last: old logs are rewritten to it)."""


@dataclass(frozen=True)
class TableRules:
    """The purge rules of one kind of table (rows of ``data/purge_columns.csv``)."""

    key: str  # the column naming whose row it is ('' when rows are never the person's own)
    person: dict[str, tuple[str, str]]  # column -> (value it gets, what it counts as) in the person's rows
    mentions: frozenset[str]  # columns where a withdrawn person's name is replaced in every row
    named: frozenset[str]  # columns the kit knows (data_columns.csv and this table): not ``*``

    def columns(self, table: RawTable, wanted: set[str] | frozenset[str]) -> list[int]:
        """Indexes of the table's columns in ``wanted`` (``*``: every column not :attr:`named`), repeats included."""
        return [
            c
            for c, name in enumerate(table.header)
            if name in wanted or (ANY_OTHER in wanted and name and name not in self.named)
        ]

    def purge_row(self, table: RawTable, row: int) -> set[str]:
        """Blank (or set) the person's cells of ``row``; what each changed cell counts as."""
        counted: set[str] = set()
        for c, name in enumerate(table.header):
            rule = self.person.get(name) or (self.person.get(ANY_OTHER) if name and name not in self.named else None)
            if rule is not None and table.set_cell(row, c, rule[0]):
                counted.add(rule[1])
        return counted


ACTIONS = {"blank": "", "no": "no"}


@functools.cache
def table_rules(kind: str) -> TableRules:
    """The rules of ``kind`` (a ``file`` of ``data/purge_columns.csv``)."""
    rows = [r for r in csv.DictReader(io.StringIO(kit_data("purge_columns.csv"))) if r["file"] == kind]
    key = next((r["column"] for r in rows if r["action"] == "key"), "")
    person = {
        r["column"]: (ACTIONS[r["action"]], r["counted_as"])
        for r in rows
        if r["rows"] == "person" and r["action"] in ACTIONS
    }
    mentions = frozenset(r["column"] for r in rows if r["rows"] == "others" and r["action"] == "mention")
    named = frozenset(table_columns().get(kind, {})) | {r["column"] for r in rows if r["column"] != ANY_OTHER}
    return TableRules(key, person, mentions, frozenset(named))


def names_redactor(names: list[str]) -> Redactor | None:
    """A redactor of these names only (no e-mail/phone patterns: other text is left alone)."""
    names = [n for n in names if n]
    if not names:
        return None
    return Redactor(
        name_rules((n, WITHDRAWN_MARK) for n in names), table=dataclasses.replace(pattern_table(), patterns=())
    )


def redact_mentions(table: RawTable, kind: str, redactor: Redactor) -> int:
    """Replace the redactor's names in the mention columns of ``kind`` in every row; cells changed."""
    columns = table_rules(kind).columns(table, table_rules(kind).mentions)
    changed = 0
    for i in range(len(table.rows)):
        for c in columns:
            text = table.cell(i, c)
            if text and (new := redactor.redact(text)) != text and table.set_cell(i, c, new):
                changed += 1
    return changed


@dataclass
class Subject:
    """What is due for one reason, subject (study slug or person_id) and study."""

    reason: str  # "expired" or "withdrawn"
    subject: str
    study: str  # slug, or where a file outside the studies lives ("panel", "requests")
    until: dt.date | None = None  # kept-until date of an expired study
    counts: Counter[str] = field(default_factory=Counter)
    files: dict[str, Counter[str]] = field(default_factory=dict)  # repo-relative path -> what -> count
    in_study: bool = True  # False for the panel's and the repository's files (no study to run again)

    def add(self, path: str, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] += n
            self.files.setdefault(path, Counter())[what] += n

    def lines(self) -> list[str]:
        why = (
            f"past retention (kept until {self.until})"
            if self.reason == "expired"
            else f"withdrawn person {self.subject}"
        )
        return [
            f"{path}: {', '.join(f'{n} {w}' for w, n in counts.items())}: {why}"
            for path, counts in sorted(self.files.items())
        ]


@dataclass
class RetentionPlan:
    """Everything due on a day, and the edits that remove it (not yet written)."""

    day: dt.date
    subjects: list[Subject] = field(default_factory=list)
    tables: list[RawTable] = field(default_factory=list)  # edited in memory
    panel_table: RawTable | None = None  # panel/people.csv, written after the studies (a rerun finds names)
    rewrites: dict[Path, str] = field(default_factory=dict)  # transcripts with mentions redacted
    deletes: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # studies whose end could not be told
    names: set[str] = field(default_factory=set)  # names the edits blank (kept by the purge as hashes only)
    person_names: dict[str, set[str]] = field(default_factory=dict)  # withdrawn person_id -> their names
    reruns: set[str] = field(default_factory=set)  # studies whose reports hold purged requests (data unchanged)

    @property
    def studies(self) -> set[str]:
        """Slugs of the studies whose data or ``insights.yml`` changes (their stages must run again)."""
        return {s.study for s in self.subjects if s.counts and s.in_study}

    @property
    def data_studies(self) -> set[str]:
        """Of :attr:`studies`, those whose ``data/`` changes (not only ``insights.yml``): their themes get pinned."""
        return {s.study for s in self.subjects if s.in_study and set(s.counts) - {INSIGHT_MENTIONS}}

    def subject(self, reason: str, person: str, where: str, *, in_study: bool) -> Subject:
        """The plan's subject for this reason, person and place (added when new)."""
        for s in self.subjects:
            if (s.reason, s.subject, s.study, s.in_study) == (reason, person, where, in_study):
                return s
        found = Subject(reason, person, where, in_study=in_study)
        self.subjects.append(found)
        return found

    def due(self) -> list[Subject]:
        return [s for s in self.subjects if s.counts]

    def lines(self) -> list[str]:
        return [line for s in self.due() for line in s.lines()]
