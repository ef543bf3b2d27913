"""Showing plan.json in the 01-plan notebook, one function per section.

Each function takes the dict :func:`kit.plan.stage.run_plan_stage` returned and
displays a heading, its tables and its warnings through :mod:`kit.display`
(escaped HTML, offline plotly). They only read the plan; all checks live in
the modules that computed it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kit import display
from kit.study.raci import raci_frame

_PHASE_COLOURS: dict[str | int, str] = {  # plotly's types key the colour map by str | int
    "recruit": "#6fa8dc",
    "sessions": "#0b5394",
    "synthesis": "#93c47d",
    "buffer": "#d9d9d9",
    "readout": "#e69138",
}


def _warnings(plan: dict[str, Any], section: str) -> None:
    for w in plan["warnings"]:
        if w["section"] == section:
            display.note(w["message"], "warning")


def show_overview(plan: dict[str, Any]) -> None:
    """Title, owners, decision, cycle, questions, segments, gaps and sources."""
    p = plan["plan"]
    display.heading(p["title"], 2)
    cycle = plan["cycle"]
    rows = [
        ("Product area", p["product_area"]),
        ("Feature", p["feature"]),
        ("PM owner", p["pm_owner"]),
        ("UXR owner", p["uxr_owner"]),
        ("Status", p["status"]),
        ("Decision", p["decision"]),
        ("Cycle", f"{cycle['start']} to {cycle['deadline']} ({cycle['weeks']:g} weeks)"),
        (
            "Double coding",
            "required: a second coder codes the notes independently (data/coding/)"
            if p.get("double_coding")
            else "not required",
        ),
    ]
    display.table(pd.DataFrame(rows, columns=["", "plan"]))
    display.heading("Research questions", 3)
    display.table(
        pd.DataFrame(
            [{"id": q["id"], "question": q["text"], "tags": ", ".join(q["tags"])} for q in plan["research_questions"]]
        )
    )
    display.bullets("Target segments", p["segments"])
    display.bullets("Gaps in current research", p["research_gaps"])
    display.bullets("Evidence already available", p["existing_sources"])
    _warnings(plan, "plan")
    n = sum(1 for w in plan["warnings"])
    display.note(
        f"{n} thing(s) to look at in this plan." if n else "No warnings: the plan is ready to sign.",
        "warning" if n else "ok",
    )


def show_method(plan: dict[str, Any]) -> None:
    """Recommended methods, the chosen one, and why (table of every method)."""
    m = plan["method"]
    display.heading("Method", 2)
    if m["chosen"]:
        verdict = "fits the cycle" if m["chosen_fits"] else "does not fit the cycle"
        display.note(
            f"Chosen method: {m['chosen']['name']} ({m['chosen']['id']}), {verdict}.",
            "ok" if m["chosen_fits"] else "warning",
        )
    else:
        display.note("No method chosen yet; the timeline uses the first recommendation.", "info")
    if m["recommended"]:
        display.note("Recommended for this cycle and these questions: " + ", ".join(m["recommended"]), "info")
    _warnings(plan, "method")
    rows = [
        {
            "method": a["name"],
            "id": a["id"],
            "weeks": a["weeks"],
            "fits": "yes" if a["fits"] else "no",
            "score": a["score"],
            "min sample": a["min_sample"],
            "why": a["why"],
        }
        for a in m["advice"]
    ]
    display.table(pd.DataFrame(rows), caption="Every method, best fit first")


def show_metrics(plan: dict[str, Any]) -> None:
    """PM metrics: behavioural or attitudinal, flags and counterparts."""
    display.heading("PM metrics", 2)
    rows = [
        {
            "metric": c["name"],
            "kind": c["kind"],
            "target": c["target"],
            "check": ("flag: " + c["reason"]) if c["flagged"] else "ok",
            "behavioural counterpart": c["counterpart"] or "",
        }
        for c in plan["metrics"]
    ]
    display.table(pd.DataFrame(rows))
    _warnings(plan, "metrics")


def show_sample_size(plan: dict[str, Any]) -> None:
    """Planned participants, problem discovery 1-(1-p)^n, completion-rate margins."""
    s = plan["sample_size"]
    display.heading("Sample size", 2)
    if s["per_segment"]:
        display.table(
            pd.DataFrame(
                [
                    {
                        "segment": r["segment"],
                        "participants": r["n"],
                        "P(see a 31% problem)": f"{r['p31_probability']:.2f}",
                    }
                    for r in s["per_segment"]
                ]
            ),
            caption=f"{s['total']} planned in total",
        )
    if s["discovery"]:
        display.table(
            pd.DataFrame(
                [
                    {
                        "problem affects": f"{r['p']:.0%} of users",
                        f"P(seen by {r['n']})": f"{r['probability']:.2f}",
                        f"n for {r['goal']:.0%}": r["n_for_goal"],
                    }
                    for r in s["discovery"]
                ]
            ),
            caption="Problem discovery, 1-(1-p)^n (Nielsen & Landauer 1993; Sauro & Lewis 2016 ch. 7)",
        )
    if s["completion_margins"]:
        display.table(
            pd.DataFrame(
                [
                    {
                        "metric": r["metric"],
                        "target": r["target"],
                        "n": r["n"],
                        "margin of error": f"±{r['margin']:.0%}",
                        "interval": f"{r['low']:.0%}–{r['high']:.0%}",
                    }
                    for r in s["completion_margins"]
                ]
            ),
            caption="Completion-rate precision, 95% adjusted Wald (Sauro & Lewis 2016 ch. 3)",
        )
    for line in s["notes"]:
        display.note(line, "info")
    _warnings(plan, "sample size")


def show_guide_lint(plan: dict[str, Any]) -> None:
    """Discussion-guide and hypothesis findings with neutral suggestions."""
    display.heading("Discussion guide and hypotheses", 2)
    findings = plan["guide_lint"] + plan["hypothesis_lint"]
    guide = plan["plan"]["discussion_guide"]
    flagged = {f["index"] for f in plan["guide_lint"]}
    display.table(
        pd.DataFrame(
            [{"#": i + 1, "question": q, "lint": "see below" if i in flagged else "ok"} for i, q in enumerate(guide)]
        ),
        caption="Discussion guide",
    )
    display.bullets("Hypotheses", plan["plan"]["hypotheses"])
    if findings:
        display.table(
            pd.DataFrame(
                [
                    {
                        "where": f["where"],
                        "kind": f["kind"],
                        "text": f["text"],
                        "why": f["why"],
                        "suggestion": f["suggestion"],
                    }
                    for f in findings
                ]
            ),
            caption="Findings",
        )
    else:
        display.note(
            "No leading, double-barreled, hypothetical or yes/no questions found; hypotheses are stated neutrally.",
            "ok",
        )


def show_raci(plan: dict[str, Any]) -> None:
    """The RACI matrix (one Accountable per activity)."""
    display.heading("Responsibilities (RACI)", 2)
    display.table(
        raci_frame(plan["raci"]), caption="R responsible, A accountable (exactly one), C consulted, I informed"
    )
    _warnings(plan, "raci")


def timeline_figure(plan: dict[str, Any]) -> Any:
    """A plotly Gantt chart of the milestones (zero-length phases left out)."""
    import plotly.express as px

    tl = plan["timeline"]
    frame = pd.DataFrame([m for m in tl["milestones"] if m["days"] > 0])
    fig = px.timeline(
        frame,
        x_start="start",
        x_end="end",
        y="phase",
        color="phase",
        color_discrete_map=_PHASE_COLOURS,
        title=f"{tl['method_name']}: {tl['weeks_needed']:g} weeks needed, {tl['weeks_available']:g} available",
    )
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_layout(showlegend=False, height=300, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def show_timeline(plan: dict[str, Any]) -> None:
    """Milestones as a chart and a table, and the observers' session dates."""
    tl = plan["timeline"]
    display.heading("Timeline", 2)
    _warnings(plan, "timeline")
    display.chart(timeline_figure(plan))
    display.table(pd.DataFrame(tl["milestones"]))
    obs = plan["observers"]["observers"]
    if obs:
        display.table(
            pd.DataFrame(
                [
                    {
                        "observer": o["name"],
                        "role": o["role"],
                        "sessions": f"{o['sessions_from']} to {o['sessions_to']}",
                    }
                    for o in obs
                ]
            ),
            caption="Observers sit in on sessions",
        )
    _warnings(plan, "observers")


def show_warnings(plan: dict[str, Any]) -> None:
    """Every warning of the plan in one table (the checklist before recruiting)."""
    display.heading("Checklist", 2)
    if plan["warnings"]:
        display.table(pd.DataFrame(plan["warnings"]))
    else:
        display.note("Nothing to fix.", "ok")
