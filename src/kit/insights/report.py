"""The 03-insights page: reader summary, insight cards, evidence matrix, coverage, decision log, drafts.

The page is read by PMs and leads: it opens with a summary (what was found,
what was decided, what is still open), labels are plain words with the
precise term in an ``<abbr title>`` (``data/reader_words.csv``, through
:func:`kit.display.reader_word`), evidence lines lead with the pseudonym and
keep the evidence id small, and machine drafts are one closed section apart
from the findings. Tooling text (:func:`show_researcher_notes`, the warnings)
comes from cells the template tags ``kit-researcher``, which the site moves
to the page's end, collapsed (:mod:`kit.site.published`); JupyterLab shows them in place.

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

from kit.display import chart, html, info, note, reader_word, render, styled, table, text_colour_on
from kit.insights.outcome_report import outcome_figure, outcome_html
from kit.layout import INSIGHTS_PAGE
from kit.outputs.synthesis import metric_value_parts
from kit.study import lifecycle

# Light-theme colours, >= 4.5:1 on white and on the draft cards' #fafafa; the site's dark theme
# sets its own (site-theme-dark.scss, preview.css). tests/insights/test_report_contrast.py checks both.
CONFIDENCE_COLOURS = {"high": "#38761d", "medium": "#9a5105", "low": "#990000"}
MATRIX_SYMBOLS = {"support": "●", "metric": "◦", "counter": "✕", "mixed": "±"}
MATRIX_COLOURS = {"support": "#b6d7a8", "metric": "#d9ead3", "counter": "#f4cccc", "mixed": "#fff2cc"}
MATRIX_LEGEND = "● seen or said (notes, quotes, themes) · ◦ measured only (metrics) · ✕ counter-evidence · ± both"


def _readable(item: dict[str, Any]) -> dict[str, Any]:
    """An evidence item with its metric value in parts, so the page words the interval ("likely range")."""
    return {**item, "value_parts": metric_value_parts(item["value"])} if item.get("value") else item


def evidence_html(item: dict[str, Any]) -> Markup:
    """One evidence item as a list entry: the pseudonym first, quotes in quote marks, the id small at the end."""
    return render("insights.html", "evidence", _readable(item))


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


def summary_data(result: dict[str, Any]) -> dict[str, Any]:
    """What a reader needs first: each finding with its confidence level, the decisions, what is open.

    Decided: every recommendation whose status is not ``proposed`` (with who
    and when where recorded), newest decision first; awaiting: the proposed ones.
    """
    recs = result["recommendations"]
    decided = sorted(
        (r for r in recs if r["status"] != "proposed"), key=lambda r: (r.get("decided_on") or "", r["id"]), reverse=True
    )
    return {
        "found": [
            {"id": i["id"], "statement": i["statement"], "level": i["confidence"]["level"]} for i in result["insights"]
        ],
        "decided": decided,
        "awaiting": [r for r in recs if r["status"] == "proposed"],
        "open_questions": result["open_questions"],
    }


def summary_html(result: dict[str, Any]) -> Markup:
    """The reader's summary at the top of the insights page (:func:`summary_data`)."""
    return render("insights.html", "summary", summary_data(result))


def card_html(
    insight: dict[str, Any], questions: dict[str, str] | None = None, slug: str = "", today: dt.date | None = None
) -> Markup:
    """One insight card, anchored ``insight-<id>``: its lifecycle as of ``today``, its outcomes."""
    view = lifecycle_view(insight, slug, today or dt.date.today())
    outcomes = [block for r in insight["recommendations"] if (block := outcome_html(r))]
    shown = {
        **insight,
        "evidence_items": [_readable(e) for e in insight["evidence_items"]],
        "counter_items": [_readable(e) for e in insight["counter_items"]],
    }
    return render("insights.html", "card", shown, questions or {}, CONFIDENCE_COLOURS, view, outcomes)


def cards_html(result: dict[str, Any], today: dt.date | None = None) -> Markup:
    """All insight cards of a study."""
    questions = {q["id"]: q["text"] for q in result["research_questions"]}
    if not result["insights"]:
        return render("report.html", "info", "No insights yet.")
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
    if not kind:
        return "text-align:center"
    # Ink set with the fill: in the dark theme inherited light text on a pale fill is unreadable.
    fill = MATRIX_COLOURS[kind]
    return f"background-color:{fill};color:{text_colour_on(fill)};text-align:center"


def _header(field: str) -> str:
    """A column header in words (``decided_on`` -> "Decided on"), from ``data/reader_words.csv``."""
    return reader_word(f"header.{field}", field.replace("_", " ").capitalize())[0]


def coverage_frame(result: dict[str, Any]) -> pd.DataFrame:
    """Research questions with their status and the insights that answer them."""
    cols = ["Question", "Status", "Answered by", "Ref"]
    return pd.DataFrame(
        [[q["text"], q["status"], ", ".join(q["insights"]), q["id"]] for q in result["research_questions"]],
        columns=cols,
    )


DECISION_LOG_FIELDS = ("decided_on", "action", "status", "decided_by", "owner", "metric", "insight", "id", "note")


def decision_log_frame(result: dict[str, Any]) -> pd.DataFrame:
    """Decided recommendations, oldest decision first, under headers in words."""
    rows = [[r.get(f) or "" for f in DECISION_LOG_FIELDS] for r in result["decision_log"]]
    return pd.DataFrame(rows, columns=[_header(f) for f in DECISION_LOG_FIELDS])


def candidates_html(result: dict[str, Any]) -> Markup:
    """Drafts still waiting for a researcher, in one closed section apart from the findings."""
    waiting = [
        {**c, "evidence_items": [_readable(e) for e in c.get("evidence_items") or []]}
        for c in result["candidates"]
        if not c.get("accepted_as")
    ]
    accepted = [f"{c['id']} → {c['accepted_as']}" for c in result["candidates"] if c.get("accepted_as")]
    return render("insights.html", "drafts", waiting, accepted)


def show_summary(result: dict[str, Any]) -> None:
    """Display the reader's summary: what was found, what was decided, what is still open."""
    html(summary_html(result))


def show_researcher_notes(result: dict[str, Any]) -> None:
    """Display which files and checks made this page (the site shows it at the end, collapsed)."""
    html(render("insights.html", "researcher_notes", len(result.get("warnings", []))))


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
    """Display the draft insights (one closed section)."""
    html(candidates_html(result))


def show_warnings(result: dict[str, Any]) -> None:
    """Display non-fatal traceability findings, if any."""
    for w in result.get("warnings", []):
        note(w, "warning")
