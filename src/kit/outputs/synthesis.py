"""The declared shape of ``synthesis.json``: what 02-sessions writes and later stages read.

One model per citable collection, with one id key (``id``) each. The stage
builds its output through these models (:func:`synthesis_json`): every
section is validated as it is built, except the three bulk collections
(notes, quotes, withheld quotes: 100,000 rows in a large study), which the
stage builds as the typed rows :class:`NoteRow`, :class:`QuoteRow` and
:class:`WithheldQuoteRow`. The type checker holds the stage to those rows,
a test holds the rows to their models (``tests/outputs``), and another
validates a real stage's whole output, so neither spelling can drift.
Readers get typed objects from :func:`read_synthesis` instead of guessing
key names. Unknown keys are refused, so a misspelt key is an error. Fields
are declared in the order the file lists them.

Ids (insights.yml cites them): notes by ``note_id``; quotes ``Q-<note_id>``
and ``Q-<session_id>-<n>``; themes ``T1`` ...; metrics ``M-SUS``, ``M-NPS``,
``M-COMPLETION-<task>``, ``M-TIME-<task>``, ``M-SEQ-<task>``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict

from pydantic import Field

from kit.iorw import read_stage_output
from kit.outputs.shape import Shape

NOTE_KINDS = ("observation", "quote", "problem")


class Participant(Shape):
    """What a report may show about a participant."""

    pseudonym: str
    segment: str = ""


NoteKind = Literal["observation", "quote", "problem"]
QuoteSource = Literal["note", "transcript"]


class Note(Shape):
    """A researcher's note (redacted; the words of a participant without quote consent withheld)."""

    id: str
    session_id: str = ""
    participants: list[str]
    task: str = ""
    text: str
    tags: list[str] = Field(default_factory=list)
    kind: NoteKind = "observation"


class NoteRow(TypedDict):
    """A :class:`Note` as the stage builds it in bulk (a plain dict; every key given)."""

    id: str
    session_id: str
    participants: list[str]
    task: str
    text: str
    tags: list[str]
    kind: NoteKind


class Quote(Shape):
    """A participant's own words, from a note of kind quote or a transcript turn (consented only)."""

    id: str
    source: QuoteSource
    note_id: str | None = None  # source "note"
    session_id: str = ""
    n: int | None = None  # source "transcript": turn number in the session
    participants: list[str]
    speaker: str | None = None
    start: float | None = None
    end: float | None = None
    task: str | None = None  # source "note"
    text: str
    tags: list[str] = Field(default_factory=list)


class QuoteRow(TypedDict):
    """A :class:`Quote` as the stage builds it in bulk; which keys a row has depends on its source."""

    id: str
    source: QuoteSource
    note_id: NotRequired[str | None]
    session_id: NotRequired[str]
    n: NotRequired[int | None]
    participants: list[str]
    speaker: NotRequired[str | None]
    start: NotRequired[float | None]
    end: NotRequired[float | None]
    task: NotRequired[str | None]
    text: str
    tags: NotRequired[list[str]]


class WithheldQuote(Shape):
    """A quote whose words may not be shown (no consent, withdrawn, purged): id and pseudonyms, no text."""

    id: str
    source: QuoteSource
    note_id: str | None = None
    session_id: str = ""
    participants: list[str]
    tags: list[str] = Field(default_factory=list)


class WithheldQuoteRow(TypedDict):
    """A :class:`WithheldQuote` as the stage builds it in bulk."""

    id: str
    source: QuoteSource
    note_id: NotRequired[str | None]
    session_id: NotRequired[str]
    participants: list[str]
    tags: NotRequired[list[str]]


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
    top_terms: list[str] = Field(default_factory=list)
    participants: list[str]
    notes: list[str]
    tags: list[str] = Field(default_factory=list)
    quotes: list[ThemeQuote] = Field(default_factory=list)
    transcript_quotes: list[str] = Field(default_factory=list)
    participant_count: int = 0
    size: int = 0
    quote_ids: list[str] = Field(default_factory=list)


class Metric(Shape):
    """A usability metric with its interval (see :mod:`kit.synthesis.usability_metrics`)."""

    id: str
    name: str = ""
    label: str
    task: str | None = None
    kind: Literal["behavioural", "attitudinal"] = "behavioural"
    unit: str = ""
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int
    grade: str | None = None
    participants: list[str]
    scores: list[dict[str, Any]] | None = None
    method: str = ""


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
    withheld_quotes: list[WithheldQuote] = Field(default_factory=list)
    withheld_sessions: list[WithheldSession] = Field(default_factory=list)
    themes: list[Theme]
    theme_basis: str = ""
    metrics: list[Metric]
    tag_matrix: dict[str, Any] = Field(default_factory=dict)
    tag_coverage: list[dict[str, Any]] = Field(default_factory=list)
    observers: dict[str, Any] = Field(default_factory=dict)
    problems: dict[str, Any] = Field(default_factory=dict)
    requests: list[Request] = Field(default_factory=list)
    agreement: dict[str, Any] | None = None  # coders' agreement (kit.synthesis.agreement), with a second coder
    counts: dict[str, int] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)

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


def synthesis_json(
    sections: Synthesis, notes: list[NoteRow], quotes: list[QuoteRow], withheld_quotes: list[WithheldQuoteRow]
) -> dict[str, Any]:
    """The content of synthesis.json: ``sections`` (validated when built, with empty bulk collections)
    dumped, then the bulk rows in their places.

    Only the keys the stage gave are written (``exclude_unset``): a metric
    without a grade, a note's quote without a turn number carry no null.
    The rows are not validated here: for 100,000 notes, building :class:`Note`
    objects takes 1.1 s with ``model_construct`` (0.8 s validated) and
    dumping them 0.3 s more, against 0.2 s for the dicts, in a stage of
    about 5 s CPU (``benchmarks/bench_synthesis.py``). The tests run
    :func:`check_synthesis` on a real stage's whole output instead.
    """
    placeholders = sections.model_copy(update={"notes": [], "quotes": [], "withheld_quotes": []})
    out = placeholders.model_dump(by_alias=True, exclude_unset=True)
    # Replacing a value keeps the key's place: the file lists keys in the model's order.
    out.update(notes=notes, quotes=quotes, withheld_quotes=withheld_quotes)
    return out


def check_synthesis(data: dict[str, Any]) -> Synthesis:
    """Validate a whole synthesis against the declared shape (a shape error is the kit's bug: it raises).

    The stage validates each section as it builds it but not the bulk rows
    (see :func:`synthesis_json`); the tests run this on a real stage's
    output so the rows cannot drift from their models. Readers validate
    what they read (:func:`read_synthesis`).
    """
    return Synthesis.model_validate(data)


def read_synthesis(path: str | Path) -> Synthesis:
    """Read and validate ``synthesis.json``; a missing or stale file is a :class:`StageOrderError`."""
    return read_stage_output(path, Synthesis, "the synthesis stage (02-sessions)")


_METRIC_VALUE = re.compile(r"^(?P<value>.*?) \((?:95% CI (?P<low>[^,]+?)-(?P<high>[^,]+?), )?n=(?P<n>\d+)\)$")


def metric_value_parts(text: str) -> dict[str, str]:
    """The parts of :func:`metric_value_text`'s line (``value``, ``low``, ``high``, ``n``), for pages that
    word them for readers ("likely range" for the 95% CI); a line of another form is all ``value``."""
    m = _METRIC_VALUE.match(text or "")
    if not m:
        return {"value": text or ""}
    return {k: v for k, v in m.groupdict().items() if v is not None}
