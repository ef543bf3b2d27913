"""Stage 01-plan: check a study's plan and write ``plan.json``.

The plan is where the PM and the UXR agree the delivery cycle, the decision,
the metrics and the learning objectives before anyone recruits. This module
runs every check on a validated :class:`kit.study.study_file.Study` and assembles the
machine-readable plan that later stages and the site read:

* method advice (:mod:`kit.study.methods`) and the chosen method's fit,
* the metric check (:mod:`kit.plan.business_metrics`),
* sample sizes (:mod:`kit.plan.sample_size`),
* the discussion-guide and hypothesis lint (:mod:`kit.plan.guide_lint`),
* the RACI matrix (:mod:`kit.study.raci`),
* the timeline (:mod:`kit.plan.timeline`),
* whether the panel can supply ``participants_per_segment`` by the start
  date (:mod:`kit.panel.supply`; only in a repository with ``panel/``).

Invalid study.yml (missing key, bad date, two Accountables, unknown method …)
raises :class:`kit.errors.StudyError` from :func:`kit.study.study_file.load_study` before
anything is written. The plan is built as its declared model,
:class:`kit.outputs.plan.Plan` (validated as it is built: a key the model
does not declare fails the stage before anything is written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kit.iorw import atomic_write_json
from kit.layout import PLAN_JSON, repo_root_for, reports_dir_for, study_slug
from kit.outputs.plan import Cycle, Plan, PlanWarning, RaciSummary
from kit.panel.supply import plan_supply
from kit.plan import business_metrics as metric_check
from kit.plan import guide_lint, sample_size, timeline
from kit.study import methods, raci
from kit.study.study_file import Study, load_study


def _questions(study: Study) -> list[tuple[str, str]]:
    return [(q.id, q.text) for q in study.research_questions]


def _method_section(study: Study, weeks: float, planned: int) -> dict[str, Any]:
    qs = _questions(study)
    advice = methods.advise(qs, study.decision, weeks, planned)
    best = methods.recommended(advice)
    chosen = methods.get_method(study.method) if study.method else None
    # Without a chosen method the timeline and checks use the best advice.
    basis = chosen or (best[0].method if best else advice[0].method)
    fit_warnings = methods.method_fit_warnings(basis, qs, planned) if chosen else []
    if not best:
        fit_warnings.append(
            f"No method both fits {weeks:.1f} weeks and serves the research questions: say what each "
            "question needs ('Can … complete …', 'Why …', 'How many …') or give the study more time."
        )
    chosen_advice = next((a for a in advice if chosen and a.method.id == chosen.id), None)
    return {
        "chosen": chosen.to_dict() if chosen else None,
        "chosen_fits": chosen_advice.fits if chosen_advice else None,
        "basis": basis.id,
        "basis_is_chosen": chosen is not None,
        "recommended": [a.method.id for a in best],
        "advice": [a.to_dict() for a in advice],
        "question_needs": {qid: methods.classify_text(text) for qid, text in qs},
        "decision_needs": methods.classify_text(study.decision),
        "warnings": fit_warnings,
        "_basis": basis,
        "_fitting": [a.method.id for a in best],
    }


def _observer_section(study: Study, sessions: dict[str, Any] | None) -> dict[str, Any]:
    warnings = []
    if not any(o.role == "PM" for o in study.observers):
        warnings.append(
            "No PM observes sessions: PMs who watch sessions act on the findings; add the PM to 'observers'."
        )
    return {
        "observers": [
            {
                "name": o.name,
                "role": o.role,
                "sessions_from": sessions["start"] if sessions else None,
                "sessions_to": sessions["end"] if sessions else None,
            }
            for o in study.observers
        ],
        "warnings": warnings,
    }


def _completeness(study: Study) -> list[str]:
    """Plan keys that are optional for the schema but that a signed plan needs."""
    missing = []
    if not study.research_gaps:
        missing.append("research_gaps (what current research does not tell us)")
    if not study.existing_sources:
        missing.append("existing_sources (evidence already available, e.g. 'survey only')")
    if not study.hypotheses:
        missing.append("hypotheses (stated neutrally)")
    if not study.participants_per_segment:
        missing.append("participants_per_segment")
    if not study.discussion_guide:
        missing.append("discussion_guide")
    lines = []
    # kit new's skeleton marks what to fill with "TODO".
    todo = [k for k, v in study.to_parameters().items() if "TODO" in str(v)]
    if todo:
        lines.append(f"study.yml still has TODO placeholders in: {', '.join(todo)}.")
    lines += [f"The plan has no {m}." for m in missing]
    if study.deadline is not None and study.weeks_available is not None:
        span = (study.deadline - study.start_date).days / 7
        if abs(span - study.weeks_available) >= 0.5:
            lines.append(
                f"weeks_available is {study.weeks_available:g} but start_date to deadline is "
                f"{span:.1f} weeks; the plan uses the deadline."
            )
    unknown_segments = sorted(set(study.participants_per_segment) - set(study.segments))
    if unknown_segments:
        lines.append("participants_per_segment names segments not in 'segments': " + ", ".join(unknown_segments))
    empty = [s for s in study.segments if s not in study.participants_per_segment]
    if study.participants_per_segment and empty:
        lines.append("No participants planned for segment(s): " + ", ".join(empty))
    return lines


def build_plan(study: Study, slug: str, supply: dict[str, Any] | None = None) -> Plan:
    """Every plan check on a validated study; ``supply`` is the panel's (:mod:`kit.panel.supply`), if any."""
    weeks = study.weeks
    deadline = timeline.deadline_for(study.start_date, study.deadline, study.weeks_available)
    planned = sum(study.participants_per_segment.values())
    method_section = _method_section(study, weeks, planned)
    basis = method_section.pop("_basis")
    fitting = [m for m in method_section.pop("_fitting") if m != basis.id]
    tl = timeline.build_timeline(study.start_date, deadline, basis, fitting)
    sessions = next((m for m in tl["milestones"] if m["phase"] == "sessions"), None)
    metrics_in = [m.model_dump() for m in study.pm_metrics]
    checked_metrics = metric_check.check_metrics(metrics_in, study.decision)
    samples = sample_size.sample_plan(study.participants_per_segment, metrics_in)
    q_findings = guide_lint.lint_questions(study.discussion_guide)
    h_findings = guide_lint.lint_hypotheses(study.hypotheses)
    raci_section = RaciSummary.model_validate(raci.raci_summary(study.raci))
    observers = _observer_section(study, sessions)

    warnings: list[PlanWarning] = []

    def add(section: str, lines: list[str]) -> None:
        warnings.extend(PlanWarning(section=section, message=line) for line in lines)

    add("plan", _completeness(study))
    add("method", method_section["warnings"])
    add("timeline", [tl["warning"]] if tl["warning"] else [])
    add("metrics", metric_check.metric_warnings(checked_metrics))
    add("sample size", samples["warnings"])
    add("discussion guide", guide_lint.lint_warnings(q_findings))
    add("hypotheses", guide_lint.lint_warnings(h_findings))
    add("raci", raci_section.warnings)
    add("observers", observers["warnings"])
    if supply is not None:
        add("panel", supply["warnings"])

    return Plan(
        study=slug,
        plan=study,
        cycle=Cycle(
            start=study.start_date.isoformat(),
            deadline=deadline.isoformat(),
            weeks=round(weeks, 2),
            deadline_given=study.deadline is not None,
        ),
        method=method_section,
        metrics=checked_metrics,
        sample_size=samples,
        guide_lint=[f.to_dict() for f in q_findings],
        hypothesis_lint=[f.to_dict() for f in h_findings],
        raci=raci_section,
        timeline=tl,
        observers=observers,
        research_questions=[q.model_dump() for q in study.research_questions],
        warnings=warnings,
        panel=supply,
    )


def run_plan_stage(
    study_dir: str | Path, reports_dir: str | Path | None = None, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Validate study.yml (with papermill ``overrides``), check the plan, write plan.json.

    Raises :class:`kit.errors.StudyError` listing every problem, and writes
    nothing, when the plan is invalid. Returns plan.json's content.
    """
    study = load_study(study_dir, overrides)
    supply = plan_supply(repo_root_for(study_dir), study_dir, study)
    plan = build_plan(study, study_slug(study_dir), supply).model_dump(mode="json")
    atomic_write_json(reports_dir_for(study_dir, reports_dir) / PLAN_JSON, plan)
    return plan
