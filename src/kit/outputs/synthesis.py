"""The declared shape of ``synthesis.json``: what 02-sessions writes and later stages read.

One model per citable collection, with one id key (``id``) each. The stage
validates what it writes against :class:`Synthesis` (a change of the
output's shape fails the stage and its tests, not a reader three stages
later), and readers get typed objects from :func:`read_synthesis` instead of
guessing key names. Unknown keys are refused, so a misspelt key is an error.

Ids (insights.yml cites them): notes by ``note_id``; quotes ``Q-<note_id>``
and ``Q-<session_id>-<n>``; themes ``T1`` ...; metrics ``M-SUS``, ``M-NPS``,
``M-COMPLETION-<task>``, ``M-TIME-<task>``, ``M-SEQ-<task>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from kit.iorw import read_stage_output
from kit.outputs.shape import Shape

NOTE_KINDS = ("observation", "quote", "problem")


class Participant(Shape):
    """What a report may show about a participant."""

    pseudonym: str
    segment: str = ""


class Note(Shape):
    """A researcher's note (redacted; the words of a participant without quote consent withheld)."""

    id: str
    session_id: str = ""
    participants: list[str]
    task: str = ""
    text: str
    tags: list[str] = Field(default_factory=list)
    kind: Literal["observation", "quote", "problem"] = "observation"


class Quote(Shape):
    """A participant's own words, from a note of kind quote or a transcript turn (consented only)."""

    id: str
    source: Literal["note", "transcript"]
    participants: list[str]
    text: str
    tags: list[str] = Field(default_factory=list)
    session_id: str = ""
    note_id: str | None = None  # source "note"
    task: str | None = None  # source "note"
    n: int | None = None  # source "transcript": turn number in the session
    speaker: str | None = None
    start: float | None = None
    end: float | None = None


class WithheldQuote(Shape):
    """A quote whose words may not be shown (no consent, withdrawn, purged): id and pseudonyms, no text."""

    id: str
    source: Literal["note", "transcript"]
    participants: list[str]
    session_id: str = ""
    note_id: str | None = None
    tags: list[str] = Field(default_factory=list)


class WithheldSession(Shape):
    """A session whose participant may not be quoted: its transcript quotes resolve as withheld."""

    session_id: str
    participants: list[str]


class ThemeQuote(Shape):
    note_id: str
    participant: str
    text: str


class Theme(Shape):
    """Notes grouped by text similarity (see :mod:`kit.synthesis.themes`)."""

    id: str
    label: str
    participants: list[str]
    notes: list[str]
    tags: list[str] = Field(default_factory=list)
    top_terms: list[str] = Field(default_factory=list)
    quotes: list[ThemeQuote] = Field(default_factory=list)
    transcript_quotes: list[str] = Field(default_factory=list)
    quote_ids: list[str] = Field(default_factory=list)
    participant_count: int = 0
    size: int = 0


class Metric(Shape):
    """A usability metric with its interval (see :mod:`kit.synthesis.usability_metrics`)."""

    id: str
    label: str
    name: str = ""
    kind: Literal["behavioural", "attitudinal"] = "behavioural"
    unit: str = ""
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int
    participants: list[str]
    method: str = ""
    task: str | None = None
    grade: str | None = None
    scores: list[dict[str, Any]] | None = None


class Request(Shape):
    """A customer's feature request: citable as expressed interest (attitudinal), never behaviour."""

    id: str  # R-<request_id>
    request_id: str
    date: str = ""
    text: str
    votes: int | None = None
    status: str = ""
    source: str = ""
    tags: list[str] = Field(default_factory=list)
    kind: Literal["attitudinal"] = "attitudinal"
    label: str = "expressed interest"
    participants: list[str] = Field(default_factory=list)
    file: str = ""  # the requests file it came from (data/requests.csv, requests/<tracker>.csv)


class SynthesisStudy(Shape):
    slug: str
    title: str
    feature: str = ""
    product_area: str = ""
    decision: str = ""


class Synthesis(Shape):
    """The whole of synthesis.json."""

    study: SynthesisStudy
    participants: list[Participant]
    notes: list[Note]
    quotes: list[Quote]
    themes: list[Theme]
    metrics: list[Metric]
    theme_basis: str = ""
    tag_matrix: dict[str, Any] = Field(default_factory=dict)
    tag_coverage: list[dict[str, Any]] = Field(default_factory=list)
    observers: dict[str, Any] = Field(default_factory=dict)
    problems: dict[str, Any] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    requests: list[Request] = Field(default_factory=list)
    agreement: dict[str, Any] | None = None  # coders' agreement (kit.synthesis.agreement), with a second coder
    withheld_quotes: list[WithheldQuote] = Field(default_factory=list)
    withheld_sessions: list[WithheldSession] = Field(default_factory=list)

    def segments(self) -> dict[str, str]:
        """Pseudonym -> segment."""
        return {p.pseudonym: p.segment for p in self.participants}


def _num(value: Any) -> str:
    """1 decimal from 10 up, 2 below; trailing zeros dropped (83.0 -> 83)."""
    if isinstance(value, float):
        text = f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def metric_value_text(metric: Metric) -> str:
    """A metric's value as one line: ``72.5 (95% CI 61.0-84.0, n=8)``; rates in % as ``83% ...``."""
    if metric.value is None:
        return ""
    value, unit = metric.value, metric.unit
    percent = unit == "%" and value <= 1  # rates are stored as shares
    if percent:
        value *= 100
    if unit == "%":
        text = f"{_num(value)}%"
    elif unit and unit[0].isdigit():  # a scale such as 1-7
        text = f"{_num(value)} (scale {unit})"
    else:
        text = f"{_num(value)}{' ' + unit if unit else ''}"
    extra = []
    if metric.ci_low is not None and metric.ci_high is not None:
        lo, hi = metric.ci_low, metric.ci_high
        if percent:
            lo, hi = lo * 100, hi * 100
        extra.append(f"95% CI {_num(lo)}-{_num(hi)}")
    extra.append(f"n={metric.n}")
    return text + f" ({', '.join(extra)})"


def check_synthesis(data: dict) -> Synthesis:
    """Validate a synthesis against the declared shape (a shape error is the kit's bug: it raises).

    The tests hold the stage's output to it; the stage itself does not
    re-validate what it just built, since for a 100,000-note study that
    doubles the time of writing (readers validate what they read).
    """
    return Synthesis.model_validate(data)


def read_synthesis(path: str | Path) -> Synthesis:
    """Read and validate ``synthesis.json``; a missing or stale file is a :class:`StageOrderError`."""
    return read_stage_output(path, Synthesis, "the synthesis stage (02-sessions)")
