"""The schema of ``insights.yml``: insights, their evidence ids, recommendations, open questions.

An insight is atomic: one statement, the research questions it answers, the
synthesis evidence it rests on (note, quote, theme and metric ids from
synthesis.json), the evidence against it, tags, and recommendations that each
name an owner role, the PM metric they should move, priority, effort and a
decision status. Each insight also has a lifecycle (``status``, ``review_by``,
``reviewed_on``, ``superseded_by``: :mod:`kit.study.lifecycle`). This module
validates the file's shape; whether the ids trace to the plan and the
synthesis is :mod:`kit.insights.traceability`'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from kit.errors import InsightError, Problem
from kit.layout import INSIGHTS_FILE
from kit.study.lifecycle import INSIGHT_REF_RE, SUPERSEDED, insight_statuses, lifecycle_status
from kit.study.safe_yaml import YamlDocument, read_yaml_document
from kit.study.study_file import read_yaml_file
from kit.study.yaml_types import NullAsEmptyList

OWNERS = ("PM", "UXR", "Design", "Engineering")
REC_STATUSES = ("proposed", "accepted", "in progress", "shipped", "rejected")
DECIDED_STATUSES = ("accepted", "in progress", "shipped", "rejected")
PRIORITIES = ("high", "medium", "low")
EFFORTS = ("S", "M", "L", "XL")
OUTCOMES = ("moved", "not moved", "inconclusive")
DEFAULT_WINDOW_DAYS = 28
METRIC_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
"""A metric series' id: its file name in ``metrics/`` without ``.csv`` (no separator, no dot: it cannot climb out)."""
INSIGHT_ID_RE = re.compile(r"^I\d+$")
REC_ID_RE = re.compile(r"^R\d+$")
RQ_ID_RE = re.compile(r"^RQ\d+$")
DEFAULT_CANDIDATE_MIN_PARTICIPANTS = 3


class _Strict(BaseModel):
    # Unknown keys are typos more often than extensions: reject them.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _id_check(v: str, pattern: re.Pattern[str], example: str) -> str:
    if not pattern.match(v):
        raise ValueError(f"expected an id like {example}, got {v!r}")
    return v


class AbResult(_Strict):
    """An A/B test of the change, as the experiment tool reported it: shown instead of the before/after comparison.

    A controlled experiment answers what a before/after comparison cannot
    (anything else that changed between the windows moves the metric too), so
    when one was run its result is the evidence (README, "Recommendation outcomes").
    """

    difference: float = Field(description="Treatment minus control (a rate as a proportion: 0.012 is +1.2 points)")
    ci_low: float = Field(description="The interval of the difference, low end")
    ci_high: float = Field(description="The interval of the difference, high end")
    confidence: float = Field(default=0.95, gt=0, lt=1, description="The interval's level")
    kind: Literal["rate", "value"] = Field(default="rate", description="rate (a proportion) or value")
    source: str = Field(default="", description="The experiment: its URL or name in the experiment tool")

    @model_validator(mode="after")
    def _interval_holds_the_difference(self) -> AbResult:
        if not self.ci_low <= self.difference <= self.ci_high:
            raise ValueError(
                f"expected ci_low <= difference <= ci_high, got {self.ci_low} <= {self.difference} <= {self.ci_high}"
            )
        return self


class Recommendation(_Strict):
    """What the team should do about an insight, and what was decided.

    ``owner`` and ``metric`` are optional here so that a missing one is
    reported by the traceability check naming the recommendation, together
    with every other problem of the file.
    """

    id: str = Field(description="R1, R2 ... (unique within the study)")
    action: str = Field(min_length=1, description="What to do, as an instruction")
    owner: str | None = Field(default=None, description="Owner role: PM, UXR, Design or Engineering")
    metric: str | None = Field(default=None, description="The plan's PM metric it should move")
    priority: Literal["high", "medium", "low"] = Field(default="medium")
    effort: Literal["S", "M", "L", "XL"] | None = Field(default=None, description="T-shirt size")
    status: Literal["proposed", "accepted", "in progress", "shipped", "rejected"] = "proposed"
    decided_on: dt.date | None = Field(default=None, description="When the status was decided")
    decided_by: str | None = Field(default=None, description="Who decided (name or role)")
    note: str = Field(default="", description="Why it was decided so (decision log)")
    # From decision to outcome (README, "Recommendation outcomes"): where the work is tracked,
    # when it shipped, the PM metric's daily series and what the team expects of it.
    tracker: str | None = Field(default=None, description="Issue URL, or a key such as SHOP-123 or owner/repo#12")
    shipped_on: dt.date | None = Field(default=None, description="When the change reached users")
    metric_id: str | None = Field(default=None, description="The series metrics/<metric_id>.csv")
    baseline: float | None = Field(default=None, description="The metric before the change")
    target: float | None = Field(default=None, description="The value the change should reach")
    check_on: dt.date | None = Field(default=None, description="When to look at the outcome")
    outcome: Literal["moved", "not moved", "inconclusive"] | None = Field(
        default=None, description="The researcher's reading of the outcome"
    )
    outcome_note: str = Field(default="", description="Why the outcome was read so")
    window_days: int = Field(default=DEFAULT_WINDOW_DAYS, ge=1, le=366, description="Days compared on each side")
    ramp_days: int = Field(default=0, ge=0, le=366, description="Days after shipped_on left out (roll-out)")
    ab_result: AbResult | None = Field(default=None, description="An A/B test's result: replaces the before/after")

    @field_validator("id")
    @classmethod
    def _rid(cls, v: str) -> str:
        return _id_check(v, REC_ID_RE, "R1")

    @field_validator("metric_id")
    @classmethod
    def _metric_id(cls, v: str | None) -> str | None:
        if v is not None and not METRIC_ID_RE.match(v):
            raise ValueError(f"expected a file name in metrics/ without .csv (letters, digits, - and _), got {v!r}")
        return v


class Insight(_Strict):
    """One atomic, evidence-linked insight."""

    id: str = Field(description="I1, I2 ...")
    statement: str = Field(min_length=1, description="One finding, in one or two sentences")
    answers: list[str] = Field(default_factory=list, description="Research question ids (RQ1 ...)")
    evidence: list[str] = Field(min_length=1, description="Synthesis ids: N001, Q-N002, T1, M-SUS")
    counter_evidence: list[str] = Field(default_factory=list, description="Ids of evidence against it")
    tags: list[str] = Field(default_factory=list, description="Tags for the cross-study repository")
    from_candidate: str | None = Field(default=None, description="Draft candidate id it was accepted from")
    recommendations: list[Recommendation] = Field(default_factory=list)
    # The lifecycle (kit.study.lifecycle): statuses are the table data/insight_statuses.csv.
    status: str | None = Field(default=None, description="draft, confirmed (the default), superseded or archived")
    review_by: dt.date | None = Field(
        default=None, description="When to look at it again (default: lifecycle.yml's months after the last session)"
    )
    reviewed_on: dt.date | None = Field(default=None, description="When someone last checked it still holds")
    superseded_by: str | None = Field(default=None, description="The insight that replaced it: I3 or other-study/I3")

    @field_validator("id")
    @classmethod
    def _iid(cls, v: str) -> str:
        return _id_check(v, INSIGHT_ID_RE, "I1")

    @field_validator("status")
    @classmethod
    def _status(cls, v: str | None) -> str | None:
        if v is not None and v not in insight_statuses():
            raise ValueError(f"expected one of {', '.join(insight_statuses())}, got {v!r}")
        return v

    @field_validator("superseded_by")
    @classmethod
    def _ref(cls, v: str | None) -> str | None:
        if v is not None and not INSIGHT_REF_RE.fullmatch(v):
            raise ValueError(f"expected an insight id like I3 or other-study/I3, got {v!r}")
        return v

    @model_validator(mode="after")
    def _superseded_by_what(self) -> "Insight":
        # A replaced insight says by what; an insight naming its replacement is replaced.
        if self.status == SUPERSEDED and not self.superseded_by:
            raise ValueError("status superseded needs superseded_by (the insight that replaced it: I3 or study/I3)")
        if self.superseded_by and self.status not in (None, SUPERSEDED):
            raise ValueError(
                f"superseded_by {self.superseded_by!r} is set but status is {self.status!r}: "
                "expected status superseded (or no superseded_by)"
            )
        return self

    @property
    def lifecycle(self) -> str:
        """The status, its default filled in (confirmed; superseded when superseded_by is set)."""
        return lifecycle_status(self.status, self.superseded_by)

    @field_validator("answers")
    @classmethod
    def _rq_ids(cls, v: list[str]) -> list[str]:
        bad = [x for x in v if not RQ_ID_RE.match(x)]
        if bad:
            raise ValueError(f"expected research question ids like RQ1, got {bad!r}")
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        # Tags are matched across studies: compare them in one spelling.
        return [t.strip().lower() for t in v if t.strip()]


class InsightsFile(_Strict):
    """The whole of ``insights.yml``."""

    # `insights:` with every example commented out parses as null.
    insights: NullAsEmptyList[Insight] = Field(default_factory=list)
    open_questions: NullAsEmptyList[str] = Field(default_factory=list, description="Research question ids still open")
    candidate_min_participants: int = Field(
        default=DEFAULT_CANDIDATE_MIN_PARTICIPANTS,
        ge=1,
        description="k: propose draft insights for themes/tags seen with at least k participants",
    )

    @field_validator("open_questions")
    @classmethod
    def _open(cls, v: list[str]) -> list[str]:
        bad = [x for x in v if not RQ_ID_RE.match(str(x))]
        if bad:
            raise ValueError(f"expected research question ids like RQ1, got {bad!r}")
        return v


LineOf = Callable[[tuple[int | str, ...]], int | None]
"""The line of a value of the file by its path (:meth:`kit.study.safe_yaml.YamlDocument.line_of`)."""


def _where(loc: tuple[int | str, ...], data: Any, source: str, line_of: LineOf | None = None) -> str:
    """``insights.yml:12: insight I2: recommendation R3: key 'owner'`` from a pydantic loc (line when known)."""
    parts: list[str] = []
    node = data
    keys: list[str] = []
    i = 0
    while i < len(loc):
        step = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if step in ("insights", "recommendations") and isinstance(nxt, int):
            try:
                node = node[step][nxt]
                ident = node.get("id") if isinstance(node, dict) else None
            except (KeyError, IndexError, TypeError):
                ident = None
            label = "insight" if step == "insights" else "recommendation"
            parts.append(f"{label} {ident}" if ident else f"{label} #{nxt + 1}")
            i += 2
            continue
        keys.append(f"[{step}]" if isinstance(step, int) else ("." if keys else "") + str(step))
        i += 1
    if keys:
        parts.append(f"key '{''.join(keys)}'")
    line = line_of(loc) if line_of is not None else None
    return ": ".join([f"{source}:{line}" if line else source] + parts)


def validate_insights(data: Any, source: str = INSIGHTS_FILE, line_of: LineOf | None = None) -> InsightsFile:
    """Validate parsed insights.yml; raise :class:`InsightError` listing all problems."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InsightError(
            Problem(source, f"expected a mapping with 'insights' and 'open_questions', got {type(data).__name__}")
        )
    try:
        return InsightsFile.model_validate(data)
    except PydanticValidationError as err:
        problems = []
        for e in err.errors():
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "missing":
                msg = "required key is missing"
            elif e["type"] == "extra_forbidden":
                msg = "unknown key (is it misspelt?)"
            elif not isinstance(e.get("input"), (dict, list)) and "got" not in msg:
                msg = f"{msg}, got {e.get('input')!r}"
            problems.append(Problem(_where(e["loc"], data, source, line_of), msg))
        raise InsightError(problems) from None


def read_insights_yaml(path: str | Path) -> dict[str, Any]:
    """Read insights.yml as plain data; YAML syntax errors name the line."""
    return (
        read_yaml_file(
            path,
            InsightError,
            shown_as=INSIGHTS_FILE,
            missing=f"file not found at {path} (kit new creates one; list insights there)",
        )
        or {}
    )


def cited_metric_ids(study_dir: str | Path) -> list[str]:
    """The ``metric_id`` of every recommendation of insights.yml, read without validating (for ``kit run``'s inputs).

    A file without the key is not parsed (a run of hundreds of studies reads
    them all); an unreadable one cites nothing here: the insights stage fails on it.
    """
    path = Path(study_dir) / INSIGHTS_FILE
    try:
        if b"metric_id" not in path.read_bytes():
            return []
        data = read_insights_document(path).data
    except (OSError, InsightError):
        return []
    found = []
    for ins in data.get("insights") or [] if isinstance(data, dict) else []:
        for rec in (ins.get("recommendations") or []) if isinstance(ins, dict) else []:
            if isinstance(rec, dict) and isinstance(rec.get("metric_id"), str) and METRIC_ID_RE.match(rec["metric_id"]):
                found.append(rec["metric_id"])
    return sorted(set(found))


def read_insights_document(path: str | Path) -> YamlDocument:
    """insights.yml as data with its node graph (:meth:`YamlDocument.line_of` names lines)."""
    return read_yaml_document(
        Path(path),
        InsightError,
        INSIGHTS_FILE,
        missing=f"file not found at {path} (kit new creates one; list insights there)",
    )


def load_insights(study_dir: str | Path) -> InsightsFile:
    """Load and validate ``<study_dir>/insights.yml`` (the schema only; see traceability)."""
    return load_insights_document(study_dir)[0]


def load_insights_document(study_dir: str | Path) -> tuple[InsightsFile, YamlDocument]:
    """:func:`load_insights` and the document it came from, whose lines name the recommendations."""
    document = read_insights_document(Path(study_dir) / INSIGHTS_FILE)
    return validate_insights(document.data or {}, INSIGHTS_FILE, document.line_of), document


def recommendation_line(document: YamlDocument, spec: InsightsFile, rec_id: str, key: str | None = None) -> int | None:
    """The line of a recommendation (or of one of its keys) in insights.yml."""
    for i, ins in enumerate(spec.insights):
        for j, rec in enumerate(ins.recommendations):
            if rec.id == rec_id:
                path: tuple[int | str, ...] = ("insights", i, "recommendations", j)
                return document.line_of((*path, key)) if key else document.line_of(path)
    return None


def insight_key_lines(doc: YamlDocument) -> list[dict[str, int]]:
    """Per insight of ``insights:`` (in file order): key -> line (1-based); ``""`` is the insight's first line."""
    root = doc.root
    if not isinstance(root, yaml.MappingNode):
        return []
    listed = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "insights"), None)
    out: list[dict[str, int]] = []
    for item in listed.value if isinstance(listed, yaml.SequenceNode) else []:
        lines = {"": item.start_mark.line + 1}
        if isinstance(item, yaml.MappingNode):
            lines.update({str(k.value): k.start_mark.line + 1 for k, _ in item.value if isinstance(k, yaml.ScalarNode)})
        out.append(lines)
    return out
