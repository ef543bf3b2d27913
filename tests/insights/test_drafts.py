"""Draft insights from themes and tags seen with at least k participants."""

from __future__ import annotations

from pathlib import Path

import yaml

from insights_fixture import insights_copy, make_study
from kit.insights.stage import run_insights_stage


def _by_id(result: dict) -> dict:
    return {c["id"]: c for c in result["candidates"]}


def test_theme_with_k_participants_becomes_a_draft_with_evidence(tmp_path: Path):
    drafts = _by_id(run_insights_stage(make_study(tmp_path)))
    t1 = drafts["C-T1"]
    assert t1["draft"] is True and t1["accepted_as"] is None
    assert t1["evidence"][0] == "T1"
    # Problem notes of the theme come before other notes.
    assert t1["evidence"][1:4] == ["N001", "N002", "N003"]
    assert t1["answers"] == ["RQ2"]  # RQ2's plan tags include shipping-cost
    assert t1["covered_by"] == ["I1"]
    assert "C-T2" not in drafts  # T2 was seen with one participant only


def test_tags_seen_with_k_participants_are_proposed_unless_a_theme_carries_them(tmp_path: Path):
    drafts = _by_id(run_insights_stage(make_study(tmp_path)))
    # payment: P01 (N006), P02 (N009), P05 (N005), P06 (N008) -> 4 people
    assert drafts["C-tag-payment"]["participants"] == ["P01", "P02", "P05", "P06"]
    assert drafts["C-tag-payment"]["answers"] == ["RQ1"]
    assert "C-tag-shipping-cost" not in drafts  # carried by theme T1
    assert "C-tag-promo" not in drafts


def test_k_is_configurable(tmp_path: Path):
    spec = insights_copy()
    spec["candidate_min_participants"] = 5
    drafts = _by_id(run_insights_stage(make_study(tmp_path, insights=spec)))
    assert drafts == {}


def test_drafts_are_never_published_as_insights_until_accepted(tmp_path: Path):
    sdir = make_study(tmp_path)
    result = run_insights_stage(sdir)
    assert {i["id"] for i in result["insights"]} == {"I1", "I2"}
    draft = _by_id(result)["C-tag-payment"]
    # The researcher pastes the snippet, gives it an id and rewrites it.
    pasted = yaml.safe_load(draft["yaml"])[0] | {"id": "I3", "statement": "Payment works for most."}
    spec = insights_copy()
    spec["insights"].append(pasted)
    (sdir / "insights.yml").write_text(yaml.safe_dump(spec))
    result = run_insights_stage(sdir)
    assert [i["id"] for i in result["insights"]] == ["I1", "I2", "I3"]
    assert result["insights"][2]["from_candidate"] == "C-tag-payment"
    assert _by_id(result)["C-tag-payment"]["accepted_as"] == "I3"
