"""kit.insights.evidence_weight: request-only evidence is warned about; unreliable codes lower confidence."""

from __future__ import annotations

import copy

from insights_fixture import SYNTHESIS, insights_copy, make_study
from kit.insights.evidence import EvidenceItem
from kit.insights.evidence_weight import lower_for_agreement, rested_codes, unreliable_codes
from kit.insights.stage import run_insights_stage

REQUESTS = [
    {
        "id": "R-FR-1",
        "request_id": "FR-1",
        "text": "Pay in instalments",
        "votes": 40,
        "tags": ["payment"],
        "kind": "attitudinal",
        "label": "expressed interest",
        "participants": [],
    },
    {
        "id": "R-FR-2",
        "request_id": "FR-2",
        "text": "Split the bill",
        "votes": None,
        "tags": [],
        "kind": "attitudinal",
        "label": "expressed interest",
        "participants": [],
    },
]


def test_lower_for_agreement_drops_one_level_and_says_why():
    rating = {"level": "high", "reasons": ["5 distinct participants"]}
    out = lower_for_agreement(rating, {"hesitation", "trust"}, {"hesitation": 0.5012}, 0.667)
    assert out["level"] == "medium"
    assert out["reasons"][-1] == (
        "rests on codes with low agreement between coders (below 0.667): "
        "hesitation (Krippendorff's α 0.50: low); lowered from high"
    )
    assert lower_for_agreement({"level": "low", "reasons": []}, {"hesitation"}, {"hesitation": 0.1})["level"] == "low"
    assert lower_for_agreement(rating, {"trust"}, {"hesitation": 0.5}) is rating


def test_rested_codes_and_unreliable_codes_from_synthesis_json():
    notes = [EvidenceItem("N1", "note", tags=["hesitation", "payment"]), EvidenceItem("M-SUS", "metric", tags=["x"])]
    assert rested_codes(["hesitation", "trust"], notes) == {"hesitation"}
    assert rested_codes([], notes) == {"hesitation", "payment"}
    agreement = {
        "alpha_tentative": 0.667,
        "codes": [{"code": "a", "alpha": 0.4}, {"code": "b", "alpha": 0.9}, {"code": "c", "alpha": None}],
    }
    assert unreliable_codes(agreement) == ({"a": 0.4}, 0.667)
    assert unreliable_codes(None) == ({}, 0.667)


def test_request_only_insight_and_its_recommendation_are_warned_about(tmp_path):
    synthesis = copy.deepcopy(SYNTHESIS)
    synthesis["requests"] = REQUESTS
    insights = insights_copy()
    insights["insights"].append(
        {
            "id": "I9",
            "statement": "Customers ask to pay in instalments.",
            "answers": ["RQ1"],
            "evidence": ["R-FR-1", "R-FR-2"],
            "recommendations": [
                {
                    "id": "R9",
                    "action": "Measure first.",
                    "owner": "PM",
                    "metric": "Completed transactions per checkout started",
                }
            ],
        }
    )
    result = run_insights_stage(make_study(tmp_path, synthesis=synthesis, insights=insights), exports=False)
    assert result["warnings"] == [
        "insights.yml: insight I9: evidence is only feature requests (R-FR-1, R-FR-2): expressed interest "
        "(attitudinal); behavioural evidence is missing - cite observations, task results or a behavioural "
        "metric too",
        "insights.yml: insight I9: recommendation R9: rests only on feature requests (expressed interest): "
        "behavioural evidence is missing before acting on it",
    ]
    i9 = next(i for i in result["insights"] if i["id"] == "I9")
    item = i9["evidence_items"][0]
    assert item["kind"] == "request" and item["source"] == "requests" and item["attitudinal"] is True
    assert item["label"] == "expressed interest" and item["votes"] == 40


def test_an_insight_on_a_code_the_coders_disagree_on_gets_lower_confidence(tmp_path):
    baseline = run_insights_stage(make_study(tmp_path / "a"), exports=False)["insights"][0]["confidence"]
    synthesis = copy.deepcopy(SYNTHESIS)
    synthesis["agreement"] = {"alpha_tentative": 0.667, "codes": [{"code": "shipping-cost", "alpha": 0.41}]}
    lowered = run_insights_stage(make_study(tmp_path / "b", synthesis=synthesis), exports=False)
    conf = lowered["insights"][0]["confidence"]
    assert (baseline["level"], conf["level"]) == ("medium", "low")
    assert "shipping-cost (Krippendorff's α 0.41: low)" in conf["reasons"][-1]
    assert (
        lowered["insights"][1]["confidence"]["level"]
        == run_insights_stage(make_study(tmp_path / "c"), exports=False)["insights"][1]["confidence"]["level"]
    )
