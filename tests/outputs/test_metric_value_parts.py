"""metric_value_parts reads metric_value_text's line back into parts, for pages that word the interval."""

from __future__ import annotations

import pytest

from kit.outputs.synthesis import Metric, metric_value_parts, metric_value_text


@pytest.mark.parametrize(
    "metric, parts",
    [
        (
            {"value": 0.83, "unit": "%", "ci_low": 0.44, "ci_high": 0.97, "n": 6},
            {"value": "83%", "low": "44", "high": "97", "n": "6"},
        ),
        (
            {"value": 220.0, "unit": "s", "ci_low": 118.4, "ci_high": 408.8, "n": 6},
            {"value": "220 s", "low": "118.4", "high": "408.8", "n": "6"},
        ),
        (  # an NPS below zero: the minus signs are not the range's dash
            {"value": -12.5, "unit": "", "ci_low": -40.0, "ci_high": -2.5, "n": 8},
            {"value": "-12.5", "low": "-40", "high": "-2.5", "n": "8"},
        ),
        ({"value": 5.2, "unit": "1-7", "n": 3}, {"value": "5.2 (scale 1-7)", "n": "3"}),
    ],
)
def test_parts_of_the_kits_own_lines(metric: dict, parts: dict):
    full = Metric.model_validate(
        {"id": "M-X", "name": "x", "label": "x", "kind": "behavioural", "participants": [], **metric}
    )
    assert metric_value_parts(metric_value_text(full)) == parts


def test_a_line_of_another_form_is_all_value():
    assert metric_value_parts("about half") == {"value": "about half"}
    assert metric_value_parts("") == {"value": ""}
