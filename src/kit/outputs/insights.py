"""The declared shape of ``insights.json``: what 03-insights writes and the site reads.

The repository index (:mod:`kit.site.index`), the playbook and the exports
read insights.json through :func:`read_insights_json` as typed objects; the
stage builds an :class:`InsightsJson` (validated as it is built) and writes
its dump, with only the keys it set. Fields are declared in the order the
file lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from kit.iorw import read_stage_output
from kit.outputs.shape import Shape


class StudySummary(Shape):
    """What the repository index needs to know about the study."""

    slug: str
    title: str
    product_area: str
    feature: str = ""
    status: str
    start_date: str
    date: str  # the deadline, else the start date: what listings sort by
    pm_owner: str = ""
    uxr_owner: str = ""
    participant_count: int = 0
    segments: list[str] = Field(default_factory=list)
    pm_metrics: list[str] = Field(default_factory=list)
    last_session: str = ""  # the latest session date (ISO), for the Impact page's days to a decision


class PublishedEvidence(Shape):
    """An evidence item as published (redacted; withheld words replaced)."""

    id: str
    kind: str
    source: str
    participants: list[str]
    text: str = ""
    label: str = ""
    tags: list[str] = Field(default_factory=list)
    value: str | None = None
    withheld: bool = False  # the words may not be shown (consent); the item still counts
    attitudinal: bool = False  # a feature request: expressed interest, never behaviour
    votes: int | None = None  # a feature request's votes


class MetricRef(Shape):
    id: str
    n: int


class Confidence(Shape):
    """See :mod:`kit.insights.confidence` (the rule table and what each measure counts)."""

    level: str
    reasons: list[str]
    participants: list[str] = Field(default_factory=list)
    metrics: list[MetricRef] = Field(default_factory=list)
    counter_participants: list[str] = Field(default_factory=list)
    source_kinds: list[str] = Field(default_factory=list)
    segments_covered: list[str] = Field(default_factory=list)
    segments_total: int = 0
    segment_share: float | None = None
    counter_share: float | None = None
    unreliable_codes: dict[str, float] = Field(default_factory=dict)  # codes with alpha below the threshold


class DailySeries(Shape):
    """The metric's days around the two windows, for the chart (a rate: each day's successes / trials)."""

    dates: list[str]
    values: list[float]


class BeforeAfter(Shape):
    """The metric before and after a recommendation shipped (see :mod:`kit.insights.before_after`)."""

    before: float | None = None  # a rate's proportion, or the mean of the daily values
    after: float | None = None
    difference: float | None = None  # after - before
    ci_low: float | None = None  # the interval of the difference (None: too few days to give one)
    ci_high: float | None = None
    method: str
    verdict: str  # moved | not moved | inconclusive: a suggestion, the recorded outcome is the researcher's
    reason: str  # why that verdict
    days_before: int
    days_after: int
    kind: str  # rate | value
    confidence: float = 0.95
    trials_before: int | None = None
    trials_after: int | None = None
    successes_before: int | None = None
    successes_after: int | None = None
    before_from: str
    before_to: str
    after_from: str
    after_to: str
    daily: DailySeries


class PublishedAbResult(Shape):
    """An A/B test's result as recorded (:class:`kit.study.insights_file.AbResult`), with the suggested verdict."""

    difference: float
    ci_low: float
    ci_high: float
    confidence: float = 0.95
    kind: str = "rate"  # rate | value
    source: str = ""
    source_url: str | None = None  # the source when it is a web address (http/https), for the link
    verdict: str = "inconclusive"  # moved | not moved | inconclusive, by the before/after's interval rule
    reason: str = ""


class PublishedRecommendation(Shape):
    id: str
    action: str
    owner: str | None = None
    metric: str | None = None
    priority: str = "medium"
    effort: str | None = None
    status: str = "proposed"
    decided_on: str | None = None
    decided_by: str | None = None
    note: str = ""
    tracker: str | None = None  # an issue URL or key (SHOP-123, owner/repo#12)
    tracker_url: str | None = None  # the tracker when it is a web address (http/https), for the link
    shipped_on: str | None = None
    metric_id: str | None = None  # the series metrics/<metric_id>.csv
    baseline: float | None = None
    target: float | None = None
    check_on: str | None = None
    outcome: str | None = None  # moved | not moved | inconclusive, as the researcher recorded it
    outcome_note: str = ""
    window_days: int = 28
    ramp_days: int = 0
    before_after: BeforeAfter | None = None  # when shipped_on and metric_id are set
    ab_result: PublishedAbResult | None = None  # when an A/B test was recorded: shown instead of before_after
    insight: str  # the insight it belongs to


class PublishedInsight(Shape):
    id: str
    statement: str
    answers: list[str]
    tags: list[str]
    evidence: list[str]
    counter_evidence: list[str]
    from_candidate: str | None = None
    confidence: Confidence
    evidence_items: list[PublishedEvidence]
    counter_items: list[PublishedEvidence]
    recommendations: list[PublishedRecommendation]
    # The lifecycle (kit.study.lifecycle), defaults resolved: status, review date (ISO), replacement.
    status: str = "confirmed"
    review_by: str | None = None
    reviewed_on: str | None = None
    superseded_by: str | None = None  # as written: I3 (this study) or other-study/I3
    found_on: str | None = None  # the study's last session (else deadline, start): the insight's age


class QuestionRef(Shape):
    id: str
    text: str


class QuestionCoverage(Shape):
    id: str
    text: str
    status: str
    insights: list[str]


class InsightsJson(Shape):
    """The whole of insights.json."""

    study: StudySummary
    insights: list[PublishedInsight]
    open_questions: list[QuestionRef]
    research_questions: list[QuestionCoverage]
    recommendations: list[PublishedRecommendation]
    decision_log: list[PublishedRecommendation]
    candidates: list[dict[str, Any]]  # drafts, see kit.insights.drafts
    evidence_matrix: dict[str, Any]
    warnings: list[str]


def read_insights_json(path: str | Path) -> InsightsJson:
    """Read and validate ``insights.json``; a missing or stale file is a :class:`StageOrderError`."""
    return read_stage_output(path, InsightsJson, "the insights stage (03-insights)")
