"""Research methods: the rule table and method advice for a plan.

The rules are data: ``data/methods.csv`` holds each method's typical calendar
duration (split into recruit / sessions / synthesis / readout weeks), what it
measures (behavioural vs attitudinal, qualitative vs quantitative, generative
vs evaluative, whether a moderator can ask "why") and its minimum sample.
``data/question_cues.csv`` holds the word patterns that say what kind of
answer a research question (or the decision) needs.

Advice follows the field's rule of thumb: agree the delivery cycle first, it
decides the method. Methods that fit the weeks available are ranked by how many
of the research questions' needs they serve; the others are listed with the
weeks they would need. Durations are typical values from practice (NN/g,
Sauro & Lewis 2016 ch. 7 for usability sample sizes, Tullis & Wood 2004 for
card sorts); teams should edit the table to match their own recruiting speed.

This module imports nothing from :mod:`kit.study.study_file` (the study schema imports
:func:`method_ids` for the form's choices).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from kit.errors import Problem

PHASES: tuple[str, ...] = ("recruit", "sessions", "synthesis", "readout")
DIMENSIONS: tuple[str, ...] = ("behaviour", "data", "stance", "probes_why")
_EPS = 1e-9  # weeks are fractions of days / 7: compare with a tolerance


@dataclass(frozen=True)
class Method:
    """One row of ``data/methods.csv``."""

    id: str
    name: str
    phase_weeks: dict[str, float]
    behaviour: str  # behavioural | attitudinal
    data: str  # qualitative | quantitative
    stance: str  # generative | evaluative
    probes_why: bool
    min_sample: int
    best_for: str

    @property
    def weeks(self) -> float:
        """Typical calendar weeks from start to readout (sum of the phases)."""
        return sum(self.phase_weeks.values())

    def serves(self, dimension: str, value: str) -> bool:
        if dimension == "probes_why":
            return self.probes_why
        return bool(getattr(self, dimension) == value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "weeks": round(self.weeks, 2),
            "phase_weeks": dict(self.phase_weeks),
            "behaviour": self.behaviour,
            "data": self.data,
            "stance": self.stance,
            "probes_why": self.probes_why,
            "min_sample": self.min_sample,
            "best_for": self.best_for,
        }


@dataclass(frozen=True)
class Cue:
    """One row of ``data/question_cues.csv``: a pattern that signals a need."""

    dimension: str
    value: str
    pattern: re.Pattern[str]
    why: str


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("kit").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def load_methods() -> dict[str, Method]:
    """The method table, by id, in file order."""
    methods = {}
    for row in _read_csv("methods.csv"):
        methods[row["id"]] = Method(
            id=row["id"],
            name=row["name"],
            phase_weeks={p: float(row[f"{'session' if p == 'sessions' else p}_weeks"]) for p in PHASES},
            behaviour=row["behaviour"],
            data=row["data"],
            stance=row["stance"],
            probes_why=row["probes_why"].strip().lower() == "yes",
            min_sample=int(row["min_sample"]),
            best_for=row["best_for"],
        )
    return methods


@lru_cache(maxsize=1)
def load_cues() -> tuple[Cue, ...]:
    """The question-cue table (patterns are case-insensitive)."""
    return tuple(
        Cue(r["dimension"], r["value"], re.compile(r["pattern"], re.I), r["why"])
        for r in _read_csv("question_cues.csv")
    )


def method_ids() -> list[str]:
    """Known method ids, in table order (the form's choices)."""
    return list(load_methods())


def get_method(method_id: str) -> Method:
    """The method with this id (validated studies only hold known ids)."""
    return load_methods()[method_id]


def method_problems(method: Any, source: str = "study.yml") -> list[Problem]:
    """Problems with study.yml's ``method`` value (unknown id), for validation."""
    if method is None or method == "":
        return []
    known = method_ids()
    if not isinstance(method, str) or method not in known:
        close = [
            m
            for m in known
            if isinstance(method, str) and (method.lower().replace(" ", "-") in m or m in method.lower())
        ]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return [
            Problem(f"{source}: key 'method'", f"unknown method {method!r}{hint}, expected one of: {', '.join(known)}")
        ]
    return []


def classify_text(text: str) -> dict[str, list[str]]:
    """What kinds of answer a question needs: dimension -> matched values.

    A dimension with no matching cue is left out (the question does not say).
    """
    needs: dict[str, list[str]] = {}
    for cue in load_cues():
        if cue.pattern.search(text) and cue.value not in needs.get(cue.dimension, []):
            needs.setdefault(cue.dimension, []).append(cue.value)
    return needs


@dataclass
class Advice:
    """How well one method fits a plan."""

    method: Method
    fits: bool
    score: int
    served: dict[str, list[str]] = field(default_factory=dict)  # need label -> question ids
    sample_ok: bool = True
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.method.id,
            "name": self.method.name,
            "weeks": round(self.method.weeks, 2),
            "fits": self.fits,
            "score": self.score,
            "served": self.served,
            "min_sample": self.method.min_sample,
            "sample_ok": self.sample_ok,
            "why": self.why,
        }


def _needs_by_item(questions: Iterable[tuple[str, str]], decision: str) -> dict[str, dict[str, list[str]]]:
    items = {qid: classify_text(text) for qid, text in questions}
    # The decision only tells whether behaviour or attitude matters.
    decision_needs = classify_text(decision).get("behaviour")
    if decision_needs:
        items["decision"] = {"behaviour": decision_needs}
    return items


def _need_label(dimension: str, value: str) -> str:
    return "asks why" if dimension == "probes_why" else value


def advise(
    questions: Iterable[tuple[str, str]], decision: str, weeks_available: float, planned_participants: int | None = None
) -> list[Advice]:
    """Rank every method for this plan: fitting ones first, best served needs first.

    ``questions`` are ``(id, text)`` pairs. A method's score is the number of
    (question, need) pairs it serves, where a need is a value a question's
    cues ask for on one dimension (e.g. RQ2 asks *why* -> a method that can
    probe). Order: fits the weeks, has the sample, score, shorter first.
    """
    items = _needs_by_item(questions, decision)
    advice = []
    for method in load_methods().values():
        served: dict[str, list[str]] = {}
        score = 0
        for item_id, needs in items.items():
            for dimension, values in needs.items():
                for value in values:
                    if method.serves(dimension, value):
                        served.setdefault(_need_label(dimension, value), []).append(item_id)
                        score += 1
        fits = method.weeks <= weeks_available + _EPS
        sample_ok = planned_participants is None or planned_participants >= method.min_sample
        advice.append(Advice(method, fits, score, served, sample_ok))
    # A plan can add a few participants more easily than it can gain weeks or
    # turn 8 people into an A/B test: time first, then sample, then needs.
    advice.sort(key=lambda a: (not a.fits, not a.sample_ok, -a.score, a.method.weeks))
    for a in advice:
        a.why = _why(a, weeks_available, planned_participants)
    return advice


def _why(a: Advice, weeks_available: float, planned: int | None) -> str:
    m = a.method
    if a.fits:
        parts = [f"fits: needs {m.weeks:.1f} of {weeks_available:.1f} weeks"]
    else:
        parts = [f"does not fit: needs {m.weeks:.1f} weeks, the cycle gives {weeks_available:.1f}"]
    if a.served:
        parts.append("; ".join(f"{need}: {', '.join(ids)}" for need, ids in a.served.items()))
    else:
        parts.append("serves none of the questions' needs")
    if not a.sample_ok:
        parts.append(f"needs at least {m.min_sample} participants, the plan has {planned}")
    return " — ".join(parts)


def recommended(advice: list[Advice], top: int = 3) -> list[Advice]:
    """The best fitting methods that serve at least one need."""
    return [a for a in advice if a.fits and a.score > 0][:top]


def method_fit_warnings(method: Method, questions: list[tuple[str, str]], planned_participants: int) -> list[str]:
    """Warnings about the chosen method (its duration is checked by the timeline)."""
    warnings = []
    if planned_participants < method.min_sample:
        warnings.append(
            f"{method.name} needs at least {method.min_sample} participants; the plan has {planned_participants}."
        )
    for dimension in ("behaviour", "data"):
        unmet = [
            qid
            for qid, text in questions
            if (vals := classify_text(text).get(dimension)) and len(vals) == 1 and not method.serves(dimension, vals[0])
        ]
        if unmet:
            wanted = classify_text(dict(questions)[unmet[0]])[dimension][0]
            warnings.append(
                f"{method.name} is {getattr(method, dimension)}, but "
                f"{', '.join(unmet)} {'asks' if len(unmet) == 1 else 'ask'} "
                f"a {wanted} question."
            )
    if not method.probes_why:
        why = [qid for qid, text in questions if classify_text(text).get("probes_why")]
        if why:
            warnings.append(
                f"{method.name} cannot ask participants why, but {', '.join(why)} "
                f"{'asks' if len(why) == 1 else 'ask'} why: add interviews or a "
                "moderated method."
            )
    return warnings
