"""Retention: raw data past its retention date and data of withdrawn people, found and purged.

A study's raw data is kept ``retention_months`` (``panel/rules.yml``) after
the study ends: its deadline (else start_date + weeks_available), or its last
session when that is later. After that, and at once for a person who
withdrew consent (a date in ``panel/people.csv``), the personal and verbatim
parts go; what the published counts rest on stays:

* participants.csv: name, email, phone blanked; consent_quotes and
  consent_recording set to ``no`` (the row stays: notes, tasks and SUS rows
  point at its participant_id, and pseudonyms keep their order);
* notes.csv: the words (``text``) of the person's notes (tags, kind and
  task stay, so tag counts and problem counts do not change);
* sessions.csv: recording links;
* transcripts of their sessions (files deleted);
* ``invites.csv`` rows (``kit recruit``'s proposals);
* for a withdrawn person also: their name where other notes, tasks, session
  staff cells or transcripts mention it (replaced by ``[withdrawn]``), and
  their name, e-mail, account and notes in ``panel/people.csv`` (the row, its
  withdrawal date and its segment stay, so they are never invited again),
  and their membership of beta programs in ``panel/programs.yml`` (counted
  in the program's ``withdrawals``, :mod:`kit.panel.programs`).

:func:`plan_retention` finds all of it without writing (``kit check
--retention``); :mod:`kit.panel.purge` applies the same plan, so a second
purge finds nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from dateutil.relativedelta import relativedelta

from kit.errors import UsageError
from kit.layout import INVITES_FILE, STUDY_FILE, TRANSCRIPTS_DIR, notebooks_root, programs_path
from kit.panel.programs import without_members
from kit.panel.rawtable import RawTable
from kit.panel.rules import load_rules
from kit.privacy.patterns import pattern_table
from kit.privacy.redaction import Redactor, name_rules
from kit.study.panel_people import panel_file, parse_date, withdrawn_person_ids
from kit.study.records import study_data_dirs
from kit.study.tables import find_table

WITHDRAWN_MARK = "[withdrawn]"
PERSONAL = ("name", "email", "phone")
PANEL_PERSONAL = ("name", "email", "account", "notes")
MENTION_COLUMNS = {"notes": ("text", "task"), "sessions": ("moderator", "observers")}
TRANSCRIPT_SUFFIXES = (".vtt", ".srt", ".txt")
WHAT = ("participant rows", "note texts", "recording links", "transcripts", "mentions", "invitations", "panel rows")
"""What a purge counts, in log column order."""


@dataclass
class Subject:
    """What is due for one reason, subject (study slug or person_id) and study."""

    reason: str  # "expired" or "withdrawn"
    subject: str
    study: str  # slug, or "panel" for panel/people.csv
    until: dt.date | None = None  # kept-until date of an expired study
    counts: Counter[str] = field(default_factory=Counter)
    files: dict[str, Counter[str]] = field(default_factory=dict)  # repo-relative path -> what -> count

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

    @property
    def studies(self) -> set[str]:
        """Slugs of the studies whose data changes (their stages must run again)."""
        return {s.study for s in self.subjects if s.counts and s.study != "panel"}

    def due(self) -> list[Subject]:
        return [s for s in self.subjects if s.counts]

    def lines(self) -> list[str]:
        return [line for s in self.due() for line in s.lines()]


def _names_redactor(names: list[str]) -> Redactor | None:
    """A redactor of these names only (no e-mail/phone patterns: other text is left alone)."""
    names = [n for n in names if n]
    if not names:
        return None
    return Redactor(
        name_rules((n, WITHDRAWN_MARK) for n in names), table=dataclasses.replace(pattern_table(), patterns=())
    )


PLAN_DATES = ("deadline", "start_date", "weeks_available")
YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def _plan_dates(path: Path) -> dict[str, str]:
    """The top-level scalars of study.yml that date the study, as text.

    The check reads every study's plan, and building a whole study.yml into
    Python objects takes ~5 ms (1 s for 200 studies): the parser's events are
    read instead (libyaml's, in C, when built), only as far as these keys.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found: dict[str, str] = {}
    depth, key = 0, None
    for event in yaml.parse(path.read_text(encoding="utf-8-sig"), Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > 1:
                key = None  # a nested value: its key was no date
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and depth == 1:
            if key is None:
                key = event.value
            else:
                if key in PLAN_DATES and event.value not in YAML_NULLS:
                    found[key] = event.value
                    if key == "deadline":
                        break  # the deadline decides; nothing further is needed
                key = None
        elif isinstance(event, yaml.AliasEvent) and depth == 1:
            key = None  # an alias as a value: not a date the kit writes
    return found


def study_end(study_dir: Path, sessions: RawTable | None) -> dt.date | None:
    """When the study ended: its deadline (or start + weeks), or its last session if later."""
    end = None
    try:
        plan = _plan_dates(study_dir / STUDY_FILE)
        if plan.get("deadline"):
            end = parse_date(plan["deadline"])
        elif plan.get("start_date"):
            end = parse_date(plan["start_date"]) + dt.timedelta(weeks=float(plan.get("weeks_available") or 0))
    except (OSError, yaml.YAMLError, ValueError, TypeError):
        end = None
    if sessions is not None:
        for i in range(len(sessions.rows)):
            try:
                day = parse_date(sessions.get(i, "date"))
            except ValueError:
                continue
            end = max(end, day) if end else day
    return end


def _load(data_dir: Path, stem: str) -> RawTable | None:
    path = find_table(data_dir, stem)
    return RawTable.load(path) if path else None


@functools.lru_cache(maxsize=4096)
def _rel(repo_root: Path, path: Path) -> str:
    return path.relative_to(repo_root).as_posix()


class _StudyPass:
    """The edits of one study (all participants if expired, else the withdrawn ones)."""

    def __init__(
        self,
        repo_root: Path,
        data_dir: Path,
        plan: RetentionPlan,
        withdrawn: frozenset[str],
        retention_months: int | None,
    ):
        self.repo_root, self.data, self.plan = repo_root, data_dir, plan
        self.slug = data_dir.parent.name
        self.participants = _load(data_dir, "participants")
        self.sessions = _load(data_dir, "sessions")
        self.notes: RawTable | None = None
        self.expired: Subject | None = None
        self.targets: dict[str, Subject] = {}  # participant_id -> the subject it is purged for
        p = self.participants
        pids = [p.get(i, "participant_id") for i in range(len(p.rows))] if p else []
        if retention_months is not None:
            end = study_end(data_dir.parent, self.sessions)
            if end is None:
                plan.notes.append(
                    f"{self.slug}: no deadline, start date or session date: cannot tell when its raw data expires"
                )
            elif plan.day > (until := end + relativedelta(months=retention_months)):
                self.expired = Subject("expired", self.slug, self.slug, until)
                plan.subjects.append(self.expired)
                self.targets = {pid: self.expired for pid in pids if pid}
        if withdrawn and p is not None and p.col("person_id") is not None:
            for i, pid in enumerate(pids):
                person = p.get(i, "person_id")
                if pid and person in withdrawn and pid not in self.targets:
                    self.targets[pid] = self._subject(person)

    def _subject(self, person: str) -> Subject:
        for s in self.plan.subjects:
            if s.reason == "withdrawn" and s.subject == person and s.study == self.slug:
                return s
        subject = Subject("withdrawn", person, self.slug)
        self.plan.subjects.append(subject)
        return subject

    def run(self, panel_names: dict[str, str]) -> None:
        if not self.targets:
            return
        p = self.participants
        assert p is not None  # the targets are rows of participants.csv
        self.notes = _load(self.data, "notes")
        names: dict[str, list[str]] = {}  # person_id -> names to redact where others mention them
        for i in range(len(p.rows)):
            subject = self.targets.get(p.get(i, "participant_id"))
            if subject is None:
                continue
            self.plan.names.add(p.get(i, "name"))
            if subject.reason == "withdrawn":
                names.setdefault(subject.subject, [panel_names.get(subject.subject, "")]).append(p.get(i, "name"))
            changed = sum(p.set(i, col, "") for col in PERSONAL)
            changed += sum(p.set(i, col, "no") for col in ("consent_quotes", "consent_recording"))
            if changed:
                subject.add(_rel(self.repo_root, p.path), "participant rows")
        self._rows(self.notes, "text", "note texts")
        self._rows(self.sessions, "recording", "recording links")
        self._transcripts()
        self._invites()
        for person, person_names in names.items():
            self._mentions(self._subject(person), _names_redactor(person_names))
        self.plan.tables += [t for t in (p, self.sessions, self.notes) if t is not None and t.changed]

    def _rows(self, table: RawTable | None, column: str, what: str) -> None:
        if table is None:
            return
        for i in range(len(table.rows) if table else 0):
            subject = self.targets.get(table.get(i, "participant_id"))
            if subject is not None and table.set(i, column, ""):
                subject.add(_rel(self.repo_root, table.path), what)

    def _transcripts(self) -> None:
        folder = self.data / TRANSCRIPTS_DIR
        if not folder.is_dir():
            return
        s = self.sessions
        by_session = (
            {
                s.get(i, "session_id"): self.targets[s.get(i, "participant_id")]
                for i in range(len(s.rows))
                if s.get(i, "participant_id") in self.targets
            }
            if s
            else {}
        )
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
                continue
            subject = self.expired or by_session.get(path.stem)
            if subject is not None:
                subject.add(_rel(self.repo_root, path), "transcripts")
                self.plan.deletes.append(path)

    def _invites(self) -> None:
        path = self.data / INVITES_FILE
        if not path.is_file():
            return
        if self.expired is not None:
            self.expired.add(_rel(self.repo_root, path), "invitations")
            self.plan.deletes.append(path)
            return
        table = RawTable.load(path)
        people = {s.subject: s for s in self.targets.values() if s.reason == "withdrawn"}
        for i in range(len(table.rows)):
            subject = people.get(table.get(i, "person_id"))
            if subject is not None and sum(table.set(i, col, "") for col in ("name", "email", "account")):
                subject.add(_rel(self.repo_root, path), "invitations")
        if table.changed:
            self.plan.tables.append(table)

    def _mentions(self, subject: Subject, redactor: Redactor | None) -> None:
        """Replace the person's names where the study's other text mentions them."""
        if redactor is None:
            return
        for table, cols in ((self.notes, MENTION_COLUMNS["notes"]), (self.sessions, MENTION_COLUMNS["sessions"])):
            if table is None:
                continue
            for i in range(len(table.rows) if table else 0):
                for col in cols:
                    text = table.get(i, col)
                    if text and (new := redactor.redact(text)) != text and table.set(i, col, new):
                        subject.add(_rel(self.repo_root, table.path), "mentions")
        folder = self.data / TRANSCRIPTS_DIR
        deleted = set(self.plan.deletes)
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            if path in deleted or path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
                continue
            text = self.plan.rewrites.get(path) or path.read_text(encoding="utf-8-sig", errors="replace")
            new = redactor.redact(text)
            if new != text:
                subject.add(
                    _rel(self.repo_root, path),
                    "mentions",
                    max(1, new.count(WITHDRAWN_MARK) - text.count(WITHDRAWN_MARK)),
                )
                self.plan.rewrites[path] = new


def _panel_rows(repo_root: Path, plan: RetentionPlan, withdrawn: frozenset[str]) -> dict[str, str]:
    """Blank withdrawn people's personal cells in panel/people.csv; their names, for mentions."""
    path = panel_file(repo_root)
    if path is None or not withdrawn:
        return {}
    table = RawTable.load(path)
    names: dict[str, str] = {}
    for i in range(len(table.rows)):
        person = table.get(i, "person_id")
        if person not in withdrawn:
            continue
        names[person] = table.get(i, "name")
        plan.names.add(names[person])
        if sum(table.set(i, col, "") for col in PANEL_PERSONAL):
            subject = Subject("withdrawn", person, "panel")
            subject.add(_rel(repo_root, path), "panel rows")
            plan.subjects.append(subject)
    if table.changed:
        plan.panel_table = table
    return names


def _program_rows(repo_root: Path, plan: RetentionPlan, withdrawn: frozenset[str]) -> None:
    """Withdrawn people out of ``panel/programs.yml`` (a purged person is named nowhere in ``panel/``)."""
    edit = without_members(repo_root, set(withdrawn))
    if edit is None:
        return
    text, removed = edit
    path = programs_path(repo_root)
    plan.rewrites[path] = text
    for person, memberships in removed.items():
        same = (s for s in plan.subjects if (s.reason, s.subject, s.study) == ("withdrawn", person, "panel"))
        subject = next(same, None) or Subject("withdrawn", person, "panel")
        if subject not in plan.subjects:
            plan.subjects.append(subject)
        subject.add(_rel(repo_root, path), "panel rows", memberships)


def plan_retention(
    repo_root: str | Path, day: dt.date, *, withdrawn: bool = True, expired: bool = True, slugs: tuple[str, ...] = ()
) -> RetentionPlan:
    """What is due on ``day`` and the in-memory edits that remove it (nothing is written)."""
    repo_root = Path(repo_root).resolve()
    plan = RetentionPlan(day)
    gone = withdrawn_person_ids(repo_root) if withdrawn else frozenset()
    months = load_rules(repo_root).retention_months
    dirs = study_data_dirs(repo_root)
    if slugs:
        known = {d.parent.name: d for d in dirs}
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise UsageError(f"unknown study {', '.join(map(repr, unknown))} under {notebooks_root(repo_root)}")
        dirs = [known[s] for s in slugs]
    panel_names = _panel_rows(repo_root, plan, gone)
    _program_rows(repo_root, plan, gone)
    for data_dir in dirs:
        _StudyPass(repo_root, data_dir, plan, gone, months if expired else None).run(panel_names)
    return plan
