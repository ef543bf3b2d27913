"""The insight editor edits a recommendation's A/B result as a small nested form; left empty, none is saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.forms.insight_editor import build_insights_form
from kit.insights.stage import load_insights


@pytest.fixture
def study(demo_repo: Path) -> Path:
    return demo_repo / "notebooks" / "demo-checkout"


def _first_recommendation(form):
    insight = form.form.editors["insights"].rows[0][0]
    return insight.editors["recommendations"].rows[0][0]


def test_an_empty_ab_result_saves_nothing_and_a_filled_one_round_trips(study: Path):
    form = build_insights_form(study)
    form.save_button.click()  # nothing filled in: no ab_result appears (its choices and defaults alone are no record)
    assert "No changes to save" in form.status.value, form.status.value
    assert all(r.ab_result is None for i in load_insights(study).insights for r in i.recommendations)

    form = build_insights_form(study)
    ab = _first_recommendation(form).editors["ab_result"]
    ab.editors["difference"].input.value = "0.012"
    ab.editors["ci_low"].input.value = "0.004"
    ab.editors["ci_high"].input.value = "0.02"
    ab.editors["source"].input.value = "https://experiments.example.com/exp/88"
    form.save_button.click()
    assert "Saved" in form.status.value, form.status.value
    saved = load_insights(study).insights[0].recommendations[0].ab_result
    assert saved is not None and (saved.difference, saved.ci_low, saved.ci_high) == (0.012, 0.004, 0.02)
    assert saved.source == "https://experiments.example.com/exp/88" and saved.kind == "rate"

    form = build_insights_form(study)  # read back into the form, and saved again unchanged
    assert _first_recommendation(form).editors["ab_result"].get()["ci_high"] == 0.02
