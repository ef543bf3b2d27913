"""reports/index.json across studies and the CSV/JSON exports."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest

from insights_fixture import STUDY, insights_copy, make_study
from kit.errors import InsightError
from kit.insights.exports import export_insights
from kit.insights.stage import run_insights_stage
from kit.iorw import read_json
from kit.site.index import build_index


def _second_study(root: Path) -> Path:
    study = copy.deepcopy(STUDY) | {
        "title": "Onboarding test",
        "product_area": "Onboarding",
        "start_date": "2026-03-02",
        "deadline": "2026-03-09",
    }
    spec = insights_copy()
    spec["insights"][0]["tags"] = ["payment", "invite"]
    return make_study(root, "onboarding-test", study=study, insights=spec)


def test_index_lists_insights_of_every_study_with_links_and_categories(tmp_path: Path):
    run_insights_stage(make_study(tmp_path))
    run_insights_stage(_second_study(tmp_path))
    build_index(tmp_path / "reports")
    index = read_json(tmp_path / "reports" / "index.json")
    assert [s["slug"] for s in index["studies"]] == ["onboarding-test", "fixture"]  # newest first
    assert index["studies"][1]["owners"] == ["Pat PM", "Uma UXR"]
    assert index["studies"][1]["recommendation_statuses"] == {"accepted": 1, "shipped": 1}
    assert index["studies"][1]["tags"] == ["error", "payment", "shipping-cost"]
    entries = {e["id"]: e for e in index["insights"]}
    assert set(entries) == {"fixture/I1", "fixture/I2", "onboarding-test/I1", "onboarding-test/I2"}
    e = entries["fixture/I1"]
    assert e["href"] == e["path"] == "studies/fixture/03-insights.html#insight-I1"
    assert e["categories"] == ["Checkout", "shipping-cost"]
    assert e["recommendation_statuses"] == ["accepted"]
    assert e["confidence"] in ("low", "medium", "high") and e["confidence_reasons"]
    # A PM looking for "payment" finds insights from both studies.
    payment = {x["study"] for x in index["insights"] if "payment" in x["tags"]}
    assert payment == {"fixture", "onboarding-test"}
    assert index["product_areas"] == ["Checkout", "Onboarding"]


def test_failed_study_is_left_out_and_others_stay(tmp_path: Path):
    run_insights_stage(make_study(tmp_path))
    spec = insights_copy()
    spec["insights"][0]["evidence"] = ["N999"]
    with pytest.raises(InsightError):
        run_insights_stage(make_study(tmp_path, "broken", insights=spec))
    index = build_index(tmp_path / "reports")
    assert [s["slug"] for s in index["studies"]] == ["fixture"]


def test_unreadable_insights_json_is_skipped_with_a_note(tmp_path: Path):
    run_insights_stage(make_study(tmp_path))
    (tmp_path / "reports" / "old").mkdir()
    (tmp_path / "reports" / "old" / "insights.json").write_text('{"insights": []}')
    index = build_index(tmp_path / "reports")
    assert [s["slug"] for s in index["studies"]] == ["fixture"]
    assert index["skipped"] and index["skipped"][0].startswith("old:")


def test_exports_csv_and_json(tmp_path: Path):
    result = run_insights_stage(make_study(tmp_path), exports=False)
    result["insights"][0]["statement"] = '=HYPERLINK("http://x")'
    out = tmp_path / "export"
    export_insights(result, out)
    rows = list(csv.DictReader((out / "insights.csv").open(encoding="utf-8")))
    assert [r["insight"] for r in rows] == ["I1", "I2"]
    assert rows[0]["statement"].startswith("'=")  # spreadsheet formula made inert
    assert rows[0]["evidence"] == "T1;N001;N002;Q-N007;Q-S01-2"
    recs = list(csv.DictReader((out / "recommendations.csv").open(encoding="utf-8")))
    assert [(r["insight"], r["id"], r["owner"], r["status"]) for r in recs] == [
        ("I1", "R1", "Design", "accepted"),
        ("I2", "R2", "Engineering", "shipped"),
    ]
    assert read_json(out / "recommendations.json")[1]["decided_on"] == "2026-02-10"


def test_update_index_false_writes_only_insights_json(tmp_path: Path):
    run_insights_stage(make_study(tmp_path), exports=False)
    assert sorted(p.name for p in (tmp_path / "reports" / "fixture").iterdir()) == ["insights.json", "synthesis.json"]
    assert not (tmp_path / "reports" / "index.json").exists()
