"""A recorded A/B test (a recommendation's ab_result): judged by the interval rule, shown on the card instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights_fixture import insights_copy, make_study
from kit.errors import InsightError
from kit.insights.report import card_html
from kit.insights.stage import run_insights_stage

# An A/B result as an experiment tool reports it: a conversion-rate difference (treatment minus control)
# of +1.2 points with its 95% interval, +0.4 to +2.0 points.
AB = {"difference": 0.012, "ci_low": 0.004, "ci_high": 0.020, "source": "https://experiments.example.com/exp/88"}


def _spec(**fields: object) -> dict:
    spec = insights_copy()
    spec["insights"][0]["recommendations"][0].update(fields)
    return spec


@pytest.mark.parametrize(
    ("ab", "baseline", "target", "verdict"),
    [
        (AB, 0.60, 0.64, "moved"),  # the whole interval above zero, and the target is up
        (AB, 0.60, 0.55, "not moved"),  # above zero, but the target was down
        ({**AB, "ci_low": -0.002}, 0.60, 0.64, "not moved"),  # the interval holds zero
        (AB, None, None, "inconclusive"),  # no baseline and target: no direction to judge
    ],
)
def test_the_ab_result_gets_the_interval_rules_verdict(tmp_path: Path, ab, baseline, target, verdict):
    spec = _spec(ab_result=ab, baseline=baseline, target=target, outcome=None)
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    recorded = result["recommendations"][0]["ab_result"]
    assert recorded["verdict"] == verdict
    assert (recorded["difference"], recorded["ci_low"], recorded["ci_high"]) == (
        ab["difference"],
        ab["ci_low"],
        ab["ci_high"],
    )


def test_the_card_shows_the_ab_test_instead_of_the_before_after(tmp_path: Path):
    spec = _spec(ab_result=AB, baseline=0.60, target=0.64)
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    html = str(card_html(result["insights"][0], {}, "fixture"))
    assert "A/B test" in html and "+1.2 points" in html and "+0.4 points to +2.0 points" in html
    assert 'href="https://experiments.example.com/exp/88"' in html
    assert "Before and after shipping" not in html


def test_a_recorded_outcome_the_ab_test_contradicts_is_a_warning(tmp_path: Path):
    spec = _spec(ab_result=AB, baseline=0.60, target=0.64, outcome="not moved")
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    warned = [w for w in result["warnings"] if "A/B test suggests 'moved'" in str(w)]
    assert len(warned) == 1


def test_an_interval_that_does_not_hold_its_difference_is_refused_naming_the_recommendation(tmp_path: Path):
    spec = _spec(ab_result={**AB, "ci_low": 0.015})
    with pytest.raises(InsightError) as err:
        run_insights_stage(make_study(tmp_path, insights=spec))
    assert "ab_result" in str(err.value) and "ci_low <= difference <= ci_high" in str(err.value)
