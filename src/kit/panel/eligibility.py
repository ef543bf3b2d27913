"""Who may be invited on a given day, and why the others may not.

The rules, checked in this order (the first that applies is the reason a
person is excluded; thresholds from ``panel/rules.yml``, :mod:`kit.panel.rules`):

1. ``withdrawn``: a date in people.csv's ``withdrawn``;
2. ``not opted in``: no ``opted_in`` date, or one after the day;
3. ``consent version``: ``consent_version`` is not among ``consent_versions``
   in force (when the rules list any);
4. ``cooldown``: an attended session less than ``cooldown_days`` days before
   (or after: already booked) the day. The cooldown ends on day
   ``last session + cooldown_days``, when the person is eligible again;
5. ``12-month limit``: ``max_sessions_per_12_months`` attended sessions or
   more in the 12 calendar months up to the day (after day - 12 months, up to
   and including the day);
6. ``no-shows``: ``no_show_limit`` no-shows or more in the same 12 months.

Cancelled sessions count towards nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from kit.panel.history import ATTENDED, NO_SHOW, Participation
from kit.panel.rules import PanelRules
from kit.study.panel_people import Panel, Person

RULES = ("withdrawn", "not opted in", "consent version", "cooldown", "12-month limit", "no-shows")
"""Exclusion reasons, in the order they are checked."""


def window_start(day: dt.date) -> dt.date:
    """The first day *after* which sessions count in the 12 months up to ``day`` (day - 12 calendar months)."""
    return day - relativedelta(months=12)


@dataclass(frozen=True)
class Standing:
    """A person's contact record on a day: what the rules are checked against."""

    sessions_12m: int
    no_shows_12m: int
    last_session: dt.date | None  # last attended session on or before the day
    nearest_days: int | None  # days to the nearest attended session (past or booked)


def standing(sessions: list[Participation], day: dt.date, start: dt.date | None = None) -> Standing:
    """Counts of a person's sessions relative to ``day`` (``start``: :func:`window_start` of it, if known)."""
    start = start or window_start(day)
    attended = [s.date for s in sessions if s.attended == ATTENDED]
    in_window = [d for d in attended if start < d <= day]
    no_shows = sum(1 for s in sessions if s.attended == NO_SHOW and start < s.date <= day)
    past = [d for d in attended if d <= day]
    nearest = min((abs((day - d).days) for d in attended), default=None)
    return Standing(len(in_window), no_shows, max(past, default=None), nearest)


def exclusion(person: Person, record: Standing, rules: PanelRules, day: dt.date) -> str | None:
    """The first rule that excludes ``person`` on ``day`` (one of :data:`RULES`), or None."""
    if person.withdrawn is not None:
        return "withdrawn"
    if person.opted_in is None or person.opted_in > day:
        return "not opted in"
    if not rules.consent_in_force(person.consent_version):
        return "consent version"
    if record.nearest_days is not None and record.nearest_days < rules.cooldown_days:
        return "cooldown"
    if record.sessions_12m >= rules.max_sessions_per_12_months:
        return "12-month limit"
    if record.no_shows_12m >= rules.no_show_limit:
        return "no-shows"
    return None


@dataclass
class Eligibility:
    """Every person's standing and exclusion reason on one day."""

    day: dt.date
    standing: dict[str, Standing]
    reason: dict[str, str | None]  # person_id -> exclusion reason, None = eligible

    def eligible(self) -> list[str]:
        return [pid for pid, r in self.reason.items() if r is None]

    def excluded_counts(self, people: list[str] | None = None) -> Counter[str]:
        """Rule -> how many people it excluded (of ``people``, default all)."""
        ids = self.reason if people is None else people
        return Counter(reason for p in ids if (reason := self.reason[p]) is not None)


def evaluate(panel: Panel, history: dict[str, list[Participation]], rules: PanelRules, day: dt.date) -> Eligibility:
    """Apply the rules to every person of the panel on ``day``."""
    records, reasons = {}, {}
    start = window_start(day)
    for pid, person in panel.people.items():
        record = standing(history.get(pid, []), day, start)
        records[pid] = record
        reasons[pid] = exclusion(person, record, rules, day)
    return Eligibility(day, records, reasons)


def eligible_per_segment(panel: Panel, result: Eligibility) -> Counter[str]:
    """Segment (case-folded) -> eligible people."""
    return Counter(panel.people[pid].segment.casefold() for pid in result.eligible())
