"""Sample sizes against published worked examples."""

from __future__ import annotations

import pytest

from kit.plan.sample_size import (
    adjusted_wald,
    completion_margin,
    discovery_probability,
    expected_rate,
    is_rate_metric,
    n_for_discovery,
    sample_plan,
)


def test_five_users_see_a_31_percent_problem_with_probability_084():
    # Nielsen & Landauer (1993): average problem frequency p = 0.31; five users
    # find 1-(1-0.31)^5 = 0.84 of problems (Sauro & Lewis 2016, ch. 7).
    assert discovery_probability(0.31, 5) == pytest.approx(0.84, abs=0.005)
    assert discovery_probability(0.31, 0) == 0


def test_n_needed_is_the_smallest_n_reaching_the_goal():
    # 5 users give 0.8436 < 0.85, so 85% needs 6 at p = 0.31.
    assert n_for_discovery(0.31, 0.85) == 6
    # Sauro & Lewis 2016, Table 7.1 (85% goal): p=0.50 -> 3, p=0.25 -> 7.
    assert n_for_discovery(0.50, 0.85) == 3
    assert n_for_discovery(0.25, 0.85) == 7
    for p in (0.05, 0.1, 0.15, 0.31, 0.5):
        n = n_for_discovery(p)
        assert discovery_probability(p, n) >= 0.85 > discovery_probability(p, n - 1)


def test_n_for_discovery_is_not_fooled_by_floating_point():
    # 1-(1-0.5)^2 = 0.75 exactly: two participants reach a 75% goal.
    assert n_for_discovery(0.5, 0.75) == 2


def test_adjusted_wald_matches_tullis_and_albert_worked_example():
    # Tullis & Albert, Measuring the User Experience, p. 69 (measuringux.com/adjustedwald.htm):
    # 4 of 5 succeed -> p_adj 0.6696, margin 0.3100, interval 36% to 98%.
    w = adjusted_wald(4, 5)
    assert w["p_adj"] == pytest.approx(0.6696, abs=1e-4)
    assert w["margin"] == pytest.approx(0.3100, abs=1e-3)
    assert w["low"] == pytest.approx(0.3596, abs=1e-3)
    assert w["high"] == pytest.approx(0.9796, abs=1e-3)


def test_adjusted_wald_point_estimate_matches_sauro_calculator_note():
    # Sauro (measuringu.com/wald.htm): 9 of 10 -> (9 + 1.96²/2) / (10 + 1.96²), about 11/14.
    assert adjusted_wald(9, 10)["p_adj"] == pytest.approx(10.92 / 13.84, abs=1e-3)
    assert adjusted_wald(10, 10)["high"] == 1.0  # clipped


def test_completion_margin_shrinks_with_n_and_is_widest_at_half():
    assert completion_margin(20)["margin"] < completion_margin(8)["margin"]
    assert completion_margin(8, 0.5)["margin"] > completion_margin(8, 0.85)["margin"]
    with pytest.raises(ValueError):
        completion_margin(8, 1.5)


def test_expected_rate_and_rate_metrics():
    assert expected_rate(">= 85%") == pytest.approx(0.85)
    assert expected_rate("<= 120 s median") is None
    assert is_rate_metric("Task completion rate", "80%")
    assert not is_rate_metric("Time to complete checkout", "<= 120 s")
    assert not is_rate_metric("Share of workspaces that invite in week 1", ">= 40%")  # analytics


def test_sample_plan_warns_about_small_samples_and_wide_margins():
    s = sample_plan(
        {"A": 3, "B": 2},
        [
            {"name": "Task completion", "kind": "behavioural", "target": "80%"},
            {"name": "Task completion (said)", "kind": "attitudinal", "target": "80%"},
        ],
    )
    assert s["total"] == 5
    assert len(s["completion_margins"]) == 1  # attitudinal metrics get no margin
    text = " ".join(s["warnings"])
    assert "6 are needed for 85%" in text
    assert "Segment 'B' has 2" in text
    assert "direction, not a measurement" in text
    assert sample_plan({}, [])["warnings"] == ["No participants planned yet (participants_per_segment is empty)."]
