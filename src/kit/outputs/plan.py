"""The declared shape of ``plan.json``: what 01-plan writes and the site reads.

The sections other stages and the site read are typed (the plan's own
parameters, the RACI summary, the cycle, warnings); the analyses only the plan
page shows (method advice, sample size, lint findings, timeline) are declared
as mappings of their own modules' output. The stage builds a :class:`Plan`
(validated as it is built) and writes its dump; :func:`read_plan` gives
readers a typed object. Fields are declared in the order the file lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field

from kit.iorw import read_stage_output
from kit.outputs.shape import Shape
from kit.study.study_file import Study

PLAN_SCHEMA = "kit.plan/1"


class Cycle(Shape):
    start: str
    deadline: str
    weeks: float
    deadline_given: bool


class RaciActivity(Shape):
    activity: str
    description: str = ""
    accountable: str | None = None
    responsible: list[str] = Field(default_factory=list)
    roles: dict[str, str] = Field(default_factory=dict)


class RaciSummary(Shape):
    roles: list[str]
    activities: list[RaciActivity]
    warnings: list[str] = Field(default_factory=list)


class PlanWarning(Shape):
    section: str
    message: str


class Plan(Shape):
    """The whole of plan.json."""

    schema_: str = Field(default=PLAN_SCHEMA, alias="schema")
    study: str  # the slug
    plan: Study  # study.yml's keys as validated (dates as ISO strings in the file)
    cycle: Cycle
    method: dict[str, Any]
    metrics: list[dict[str, Any]]
    sample_size: dict[str, Any]
    guide_lint: list[dict[str, Any]]
    hypothesis_lint: list[dict[str, Any]]
    raci: RaciSummary
    timeline: dict[str, Any]
    observers: dict[str, Any]
    research_questions: list[dict[str, Any]]
    warnings: list[PlanWarning]
    # The panel's supply per segment; only a repository with a panel has the key.
    panel: dict[str, Any] | None = Field(None, exclude_if=lambda supply: supply is None)

    # By alias: the file's key is "schema" (a name pydantic's BaseModel reserves).
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


def read_plan(path: str | Path) -> Plan:
    """Read and validate ``plan.json``; a missing or stale file is a :class:`StageOrderError`."""
    return read_stage_output(path, Plan, "the plan stage (01-plan)")
