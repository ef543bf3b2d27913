"""A recommendation's outcome on its insight card: tracker, before/after in words, the series as a chart.

Renders what insights.json holds (:class:`kit.outputs.insights.BeforeAfter`);
nothing is computed here but the wording. The words say what the figures
are, a before/after comparison and not an experiment, and which verdict
is the kit's suggestion and which the researcher's record. The chart draws
each day of the metric, the two windows shaded, their means as lines and the
ship date marked; like every chart of the kit it carries no plotly.js
(:func:`kit.display.chart`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    import plotly.graph_objects as go

WINDOW_COLOURS = {"before": "rgba(120,120,120,0.12)", "after": "rgba(11,83,148,0.12)"}
CAVEAT = (
    "A before/after comparison, not an experiment: anything else that changed between the two windows "
    "(season, campaigns, prices, other releases) moves the metric too, and neighbouring days are not "
    "independent, so the interval may be narrower than the real uncertainty. The suggested verdict is the kit's; "
    "the recorded outcome is the researcher's."
)


def _rate(value: float) -> str:
    return f"{value:.1%}"


def _plain(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _signed(value: float, rate: bool) -> str:
    text = f"{abs(value) * 100:.1f} points" if rate else _plain(abs(value))
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def figures(rec: dict[str, Any]) -> dict[str, str]:
    """The comparison's figures as the card words them (empty strings where there is no figure)."""
    ba = rec["before_after"]
    rate = ba["kind"] == "rate"
    fmt = _rate if rate else _plain
    words = {k: (fmt(ba[k]) if ba.get(k) is not None else "no data") for k in ("before", "after")}
    words["difference"] = _signed(ba["difference"], rate) if ba.get("difference") is not None else ""
    words["interval"] = (
        f"{_signed(ba['ci_low'], rate)} to {_signed(ba['ci_high'], rate)}" if ba.get("ci_low") is not None else ""
    )
    words["level"] = f"{ba.get('confidence', 0.95):.0%}"
    words["trials"] = (
        f"{ba['successes_before']:,} of {ba['trials_before']:,} before, {ba['successes_after']:,} of "
        f"{ba['trials_after']:,} after"
        if rate and ba.get("trials_before") is not None
        else ""
    )
    for key in ("baseline", "target"):
        value = rec.get(key)
        words[key] = "" if value is None else (fmt(value) if not rate or value <= 1 else _plain(value))
    return words


def ab_figures(ab: dict[str, Any]) -> dict[str, str]:
    """A recorded A/B test's difference and interval as the card words them."""
    rate = ab.get("kind", "rate") == "rate"
    return {
        "ab_difference": _signed(ab["difference"], rate),
        "ab_interval": f"{_signed(ab['ci_low'], rate)} to {_signed(ab['ci_high'], rate)}",
        "ab_level": f"{ab.get('confidence', 0.95):.0%}",
    }


def outcome_html(rec: dict[str, Any]) -> Markup:
    """The outcome block of one recommendation (empty when it has nothing about its outcome)."""
    from kit.display import render

    shown = ("tracker", "shipped_on", "metric_id", "check_on", "outcome", "before_after", "ab_result")
    if not any(rec.get(k) for k in shown):
        return Markup("")
    words = figures(rec) if rec.get("before_after") else {}
    if rec.get("ab_result"):
        words |= ab_figures(rec["ab_result"])
    return render("insights.html", "outcome", rec, words, CAVEAT)


def outcome_figure(rec: dict[str, Any]) -> go.Figure:
    """Each day of the metric around the ship date: windows shaded, their means drawn, the ship date marked."""
    import plotly.graph_objects as go

    ba = rec["before_after"]
    rate = ba["kind"] == "rate"
    scale = 100.0 if rate else 1.0
    days = ba["daily"]["dates"]
    fig = go.Figure(
        go.Scatter(
            x=days,
            y=[v * scale for v in ba["daily"]["values"]],
            mode="lines+markers",
            name="each day",
            line={"color": "#444", "width": 1},
            marker={"size": 4},
        )
    )
    for side, start, end in (
        ("before", ba["before_from"], ba["before_to"]),
        ("after", ba["after_from"], ba["after_to"]),
    ):
        # A date axis takes ISO dates where plotly's stubs say numbers: the stubs type only numeric axes.
        fig.add_vrect(
            x0=start,
            x1=_next_day(end),  # type: ignore[arg-type]
            fillcolor=WINDOW_COLOURS[side],
            line_width=0,
            layer="below",
        )
        if ba.get(side) is not None:
            fig.add_trace(
                go.Scatter(
                    x=[start, end],
                    y=[ba[side] * scale] * 2,
                    mode="lines",
                    name=f"{side}: {_rate(ba[side]) if rate else _plain(ba[side])}",
                    line={"color": "#0b5394" if side == "after" else "#777", "width": 3},
                )
            )
    # The ship date as a shape and a text note: add_vline's annotation fails on date axes in some plotly versions.
    fig.add_shape(type="line", x0=rec["shipped_on"], x1=rec["shipped_on"], y0=0, y1=1, yref="paper", line_dash="dash")
    fig.add_annotation(x=rec["shipped_on"], y=1, yref="paper", text="shipped", showarrow=False, yanchor="bottom")
    fig.update_layout(
        title=f"{rec['id']} · {rec.get('metric') or rec['metric_id']}: each day before and after shipping",
        yaxis_title="% of trials" if rate else (rec.get("metric_id") or "value"),
        height=320,
        margin={"t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def _next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
