"""Before/after a ship date: the windows, the intervals against statsmodels called here, and the suggested verdict."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from kit.insights.before_after import NEWCOMBE, WELCH, before_after, outcome_rules, windows
from kit.study.metric_series import MetricSeries

SHIP = dt.date(2026, 11, 16)


def _rate(days: pd.DatetimeIndex, successes: np.ndarray, trials: np.ndarray) -> MetricSeries:
    s, n = successes.astype(float), trials.astype(float)
    return MetricSeries("m", "metrics/m.csv", days.values.astype("datetime64[D]"), s / n, s, n)


def _values(days: pd.DatetimeIndex, values: np.ndarray) -> MetricSeries:
    return MetricSeries("m", "metrics/m.csv", days.values.astype("datetime64[D]"), values.astype(float))


def _checkout_days(seed: int, lift: float, n_days: int = 120) -> pd.DataFrame:
    """A shop's checkouts: ~900 a weekday, more at weekends; completion ~61%, ``lift`` from the ship date."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(SHIP - dt.timedelta(days=80), periods=n_days, freq="D")
    trials = rng.normal(np.where(days.day_of_week >= 5, 1150, 900), 60).astype(int)
    p = 0.61 + np.where(days >= pd.Timestamp(SHIP), lift, 0.0) + rng.normal(0, 0.006, len(days))
    return pd.DataFrame({"date": days, "successes": rng.binomial(trials, p), "trials": trials})


def test_windows_leave_the_ship_day_before_and_the_ramp_out():
    assert windows(SHIP, 28, 0) == (
        dt.date(2026, 10, 19),
        dt.date(2026, 11, 15),
        dt.date(2026, 11, 16),
        dt.date(2026, 12, 13),
    )
    assert windows(SHIP, 14, 3)[2:] == (dt.date(2026, 11, 19), dt.date(2026, 12, 2))


def test_newcombes_published_example_56_of_70_against_48_of_80():
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II: 56/70 - 48/80 = 0.2000,
    # hybrid score interval (method 10) 0.0524 to 0.3339. Seven days each side, pooled per window.
    days = pd.date_range(SHIP - dt.timedelta(days=7), periods=14, freq="D")
    successes = np.array([7, 7, 7, 7, 7, 7, 6] + [8] * 7)
    trials = np.array([12, 12, 12, 11, 11, 11, 11] + [10] * 7)
    assert successes[:7].sum() == 48 and trials[:7].sum() == 80 and successes[7:].sum() == 56
    result = before_after(_rate(days, successes, trials), SHIP, 7)
    assert result["method"] == NEWCOMBE
    assert round(result["difference"], 4) == 0.2
    assert (round(result["ci_low"], 4), round(result["ci_high"], 4)) == (0.0524, 0.3339)
    # 80 and 70 trials are under the rule table's minimum: no verdict from so little.
    assert result["verdict"] == "inconclusive" and "too few trials" in result["reason"]


@pytest.mark.parametrize(("seed", "lift", "window", "ramp"), [(1, 0.03, 28, 0), (2, 0.0, 28, 0), (3, 0.02, 14, 5)])
def test_a_rate_matches_statsmodels_on_the_same_windows(seed: int, lift: float, window: int, ramp: int):
    frame = _checkout_days(seed, lift)
    result = before_after(
        _rate(pd.DatetimeIndex(frame["date"]), frame["successes"], frame["trials"]), SHIP, window, ramp
    )
    ship, after_from = pd.Timestamp(SHIP), pd.Timestamp(SHIP + dt.timedelta(days=ramp))
    before = frame[(frame["date"] >= ship - pd.Timedelta(days=window)) & (frame["date"] < ship)]
    after = frame[(frame["date"] >= after_from) & (frame["date"] < after_from + pd.Timedelta(days=window))]
    low, high = confint_proportions_2indep(
        after["successes"].sum(), after["trials"].sum(), before["successes"].sum(), before["trials"].sum(),
        method="newcomb", compare="diff",
    )  # fmt: skip
    expected = after["successes"].sum() / after["trials"].sum() - before["successes"].sum() / before["trials"].sum()
    assert result["difference"] == pytest.approx(expected, abs=1e-12)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high), abs=1e-12)
    assert (result["days_before"], result["days_after"]) == (len(before), len(after)) == (window, window)
    assert result["trials_after"] == after["trials"].sum()


@pytest.mark.parametrize(("seed", "shift"), [(4, 35.0), (5, 0.0)])
def test_plain_values_match_welchs_interval_from_statsmodels(seed: int, shift: float):
    rng = np.random.default_rng(seed)
    days = pd.date_range(SHIP - dt.timedelta(days=40), periods=80, freq="D")
    # Average order value per day: the spread changes after the launch (unequal variances).
    values = np.where(days >= pd.Timestamp(SHIP), rng.normal(64 + shift, 9, 80), rng.normal(64, 4, 80))
    result = before_after(_values(days, values), SHIP, 28)
    in_before = (days >= pd.Timestamp(SHIP - dt.timedelta(days=28))) & (days < pd.Timestamp(SHIP))
    in_after = (days >= pd.Timestamp(SHIP)) & (days < pd.Timestamp(SHIP + dt.timedelta(days=28)))
    compare = CompareMeans(DescrStatsW(values[in_after]), DescrStatsW(values[in_before]))
    assert result["method"] == WELCH
    assert result["difference"] == pytest.approx(values[in_after].mean() - values[in_before].mean(), abs=1e-9)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(compare.tconfint_diff(usevar="unequal"), abs=1e-9)


def test_the_verdict_follows_the_interval_and_the_target_direction():
    frame = _checkout_days(6, 0.03)
    series = _rate(pd.DatetimeIndex(frame["date"]), frame["successes"], frame["trials"])
    up = before_after(series, SHIP, 28, baseline=0.61, target=0.64)
    assert up["ci_low"] > 0 and up["verdict"] == "moved"
    down = before_after(series, SHIP, 28, baseline=0.61, target=0.55)  # the team wanted fewer (e.g. an error rate)
    assert down["verdict"] == "not moved" and "away from the target" in down["reason"]
    undirected = before_after(series, SHIP, 28)
    assert undirected["verdict"] == "inconclusive" and "no direction" in undirected["reason"]
    flat = _checkout_days(7, 0.0)
    same = before_after(
        _rate(pd.DatetimeIndex(flat["date"]), flat["successes"], flat["trials"]), SHIP, 28, 0, 0.61, 0.64
    )
    assert same["ci_low"] < 0 < same["ci_high"] and same["verdict"] == "not moved"


def test_too_few_days_after_shipping_is_inconclusive_whatever_the_interval():
    frame = _checkout_days(8, 0.05, n_days=90)  # ends 9 days after the ship date
    result = before_after(
        _rate(pd.DatetimeIndex(frame["date"]), frame["successes"], frame["trials"]), SHIP, 28, 0, 0.6, 0.7
    )
    need = max(outcome_rules()["min_days"], 14)
    assert result["days_after"] == 10 < need
    assert result["verdict"] == "inconclusive" and "too few days with data after shipping (10 of 28" in result["reason"]


def test_the_chart_days_cover_both_windows_with_a_margin():
    frame = _checkout_days(9, 0.0)
    result = before_after(_rate(pd.DatetimeIndex(frame["date"]), frame["successes"], frame["trials"]), SHIP, 14, 2)
    assert result["daily"]["dates"][0] == "2026-10-26" and result["daily"]["dates"][-1] == "2026-12-08"
    assert len(result["daily"]["values"]) == len(result["daily"]["dates"]) == 44
