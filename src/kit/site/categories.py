"""Listing categories that differ only by case are one category.

A product area "Onboarding" (``study.yml``) and a tag "onboarding"
(``notes.csv``) would otherwise be two filter chips, "Onboarding (2)" beside
"onboarding (1)", each finding part of the insights. Every spelling of a
name maps to one: the most used, and on a tie the first in sort order
(capitals sort first, so a product area's "Onboarding" wins over a tag's
"onboarding").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def one_spelling(values: Iterable[str]) -> dict[str, str]:
    """Each spelling in ``values`` -> the one spelling its case-folded name is shown under."""
    counts = Counter(v for v in values if v)
    by_name: dict[str, list[str]] = {}
    for spelling in counts:
        by_name.setdefault(spelling.casefold(), []).append(spelling)
    chosen = {name: min(spellings, key=lambda s: (-counts[s], s)) for name, spellings in by_name.items()}
    return {spelling: chosen[spelling.casefold()] for spelling in counts}
