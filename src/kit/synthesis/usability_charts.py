"""Charts of a synthesis.json's usability metrics (the 02-sessions page): SUS, task completion, time, SEQ.

Shown by :func:`kit.synthesis.report.show_metrics` under its table; plotly is
imported when a chart is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from kit import display

if TYPE_CHECKING:
    import plotly.graph_objects as go


def _metrics(s: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [m for m in s.get("metrics", []) if m["id"].startswith(prefix)]


def _ci_bar(
    items: list[dict[str, Any]], title: str, axis: str, scale: float = 1.0, rng: list[float] | None = None
) -> go.Figure:
    import plotly.graph_objects as go

    # Plotly reads labels as HTML: Markup.format escapes the task name and keeps the kit's <br>.
    names = [Markup("{}<br>n={}").format(m.get("task") or m["label"], m["n"]) for m in items]
    values = [(m["value"] or 0) * scale for m in items]
    hi = [((m["ci_high"] if m["ci_high"] is not None else m["value"]) * scale) - v for m, v in zip(items, values)]
    lo = [v - ((m["ci_low"] if m["ci_low"] is not None else m["value"]) * scale) for m, v in zip(items, values)]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=values,
            marker_color="#0b5394",
            error_y=dict(type="data", symmetric=False, array=hi, arrayminus=lo),
        )
    )
    fig.update_layout(title=title, yaxis_title=axis, height=340, margin=dict(t=40, b=40))
    if rng:
        fig.update_yaxes(range=rng)
    return fig


def show_sus(s: dict[str, Any]) -> None:
    import plotly.graph_objects as go

    sus = _metrics(s, "M-SUS")
    if not sus:
        return
    m = sus[0]
    display.heading("System Usability Scale", 3)
    display.note(
        f"Mean SUS {m['value']:.1f} (grade {m['grade']} on the Sauro-Lewis curved scale), "
        f"n={m['n']}; 68 is the average of many studies."
    )
    scores = m["scores"]
    fig = go.Figure(
        go.Bar(
            x=[x["participant"] for x in scores],
            y=[x["score"] for x in scores],
            marker_color="#6fa8dc",
            name="participant",
        )
    )
    fig.add_hline(y=m["value"], line_color="#0b5394", annotation_text=f"mean {m['value']:.1f}")
    if m["ci_low"] is not None:
        fig.add_hrect(y0=m["ci_low"], y1=m["ci_high"], fillcolor="#0b5394", opacity=0.1, line_width=0)
    fig.add_hline(
        y=68, line_dash="dot", line_color="#999", annotation_text="68 (average)", annotation_position="bottom right"
    )
    fig.update_layout(
        title="SUS score per participant, mean and 95% interval",
        yaxis_range=[0, 100],
        height=340,
        margin=dict(t=40, b=40),
    )
    display.chart(fig)


def show_tasks(s: dict[str, Any]) -> None:
    comp, time, seq = _metrics(s, "M-COMPLETION-"), _metrics(s, "M-TIME-"), _metrics(s, "M-SEQ-")
    if comp:
        display.heading("Task completion", 3)
        display.chart(_ci_bar(comp, "Completion rate with adjusted-Wald 95% interval", "% completed", 100, [0, 100]))
    if time:
        display.heading("Time on task", 3)
        display.note(
            "Geometric mean of successful attempts only (failed attempts end at arbitrary times), "
            "with a 95% interval computed on log times."
        )
        display.chart(_ci_bar(time, "Time on task (geometric mean, 95% interval)", "seconds"))
    if seq:
        display.chart(_ci_bar(seq, "Single Ease Question (1 very difficult - 7 very easy)", "mean SEQ", 1, [1, 7]))
