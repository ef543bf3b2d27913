"""The 03-insights page: insight cards, evidence matrix, coverage, decision log, drafts.

Everything here renders ``insights.json`` (the stage result); nothing is
computed that the JSON does not hold, so the page and the repository index
never disagree. Every string is HTML-escaped (participant text may hold
markup). Each card carries the anchor ``insight-<id>`` that the cross-study
index links to (``<slug>/03-insights.html#insight-I1``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from markupsafe import Markup

from kit.display import chart, html, info, note, render, styled, table
from kit.insights.outcome_report import outcome_figure, outcome_html
from kit.layout import INSIGHTS_PAGE
from kit.study import lifecycle

CONFIDENCE_COLOURS = {"high": "#38761d", "medium": "#b45f06", "low": "#990000"}
MATRIX_SYMBOLS = {"support": "●", "metric": "◦", "counter": "✕", "mixed": "±"}
MATRIX_COLOURS = {"support": "#b6d7a8", "metric": "#d9ead3", "counter": "#f4cccc", "mixed": "#fff2cc"}
MATRIX_LEGEND = "● seen or said (notes, quotes, themes) · ◦ measured only (metrics) · ✕ counter-evidence · ± both"


def evidence_html(item: dict[str, Any]) -> Markup:
    """One evidence item as a list entry: quotes in quote marks under pseudonyms, metric values inline."""
    return render("insights.html", "evidence", item)


def lifecycle_view(insight: dict[str, Any], slug: str, today: dt.date) -> dict[str, Any]:
    """What a card shows of an insight's lifecycle: status, age and review in words, the replacing insight.

    The link to a replacing insight is relative to this page
    (``studies/<slug>/03-insights.html``): ``#insight-I3`` in the study,
    ``../other/03-insights.html#insight-I3`` in another.
    """
    status = insight.get("status") or lifecycle.DEFAULT_STATUS
    known = lifecycle.insight_statuses().get(status)
    view: dict[str, Any] = {"status": status, "label": known.label if known else status, "words": []}
    if insight.get("found_on"):
        reviewed = insight.get("reviewed_on")
        view["words"].append(
            lifecycle.age_words(
                dt.date.fromisoformat(insight["found_on"]), dt.date.fromisoformat(reviewed) if reviewed else None, today
            )
        )
    if insight.get("review_by") and lifecycle.is_current(status):
        view["words"].append(lifecycle.review_words(dt.date.fromisoformat(insight["review_by"]), today))
    if insight.get("superseded_by"):
        study, ident = lifecycle.parse_ref(insight["superseded_by"], slug)
        page = "" if study == slug else f"../{study}/{INSIGHTS_PAGE}"
        view["replaced_by"] = {
            "href": f"{page}#insight-{ident}",
            "text": ident if study == slug else f"{study} {ident}",
        }
    return view


def card_html(
    insight: dict[str, Any], questions: dict[str, str] | None = None, slug: str = "", today: dt.date | None = None
) -> Markup:
    """One insight card, anchored ``insight-<id>``: its lifecycle as of ``today``, its outcomes."""
    view = lifecycle_view(insight, slug, today or dt.date.today())
    outcomes = [block for r in insight["recommendations"] if (block := outcome_html(r))]
    return render("insights.html", "card", insight, questions or {}, CONFIDENCE_COLOURS, view, outcomes)


def cards_html(result: dict[str, Any], today: dt.date | None = None) -> Markup:
    """All insight cards of a study."""
    questions = {q["id"]: q["text"] for q in result["research_questions"]}
    if not result["insights"]:
        return render("report.html", "info", "No insights in insights.yml yet: see the drafts below.")
    slug = result["study"]["slug"]
    return Markup("").join(card_html(i, questions, slug, today) for i in result["insights"])


def evidence_matrix_frame(result: dict[str, Any]) -> pd.DataFrame:
    """Insights (rows) x participants (columns, pseudonym and segment) with symbols."""
    m = result["evidence_matrix"]
    columns = [f"{p['pseudonym']} ({p['segment']})" if p["segment"] else p["pseudonym"] for p in m["participants"]]
    data = {
        row["insight"]: [MATRIX_SYMBOLS.get(row["cells"].get(p["pseudonym"], ""), "") for p in m["participants"]]
        for row in m["rows"]
    }
    return pd.DataFrame.from_dict(data, orient="index", columns=columns)


def _colour(symbol: object) -> str:  # a cell of the matrix (Styler.map passes any scalar)
    kind = {v: k for k, v in MATRIX_SYMBOLS.items()}.get(str(symbol))
    return f"background-color:{MATRIX_COLOURS[kind]};text-align:center" if kind else "text-align:center"


def coverage_frame(result: dict[str, Any]) -> pd.DataFrame:
    """Research questions with their status and the insights that answer them."""
    return pd.DataFrame(
        [
            {"question": q["id"], "text": q["text"], "status": q["status"], "insights": ", ".join(q["insights"])}
            for q in result["research_questions"]
        ],
        columns=["question", "text", "status", "insights"],
    )


def decision_log_frame(result: dict[str, Any]) -> pd.DataFrame:
    """Decided recommendations, oldest decision first."""
    cols = ["decided_on", "recommendation", "insight", "action", "owner", "status", "decided_by", "metric", "note"]
    return pd.DataFrame([{**r, "recommendation": r["id"]} for r in result["decision_log"]], columns=cols)


def candidate_html(draft: dict[str, Any]) -> Markup:
    """A draft insight: visibly marked, with its evidence and the YAML to paste."""
    return render("insights.html", "draft", draft, CONFIDENCE_COLOURS)


def candidates_html(result: dict[str, Any]) -> Markup:
    """Drafts still waiting for a researcher; accepted ones in one line."""
    waiting = [c for c in result["candidates"] if not c.get("accepted_as")]
    accepted = [f"{c['id']} → {c['accepted_as']}" for c in result["candidates"] if c.get("accepted_as")]
    parts = [candidate_html(c) for c in waiting]
    if accepted:
        parts.append(render("report.html", "info", f"Accepted drafts: {', '.join(accepted)}."))
    return Markup("").join(parts) or render(
        "report.html", "info", "No draft insights: no theme or tag reaches the threshold."
    )


def show_cards(result: dict[str, Any]) -> None:
    """Display the insight cards; under a card, the chart of each recommendation compared before/after."""
    if not result["insights"]:
        html(cards_html(result))
        return
    questions = {q["id"]: q["text"] for q in result["research_questions"]}
    for insight in result["insights"]:
        html(card_html(insight, questions))
        for rec in insight["recommendations"]:
            if rec.get("before_after"):
                chart(outcome_figure(rec))


def show_evidence_matrix(result: dict[str, Any]) -> None:
    """Display the insights x participants colour table."""
    frame = evidence_matrix_frame(result)
    if frame.empty:
        info("No insights, so no evidence matrix.")
        return
    # Column headers carry segment names from participants.csv: styled escapes them with the cells.
    styled(frame.style.map(_colour).set_caption(MATRIX_LEGEND))


def show_coverage(result: dict[str, Any]) -> None:
    """Display research-question coverage."""
    table(coverage_frame(result))


def show_decision_log(result: dict[str, Any]) -> None:
    """Display the decision log and how many recommendations await a decision."""
    waiting = [r["id"] for r in result["recommendations"] if r["status"] == "proposed"]
    table(decision_log_frame(result))
    if waiting:
        info(f"Awaiting a decision: {', '.join(waiting)}.")


def show_candidates(result: dict[str, Any]) -> None:
    """Display the draft insights."""
    html(candidates_html(result))


def show_warnings(result: dict[str, Any]) -> None:
    """Display non-fatal traceability findings, if any."""
    for w in result.get("warnings", []):
        note(w, "warning")
