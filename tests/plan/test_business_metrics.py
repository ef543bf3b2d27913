"""Metric check: attitudinal metrics for behavioural decisions, and their counterparts."""

from __future__ import annotations

from kit.plan.business_metrics import (
    check_metric,
    check_metrics,
    decision_kind,
    metric_warnings,
)

SHIP = "Ship the one-page checkout to all customers, or keep the three-step flow."


def test_product_decisions_are_behavioural_unless_only_about_perception():
    assert decision_kind(SHIP) == "behavioural"
    assert decision_kind("Pick the naming and tone people trust most") == "attitudinal"


def test_attitudinal_metric_for_behavioural_decision_is_flagged_with_counterpart():
    c = check_metric("Customers saying they would use express pay", "attitudinal", ">= 60%", SHIP)
    assert c["flagged"] and "behavioural decision" in c["reason"]
    assert c["measures"] == "stated intent to use"
    assert c["counterpart"].startswith("Share of users who actually use express pay")


def test_nps_gets_referrals_as_counterpart():
    c = check_metric("Net Promoter Score", "attitudinal", ">= 30", SHIP)
    assert c["flagged"] and "Referrals" in c["counterpart"]


def test_unmatched_attitudinal_metric_gets_the_generic_counterpart():
    c = check_metric("Perceived modernity", "attitudinal", "", SHIP)
    assert c["flagged"] and "The behaviour itself" in c["counterpart"]


def test_behavioural_metrics_pass_and_mislabelled_ones_are_caught():
    assert not check_metric("Completed transactions per checkout started", "behavioural", "85%", SHIP)["flagged"]
    assert not check_metric("Abandonment at the trust step", "behavioural", "", SHIP)["flagged"]
    c = check_metric("Users interested in express pay", "behavioural", "", SHIP)
    assert c["flagged"] and "labelled behavioural" in c["reason"]


def test_attitudinal_metric_for_attitudinal_decision_passes():
    assert not check_metric(
        "Share who trust the new tone", "attitudinal", "", "Pick the naming and tone people trust most"
    )["flagged"]


def test_warnings_name_the_metric_and_note_missing_behavioural_metrics():
    checked = check_metrics(
        [{"name": "Users saying they would invite teammates", "kind": "attitudinal", "target": "70%"}], SHIP
    )
    lines = metric_warnings(checked)
    assert lines[0].startswith("Metric 'Users saying they would invite teammates'")
    assert "actually invite teammates" in lines[0]
    assert lines[1].startswith("No behavioural PM metric")
