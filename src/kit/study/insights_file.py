"""The schema of ``insights.yml``: insights, their evidence ids, recommendations, open questions.

An insight is atomic: one statement, the research questions it answers, the
synthesis evidence it rests on (note, quote, theme and metric ids from
synthesis.json), the evidence against it, tags, and recommendations that each
name an owner role, the PM metric they should move, priority, effort and a
decision status. This module validates the file's shape; whether the ids
trace to the plan and the synthesis is :mod:`kit.insights.traceability`'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from kit.errors import InsightError, Problem
from kit.layout import INSIGHTS_FILE
from kit.study.study_file import read_yaml_file

OWNERS = ("PM", "UXR", "Design", "Engineering")
REC_STATUSES = ("proposed", "accepted", "in progress", "shipped", "rejected")
DECIDED_STATUSES = ("accepted", "in progress", "shipped", "rejected")
PRIORITIES = ("high", "medium", "low")
EFFORTS = ("S", "M", "L", "XL")
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

    @field_validator("id")
    @classmethod
    def _rid(cls, v: str) -> str:
        return _id_check(v, REC_ID_RE, "R1")


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
    # Lifecycle (issue 28): only current insights (confirmed) lead topic pages and listings.
    status: Literal["draft", "confirmed", "superseded", "archived"] = "confirmed"
    superseded_by: str | None = Field(default=None, description="The insight that replaced it: I3 or other-study/I3")
    review_by: dt.date | None = Field(default=None, description="When to look at it again")
    reviewed_on: dt.date | None = Field(default=None, description="When it was last reviewed")

    @field_validator("id")
    @classmethod
    def _iid(cls, v: str) -> str:
        return _id_check(v, INSIGHT_ID_RE, "I1")

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

    insights: list[Insight] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list, description="Research question ids still open")
    candidate_min_participants: int = Field(
        default=DEFAULT_CANDIDATE_MIN_PARTICIPANTS,
        ge=1,
        description="k: propose draft insights for themes/tags seen with at least k participants",
    )

    @field_validator("insights", "open_questions", mode="before")
    @classmethod
    def _empty(cls, v: Any) -> Any:
        # `insights:` with every example commented out parses as null.
        return [] if v is None else v

    @field_validator("open_questions")
    @classmethod
    def _open(cls, v: list[str]) -> list[str]:
        bad = [x for x in v if not RQ_ID_RE.match(str(x))]
        if bad:
            raise ValueError(f"expected research question ids like RQ1, got {bad!r}")
        return v


def _where(loc: tuple[int | str, ...], data: Any, source: str) -> str:
    """``insights.yml: insight I2: recommendation R3: key 'owner'`` from a pydantic loc."""
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
    return ": ".join([source] + parts)


def validate_insights(data: Any, source: str = INSIGHTS_FILE) -> InsightsFile:
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
            problems.append(Problem(_where(e["loc"], data, source), msg))
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


def load_insights(study_dir: str | Path) -> InsightsFile:
    """Load and validate ``<study_dir>/insights.yml`` (the schema only; see traceability)."""
    return validate_insights(read_insights_yaml(Path(study_dir) / INSIGHTS_FILE))
