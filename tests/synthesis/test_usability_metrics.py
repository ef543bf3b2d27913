"""Metrics against published worked examples (each cited next to its test)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kit.synthesis import usability_metrics as metrics


def test_sus_scoring_rule_brooke_1996():
    # Brooke (1996): odd items contribute answer-1, even items 5-answer; sum x 2.5.
    assert metrics.sus_score([5, 1] * 5) == 100
    assert metrics.sus_score([1, 5] * 5) == 0
    assert metrics.sus_score([3] * 10) == 50


def test_sus_contribution_sum_22_is_55_tullis_albert():
    # Tullis & Albert, Measuring the User Experience (2013), section 6.5: contributions
    # summing to 22 give a SUS score of 55. These answers contribute 3,2,2,3,2,2,3,2,2,1 = 22.
    answers = [4, 3, 3, 2, 3, 3, 4, 3, 3, 4]
    assert sum((a - 1) if i % 2 == 0 else (5 - a) for i, a in enumerate(answers)) == 22
    assert metrics.sus_score(answers) == 55


def test_sus_scores_vectorised_skips_incomplete_rows():
    frame = pd.DataFrame([[5, 1] * 5, [3] * 9 + [float("nan")]], columns=[f"q{i}" for i in range(1, 11)])
    scores = metrics.sus_scores(frame)
    assert scores[0] == 100 and math.isnan(scores[1])
    with pytest.raises(ValueError):
        metrics.sus_score([3] * 9)


@pytest.mark.parametrize(
    "score,grade",
    [
        (100, "A+"),
        (84.1, "A+"),
        (84.0, "A"),
        (80.8, "A"),
        (78.9, "A-"),
        (77.2, "B+"),
        (74.1, "B"),
        (72.6, "B-"),
        (71.1, "C+"),
        (68, "C"),
        (65.0, "C"),
        (62.7, "C-"),
        (51.7, "D"),
        (51.6, "F"),
        (0, "F"),
    ],
)
def test_sus_grade_sauro_lewis_curved_scale(score, grade):
    # Sauro & Lewis (2016), Quantifying the User Experience 2nd ed., Table 8.5 (curved grading scale).
    assert metrics.sus_grade(score) == grade


def test_adjusted_wald_4_of_5_tullis():
    # Tullis, "Calculating a confidence interval for task completion using the adjusted Wald
    # method" (measuringux.com, 2008; Measuring the UX p. 69): 4 of 5 -> 0.3596 to 0.9796.
    est = metrics.adjusted_wald(4, 5)
    assert est.value == pytest.approx(0.8)
    assert est.ci_low == pytest.approx(0.3596, abs=5e-4)
    assert est.ci_high == pytest.approx(0.9796, abs=5e-4)


def test_adjusted_wald_9_of_10_sauro():
    # Sauro, "Confidence interval calculator for a completion rate" (measuringusability.com/wald.htm):
    # 9 of 10 -> adjusted proportion (9 + 1.96^2/2) / (10 + 1.96^2) ~ 11/14. The Wald interval
    # around it, 0.789 +- 0.215, is 0.574 to 1.004, which the method truncates at 1.
    est = metrics.adjusted_wald(9, 10)
    p_adj = (9 + 1.96**2 / 2) / (10 + 1.96**2)
    assert p_adj == pytest.approx(11 / 14, abs=0.01)
    assert est.ci_low == pytest.approx(0.574, abs=1e-3)
    assert est.ci_high == 1.0
    assert est.n == 10


def test_adjusted_wald_zero_successes_never_negative():
    est = metrics.adjusted_wald(0, 5)
    assert est.ci_low == 0.0 and 0 < est.ci_high < 0.5


def test_geometric_mean_interval_sauro_task_times():
    # Sauro, "Graph and calculator for confidence intervals for task times" (measuringu.com, 2006):
    # times 55, 65, 75, 62, 45, 135 s -> average 68 s, 95% CI (46, 101).
    est = metrics.geometric_mean_ci([55, 65, 75, 62, 45, 135])
    assert round(est.value) == 68
    assert round(est.ci_low) == 46 and round(est.ci_high) == 101
    assert est.n == 6


def test_geometric_mean_drops_non_positive_times():
    assert metrics.geometric_mean_ci([0, -3, 10, 10]).n == 2


def test_mean_ci_t_interval_textbook():
    # Values 1..5: mean 3, s = 1.5811, t(0.975, 4) = 2.7764 -> 3 +- 1.963.
    est = metrics.mean_ci([1, 2, 3, 4, 5])
    assert est.value == 3
    assert est.ci_low == pytest.approx(1.037, abs=1e-3) and est.ci_high == pytest.approx(4.963, abs=1e-3)
    assert metrics.mean_ci([4]).ci_low is None


def test_nps_promoters_minus_detractors():
    # Reichheld (2003): 9-10 promoters, 0-6 detractors. 5 promoters, 3 passives, 2 detractors of 10: +30.
    est = metrics.nps([10, 9, 9, 10, 9, 8, 7, 8, 3, 6])
    assert est.value == pytest.approx(30)
    assert est.ci_low < 30 < est.ci_high
    assert est.ci_low >= -100 and est.ci_high <= 100


def test_discovery_likelihood_nielsen_landauer():
    # Nielsen & Landauer (1993) / Nielsen (2000): with p = 0.31, five users find ~85% of problems.
    assert metrics.discovery_likelihood(0.31, 5) == pytest.approx(0.84, abs=0.01)


def test_problem_matrix_and_lewis_adjustment():
    notes = pd.DataFrame(
        {
            "kind": ["problem", "problem", "problem", "observation", "problem"],
            "participant": ["P01", "P02", "P01", "P03", "P03"],
            "tags": [["a"], ["a"], ["b"], ["c"], ["a", "b"]],
        }
    )
    m = metrics.problem_matrix(notes, ["P01", "P02", "P03", "P04"])
    assert list(m.index) == ["a", "b"]  # a: 3 people, b: 2
    assert m.loc["a"].tolist() == [1, 1, 1, 0]
    d = metrics.discovery(m)
    p_est = (3 / 4 + 2 / 4) / 2
    # Lewis (2001): half deflation (p - 1/n)(1 - 1/n), half Good-Turing p / (1 + N1/N); N1 = 0 here.
    expected = 0.5 * (p_est - 0.25) * 0.75 + 0.5 * p_est
    assert d["p_est"] == pytest.approx(p_est) and d["p_adj"] == pytest.approx(expected)
    assert d["likelihood"] == pytest.approx(1 - (1 - expected) ** 4)
