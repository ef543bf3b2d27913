"""Before and after a recommendation shipped: the PM metric's difference, its 95% interval, a suggested verdict.

The windows (README, "Recommendation outcomes"): ``window_days`` days before
``shipped_on`` (``shipped_on`` itself excluded) and ``window_days`` days from
``shipped_on + ramp_days`` (the roll-out days in between are left out).

* A rate (``date,successes,trials``): the successes and trials of each window
  are pooled and the difference of the two proportions (after - before) gets
  Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation for
  the difference between independent proportions", Statistics in Medicine
  17:873-890, method 10), from
  ``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")``.
* Plain values (``date,value``): the difference of the daily means (after -
  before) gets Welch's interval, mean_a - mean_b ± t(df) · sqrt(s_a²/n_a +
  s_b²/n_b) with the Welch-Satterthwaite df = (s_a²/n_a + s_b²/n_b)² /
  ((s_a²/n_a)²/(n_a-1) + (s_b²/n_b)²/(n_b-1)) (Welch 1947, Biometrika 34:28-35),
  from ``scipy.stats.ttest_ind(equal_var=False).confidence_interval``.

The verdict is a suggestion, the outcome the researcher records is theirs:
``moved`` when the interval excludes 0 on the side the target lies from the
baseline; ``not moved`` when it includes 0, or excludes it on the other side;
``inconclusive`` with too few days or trials (thresholds: ``data/outcome_rules.yml``)
or when the change has no direction to judge it by (no baseline and target).
This is a before/after comparison, not an experiment: anything else that
changed between the windows (season, campaigns, other releases) moves the
metric too, and daily values are not independent; the page says so.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Any

import numpy as np
import yaml

from kit.layout import kit_data
from kit.study.metric_series import MetricSeries

NEWCOMBE = "difference of two proportions, Newcombe's hybrid score interval (statsmodels, method='newcomb')"
WELCH = "difference of daily means, Welch's t interval (unequal variances; scipy.stats.ttest_ind)"
CHART_MARGIN_DAYS = 7  # days of the series shown on either side of the two windows


@lru_cache(maxsize=1)
def outcome_rules() -> dict[str, float]:
    """``data/outcome_rules.yml``: the least data a verdict needs, and the interval's level."""
    rules: dict[str, float] = yaml.safe_load(kit_data("outcome_rules.yml"))
    return rules


def windows(shipped_on: dt.date, window_days: int, ramp_days: int) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(before_from, before_to, after_from, after_to), each end inclusive."""
    after_from = shipped_on + dt.timedelta(days=ramp_days)
    return (
        shipped_on - dt.timedelta(days=window_days),
        shipped_on - dt.timedelta(days=1),
        after_from,
        after_from + dt.timedelta(days=window_days - 1),
    )


def _between(days: np.ndarray, start: dt.date, end: dt.date) -> np.ndarray:
    return (days >= np.datetime64(start, "D")) & (days <= np.datetime64(end, "D"))


def _direction(baseline: float | None, target: float | None) -> int:
    if baseline is None or target is None or target == baseline:
        return 0
    return 1 if target > baseline else -1


def _rate(series: MetricSeries, before: np.ndarray, after: np.ndarray, level: float) -> dict[str, Any]:
    from statsmodels.stats.proportion import confint_proportions_2indep

    assert series.successes is not None and series.trials is not None  # a rate
    s_b, n_b = float(series.successes[before].sum()), float(series.trials[before].sum())
    s_a, n_a = float(series.successes[after].sum()), float(series.trials[after].sum())
    out: dict[str, Any] = {"method": NEWCOMBE, "trials_before": int(n_b), "trials_after": int(n_a)}
    out["successes_before"], out["successes_after"] = int(s_b), int(s_a)
    if n_b and n_a:
        out["before"], out["after"] = s_b / n_b, s_a / n_a
        out["difference"] = out["after"] - out["before"]
        low, high = confint_proportions_2indep(s_a, n_a, s_b, n_b, method="newcomb", compare="diff", alpha=1 - level)
        out["ci_low"], out["ci_high"] = float(low), float(high)
    return out


def _values(series: MetricSeries, before: np.ndarray, after: np.ndarray, level: float) -> dict[str, Any]:
    from scipy import stats

    x_b, x_a = series.values[before], series.values[after]
    out: dict[str, Any] = {"method": WELCH}
    if len(x_b) and len(x_a):
        out["before"], out["after"] = float(x_b.mean()), float(x_a.mean())
        out["difference"] = out["after"] - out["before"]
    if len(x_b) >= 2 and len(x_a) >= 2 and (x_b.var() > 0 or x_a.var() > 0):
        interval = stats.ttest_ind(x_a, x_b, equal_var=False).confidence_interval(level)
        out["ci_low"], out["ci_high"] = float(interval.low), float(interval.high)
    return out


def _too_little(result: dict[str, Any], window_days: int, rules: dict[str, float]) -> str | None:
    need = max(int(rules["min_days"]), math.ceil(rules["min_day_share"] * window_days))
    for side in ("before", "after"):
        days = result[f"days_{side}"]
        if days < need:
            return f"too few days with data {side} shipping ({days} of {window_days}; at least {need} needed)"
    if "trials_before" in result:
        for side in ("before", "after"):
            n, s = result[f"trials_{side}"], result[f"successes_{side}"]
            if n < rules["min_trials"]:
                return f"too few trials {side} shipping ({n}; at least {int(rules['min_trials'])} needed)"
            if min(s, n - s) < rules["min_successes"]:
                return f"too few successes or failures {side} shipping (at least {int(rules['min_successes'])} of each)"
    if result.get("ci_low") is None:
        return "the days do not vary enough to give an interval"
    return None


def verdict(result: dict[str, Any], window_days: int, baseline: float | None, target: float | None) -> tuple[str, str]:
    """(verdict, why) from a comparison's figures (see the module's docstring)."""
    rules = outcome_rules()
    if (why := _too_little(result, window_days, rules)) is not None:
        return "inconclusive", why
    return interval_verdict(result["ci_low"], result["ci_high"], rules["confidence"], baseline, target)


def interval_verdict(
    low: float, high: float, confidence: float, baseline: float | None, target: float | None
) -> tuple[str, str]:
    """(verdict, why) from an interval of the difference: ``moved`` when it excludes zero on the target's side.

    The target's side is the sign of ``target - baseline``; without both there is no direction to judge.
    Also the rule for a recorded A/B result (:mod:`kit.insights.outcomes`).
    """
    level = f"{confidence:.0%}"
    if low <= 0 <= high:
        return "not moved", f"the {level} interval includes zero (no change)"
    direction = _direction(baseline, target)
    if direction == 0:
        return "inconclusive", "the metric changed, but without a baseline and a target there is no direction to judge"
    if (1 if low > 0 else -1) == direction:
        return "moved", f"the whole {level} interval lies on the target's side of zero"
    return "not moved", f"the whole {level} interval lies on the other side of zero: away from the target"


def before_after(
    series: MetricSeries,
    shipped_on: dt.date,
    window_days: int,
    ramp_days: int = 0,
    baseline: float | None = None,
    target: float | None = None,
) -> dict[str, Any]:
    """The comparison as insights.json's ``before_after`` (see :class:`kit.outputs.insights.BeforeAfter`)."""
    level = outcome_rules()["confidence"]
    before_from, before_to, after_from, after_to = windows(shipped_on, window_days, ramp_days)
    before = _between(series.dates, before_from, before_to)
    after = _between(series.dates, after_from, after_to)
    result = (_rate if series.is_rate else _values)(series, before, after, level)
    result.update(
        kind="rate" if series.is_rate else "value",
        days_before=int(before.sum()),
        days_after=int(after.sum()),
        before_from=before_from.isoformat(),
        before_to=before_to.isoformat(),
        after_from=after_from.isoformat(),
        after_to=after_to.isoformat(),
        confidence=level,
    )
    result["verdict"], result["reason"] = verdict(result, window_days, baseline, target)
    shown = _between(
        series.dates,
        before_from - dt.timedelta(days=CHART_MARGIN_DAYS),
        after_to + dt.timedelta(days=CHART_MARGIN_DAYS),
    )
    result["daily"] = {
        "dates": [str(d) for d in series.dates[shown]],
        "values": [float(v) for v in series.values[shown]],
    }
    return result
