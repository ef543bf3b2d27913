"""kit.insights.evidence: one index of citable synthesis items, by their one id key."""

from __future__ import annotations

from insights_fixture import SYNTHESIS
from kit.insights.evidence import index_synthesis
from kit.outputs.synthesis import Synthesis


def _index():
    return index_synthesis(Synthesis.model_validate(SYNTHESIS))


def test_every_collection_is_indexed_by_id_with_its_kind():
    index = _index()
    assert {i: e.kind for i, e in index.items() if i in ("N001", "Q-N007", "T1", "M-SUS")} == {
        "N001": "note",
        "Q-N007": "quote",
        "T1": "theme",
        "M-SUS": "metric",
    }
    assert len(index) == len(SYNTHESIS["notes"]) + len(SYNTHESIS["quotes"]) + 2 + 2


def test_sources_tell_notes_transcripts_and_metrics_apart():
    index = _index()
    assert (index["Q-N007"].source, index["Q-S01-2"].source, index["M-SUS"].source) == (
        "notes",
        "transcripts",
        "metrics",
    )
    assert index["N007"].verbatim and not index["N001"].verbatim  # N007 is a note of kind quote


def test_a_theme_cites_its_notes_and_a_metric_its_value_with_interval():
    index = _index()
    assert index["T1"].members == ["N001", "N002", "N003", "N007"] and index["T1"].label == "Late delivery cost"
    # 0.83 stored as a share, shown as a percentage with its adjusted-Wald interval
    assert index["M-COMPLETION-pay"].to_dict()["value"] == "83% (95% CI 44-97, n=6)"
