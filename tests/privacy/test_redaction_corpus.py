"""The redaction corpus (benchmarks/redaction_corpus.yml): no roster name may be missed.

`make bench` prints the same figures; here they are floors. Recall of roster
names and of other personal data must stay 100%; precision (everyday words
such as "Will it ship?" kept) must not fall below what it is now.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from redaction_corpus import load, parse, score  # noqa: E402


def test_corpus_is_large_and_marked():
    roster, sentences = load()
    assert len(sentences) >= 200
    assert sum(len(s.names) for s in sentences) >= 100 and sum(len(s.other) for s in sentences) >= 20
    assert sum(not s.names and not s.other for s in sentences) >= 60  # ordinary sentences that must stay
    assert len(roster.pseudonyms) == 8


def test_every_roster_name_and_personal_item_is_replaced():
    result = score(*load())
    assert result.missed == []
    assert result.name_recall == 1.0 and result.recall == 1.0


def test_precision_floor():
    result = score(*load())
    assert result.precision >= 0.97, result.wrong


def test_scoring_counts_misses_and_false_replacements():
    roster, _ = load()
    result = score(roster, [parse("[[Will]] said it, {{call me}} maybe"), parse("Maria Gonzalez was here")])
    assert result.names_found == 1 and result.other_found == 0
    assert result.missed == ["'Will said it, call me maybe': 'call me'"]
    assert result.replacements == 2 and result.right == 1
    assert result.wrong == ["'Maria Gonzalez was here': 'Maria Gonzalez'"]
