"""The study: schema of ``study.yml``, loading, saving, parameters.

``study.yml`` is the plan a PM and a UXR agree on. Its top-level keys are
the papermill parameters of the template notebooks, so every value must stay
a plain JSON value (dates are ISO strings in parameters, as ``papermill -f``
loads YAML without date parsing).

The pydantic model below is the single source of truth for the fields: the
validator, ``kit new``'s skeleton and the widget forms are all generated from
it. Field metadata (``json_schema_extra``) carries the widget kind
(``text``, ``longtext``, ``date``, ``choice``, ``list`` ...).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails

from kit.errors import KitError, Problem, StudyError
from kit.layout import SLUG_RE, STUDY_FILE  # noqa: F401 - SLUG_RE re-exported: kit.layout owns the pattern
from kit.study.input_limits import refuse
from kit.study.methods import method_ids, method_problems
from kit.study.raci import ROLES, raci_problems
from kit.study.safe_yaml import SAFE_LOADER, read_yaml_document  # noqa: F401 - SAFE_LOADER re-exported

RQ_ID_RE = re.compile(r"^RQ\d+$")
METRIC_KINDS = ("behavioural", "attitudinal")
STATUSES = ("draft", "planned", "recruiting", "in-field", "synthesis", "done")


def _meta(widget: str, **extra: Any) -> dict[str, Any]:
    return {"widget": widget, **extra}


class _Strict(BaseModel):
    # Unknown keys are typos more often than extensions: reject them.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PMMetric(_Strict):
    """A metric the PM's decision needs, e.g. share of completed transactions."""

    name: str = Field(min_length=1, description="What is measured")
    kind: Literal["behavioural", "attitudinal"] = Field(
        description="behavioural (what people do) or attitudinal (what they say)",
        json_schema_extra=_meta("choice"),
    )
    target: str = Field(default="", description="Target value, e.g. '>= 80%'")


class ResearchQuestion(_Strict):
    """A learning objective with an id (RQ1 ...) that insights answer."""

    id: str = Field(description="RQ1, RQ2 ...")
    text: str = Field(min_length=1, description="The question")
    tags: list[str] = Field(default_factory=list, description="Note tags that bear on it")

    @field_validator("id")
    @classmethod
    def _rq_id(cls, v: str) -> str:
        if not RQ_ID_RE.match(v):
            raise ValueError(f"expected an id like RQ1, got {v!r}")
        return v


class Observer(_Strict):
    """Someone from the team who watches sessions (PMs should)."""

    name: str = Field(min_length=1)
    role: str = Field(default="PM", json_schema_extra=_meta("choice", choices=ROLES))

    @field_validator("role")
    @classmethod
    def _role(cls, v: str) -> str:
        # "pm" and "PM" are one role; anything else would count as "Other" observing.
        match = {r.casefold(): r for r in ROLES}.get(v.strip().casefold())
        if match is None:
            raise ValueError(f"expected one of {', '.join(map(repr, ROLES))}, got {v!r}")
        return match


class Study(_Strict):
    """The plan of one study: every key is a papermill parameter."""

    title: str = Field(min_length=1, description="Study title", json_schema_extra=_meta("text"))
    status: Literal["draft", "planned", "recruiting", "in-field", "synthesis", "done"] = Field(
        default="draft", description="Where the study stands", json_schema_extra=_meta("choice")
    )
    product_area: str = Field(min_length=1, description="Product area, e.g. Checkout", json_schema_extra=_meta("text"))
    feature: str = Field(min_length=1, description="Feature or product being tested", json_schema_extra=_meta("text"))
    pm_owner: str = Field(min_length=1, description="PM who owns the decision", json_schema_extra=_meta("text"))
    uxr_owner: str = Field(min_length=1, description="Researcher who runs the study", json_schema_extra=_meta("text"))
    decision: str = Field(
        min_length=1, description="The product decision this research informs", json_schema_extra=_meta("longtext")
    )
    start_date: dt.date = Field(description="First day of the study", json_schema_extra=_meta("date"))
    deadline: dt.date | None = Field(
        default=None, description="When the decision is made", json_schema_extra=_meta("date")
    )
    weeks_available: float | None = Field(
        default=None,
        gt=0,
        description="Weeks available, when there is no fixed deadline",
        json_schema_extra=_meta("number"),
    )
    pm_metrics: list[PMMetric] = Field(
        min_length=1, description="Metrics the decision needs", json_schema_extra=_meta("list")
    )
    research_questions: list[ResearchQuestion] = Field(
        min_length=1, description="Learning objectives", json_schema_extra=_meta("list")
    )
    segments: list[str] = Field(min_length=1, description="Target user segments", json_schema_extra=_meta("list"))
    research_gaps: list[str] = Field(
        default_factory=list, description="Gaps in current research", json_schema_extra=_meta("list")
    )
    existing_sources: list[str] = Field(
        default_factory=list,
        description="Evidence already available, e.g. 'survey only'",
        json_schema_extra=_meta("list"),
    )
    hypotheses: list[str] = Field(
        default_factory=list, description="Hypotheses, stated neutrally", json_schema_extra=_meta("list")
    )
    method: str | None = Field(
        default=None,
        description="Research method (see the method table)",
        json_schema_extra=_meta("choice", choices=method_ids()),
    )
    participants_per_segment: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="Planned participants per segment", json_schema_extra=_meta("mapping")
    )
    observers: list[Observer] = Field(
        default_factory=list, description="Who observes sessions", json_schema_extra=_meta("list")
    )
    discussion_guide: list[str] = Field(
        default_factory=list, description="Discussion guide questions", json_schema_extra=_meta("list")
    )
    double_coding: bool | None = Field(
        default=None,
        description="Require a second coder (data/coding/<coder>.csv) and report agreement",
        json_schema_extra=_meta("choice", choices=[("no", False), ("yes", True)]),
    )
    raci: dict[str, dict[str, Literal["R", "A", "C", "I"]]] = Field(
        default_factory=dict, description="Activity -> role -> R/A/C/I", json_schema_extra=_meta("raci")
    )
    program: str | None = Field(
        default=None,
        pattern=SLUG_RE.pattern,
        description="The beta program (an id of panel/programs.yml) whose members kit recruit proposes",
        json_schema_extra=_meta("text"),
    )

    @model_validator(mode="after")
    def _cycle(self) -> "Study":
        # Cross-key rules: pydantic gives them no key, so each message names its own.
        if self.deadline is None and self.weeks_available is None:
            raise ValueError("key 'deadline': required key is missing (or give 'weeks_available'), got neither")
        if self.deadline is not None and self.deadline < self.start_date:
            raise ValueError(
                f"key 'deadline': expected a date on or after start_date {self.start_date}, got {self.deadline}"
            )
        first: dict[str, int] = {}
        for i, q in enumerate(self.research_questions):
            if q.id in first:
                raise ValueError(
                    f"key 'research_questions[{i}].id': expected each id once, got {q.id!r} "
                    f"again (research_questions[{first[q.id]}])"
                )
            first[q.id] = i
        return self

    @property
    def weeks(self) -> float:
        """Calendar weeks from start to deadline (or ``weeks_available``)."""
        if self.deadline is not None:
            return (self.deadline - self.start_date).days / 7
        return float(self.weeks_available or 0)

    def to_parameters(self) -> dict[str, Any]:
        """Plain JSON values for papermill (dates as ISO strings)."""
        return self.model_dump(mode="json")


PLAN_KEYS: tuple[str, ...] = tuple(Study.model_fields)
"""The top-level keys of study.yml, in order: the templates' parameters."""


def _where(loc: tuple[int | str, ...]) -> str:
    parts = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts)


_EXPECT = {
    "date_from_datetime_parsing": "expected a date like 2026-12-01",
    "date_parsing": "expected a date like 2026-12-01",
    "date_type": "expected a date like 2026-12-01",
    "missing": "required key is missing",
    "extra_forbidden": "unknown key (is it misspelt?)",
    "literal_error": None,
    # Hand-edited YAML mistakes, in the kit's words rather than pydantic's.
    "string_too_short": "expected some text",
    "too_short": "expected at least one entry",
    "list_type": "expected a list (one '- item' per line)",
    "dict_type": "expected a mapping (one 'key: value' per line)",
    "string_type": "expected text",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "greater_than_equal": "expected 0 or more",
    "string_pattern_mismatch": "expected an id of lower-case letters, digits and '-' (like beta-checkout)",
}


def _expected(e: ErrorDetails) -> str:
    ctx = e.get("ctx") or {}
    if e["type"] == "literal_error" and "expected" in ctx:
        return f"expected one of {ctx['expected']}"
    if e["type"] == "greater_than" and "gt" in ctx:
        return f"expected a number greater than {ctx['gt']:g}"
    return _EXPECT.get(e["type"]) or e["msg"].removeprefix("Value error, ")


def problems_from_pydantic(err: PydanticValidationError, source: str) -> list[Problem]:
    """Turn pydantic's errors into ``study.yml: key 'x': expected ..., got ...``."""
    problems = []
    for e in err.errors():
        if len(e["loc"]) >= 2 and e["loc"][0] == "raci":
            continue  # kit.study.raci reports these per activity (``key 'raci.<activity>'``)
        key = _where(e["loc"])
        expected = _expected(e)
        got = e.get("input")
        if e["type"] == "missing":
            msg = expected
        elif e["type"] in ("extra_forbidden",):
            msg = expected
        elif e["type"].startswith("value_error") and (not e["loc"] or ", got " in expected):
            msg = expected
        else:
            msg = f"{expected}, got {got!r}" if not isinstance(got, dict) else expected
        if not key and msg.startswith("key '"):
            key, msg = msg[5:].split("': ", 1)  # a cross-key rule names its own key
        where = f"{source}: key '{key}'" if key else source
        problems.append(Problem(where, msg))
    return problems


def validate_study(data: Any, source: str = STUDY_FILE) -> Study:
    """Validate a mapping as a study; raise :class:`StudyError` listing all problems."""
    if not isinstance(data, dict):
        raise StudyError(Problem(source, f"expected a mapping of plan keys, got {type(data).__name__}"))
    problems: list[Problem] = []
    study = None
    try:
        study = Study.model_validate(data)
    except PydanticValidationError as err:
        problems += problems_from_pydantic(err, source)
    problems += rule_problems(data, source)
    if problems:
        raise StudyError(problems)
    assert study is not None  # no problems: the model validated
    return study


def rule_problems(data: dict[str, Any], source: str = STUDY_FILE) -> list[Problem]:
    """Checks against the kit's rule tables (method ids, RACI rules) on raw data.

    They run even when the schema check failed, so every problem is listed at once.
    """
    return method_problems(data.get("method"), source) + raci_problems(data.get("raci"), source)


def read_yaml_file(
    path: str | Path,
    error: type[KitError] = StudyError,
    shown_as: str | Path | None = None,
    missing: str = "file not found",
) -> Any:
    """Parse a hand-edited YAML file; a syntax error names ``file:line`` (the kit's one YAML reader).

    ``error`` is the exception raised (StudyError for study.yml, InsightError
    for insights.yml ...); ``shown_as`` is the path printed in messages. Sizes
    and aliases are limited (:mod:`kit.study.safe_yaml`).
    """
    return read_yaml_document(Path(path), error, str(shown_as or path), missing).data


def _error(error: type[KitError], where: str, message: str) -> KitError:
    return refuse(error, where, message)


def read_yaml_mapping(
    path: str | Path, error: type[KitError] = StudyError, shown_as: str | Path | None = None
) -> dict[str, Any]:
    """:func:`read_yaml_file` for a file of top-level keys; an empty file is ``{}``."""
    data = read_yaml_file(path, error, shown_as) or {}
    if not isinstance(data, dict):
        raise _error(error, str(shown_as or path), f"expected a mapping of keys, got {type(data).__name__}")
    return data


def read_study_yaml(path: str | Path) -> dict[str, Any]:
    """Read study.yml as plain data; YAML syntax errors name the line."""
    return read_yaml_file(path, StudyError, missing="file not found (every study needs a study.yml)") or {}


def load_study(study_dir: str | Path, overrides: dict[str, Any] | None = None) -> Study:
    """Load and validate ``<study_dir>/study.yml``; ``overrides`` win (papermill parameters)."""
    path = Path(study_dir) / STUDY_FILE
    data = read_study_yaml(path)
    if overrides:
        data = {**data, **{k: v for k, v in overrides.items() if k in PLAN_KEYS}}
    return validate_study(data, source=str(path))


def metric_key(name: str) -> str:
    """A PM metric's name as recommendations may spell it: case and spacing do not matter."""
    return " ".join(name.split()).casefold()


def parameters_from(namespace: dict[str, Any]) -> dict[str, Any]:
    """The plan keys papermill injected into a notebook's namespace.

    Templates call ``parameters_from(globals())`` so values passed with
    ``papermill -p`` or ``-f`` override study.yml, while interactively the
    file on disk is the truth (parameters default to ``None``).
    """
    return {k: namespace[k] for k in PLAN_KEYS if namespace.get(k) is not None}
