"""Traceability: every insight rests on evidence that exists, every question is accounted for.

Checks (all problems are collected and raised together as one
:class:`~kit.errors.InsightError`, so a researcher fixes the file in one go):

* every evidence and counter-evidence id of an insight resolves in
  synthesis.json: ``insights.yml: insight I3: evidence 'N999' not found in synthesis``;
* every research question an insight answers exists in the plan;
* every research question of the plan is answered by at least one insight or
  listed under ``open_questions``;
* every recommendation names an owner role (PM, UXR, Design, Engineering)
  and a metric that is one of the plan's ``pm_metrics``;
* a decided recommendation (accepted, in progress, shipped, rejected) says
  when and by whom, so the decision log is complete;
* insight and recommendation ids are unique.

Non-fatal findings (a question both answered and open, an insight whose
counter-evidence is also its evidence, evidence that is a quote now withheld
because its participant withdrew or never gave consent) come back as
warnings: a consent change never fails the build.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kit.errors import InsightError, Problem
from kit.insights.evidence import EvidenceItem
from kit.layout import INSIGHTS_FILE
from kit.study.insights_file import DECIDED_STATUSES, OWNERS, InsightsFile
from kit.study.study_file import Study, metric_key


def _dupes(ids: list[str]) -> list[str]:
    return sorted({i for i in ids if ids.count(i) > 1})


def problems(
    spec: InsightsFile, study: Study, index: Mapping[str, EvidenceItem | None], source: str = INSIGHTS_FILE
) -> list[Problem]:
    """Every traceability problem of ``spec`` (fatal ones and warnings)."""
    found: list[Problem] = []
    rq_ids = [q.id for q in study.research_questions]
    metric_names = {metric_key(m.name): m.name for m in study.pm_metrics}
    metric_list = "; ".join(repr(m.name) for m in study.pm_metrics)

    for dup in _dupes([i.id for i in spec.insights]):
        found.append(Problem(f"{source}: insight {dup}", "id used more than once, expected unique ids"))
    for dup in _dupes([r.id for i in spec.insights for r in i.recommendations]):
        found.append(
            Problem(f"{source}: recommendation {dup}", "id used more than once in the study, expected unique ids")
        )

    for ins in spec.insights:
        where = f"{source}: insight {ins.id}"
        for label, refs in (("evidence", ins.evidence), ("counter-evidence", ins.counter_evidence)):
            for ref in refs:
                if ref not in index:
                    found.append(Problem(where, f"{label} '{ref}' not found in synthesis"))
                elif (item := index[ref]) is not None and item.withheld:  # None: the form, before a synthesis
                    found.append(
                        Problem(
                            where,
                            f"{label} '{ref}' is a quote withheld (no consent): it still "
                            "counts, its words are not shown",
                            fatal=False,
                        )
                    )
        both = sorted(set(ins.evidence) & set(ins.counter_evidence))
        if both:
            found.append(Problem(where, f"{', '.join(both)} listed as both evidence and counter-evidence", fatal=False))
        for rq in ins.answers:
            if rq not in rq_ids:
                found.append(
                    Problem(
                        where,
                        f"answers '{rq}', which is not a research question of "
                        f"the plan, expected one of {', '.join(rq_ids)}",
                    )
                )
        for rec in ins.recommendations:
            rwhere = f"{where}: recommendation {rec.id}"
            if not rec.owner:
                found.append(Problem(rwhere, f"no owner, expected one of {', '.join(OWNERS)}"))
            elif rec.owner not in OWNERS:
                found.append(Problem(rwhere, f"owner expected one of {', '.join(OWNERS)}, got {rec.owner!r}"))
            if not rec.metric:
                found.append(Problem(rwhere, f"no metric, expected one of the plan's PM metrics: {metric_list}"))
            elif metric_key(rec.metric) not in metric_names:
                found.append(
                    Problem(
                        rwhere, f"metric {rec.metric!r} is not a PM metric of the plan, expected one of: {metric_list}"
                    )
                )
            if rec.status in DECIDED_STATUSES:
                missing = [k for k in ("decided_on", "decided_by") if not getattr(rec, k)]
                if missing:
                    found.append(
                        Problem(rwhere, f"status '{rec.status}' needs {' and '.join(missing)} for the decision log")
                    )

    answered = {rq for ins in spec.insights for rq in ins.answers}
    for rq in spec.open_questions:
        if rq not in rq_ids:
            found.append(
                Problem(
                    f"{source}: open_questions",
                    f"'{rq}' is not a research question of the plan, expected one of {', '.join(rq_ids)}",
                )
            )
        elif rq in answered:
            found.append(
                Problem(
                    f"{source}: open_questions", f"{rq} is answered by an insight and also listed as open", fatal=False
                )
            )
    for q in study.research_questions:
        if q.id not in answered and q.id not in spec.open_questions:
            found.append(
                Problem(
                    f"{source}: research question {q.id}",
                    f"neither answered by an insight nor listed under open_questions ({q.text!r})",
                )
            )
    return found


def cited_ids(spec: InsightsFile) -> list[str]:
    """Every evidence and counter-evidence id insights.yml cites (for :func:`index_synthesis`)."""
    return [ref for ins in spec.insights for ref in (*ins.evidence, *ins.counter_evidence)]


def check(
    spec: InsightsFile, study: Study, index: Mapping[str, EvidenceItem | None], source: str = INSIGHTS_FILE
) -> list[Problem]:
    """Raise :class:`InsightError` with all fatal problems; return the warnings."""
    found = problems(spec, study, index, source)
    fatal = [p for p in found if p.fatal]
    if fatal:
        raise InsightError(fatal)
    return [p for p in found if not p.fatal]


def coverage(spec: InsightsFile, study: Study) -> list[dict[str, Any]]:
    """Per research question: answered / open / not covered, and by which insights."""
    rows = []
    for q in study.research_questions:
        by = [i.id for i in spec.insights if q.id in i.answers]
        status = "answered" if by else ("open" if q.id in spec.open_questions else "not covered")
        if by and q.id in spec.open_questions:
            status = "partly answered"
        rows.append({"id": q.id, "text": q.text, "status": status, "insights": by})
    return rows
