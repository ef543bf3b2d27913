"""kit.study.lifecycle: statuses, review periods, default review dates, words; the schema's lifecycle keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from insights_fixture import insights_copy
from kit.errors import InsightError
from kit.study import lifecycle
from kit.study.insights_file import validate_insights


def _spec(**keys):
    data = insights_copy()
    data["insights"][1] |= keys
    return validate_insights(data)


def test_status_defaults_to_confirmed_and_to_superseded_when_a_replacement_is_named():
    assert _spec().insights[1].lifecycle == "confirmed"
    assert _spec(superseded_by="other-study/I3").insights[1].lifecycle == "superseded"
    assert _spec(status="archived").insights[1].lifecycle == "archived"
    assert not lifecycle.is_current("superseded") and lifecycle.is_current("confirmed")


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"status": "retired"}, "insight I2: key 'status': expected one of draft, confirmed, superseded, archived"),
        ({"superseded_by": "I-3"}, "insight I2: key 'superseded_by': expected an insight id like I3 or other-study/I3"),
        ({"superseded_by": "../x/I3"}, "expected an insight id like I3 or other-study/I3, got '../x/I3'"),
        ({"status": "superseded"}, "insight I2: status superseded needs superseded_by"),
        ({"status": "confirmed", "superseded_by": "I1"}, "superseded_by 'I1' is set but status is 'confirmed'"),
        ({"review_by": "next spring"}, "insight I2: key 'review_by'"),
    ],
)
def test_bad_lifecycle_keys_name_the_insight_and_key(keys, message):
    with pytest.raises(InsightError) as err:
        _spec(**keys)
    assert message in str(err.value)


def test_review_period_from_the_repository_file_and_per_product_area(tmp_path: Path):
    assert lifecycle.load_settings(tmp_path).months_for("Checkout") == 12  # the kit's default
    (tmp_path / "lifecycle.yml").write_text("review_after_months: 9\nproduct_areas:\n  checkout: 6\n")
    settings = lifecycle.load_settings(tmp_path)
    assert settings.months_for("Checkout") == 6 and settings.months_for("Onboarding") == 9


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("review_after_months: soon\n", "lifecycle.yml: key 'review_after_months'"),
        ("review_after_months: 0\n", "lifecycle.yml: key 'review_after_months': Input should be greater than"),
        ("review_every: 6\n", "lifecycle.yml: key 'review_every'"),
        ("- 6\n", "lifecycle.yml: expected a mapping of keys, got list"),
        ("review_after_months: [6\n", "lifecycle.yml:2: not valid YAML"),
    ],
)
def test_a_bad_lifecycle_file_names_the_file_and_key(tmp_path: Path, text: str, message: str):
    (tmp_path / "lifecycle.yml").write_text(text)
    with pytest.raises(InsightError) as err:
        lifecycle.load_settings(tmp_path)
    assert message in str(err.value)


def test_default_review_date_counts_calendar_months_from_the_last_review_else_the_finding():
    found = dt.date(2026, 1, 31)
    assert lifecycle.default_review_by(found, None, 1) == dt.date(2026, 2, 28)
    assert lifecycle.default_review_by(found, dt.date(2026, 6, 15), 12) == dt.date(2027, 6, 15)


def test_last_session_is_the_latest_session_held(tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "sessions.csv").write_text(
        "session_id,participant_id,date,moderator,observers,attended\n"
        "S01,P1,2026-10-19,Sam,,yes\nS02,P2,2026-10-23,Sam,,\nS03,P3,2026-11-02,Sam,,no-show\n"
    )
    assert lifecycle.last_session(tmp_path) == dt.date(2026, 10, 23)
    assert lifecycle.last_session(tmp_path / "nowhere") is None


@pytest.mark.parametrize(
    ("review_by", "words"),
    [
        (dt.date(2027, 3, 3), "review due in 9 months"),
        (dt.date(2026, 6, 10), "review due in 1 week"),
        (dt.date(2026, 6, 3), "review due today"),
        (dt.date(2026, 5, 2), "review due since 2 May 2026"),
    ],
)
def test_review_date_in_words(review_by: dt.date, words: str):
    assert lifecycle.review_words(review_by, dt.date(2026, 6, 3)) == words


def test_age_in_words_prefers_the_last_review():
    today = dt.date(2026, 12, 3)
    assert lifecycle.age_words(dt.date(2026, 7, 1), None, today) == "found 5 months ago"
    assert lifecycle.age_words(dt.date(2026, 7, 1), dt.date(2026, 9, 1), today) == "reviewed 3 months ago"


def test_review_due_warns_only_for_a_current_insight_whose_date_has_passed():
    today = dt.date(2026, 12, 3)
    due = lifecycle.review_due("insights.yml:9: insight I6", "demo", "I6", "confirmed", dt.date(2026, 12, 1), today)
    assert due is not None and not due.fatal
    assert str(due).startswith("insights.yml:9: insight I6: review due since 1 December 2026 (demo/I6)")
    assert lifecycle.review_due("x", "demo", "I6", "confirmed", dt.date(2026, 12, 4), today) is None
    assert lifecycle.review_due("x", "demo", "I6", "superseded", dt.date(2026, 1, 1), today) is None
