"""The insight editor edits each insight's lifecycle: status from the table, dates, superseded_by, checked on save."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from kit.forms.insight_editor import build_insights_form
from kit.insights.stage import load_insights
from kit.study.lifecycle import insight_statuses

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def study(repo: Path) -> Path:
    """The two demo studies as they are: demo-checkout's I2 is superseded by quick-onboarding's I3."""
    for slug in ("demo-checkout", "quick-onboarding"):
        shutil.copytree(ROOT / "notebooks" / slug, repo / "notebooks" / slug)
    shutil.copytree(ROOT / "metrics", repo / "metrics")
    return repo / "notebooks" / "demo-checkout"


def _row(form, insight_id: str):
    rows = form.form.editors["insights"].rows
    return next(editor for editor, _ in rows if editor.editors["id"].input.value == insight_id)


def test_status_review_dates_and_replacement_are_saved(study: Path):
    form = build_insights_form(study)
    row = _row(form, "I5")
    assert [v for _, v in row.editors["status"].input.options][1:] == list(insight_statuses())
    row.editors["status"].input.value = "archived"
    row.editors["review_by"].input.value = dt.date(2027, 3, 1)
    row.editors["reviewed_on"].input.value = dt.date(2026, 12, 2)
    form.save_button.click()
    assert "Saved" in form.status.value, form.status.value
    saved = next(i for i in load_insights(study).insights if i.id == "I5")
    assert (saved.lifecycle, saved.review_by, saved.reviewed_on) == (
        "archived",
        dt.date(2027, 3, 1),
        dt.date(2026, 12, 2),
    )
    # The demo's replacement across studies survives the round trip.
    assert next(i for i in load_insights(study).insights if i.id == "I2").superseded_by == "quick-onboarding/I3"


def test_a_loop_is_refused_beside_superseded_by_and_nothing_is_written(study: Path):
    path = study / "insights.yml"
    before = path.read_bytes()
    form = build_insights_form(study)
    _row(form, "I3").editors["superseded_by"].input.value = "I4"
    four = _row(form, "I4")
    four.editors["superseded_by"].input.value = "I3"
    assert not form.save()
    assert path.read_bytes() == before
    messages = four.editors["superseded_by"].errors.messages
    assert any("loop: demo-checkout/I4 → demo-checkout/I3 → demo-checkout/I4" in m for m in messages), messages
