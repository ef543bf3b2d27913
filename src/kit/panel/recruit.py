"""``kit recruit SLUG --n N``: propose eligible panel people for a study.

The N invitations are balanced over the plan's segments (or the
``--segment`` ones): N // k each, the first N % k segments in plan order one
more. Within a segment people are taken by who was contacted least: fewest
attended sessions in the last 12 months, then longest since their last
session (never first), then person_id, so the same inputs always give the
same proposal. People already on the study's roster are left out.

Each invitation names the person's ``contact_owner`` (the role that owns the
relationship: ask them first) and the role that reaches out, from the study's
RACI row ``customer communication`` (its Responsible, else its Accountable).
With a beta program (``--program ID``, else the ``program`` the study's
``study.yml`` names; :mod:`kit.panel.programs`), only the program's members
are proposed, on a day the program runs, and every rule still applies.

The proposal is written, private, to ``notebooks/SLUG/data/invites.csv``
(atomically). When a segment has too few eligible people nothing is written
and :class:`~kit.errors.RecruitShortfallError` (exit 2) names the shortfall
per segment and how many people each rule excluded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import PanelError, Problem, RecruitShortfallError, UsageError
from kit.iorw import atomic_write_text
from kit.layout import DATA_DIR, INVITES_FILE, PANEL_DIR, PEOPLE_FILE, STUDY_FILE, study_folder
from kit.panel.eligibility import RULES, Eligibility, evaluate
from kit.panel.history import by_person, load_history
from kit.panel.programs import SOURCE as PROGRAMS_SOURCE
from kit.panel.programs import load_programs
from kit.panel.rules import load_rules
from kit.study.panel_people import Panel, load_panel
from kit.study.records import person_links
from kit.study.study_file import Study, load_study

CONTACT_ACTIVITY = "customer communication"
INVITE_COLUMNS = (
    "person_id",
    "name",
    "email",
    "account",
    "segment",
    "beta",
    "contact_owner",
    "ask_first",
    "reaches_out",
    "sessions_12_months",
    "last_session",
)
ALREADY = "already in this study"


@dataclass
class Recruitment:
    """A proposal: who to invite per segment, and why the others were not proposed."""

    slug: str
    day: dt.date
    targets: dict[str, int]
    picked: dict[str, list[str]]  # segment -> person_ids
    eligible: dict[str, int]  # segment -> eligible people (after the study's own roster)
    excluded: Counter[str] = field(default_factory=Counter)  # rule -> people of these segments it excluded
    reaches_out: str = ""
    path: Path | None = None
    program: str = ""  # the beta program whose members were proposed ("" = the whole panel)

    def shortfall(self) -> dict[str, int]:
        return {s: self.targets[s] - len(self.picked[s]) for s in self.targets if len(self.picked[s]) < self.targets[s]}

    def exclusions_text(self) -> str:
        return ", ".join(f"{rule} {self.excluded.get(rule, 0)}" for rule in (*RULES, ALREADY))


def split_evenly(n: int, segments: list[str]) -> dict[str, int]:
    """N over k segments: N // k each, the first N % k one more."""
    base, extra = divmod(n, len(segments))
    return {s: base + (1 if i < extra else 0) for i, s in enumerate(segments)}


def reaches_out(study: Study) -> str:
    """Who contacts customers in this study: the RACI row's Responsible role(s), else its Accountable."""
    roles = study.raci.get(CONTACT_ACTIVITY, {})
    responsible = [r for r, x in roles.items() if x == "R"]
    accountable = [r for r, x in roles.items() if x == "A"]
    return ";".join(responsible or accountable)


def _segments(study: Study, wanted: tuple[str, ...]) -> list[str]:
    if not wanted:
        return list(study.segments)
    by_key = {s.casefold(): s for s in study.segments}
    unknown = [w for w in wanted if w.casefold() not in by_key]
    if unknown:
        raise UsageError(
            f"--segment {', '.join(map(repr, unknown))} is not a segment of the plan, "
            f"expected one of: {', '.join(study.segments)}"
        )
    return list(dict.fromkeys(by_key[w.casefold()] for w in wanted))


def propose(
    panel: Panel,
    result: Eligibility,
    study: Study,
    slug: str,
    n: int,
    segments: list[str],
    beta: bool,
    on_roster: set[str],
    members: set[str] | None = None,
) -> Recruitment:
    """Pick the people (pure: no files); ``members``: only these person_ids (a beta program's)."""
    targets = split_evenly(n, segments)
    picked: dict[str, list[str]] = {}
    eligible: dict[str, int] = {}
    excluded: Counter[str] = Counter()
    for seg in segments:
        pool = [
            p
            for p in panel.people.values()
            if p.segment.casefold() == seg.casefold()
            and (p.beta or not beta)
            and (members is None or p.person_id in members)
        ]
        ok = []
        for person in pool:
            reason = result.reason[person.person_id]
            if reason is None and person.person_id in on_roster:
                reason = ALREADY
            if reason is None:
                ok.append(person.person_id)
            else:
                excluded[reason] += 1
        record = result.standing
        ok.sort(key=lambda pid: (record[pid].sessions_12m, record[pid].last_session or dt.date.min, pid))
        eligible[seg] = len(ok)
        picked[seg] = ok[: targets[seg]]
    return Recruitment(slug, result.day, targets, picked, eligible, excluded, reaches_out(study))


def invites_csv(rec: Recruitment, panel: Panel, result: Eligibility) -> str:
    """The proposal as CSV text (private: names and e-mails)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(INVITE_COLUMNS)
    for seg, ids in rec.picked.items():
        for pid in ids:
            p, record = panel.people[pid], result.standing[pid]
            ask_first = "" if p.contact_owner in rec.reaches_out.split(";") else p.contact_owner
            writer.writerow(
                [
                    pid,
                    p.name,
                    p.email,
                    p.account,
                    seg,
                    "yes" if p.beta else "no",
                    p.contact_owner,
                    ask_first,
                    rec.reaches_out,
                    record.sessions_12m,
                    record.last_session.isoformat() if record.last_session else "",
                ]
            )
    return buf.getvalue()


def _program_members(repo_root: Path, panel: Panel, program_id: str, day: dt.date, *, from_study: bool) -> set[str]:
    """The members of the program, refused unless the program exists and runs on ``day``."""
    where = f"{STUDY_FILE}: key 'program'" if from_study else "--program"
    programs = load_programs(repo_root, panel)
    if programs is None:
        raise UsageError(f"{where} {program_id!r}: no {PROGRAMS_SOURCE} (see README, 'The participant panel')")
    chosen = programs.get(program_id, where)
    if not chosen.runs_on(day):
        raise UsageError(f"program {program_id!r} runs {chosen.dates_text()}, not on {day}: nothing written")
    return set(chosen.members)


def recruit(
    repo_root: str | Path,
    slug: str,
    n: int,
    segments: tuple[str, ...] = (),
    beta: bool = False,
    day: dt.date | None = None,
    program: str | None = None,
) -> Recruitment:
    """Propose ``n`` people for study ``slug`` and write its ``data/invites.csv``.

    ``program``: only the members of this beta program (default: the one
    ``study.yml`` names, if any). Raises :class:`UsageError` (unknown study or
    segment, no panel, a program that does not run on the day),
    :class:`PanelError` (bad panel, programs or session data, an unknown program) and
    :class:`RecruitShortfallError` (too few eligible people; nothing written).
    """
    repo_root = Path(repo_root)
    day = day or dt.date.today()
    study_dir = study_folder(repo_root, slug)
    if not (study_dir / "study.yml").is_file():
        raise UsageError(f"unknown study {slug!r}: no notebooks/{slug}/study.yml")
    if n < 1:
        raise UsageError("--n must be 1 or more")
    panel = load_panel(repo_root)
    if panel is None:
        raise UsageError(f"no panel: create {PANEL_DIR}/{PEOPLE_FILE} (see README, 'The participant panel')")
    study = load_study(study_dir)
    wanted = _segments(study, segments)
    rules = load_rules(repo_root)
    history = by_person(load_history(repo_root))
    result = evaluate(panel, history, rules, day)
    problems: list[Problem] = []
    on_roster = set(person_links(study_dir / DATA_DIR, problems).values())
    if any(p.fatal for p in problems):
        raise PanelError([p for p in problems if p.fatal])
    program_id = program or study.program
    members = _program_members(repo_root, panel, program_id, day, from_study=not program) if program_id else None
    rec = propose(panel, result, study, slug, n, wanted, beta, on_roster, members)
    rec.program = program_id or ""
    short = rec.shortfall()
    if short:
        lines = "; ".join(
            f"{seg}: need {rec.targets[seg]}, {rec.eligible[seg]} eligible (short {gap})" for seg, gap in short.items()
        )
        among = f" among the members of program {program_id}" if program_id else ""
        raise RecruitShortfallError(
            f"not enough eligible{' beta' if beta else ''} people{among} for {slug} on {day}: {lines}. "
            f"Excluded: {rec.exclusions_text()}. Nothing written."
        )
    rec.path = study_dir / DATA_DIR / INVITES_FILE
    atomic_write_text(rec.path, invites_csv(rec, panel, result))
    return rec
