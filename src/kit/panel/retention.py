"""Retention: raw data past its retention date and data of withdrawn people, found and purged.

A study's raw data is kept ``retention_months`` (``panel/rules.yml``) after
the study ends: its deadline (else start_date + weeks_available), or its last
session when that is later. After that, and at once for a person who
withdrew consent (a date in ``panel/people.csv``), the personal and verbatim
parts go; what the published counts rest on stays. Which cells go is the
rule table ``data/purge_columns.csv`` (:mod:`kit.panel.purge_plan`):

* participants.csv: name, email, phone (and columns the kit does not know)
  blanked; consent_quotes and consent_recording set to ``no`` (the row
  stays: notes, tasks and SUS rows point at its participant_id, and
  pseudonyms keep their order);
* notes.csv: the words (``text``) of the person's notes (tags, kind and
  task stay, so tag counts and problem counts do not change);
* sessions.csv: recording links;
* transcripts of their sessions (files deleted; an expired study's
  ``speakers.csv`` with them);
* ``invites.csv`` rows (``kit recruit``'s proposals);
* a survey tool's export kept as ``sus.csv``: the respondent's e-mail, name
  and IP address (the answers stay: the SUS scores keep their n);
* ``requests.csv`` rows the person asked (``person_id``: their
  participant_id or person_id): text, account and columns the kit does not
  know (the request id stays citable, its tags and votes counted);
* for a withdrawn person also: their name where other notes, tasks, session
  staff cells, speaker labels, requests or transcripts mention it (replaced
  by ``[withdrawn]``), and their name, e-mail, account and notes in
  ``panel/people.csv`` (the row, its withdrawal date and its segment stay, so
  they are never invited again), their membership of beta programs in
  ``panel/programs.yml`` (counted in the program's ``withdrawals``,
  :mod:`kit.panel.programs`), and their rows of the programs' feedback and
  of the repository's ``requests/`` (:mod:`kit.panel.shared_files`); and
  their names in the researcher-written text of every study's
  ``insights.yml`` (:mod:`kit.panel.insights_text`; an expired study's
  insights are its findings and stay).

:func:`plan_retention` finds all of it without writing (``kit check
--retention``); :mod:`kit.panel.purge` applies the same plan, so a second
purge finds nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import yaml
from dateutil.relativedelta import relativedelta

from kit.errors import UsageError
from kit.layout import INVITES_FILE, STUDY_FILE, TRANSCRIPTS_DIR, notebooks_root, programs_path
from kit.panel.insights_text import purge_insights_text
from kit.panel.programs import without_members
from kit.panel.purge_plan import (
    WHAT,
    WITHDRAWN_MARK,
    RetentionPlan,
    Subject,
    TableRules,
    names_redactor,
    redact_mentions,
    table_rules,
)
from kit.panel.rawtable import RawTable
from kit.panel.rules import load_rules
from kit.panel.shared_files import purge_program_feedback, purge_repository_requests
from kit.privacy.redaction import Redactor
from kit.study.panel_people import panel_file, parse_date, withdrawn_person_ids
from kit.study.records import study_data_dirs
from kit.study.survey_exports import read_survey_export
from kit.study.tables import LINE, find_table

__all__ = ["WHAT", "WITHDRAWN_MARK", "RetentionPlan", "Subject", "plan_retention", "study_end"]
TRANSCRIPT_SUFFIXES = (".vtt", ".srt", ".txt")
STUDY_TABLES = ("notes", "sessions", "requests", "speakers")  # edited besides participants.csv, in this order


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


def _load(repo_root: Path, data_dir: Path, stem: str) -> RawTable | None:
    path = find_table(data_dir, stem)
    return RawTable.load(path, _rel(repo_root, path)) if path else None


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
        self.participants = _load(repo_root, data_dir, "participants")
        self.tables: dict[str, RawTable | None] = {"sessions": _load(repo_root, data_dir, "sessions")}
        self.expired: Subject | None = None
        self.targets: dict[str, Subject] = {}  # participant_id -> the subject it is purged for
        p = self.participants
        pids = [p.get(i, "participant_id") for i in range(len(p.rows))] if p else []
        if retention_months is not None:
            end = study_end(data_dir.parent, self.tables["sessions"])
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
        return self.plan.subject("withdrawn", person, self.slug, in_study=True)

    def run(self) -> None:
        if not self.targets:
            return
        p = self.participants
        assert p is not None  # the targets are rows of participants.csv
        for kind in STUDY_TABLES:
            if kind not in self.tables:
                self.tables[kind] = _load(self.repo_root, self.data, kind)
        rules = table_rules("participants")
        names: dict[str, list[str]] = {}  # person_id -> names to redact where others mention them
        whose: dict[str, Subject] = dict(self.targets)  # participant_id or person_id -> subject of the row
        for i in range(len(p.rows)):
            subject = self.targets.get(p.get(i, rules.key))
            if subject is None:
                continue
            whose.setdefault(p.get(i, "person_id"), subject)
            self.plan.names.add(p.get(i, "name"))
            if subject.reason == "withdrawn":
                names.setdefault(subject.subject, []).append(p.get(i, "name"))
            for what in rules.purge_row(p, i):
                subject.add(_rel(self.repo_root, p.path), what)
        whose.pop("", None)
        for kind in ("notes", "sessions"):
            self._rows(kind, self.targets)
        self._rows("requests", whose)  # asked by the participant_id or the person_id
        self._transcripts()
        self._invites()
        self._survey_export()
        for person, person_names in names.items():
            known = self.plan.person_names.setdefault(person, set())
            known.update(n for n in person_names if n)
            self._mentions(self._subject(person), names_redactor(sorted(known)))
        self.plan.tables += [t for t in (p, *self.tables.values()) if t is not None and t.changed]

    def _rows(self, kind: str, whose: dict[str, Subject]) -> None:
        """The purged people's own rows of a table, by its key column (``data/purge_columns.csv``)."""
        table, rules = self.tables.get(kind), table_rules(kind)
        if table is not None:
            self._purge_rows(table, rules, [whose.get(table.get(i, rules.key)) for i in range(len(table.rows))])

    def _purge_rows(self, table: RawTable, rules: TableRules, subjects: list[Subject | None]) -> None:
        """Purge each row of ``table`` whose subject is given (None: not a purged person's row)."""
        for i, subject in enumerate(subjects):
            if subject is not None:
                for what in rules.purge_row(table, i):
                    subject.add(_rel(self.repo_root, table.path), what)

    def _survey_export(self) -> None:
        """The purged people's responses in a survey tool's export kept as ``data/sus.csv`` (their e-mail, name, IP).

        Whose response a row is comes from the export's participant id question,
        as the stage reads it (:mod:`kit.study.survey_exports`); the kit's own
        layout holds ids and numbers only.
        """
        path = find_table(self.data, "sus")
        shown = _rel(self.repo_root, path) if path is not None else ""
        export = read_survey_export(path, [], shown) if path is not None else None
        if path is None or export is None:
            return
        table, rules = RawTable.load(path, shown), table_rules("sus")
        answered = dict(zip(export.frame[LINE].tolist(), export.frame["participant_id"].tolist()))
        self._purge_rows(
            table, rules, [self.targets.get(answered[n], self.expired) if n in answered else None for n in table.lines]
        )
        self.tables["sus"] = table

    def _transcripts(self) -> None:
        speakers = self.tables.get("speakers")
        if self.expired is not None and speakers is not None:  # the labels of transcripts no longer kept
            self.expired.add(_rel(self.repo_root, speakers.path), "transcripts")
            self.plan.deletes.append(speakers.path)
            self.tables["speakers"] = None
        folder = self.data / TRANSCRIPTS_DIR
        if not folder.is_dir():
            return
        s = self.tables["sessions"]
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
        self.tables["invites"] = RawTable.load(path, _rel(self.repo_root, path))
        self._rows("invites", {s.subject: s for s in self.targets.values() if s.reason == "withdrawn"})

    def _mentions(self, subject: Subject, redactor: Redactor | None) -> None:
        """Replace the person's names where the study's other text mentions them."""
        if redactor is None:
            return
        for kind, table in self.tables.items():
            if table is not None:
                subject.add(_rel(self.repo_root, table.path), "mentions", redact_mentions(table, kind, redactor))
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


def _panel_rows(repo_root: Path, plan: RetentionPlan, withdrawn: frozenset[str]) -> None:
    """Blank withdrawn people's personal cells in panel/people.csv; their names kept in the plan, for mentions."""
    path = panel_file(repo_root)
    if path is None or not withdrawn:
        return
    table, rules = RawTable.load(path, _rel(repo_root, path)), table_rules("people")
    for i in range(len(table.rows)):
        person = table.get(i, rules.key)
        if person not in withdrawn:
            continue
        name = table.get(i, "name")
        plan.names.add(name)
        plan.person_names.setdefault(person, set()).update([name] if name else [])
        for what in rules.purge_row(table, i):
            plan.subject("withdrawn", person, "panel", in_study=False).add(_rel(repo_root, path), what)
    if table.changed:
        plan.panel_table = table


def _program_rows(repo_root: Path, plan: RetentionPlan, withdrawn: frozenset[str]) -> None:
    """Withdrawn people out of ``panel/programs.yml`` (a purged person is named nowhere in ``panel/``)."""
    edit = without_members(repo_root, set(withdrawn))
    if edit is None:
        return
    text, removed = edit
    path = programs_path(repo_root)
    plan.rewrites[path] = text
    for person, memberships in removed.items():
        plan.subject("withdrawn", person, "panel", in_study=False).add(_rel(repo_root, path), "panel rows", memberships)


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
    _panel_rows(repo_root, plan, gone)
    for data_dir in dirs:
        _StudyPass(repo_root, data_dir, plan, gone, months if expired else None).run()
    purge_insights_text(repo_root, plan, gone, [d.parent for d in dirs])  # the names the rosters gave too
    purge_program_feedback(repo_root, plan, gone)  # reads programs.yml checked (file:line errors) first
    _program_rows(repo_root, plan, gone)
    purge_repository_requests(repo_root, plan, gone, [d.parent.name for d in study_data_dirs(repo_root)])
    return plan
