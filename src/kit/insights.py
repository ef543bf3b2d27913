"""Insights: the schema of ``insights.yml`` and the 03-insights stage.

An insight is atomic: one statement, the research questions it answers, the
synthesis evidence it rests on (note, quote, theme and metric ids from
synthesis.json), the evidence against it, tags, and recommendations that each
name an owner role, the PM metric they should move, priority, effort and a
decision status. The stage checks that all of it traces to the plan and the
synthesis (:mod:`kit.traceability`), rates each insight's confidence
(:mod:`kit.confidence`), proposes draft insights (:mod:`kit.candidates`) and
writes ``insights.json``; nothing is written when a check fails.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from .errors import InsightError, Problem, StageOrderError
from .iorw import atomic_write_json, read_json
from .study import Study, load_study, reports_dir_for, study_slug

INSIGHTS_FILE = "insights.yml"
SYNTHESIS_JSON = "synthesis.json"
INSIGHTS_JSON = "insights.json"
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


def _id_check(v: str, pattern: re.Pattern, example: str) -> str:
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
    open_questions: list[str] = Field(default_factory=list,
                                      description="Research question ids still open")
    candidate_min_participants: int = Field(
        default=DEFAULT_CANDIDATE_MIN_PARTICIPANTS, ge=1,
        description="k: propose draft insights for themes/tags seen with at least k participants")

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


def _where(loc: tuple, data: Any, source: str) -> str:
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
        raise InsightError(Problem(source, "expected a mapping with 'insights' and 'open_questions', "
                                           f"got {type(data).__name__}"))
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


def read_insights_yaml(path: str | Path) -> dict:
    """Read insights.yml as plain data; YAML syntax errors name the line."""
    path = Path(path)
    if not path.is_file():
        raise InsightError(Problem(INSIGHTS_FILE, f"file not found at {path} "
                                                  "(kit new creates one; list insights there)"))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{INSIGHTS_FILE}:{mark.line + 1}" if mark else INSIGHTS_FILE
        raise InsightError(Problem(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")) from None
    return data or {}


def load_insights(study_dir: str | Path) -> InsightsFile:
    """Load and validate ``<study_dir>/insights.yml`` (the schema only; see traceability)."""
    return validate_insights(read_insights_yaml(Path(study_dir) / INSIGHTS_FILE))


def save_insights(study_dir: str | Path, data: dict, reports_dir: str | Path | None = None) -> Path:
    """Validate ``data`` and write it as ``<study_dir>/insights.yml`` atomically (for forms).

    The schema is always checked; traceability too when the synthesis has
    run. On any problem :class:`InsightError` lists them all and the file on
    disk is untouched. Comments of a hand-edited file are not kept.
    """
    from . import traceability
    from .evidence import index_synthesis
    from .iorw import atomic_write_text

    study_dir = Path(study_dir)
    spec = validate_insights(data)
    synthesis_path = reports_dir_for(study_dir, reports_dir) / SYNTHESIS_JSON
    if synthesis_path.is_file():
        traceability.check(spec, load_study(study_dir), index_synthesis(read_json(synthesis_path)))
    plain = spec.model_dump(mode="json", exclude_none=True)
    text = yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100)
    return atomic_write_text(study_dir / INSIGHTS_FILE, text)


def load_synthesis(study_dir: str | Path, reports_dir: str | Path | None = None) -> dict:
    """The synthesis stage's output; :class:`StageOrderError` when it has not run."""
    path = reports_dir_for(study_dir, reports_dir) / SYNTHESIS_JSON
    if not path.is_file():
        raise StageOrderError(f"{path}: not found; run the synthesis stage (02-sessions) first")
    return read_json(path)


def _roster(study_dir: Path):
    """The study's roster (participants and session staff), to redact what researchers wrote.

    None only when the study has no participants file at all; a roster that
    cannot be read fails the stage (DataError), since publishing unredacted
    text is never the fallback.
    """
    from .privacy import Roster
    from .sources import find_table

    if find_table(study_dir / "data", "participants") is None:
        return None
    return Roster.from_study(study_dir)


WITHHELD = "[quote withheld: no consent to quotes]"


def _publisher(roster):
    """Evidence item -> JSON dict safe to publish.

    The synthesis already redacts text and drops unconsented quotes; this is
    a second line of defence, because insights.yml may cite a note of kind
    quote directly: text is redacted again and verbatim words of a participant
    who did not consent to quotes are withheld.
    """
    no_quotes: set[str] = set()
    if roster is not None:
        no_quotes = {alias for pid, alias in roster.pseudonyms.items() if not roster.can_quote(pid)}

    def publish(item) -> dict:
        out = item.to_dict()
        verbatim = item.kind == "quote" or str(item.raw.get("kind", "")) == "quote"
        if verbatim and set(item.participants) & no_quotes:
            out["text"] = WITHHELD
        elif roster is not None:
            out["text"] = roster.redact(out["text"])
        return out
    return publish


def run_insights_stage(study_dir: str | Path, reports_dir: str | Path | None = None,
                       overrides: dict | None = None, *, update_index: bool = True) -> dict:
    """Validate insights.yml against plan and synthesis; write insights.json.

    Raises :class:`StageOrderError` without synthesis.json and
    :class:`InsightError` (all problems at once) when insights.yml does not
    trace; in both cases nothing is written, and the outputs of an earlier
    successful run are withdrawn (removed, and dropped from the index), so the
    repository never lists insights that fail their check. With ``update_index`` the
    cross-study ``reports/index.json`` and this study's CSV/JSON exports are
    refreshed too.
    """
    from . import candidates, confidence, repository, traceability
    from .evidence import index_synthesis, segments_of

    study_dir = Path(study_dir)
    study: Study = load_study(study_dir, overrides)
    out_dir = reports_dir_for(study_dir, reports_dir)
    try:
        synthesis = load_synthesis(study_dir, reports_dir)
        spec = load_insights(study_dir)
        index = index_synthesis(synthesis)
        warnings = traceability.check(spec, study, index)  # raises InsightError on fatal problems
    except (InsightError, StageOrderError):
        # Insights that no longer trace to their evidence must not stay in the
        # repository: withdraw the last run's outputs, then fail.
        repository.withdraw(out_dir, update_index=update_index)
        raise
    segments = segments_of(synthesis)
    rules = confidence.load_rules()
    roster = _roster(study_dir)
    redact = roster.redact if roster else (lambda s: s)
    publish = _publisher(roster)

    # Recommendations name the plan's metric in the plan's own spelling.
    metric_names = {_norm(m.name): m.name for m in study.pm_metrics}
    insights = []
    for ins in spec.insights:
        support = [index[e] for e in ins.evidence]
        counter = [index[e] for e in ins.counter_evidence]
        recs = [{**r.model_dump(mode="json"), "insight": ins.id, "action": redact(r.action),
                 "note": redact(r.note), "metric": metric_names[_norm(r.metric)]}
                for r in ins.recommendations]
        insights.append({
            "id": ins.id, "statement": redact(ins.statement), "answers": ins.answers,
            "tags": ins.tags, "evidence": ins.evidence, "counter_evidence": ins.counter_evidence,
            "from_candidate": ins.from_candidate,
            "confidence": confidence.rate(support, counter, segments, rules),
            "evidence_items": [publish(e) for e in support],
            "counter_items": [publish(e) for e in counter],
            "recommendations": recs,
        })
    recommendations = [r for i in insights for r in i["recommendations"]]
    decided = [r for r in recommendations if r["decided_on"]]
    result = {
        "study": study_summary(study, study_dir, synthesis),
        "insights": insights,
        "open_questions": [{"id": q.id, "text": q.text} for q in study.research_questions
                           if q.id in spec.open_questions],
        "research_questions": traceability.coverage(spec, study),
        "recommendations": recommendations,
        "decision_log": sorted(decided, key=lambda r: (r["decided_on"], r["id"])),
        "candidates": candidates.propose(synthesis, index, study, spec, publish),
        "evidence_matrix": evidence_matrix(insights, segments),
        "warnings": [str(w) for w in warnings],
    }
    atomic_write_json(out_dir / INSIGHTS_JSON, result)
    if update_index:
        repository.export_insights(result, out_dir)
        repository.build_index(out_dir.parent)
    return result


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def study_summary(study: Study, study_dir: Path, synthesis: dict) -> dict:
    """What the repository index needs to know about the study."""
    participants = synthesis.get("participants") or []
    return {
        "slug": study_slug(study_dir), "title": study.title, "product_area": study.product_area,
        "feature": study.feature, "status": study.status,
        "start_date": study.start_date.isoformat(),
        "date": (study.deadline or study.start_date).isoformat(),
        "pm_owner": study.pm_owner, "uxr_owner": study.uxr_owner,
        "participant_count": len(participants), "segments": list(study.segments),
        "pm_metrics": [m.name for m in study.pm_metrics],
    }


def evidence_matrix(insights: list[dict], segments: dict[str, str]) -> dict:
    """Insights x participants: 'support', 'metric' (only measured), 'counter', 'mixed' or absent."""
    people = sorted(set(segments) | {p for i in insights for e in i["evidence_items"] + i["counter_items"]
                                     for p in e["participants"]})
    rows = []
    for ins in insights:
        cells: dict[str, str] = {}
        for e in ins["counter_items"]:
            for p in e["participants"]:
                cells[p] = "counter"
        for e in ins["evidence_items"]:
            for p in e["participants"]:
                if e["kind"] == "metric":
                    # A metric covers everyone measured: it only fills empty cells,
                    # it does not make a participant's counter-evidence "mixed".
                    cells.setdefault(p, "metric")
                elif cells.get(p) in ("counter", "mixed"):
                    cells[p] = "mixed"  # seen or heard both ways
                else:
                    cells[p] = "support"
        rows.append({"insight": ins["id"], "cells": cells})
    return {"participants": [{"pseudonym": p, "segment": segments.get(p, "")} for p in people],
            "rows": rows}
