"""Insights: the schema of ``insights.yml`` and the 03-insights stage.

An insight is atomic: one statement, the research questions it answers, the
synthesis evidence it rests on (note, quote, theme and metric ids from
synthesis.json), the evidence against it, tags, and recommendations that each
name an owner role, the PM metric they should move, priority, effort and a
decision status. The stage checks that all of it traces to the plan and the
synthesis (:mod:`kit.insights.traceability`), rates each insight's confidence
(:mod:`kit.insights.confidence`), proposes draft insights (:mod:`kit.insights.drafts`) and
writes ``insights.json``; nothing is written when a check fails. The output is
built as its declared model, :class:`kit.outputs.insights.InsightsJson`
(validated as it is built: a key the model does not declare fails the stage
before anything is written).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import yaml

from kit.errors import InsightError, StageOrderError
from kit.insights import confidence, drafts, evidence_weight, traceability
from kit.insights.evidence import EvidenceItem, index_synthesis
from kit.insights.exports import export_insights
from kit.iorw import atomic_write_json, atomic_write_text
from kit.layout import (
    DATA_DIR,
    INSIGHTS_EXPORTS,
    INSIGHTS_FILE,
    INSIGHTS_JSON,
    SYNTHESIS_JSON,
    reports_dir_for,
    study_slug,
)
from kit.outputs.insights import (
    Confidence,
    InsightsJson,
    PublishedEvidence,
    PublishedInsight,
    PublishedRecommendation,
    QuestionCoverage,
    QuestionRef,
    StudySummary,
)
from kit.outputs.synthesis import Synthesis, read_synthesis
from kit.privacy.roster import Roster
from kit.study.insights_file import load_insights, validate_insights
from kit.study.study_file import Study, load_study, metric_key
from kit.study.tables import find_table


def save_insights(study_dir: str | Path, data: dict[str, Any], reports_dir: str | Path | None = None) -> Path:
    """Validate ``data`` and write it as ``<study_dir>/insights.yml`` atomically (for forms).

    The schema is always checked; traceability too when the synthesis has
    run. On any problem :class:`InsightError` lists them all and the file on
    disk is untouched. Comments of a hand-edited file are not kept.
    """
    study_dir = Path(study_dir)
    spec = validate_insights(data)
    synthesis_path = reports_dir_for(study_dir, reports_dir) / SYNTHESIS_JSON
    if synthesis_path.is_file():
        index = index_synthesis(read_synthesis(synthesis_path), cited=traceability.cited_ids(spec))
        traceability.check(spec, load_study(study_dir), index)
    plain = spec.model_dump(mode="json", exclude_none=True)
    text = yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100)
    return atomic_write_text(study_dir / INSIGHTS_FILE, text)


def load_synthesis(study_dir: str | Path, reports_dir: str | Path | None = None) -> Synthesis:
    """The synthesis stage's output; :class:`StageOrderError` when it has not run."""
    return read_synthesis(reports_dir_for(study_dir, reports_dir) / SYNTHESIS_JSON)


def _roster(study_dir: Path) -> Roster | None:
    """The study's roster (participants and session staff), to redact what researchers wrote.

    None only when the study has no participants file at all; a roster that
    cannot be read fails the stage (DataError), since publishing unredacted
    text is never the fallback.
    """
    if find_table(study_dir / DATA_DIR, "participants") is None:
        return None
    return Roster.from_study(study_dir)


WITHHELD = "[quote withheld: no consent to quotes]"


def _publisher(roster: Roster | None) -> Callable[[EvidenceItem], PublishedEvidence]:
    """Evidence item -> what is safe to publish of it.

    The synthesis already redacts text and drops unconsented quotes; this is
    a second line of defence, because insights.yml may cite a note of kind
    quote directly: text is redacted again and verbatim words of a participant
    who did not consent to quotes are withheld.
    """
    no_quotes: set[str] = set()
    if roster is not None:
        no_quotes = {alias for pid, alias in roster.pseudonyms.items() if not roster.can_quote(pid)}

    def publish(item: EvidenceItem) -> PublishedEvidence:
        out = item.published()
        if item.withheld:
            pass  # already WITHHELD_TEXT: no words to redact
        elif item.verbatim and set(item.participants) & no_quotes:
            out.text = WITHHELD
        elif roster is not None:
            out.text = roster.redact(out.text)
        return out

    return publish


def run_insights_stage(
    study_dir: str | Path,
    reports_dir: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    exports: bool = True,
) -> dict[str, Any]:
    """Validate insights.yml against plan and synthesis; write insights.json.

    Raises :class:`StageOrderError` without synthesis.json and
    :class:`InsightError` (all problems at once) when insights.yml does not
    trace; in both cases nothing is written, and the outputs of an earlier
    successful run are withdrawn (removed), so the repository index, rebuilt
    after the run by :mod:`kit.site.index`, never lists insights that fail
    their check. With ``exports`` this study's CSV/JSON exports are written too.
    """
    study_dir = Path(study_dir)
    study: Study = load_study(study_dir, overrides)
    out_dir = reports_dir_for(study_dir, reports_dir)
    try:
        synthesis = load_synthesis(study_dir, reports_dir)
        spec = load_insights(study_dir)
        index = index_synthesis(synthesis, cited=traceability.cited_ids(spec))
        warnings = traceability.check(spec, study, index)  # raises InsightError on fatal problems
        warnings += evidence_weight.request_only_warnings(spec, study, index)
    except (InsightError, StageOrderError):
        # Insights that no longer trace to their evidence must not stay in the
        # repository: withdraw the last run's outputs, then fail.
        withdraw(out_dir)
        raise
    segments = synthesis.segments()
    rules = confidence.load_rules()
    roster = _roster(study_dir)
    redact = roster.redact if roster else (lambda s: s)
    publish = _publisher(roster)

    # Recommendations name the plan's metric in the plan's own spelling.
    metric_names = {metric_key(m.name): m.name for m in study.pm_metrics}
    unreliable, threshold = evidence_weight.unreliable_codes(synthesis.agreement)
    insights = []
    for ins in spec.insights:
        support = [index[e] for e in ins.evidence]
        counter = [index[e] for e in ins.counter_evidence]
        recs = [
            # The plan's spelling of the metric; what researchers wrote, redacted.
            PublishedRecommendation.model_validate(
                {
                    **r.model_dump(mode="json"),
                    "insight": ins.id,
                    "action": redact(r.action),
                    "note": redact(r.note),
                    # cast: traceability.check above failed the stage on a recommendation without a metric
                    "metric": metric_names[metric_key(cast(str, r.metric))],
                }
            )
            for r in ins.recommendations
        ]
        rating = evidence_weight.lower_for_agreement(
            confidence.rate(support, counter, segments, rules),
            evidence_weight.rested_codes(ins.tags, support),
            unreliable,
            threshold,
        )
        insights.append(
            PublishedInsight(
                id=ins.id,
                statement=redact(ins.statement),
                answers=ins.answers,
                tags=ins.tags,
                evidence=ins.evidence,
                counter_evidence=ins.counter_evidence,
                from_candidate=ins.from_candidate,
                confidence=Confidence.model_validate(rating),
                evidence_items=[publish(e) for e in support],
                counter_items=[publish(e) for e in counter],
                recommendations=recs,
                status=ins.status,
                superseded_by=ins.superseded_by,
                review_by=ins.review_by.isoformat() if ins.review_by else None,
                reviewed_on=ins.reviewed_on.isoformat() if ins.reviewed_on else None,
            )
        )
    recommendations = [r for i in insights for r in i.recommendations]
    decided = [r for r in recommendations if r.decided_on]
    shape = InsightsJson(
        study=study_summary(study, study_dir, synthesis),
        insights=insights,
        open_questions=[
            QuestionRef(id=q.id, text=q.text) for q in study.research_questions if q.id in spec.open_questions
        ],
        research_questions=[QuestionCoverage.model_validate(c) for c in traceability.coverage(spec, study)],
        recommendations=recommendations,
        decision_log=sorted(decided, key=lambda r: (r.decided_on or "", r.id)),
        candidates=drafts.propose(
            synthesis, index, study, spec, lambda item: publish(item).model_dump(exclude_unset=True)
        ),
        evidence_matrix=evidence_matrix(insights, segments),
        warnings=[str(w) for w in warnings],
    )
    # Only the keys the stage gave: an evidence item has the keys of its kind.
    result = shape.model_dump(exclude_unset=True)
    atomic_write_json(out_dir / INSIGHTS_JSON, result)
    if exports:
        export_insights(result, out_dir)
    return result


def withdraw(out_dir: Path) -> None:
    """Remove a study's insights.json and exports (after a failed check)."""
    for name in (INSIGHTS_JSON, *INSIGHTS_EXPORTS):
        (out_dir / name).unlink(missing_ok=True)


def study_summary(study: Study, study_dir: Path, synthesis: Synthesis) -> StudySummary:
    """What the repository index needs to know about the study."""
    return StudySummary(
        slug=study_slug(study_dir),
        title=study.title,
        product_area=study.product_area,
        feature=study.feature,
        status=study.status,
        start_date=study.start_date.isoformat(),
        date=(study.deadline or study.start_date).isoformat(),
        pm_owner=study.pm_owner,
        uxr_owner=study.uxr_owner,
        participant_count=len(synthesis.participants),
        segments=list(study.segments),
        pm_metrics=[m.name for m in study.pm_metrics],
    )


def evidence_matrix(insights: list[PublishedInsight], segments: dict[str, str]) -> dict[str, Any]:
    """Insights x participants: 'support', 'metric' (only measured), 'counter', 'mixed' or absent."""
    people = sorted(
        set(segments) | {p for i in insights for e in i.evidence_items + i.counter_items for p in e.participants}
    )
    rows = []
    for ins in insights:
        cells: dict[str, str] = {}
        for e in ins.counter_items:
            for p in e.participants:
                cells[p] = "counter"
        for e in ins.evidence_items:
            for p in e.participants:
                if e.kind == "metric":
                    # A metric covers everyone measured: it only fills empty cells,
                    # it does not make a participant's counter-evidence "mixed".
                    cells.setdefault(p, "metric")
                elif cells.get(p) in ("counter", "mixed"):
                    cells[p] = "mixed"  # seen or heard both ways
                else:
                    cells[p] = "support"
        rows.append({"insight": ins.id, "cells": cells})
    return {"participants": [{"pseudonym": p, "segment": segments.get(p, "")} for p in people], "rows": rows}
