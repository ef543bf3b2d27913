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
    status: str = "confirmed"  # draft, confirmed, superseded, archived (lifecycle, issue 28)
    superseded_by: str | None = None  # I3 or other-study/I3
    review_by: str | None = None
    reviewed_on: str | None = None


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
