"""Notebook displays of a synthesis.json (the 02-sessions page).

Everything shown comes from the synthesis dict, whose text is already
redacted and consent-filtered; tables and charts still escape it
(:mod:`kit.display`), since participant text is never trusted as HTML.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kit import display
from kit.outputs.synthesis import Metric, metric_value_parts, metric_value_text
from kit.synthesis.usability_charts import show_sus, show_tasks

# Tableau-like qualitative palette: one colour per tag row of the rainbow table.
RAINBOW = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


MIN_TRANSCRIPT_QUOTE_WORDS = 6
MAX_TRANSCRIPT_QUOTES = 25


def _left(df: pd.DataFrame, caption: str | None = None) -> None:
    """A text table, left-aligned (reading order), escaped by :func:`kit.display.styled`."""
    styler = (
        df.style.hide(axis="index")
        .set_properties(None, **{"text-align": "left", "vertical-align": "top"})  # subset None: every cell
        .set_table_styles([{"selector": "th", "props": "text-align:left"}])
    )
    if caption:
        styler = styler.set_caption(caption)
    display.styled(styler)


def show_overview(s: dict[str, Any]) -> None:
    c = s.get("counts", {})
    display.heading(f"Overview: {s['study']['title']}")
    segs = pd.Series([p["segment"] for p in s["participants"]]).value_counts()
    display.table(
        pd.DataFrame(
            {
                "what": ["participants", "sessions", "notes", "quotes (consented)", "transcript turns", "themes"],
                "count": [
                    len(s["participants"]),
                    c.get("sessions", 0),
                    c.get("notes", 0),
                    c.get("quotes", 0),
                    c.get("transcript_turns", 0),
                    len(s.get("themes", [])),
                ],
            }
        ),
        caption="What the sessions produced",
    )
    display.table(segs.rename_axis("segment").reset_index(name="participants"), caption="Participants by segment")


def show_warnings(s: dict[str, Any]) -> None:
    display.heading("Data warnings")
    if not s.get("warnings"):
        display.note("No problems found in the data files.", "ok")
    for w in s.get("warnings", []):
        display.note(w, "warning")


def show_observers(s: dict[str, Any]) -> None:
    import plotly.graph_objects as go

    o = s["observers"]
    display.heading("Who observed the sessions")
    kind = "ok" if o["pm_observed_sessions"] else "warning"
    display.note(
        f"The PM observed {o['pm_observed_sessions']} of {o['sessions']} sessions; "
        f"{o['observed_sessions']} sessions had at least one observer from the team.",
        kind,
    )
    if o["sessions_by_role"]:
        roles = sorted(o["sessions_by_role"].items(), key=lambda kv: -kv[1])
        fig = go.Figure(go.Bar(x=[r for r, _ in roles], y=[n for _, n in roles], marker_color="#0b5394"))
        fig.update_layout(
            title="Sessions observed, by role",
            yaxis_title="sessions",
            height=300,
            yaxis_range=[0, o["sessions"]],
            margin=dict(t=40, b=40),
        )
        display.chart(fig)
    rows = pd.DataFrame(
        [
            {
                "session": r["session_id"],
                "date": r["date"],
                "participant": ", ".join(r["participants"]),
                "observers": r["observer_count"],
                "roles": ", ".join(r["roles"]),
            }
            for r in o["rows"]
        ]
    )
    _left(rows)
    recorded = [
        (f"{r['session_id']} ({', '.join(r['participants'])}, {r['date']})", r["recording"])
        for r in o["rows"]
        if r.get("recording")
    ]
    if recorded or o.get("recordings_withheld"):
        display.heading("Recordings", 3)
        display.links(recorded)
        if o.get("recordings_withheld"):
            display.note(
                f"{o['recordings_withheld']} recording link(s) withheld: the participant did not "
                "consent to recording links (consent_recording)."
            )


def _rainbow(frame: pd.DataFrame, people: list[str]) -> pd.io.formats.style.Styler:
    """One colour per row, filled where a participant has notes; empty cells stay blank."""
    shown = frame.astype(object)
    shown[people] = frame[people].where(frame[people] > 0, "")

    def colour_row(row: pd.Series) -> list[str]:
        position = frame.index.get_loc(row.name)
        assert isinstance(position, int)  # the tags are the index: each once
        colour = RAINBOW[position % len(RAINBOW)]
        # The digit's ink is computed per fill (white on pale orange was 2.2:1, WCAG asks 4.5:1).
        return [
            f"background-color:{colour};color:{display.text_colour_on(colour)};text-align:center;min-width:2.2em"
            if c in people and v != ""
            else "text-align:center"
            for c, v in row.items()
        ]

    return shown.style.apply(colour_row, axis=1)


def show_tag_matrix(s: dict[str, Any]) -> None:
    tm = s["tag_matrix"]
    display.heading("Tag matrix (rainbow spreadsheet)")
    if not tm["rows"]:
        display.note("No tagged notes yet.")
        return
    frame = pd.DataFrame(
        [
            {
                "participants": r["participant_count"],
                "notes": r["notes"],
                **{p: r["counts"].get(p, 0) for p in tm["participants"]},
            }
            for r in tm["rows"]
        ],
        index=[r["tag"] for r in tm["rows"]],
    )
    frame.index.name = "tag"
    display.note(
        "Cells count a participant's notes with the tag; rows are sorted by how many participants show the tag."
    )
    display.styled(_rainbow(frame, tm["participants"]))


def show_coverage(s: dict[str, Any]) -> None:
    display.heading("Evidence per research question")
    rows = [
        {
            "question": c["id"],
            "text": c["text"],
            "status": c["status"],
            "participants": c["participant_count"],
            "notes": c["notes"],
            "tags found": ", ".join(c["covered_tags"]),
            "tags without notes": ", ".join(c["missing_tags"]),
        }
        for c in s["tag_coverage"]
    ]
    _left(pd.DataFrame(rows))


def show_metrics(s: dict[str, Any]) -> None:
    display.heading("Metrics")
    # Headers in words: "likely range" is the 95% confidence interval (data/reader_words.csv), said once above.
    parts = [metric_value_parts(metric_value_text(Metric.model_validate(m))) for m in s["metrics"]]
    rows = [
        {
            "metric": m["name"],
            "kind": m["kind"],
            "value": p["value"],
            "likely range": f"{p['low']}–{p['high']}" if "low" in p else "",
            "measured": p.get("n", ""),
            "grade": m.get("grade", ""),
            "ref": m["id"],
        }
        for m, p in zip(s["metrics"], parts)
    ]
    if not rows:
        display.note("No task or questionnaire data (tasks.csv, sus.csv).")
        return
    display.note(
        "Behavioural metrics (what people did) come first in a decision; attitudinal ones "
        "(what they said) add context. The likely range is the 95% confidence interval."
    )
    _left(pd.DataFrame(rows))
    show_sus(s)
    show_tasks(s)


def show_themes(s: dict[str, Any]) -> None:
    display.heading("Candidate themes")
    themes = s.get("themes", [])
    if not themes:
        display.note("Too few untagged or many-tagged notes to group into themes.")
        return
    display.note(
        f"Grouped by text similarity (TF-IDF, k-means) from {s.get('theme_basis', 'notes')}. "
        "Candidates for a researcher to name, merge or drop."
    )
    quotes = {q["id"]: q for q in s.get("quotes", [])}
    rows = [
        {
            "theme": t["id"],
            "top terms": ", ".join(t["top_terms"]),
            "participants": t["participant_count"],
            "notes": t["size"],
            "common tags": ", ".join(t["tags"]),
            # participants' own words in quotation marks, researchers' notes without
            "representative quotes and notes": " | ".join(
                f"{q['participant']}: “{q['text']}”"
                if f"Q-{q['note_id']}" in quotes
                else f"{q['participant']}: {q['text']}"
                for q in t["quotes"]
            ),
            "transcript lines sharing its words": " | ".join(
                f"{quotes[i]['speaker']} ({i}): {quotes[i]['text']}"
                for i in t.get("transcript_quotes", [])
                if i in quotes
            ),
        }
        for t in themes
    ]
    _left(pd.DataFrame(rows))


def show_quotes(s: dict[str, Any], per_tag: int = 3) -> None:
    display.heading("Quotes by tag")
    quotes = {q["id"]: q for q in s.get("quotes", [])}
    rows = [
        {
            "tag": r["tag"],
            "quote": qid,
            "participant": ", ".join(quotes[qid]["participants"]),
            "words": quotes[qid]["text"],
        }
        for r in s["tag_matrix"]["rows"]
        for qid in r.get("quotes", [])[:per_tag]
        if qid in quotes
    ]
    if rows:
        _left(pd.DataFrame(rows))
    transcript = [q for q in quotes.values() if q["source"] == "transcript"]
    # Turns like "Yes, that's fine." are not quotes a reader learns from.
    telling = [q for q in transcript if len(q["text"].split()) >= MIN_TRANSCRIPT_QUOTE_WORDS]
    if telling:
        display.heading("From transcripts", 3)
        _left(
            pd.DataFrame(
                [
                    {
                        "quote": q["id"],
                        "session": q["session_id"],
                        "at": _clock(q.get("start")),
                        "participant": q["speaker"],
                        "words": q["text"],
                    }
                    for q in telling[:MAX_TRANSCRIPT_QUOTES]
                ]
            )
        )
        if len(transcript) > MAX_TRANSCRIPT_QUOTES or len(telling) < len(transcript):
            display.note(
                f"{min(len(telling), MAX_TRANSCRIPT_QUOTES)} of {len(transcript)} transcript turns "
                f"shown (at least {MIN_TRANSCRIPT_QUOTE_WORDS} words); all are in synthesis.json "
                "for insights to cite."
            )
    if not rows and not telling:
        display.note("No quotes from participants who consented to quotes.")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    m, sec = divmod(int(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{sec:02d}" if m >= 60 else f"{m}:{sec:02d}"


def show_problems(s: dict[str, Any]) -> None:
    p = s["problems"]
    display.heading("Usability problems by participant")
    if not p["rows"]:
        display.note("No notes of kind 'problem'.")
        return
    frame = pd.DataFrame(
        [
            {**{q: int(q in r["participants"]) for q in p["participants"]}, "participants": r["participant_count"]}
            for r in p["rows"]
        ],
        index=[r["problem"] for r in p["rows"]],
    )
    frame.index.name = "problem (tag)"
    display.styled(_rainbow(frame, p["participants"]))
    d = p["discovery"]
    if d.get("p_adj") is not None:
        display.note(
            f"Average discovery rate p = {d['p_est']:.2f} (adjusted for small samples "
            f"{d['p_adj']:.2f}); with {d['n']} participants about {d['likelihood']:.0%} of problems "
            "of that frequency are seen at least once (1 - (1 - p)^n)."
        )


def show_all(s: dict[str, Any]) -> None:
    """Every section, in page order (the template calls them one per cell)."""
    for show in (
        show_overview,
        show_warnings,
        show_observers,
        show_metrics,
        show_tag_matrix,
        show_coverage,
        show_themes,
        show_quotes,
        show_problems,
    ):
        show(s)
