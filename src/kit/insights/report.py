"""The 03-insights page: insight cards, evidence matrix, coverage, decision log, drafts.

Everything here renders ``insights.json`` (the stage result); nothing is
computed that the JSON does not hold, so the page and the repository index
never disagree. Every string is HTML-escaped (participant text may hold
markup). Each card carries the anchor ``insight-<id>`` that the cross-study
index links to (``<slug>/03-insights.html#insight-I1``).
"""
from __future__ import annotations

import pandas as pd

from kit.display import escape, note, styled, table

CONFIDENCE_COLOURS = {"high": "#38761d", "medium": "#b45f06", "low": "#990000"}
MATRIX_SYMBOLS = {"support": "●", "metric": "◦", "counter": "✕", "mixed": "±"}
MATRIX_COLOURS = {"support": "#b6d7a8", "metric": "#d9ead3", "counter": "#f4cccc", "mixed": "#fff2cc"}
MATRIX_LEGEND = ("● seen or said (notes, quotes, themes) · ◦ measured only (metrics) · "
                 "✕ counter-evidence · ± both")
KIND_LABELS = {"note": "note", "quote": "quote", "theme": "theme", "metric": "metric"}

_CARD = ("border:1px solid #ccc;border-left:6px solid {colour};border-radius:4px;"
         "padding:0.6em 1em;margin:1em 0")
_DRAFT = "border:2px dashed #999;border-radius:4px;padding:0.6em 1em;margin:1em 0;background:#fafafa"


def _html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def _who(item: dict) -> str:
    return ", ".join(item.get("participants") or [])


def evidence_html(item: dict) -> str:
    """One evidence item as a list entry: quotes in quote marks under pseudonyms, metric values inline."""
    ident = f'<code class="kit-evidence-id">{escape(item["id"])}</code>'
    kind = item["kind"]
    if kind == "quote" or (kind == "note" and item.get("text", "").startswith("[quote withheld")):
        body = (f'<q>{escape(item["text"])}</q> <span class="kit-who">— {escape(_who(item))}</span>')
    elif kind == "metric":
        body = (f'{escape(item.get("label") or item["id"])}: <strong>{escape(item.get("value", ""))}'
                f'</strong> <span class="kit-who">({len(item.get("participants") or [])} participants)</span>')
    elif kind == "request":  # a feature request: say what it is, so nobody reads it as behaviour
        votes = item.get("votes")
        body = (f'{escape(item.get("text"))} <span class="kit-who">(feature request, '
                f'{escape(item.get("label") or "expressed interest")}'
                f'{f", {int(votes)} votes" if votes is not None else ""})</span>')
    elif kind == "theme":
        body = (f'theme <em>{escape(item.get("label") or item.get("text"))}</em> '
                f'<span class="kit-who">({escape(_who(item))})</span>')
    else:
        body = f'{escape(item.get("text"))} <span class="kit-who">({escape(_who(item))})</span>'
    return f'<li class="kit-evidence kit-evidence-{escape(kind)}">{ident} {body}</li>'


def _recommendations_html(recs: list[dict]) -> str:
    if not recs:
        return "<p><em>No recommendation yet.</em></p>"
    head = "".join(f'<th style="text-align:left">{h}</th>'
                   for h in ("id", "action", "owner", "metric", "priority", "effort", "status", "decided"))
    rows = []
    for r in recs:
        decided = " · ".join(escape(x) for x in (r.get("decided_on"), r.get("decided_by")) if x)
        cells = [r["id"], r["action"], r.get("owner"), r.get("metric"), r.get("priority"),
                 r.get("effort") or ""]
        rows.append("<tr>" + "".join(f'<td style="text-align:left">{escape(c)}</td>' for c in cells)
                    + f'<td style="text-align:left"><span class="kit-status">{escape(r["status"])}</span></td>'
                    + f'<td style="text-align:left">{decided}</td></tr>')
    return (f'<table class="kit-table table table-sm kit-recommendations"><thead><tr>{head}</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table>')


def _confidence_html(conf: dict) -> str:
    level = conf["level"]
    reasons = "".join(f"<li>{escape(r)}</li>" for r in conf["reasons"])
    return (f'<p class="kit-confidence kit-confidence-{escape(level)}"><strong style="color:'
            f'{CONFIDENCE_COLOURS.get(level, "#333")}">Confidence: {escape(level)}</strong></p>'
            f'<ul class="kit-reasons">{reasons}</ul>')


def card_html(insight: dict, questions: dict[str, str] | None = None) -> str:
    """One insight card, anchored ``insight-<id>``."""
    questions = questions or {}
    anchor = f"insight-{insight['id']}"
    level = insight["confidence"]["level"]
    answers = "; ".join(f"{escape(q)} {escape(questions.get(q, ''))}".strip() for q in insight["answers"])
    tags = " ".join(f'<span class="kit-tag">#{escape(t)}</span>' for t in insight["tags"])
    evidence = "".join(evidence_html(e) for e in insight["evidence_items"])
    counter = "".join(evidence_html(e) for e in insight["counter_items"])
    counter_block = (f"<h4>Counter-evidence ({len(insight['counter_items'])})</h4><ul>{counter}</ul>"
                     if counter else "<h4>Counter-evidence</h4><p><em>None cited.</em></p>")
    return (f'<section class="kit-insight-card" id="{escape(anchor)}" '
            f'style="{_CARD.format(colour=CONFIDENCE_COLOURS.get(level, "#999"))}">'
            f'<h3><a href="#{escape(anchor)}">{escape(insight["id"])}</a> · {escape(insight["statement"])}</h3>'
            f'<p class="kit-meta">Answers: {answers or "—"} {tags}</p>'
            f'{_confidence_html(insight["confidence"])}'
            f'<h4>Evidence ({len(insight["evidence_items"])})</h4><ul>{evidence}</ul>'
            f'{counter_block}'
            f'<h4>Recommendations</h4>{_recommendations_html(insight["recommendations"])}'
            f'</section>')


def cards_html(result: dict) -> str:
    """All insight cards of a study."""
    questions = {q["id"]: q["text"] for q in result["research_questions"]}
    if not result["insights"]:
        return '<p class="kit-info">No insights in insights.yml yet: see the drafts below.</p>'
    return "".join(card_html(i, questions) for i in result["insights"])


def evidence_matrix_frame(result: dict) -> pd.DataFrame:
    """Insights (rows) x participants (columns, pseudonym and segment) with symbols."""
    m = result["evidence_matrix"]
    columns = [f"{p['pseudonym']} ({p['segment']})" if p["segment"] else p["pseudonym"]
               for p in m["participants"]]
    data = {row["insight"]: [MATRIX_SYMBOLS.get(row["cells"].get(p["pseudonym"], ""), "")
                             for p in m["participants"]] for row in m["rows"]}
    return pd.DataFrame.from_dict(data, orient="index", columns=columns)


def _colour(symbol: str) -> str:
    kind = {v: k for k, v in MATRIX_SYMBOLS.items()}.get(symbol)
    return f"background-color:{MATRIX_COLOURS[kind]};text-align:center" if kind else "text-align:center"


def coverage_frame(result: dict) -> pd.DataFrame:
    """Research questions with their status and the insights that answer them."""
    return pd.DataFrame([{"question": q["id"], "text": q["text"], "status": q["status"],
                          "insights": ", ".join(q["insights"])} for q in result["research_questions"]],
                        columns=["question", "text", "status", "insights"])


def decision_log_frame(result: dict) -> pd.DataFrame:
    """Decided recommendations, oldest decision first."""
    cols = ["decided_on", "recommendation", "insight", "action", "owner", "status", "decided_by",
            "metric", "note"]
    return pd.DataFrame([{**r, "recommendation": r["id"]} for r in result["decision_log"]],
                        columns=cols)


def candidate_html(draft: dict) -> str:
    """A draft insight: visibly marked, with its evidence and the YAML to paste."""
    evidence = "".join(evidence_html(e) for e in draft.get("evidence_items", []))
    covered = (f' Already cited by {escape(", ".join(draft["covered_by"]))}.'
               if draft.get("covered_by") else "")
    return (f'<section class="kit-candidate" style="{_DRAFT}">'
            f'<p><strong style="color:#b45f06">DRAFT {escape(draft["id"])}</strong> · from '
            f'{escape(draft["source"])} · not an insight until accepted in insights.yml.{covered}</p>'
            f'<p><em>{escape(draft["statement"])}</em></p>'
            f'{_confidence_html(draft["confidence"])}'
            f'<details><summary>Evidence ({len(draft["evidence"])}) and YAML to paste</summary>'
            f'<ul>{evidence}</ul><pre>{escape(draft["yaml"])}</pre></details></section>')


def candidates_html(result: dict) -> str:
    """Drafts still waiting for a researcher; accepted ones in one line."""
    waiting = [c for c in result["candidates"] if not c.get("accepted_as")]
    accepted = [f'{c["id"]} → {c["accepted_as"]}' for c in result["candidates"] if c.get("accepted_as")]
    parts = [candidate_html(c) for c in waiting]
    if accepted:
        parts.append(f'<p class="kit-info">Accepted drafts: {escape(", ".join(accepted))}.</p>')
    return "".join(parts) or '<p class="kit-info">No draft insights: no theme or tag reaches the threshold.</p>'


def show_cards(result: dict) -> None:
    """Display the insight cards."""
    _html(cards_html(result))


def show_evidence_matrix(result: dict) -> None:
    """Display the insights x participants colour table."""
    frame = evidence_matrix_frame(result)
    if frame.empty:
        _html('<p class="kit-info">No insights, so no evidence matrix.</p>')
        return
    # Column headers carry segment names from participants.csv: escape them too.
    styler = frame.style.map(_colour).set_caption(MATRIX_LEGEND)
    styled(styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1))


def show_coverage(result: dict) -> None:
    """Display research-question coverage."""
    table(coverage_frame(result))


def show_decision_log(result: dict) -> None:
    """Display the decision log and how many recommendations await a decision."""
    waiting = [r["id"] for r in result["recommendations"] if r["status"] == "proposed"]
    table(decision_log_frame(result))
    if waiting:
        _html(f'<p class="kit-info">Awaiting a decision: {escape(", ".join(waiting))}.</p>')


def show_candidates(result: dict) -> None:
    """Display the draft insights."""
    _html(candidates_html(result))


def show_warnings(result: dict) -> None:
    """Display non-fatal traceability findings, if any."""
    for w in result.get("warnings", []):
        note(w, "warning")
