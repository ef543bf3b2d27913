"""The insights stage and the lifecycle: defaults in insights.json, review warnings, bad replacements, cards."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from insights_fixture import insights_copy, make_study
from kit.errors import InsightError
from kit.insights.report import cards_html
from kit.insights.stage import run_insights_stage


def _line_of(path: Path, insight: str, key: str) -> int:
    lines = path.read_text().splitlines()
    start = next(n for n, text in enumerate(lines) if text.strip() == f"- id: {insight}")
    return next(n for n in range(start, len(lines)) if lines[n].strip().startswith(f"{key}:")) + 1


def test_defaults_are_resolved_into_insights_json(tmp_path: Path):
    (tmp_path / "lifecycle.yml").write_text("review_after_months: 12\nproduct_areas: {Checkout: 6}\n")
    spec = insights_copy()
    spec["insights"][1] |= {"reviewed_on": "2026-03-01", "superseded_by": "other-study/I3"}
    result = run_insights_stage(make_study(tmp_path, insights=spec), today=dt.date(2026, 3, 2))
    first, second = result["insights"]
    # No sessions.csv: the study found its insights by its deadline (2026-02-02); Checkout reviews after 6 months.
    assert (first["status"], first["review_by"], first["found_on"]) == ("confirmed", "2026-08-02", "2026-02-02")
    assert (second["status"], second["review_by"], second["superseded_by"]) == (
        "superseded",
        "2026-09-01",  # six months after its last review
        "other-study/I3",
    )
    written = json.loads((tmp_path / "reports" / "fixture" / "insights.json").read_text())
    assert written["insights"][1]["reviewed_on"] == "2026-03-01"


def test_a_past_review_date_is_a_warning_naming_study_insight_date_and_line(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["review_by"] = "2026-05-02"
    study = make_study(tmp_path, insights=spec)
    line = _line_of(study / "insights.yml", "I1", "review_by")
    before = run_insights_stage(study, today=dt.date(2026, 5, 1))
    assert not any("review due" in w for w in before["warnings"])
    after = run_insights_stage(study, today=dt.date(2026, 6, 1))
    assert [w for w in after["warnings"] if "review due" in w] == [
        f"insights.yml:{line}: insight I1: review due since 2 May 2026 (fixture/I1): check it still holds, "
        "then set reviewed_on and a later review_by, or mark it superseded or archived"
    ]


@pytest.mark.parametrize(
    ("replaced", "message"),
    [
        ({"I1": "I2", "I2": "I1"}, "superseded_by makes a loop: fixture/I1 → fixture/I2 → fixture/I1"),
        ({"I1": "I5"}, "superseded_by 'I5': fixture has no insight I5 (it has I1, I2)"),
        ({"I1": "fixture/I1"}, "superseded_by 'fixture/I1' is the insight itself"),
    ],
)
def test_a_bad_replacement_fails_the_stage_naming_file_line_and_chain(tmp_path: Path, replaced, message):
    spec = insights_copy()
    for ins in spec["insights"]:
        if ins["id"] in replaced:
            ins["superseded_by"] = replaced[ins["id"]]
    study = make_study(tmp_path, insights=spec)
    with pytest.raises(InsightError) as err:
        run_insights_stage(study)
    where = f"insights.yml:{_line_of(study / 'insights.yml', 'I1', 'superseded_by')}: insight I1: "
    assert f"{where}{message}" in str(err.value)
    assert not (tmp_path / "reports" / "fixture" / "insights.json").exists()  # nothing half-published


def test_a_superseded_card_shows_a_banner_linking_across_studies_and_a_current_one_its_review(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["superseded_by"] = "quick-onboarding/I3"
    spec["insights"][0]["recommendations"][0] |= {"status": "shipped"}
    result = run_insights_stage(make_study(tmp_path, insights=spec), today=dt.date(2026, 3, 2))
    html = str(cards_html(result, today=dt.date(2026, 5, 2)))
    first, second = html.split('<section class="kit-insight-card')[1:]
    assert 'href="../quick-onboarding/03-insights.html#insight-I3"' in first and "Superseded" in first
    assert "review due" not in first  # a replaced insight is not reviewed
    assert "found 3 months ago · review due in 9 months" in second and "kit-superseded" not in second
