"""``kit ask``: offline ranked search over every study's published insights and recommendations.

:mod:`.corpus` turns each study's ``reports/<slug>/insights.json`` (already
redacted for publishing: never the raw ``data/``) into search documents and
tokens, with the codebook's synonyms; :mod:`.text` makes tokens (Snowball
stemming, no stop words) and widens a query by the synonyms; :mod:`.ask` ranks
them with BM25 (the ``bm25s`` library) from an index cached under
``reports/``, keyed by the insights' digests.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs`
and :mod:`kit.panel`; never a stage (it reads their published JSON).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "ask": "kit.search.ask",
    "Hit": "kit.search.ask",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.search.ask import Hit as Hit
    from kit.search.ask import ask as ask
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
