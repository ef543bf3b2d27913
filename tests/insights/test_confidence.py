"""Confidence levels follow the rule table; reasons state what was measured."""

from __future__ import annotations

from kit.insights.confidence import load_rules, measure, rate
from kit.insights.evidence import EvidenceItem

SEGMENTS = {"P01": "New", "P02": "Returning", "P03": "New", "P04": "Returning", "P05": "New", "P06": "Returning"}


def note(ident: str, *people: str) -> EvidenceItem:
    return EvidenceItem(ident, "note", list(people), text="x")


def metric(ident: str, *people: str) -> EvidenceItem:
    return EvidenceItem(ident, "metric", list(people), source="metrics", value="1")


def transcript_quote(ident: str, person: str) -> EvidenceItem:
    return EvidenceItem(ident, "quote", [person], text="x", source="transcripts", verbatim=True)


def test_packaged_table_has_high_medium_low_best_first():
    assert [r["level"] for r in load_rules()] == ["high", "medium", "low"]


def test_measures_count_distinct_people_sources_segments_and_counter_share():
    support = [note("N1", "P01"), note("N2", "P01", "P03"), transcript_quote("Q-S02-1", "P02")]
    counter = [note("N9", "P04"), note("N8", "P02")]
    m = measure(support, counter, SEGMENTS)
    assert m["participants"] == ["P01", "P02", "P03"]
    assert m["source_kinds"] == ["notes", "transcripts"]  # Q-S02-1 is a transcript quote
    assert m["segments_covered"] == ["New", "Returning"] and m["segment_share"] == 1.0
    # 2 people against (P02 is on both sides) out of 4 involved (P01-P04).
    assert m["counter_share"] == 2 / 4


def test_five_people_two_sources_all_segments_uncontested_is_high():
    support = [note(f"N{i}", f"P0{i}") for i in range(1, 6)] + [metric("M-SUS", "P01", "P02")]
    result = rate(support, [], SEGMENTS)
    assert result["level"] == "high"
    assert result["reasons"][0] == "5 distinct participants (P01, P02, P03, P04, P05)"
    assert "2 kinds of source: metrics, notes" in result["reasons"]
    assert "no counter-evidence cited" in result["reasons"]


def test_one_source_kind_caps_at_medium_and_says_why():
    support = [note(f"N{i}", f"P0{i}") for i in range(1, 7)]
    result = rate(support, [], SEGMENTS)
    assert result["level"] == "medium"
    assert result["reasons"][-1] == "not high: needs 2 kinds of source"


def test_counter_evidence_lowers_the_level():
    support = [note("N1", "P01"), note("N2", "P02"), note("N3", "P03")]
    assert rate(support, [], SEGMENTS)["level"] == "medium"
    # 2 of 5 involved against = 40% (still medium); 3 of 6 = 50% (low).
    assert rate(support, [note("N4", "P04", "P05")], SEGMENTS)["level"] == "medium"
    low = rate(support, [note("N4", "P04", "P05", "P06")], SEGMENTS)
    assert low["level"] == "low"
    assert "counter-evidence from 3 participants (50% of those involved)" in low["reasons"]
    assert "not medium: counter-evidence above 40%" in low["reasons"]


def test_segment_share_below_the_medium_threshold_is_low():
    support = [note("N1", "P01"), note("N3", "P03"), note("N5", "P05")]  # all "New"
    result = rate(support, [], SEGMENTS)
    assert result["level"] == "medium"  # 1 of 2 segments = 50% meets medium's 0.5
    only_new = {**SEGMENTS, "P07": "Trial"}  # now 1 of 3 segments
    assert rate(support, [], only_new)["level"] == "low"


def test_thresholds_come_from_the_table():
    rules = load_rules("""
levels:
  - {level: high, min_participants: 2, min_source_kinds: 1, min_segment_share: 0, max_counter_share: 1}
  - {level: low, min_participants: 0, min_source_kinds: 0, min_segment_share: 0, max_counter_share: 1}
""")
    assert rate([note("N1", "P01", "P02")], [], SEGMENTS, rules)["level"] == "high"
    assert rate([note("N1", "P01")], [], SEGMENTS, rules)["level"] == "low"


def test_a_metric_adds_a_source_kind_not_participants():
    support = [note("N1", "P01"), metric("M-SUS", "P01", "P02", "P03", "P04", "P05", "P06")]
    result = rate(support, [], SEGMENTS)
    assert result["participants"] == ["P01"]
    assert result["source_kinds"] == ["metrics", "notes"]
    assert "measured: M-SUS (n=6)" in result["reasons"]
    assert result["level"] == "low"
    # Resting on a metric alone, the people measured are the participants.
    assert rate([metric("M-SUS", "P01", "P02")], [], SEGMENTS)["participants"] == ["P01", "P02"]
