"""The words ``kit ask`` matches on: tokens of a text, and a query widened by the codebook's synonyms.

Words are lower-cased, split on anything but letters and digits, stripped of
English stop words (bm25s' list) and stemmed with the Snowball English stemmer
(https://snowballstem.org/algorithms/english/stemmer.html), so "charges"
finds "charged". This module is all a query needs besides the saved index: it
imports neither pandas nor the study schemas, so ``kit ask`` starts fast.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def tokens(text: str) -> list[str]:
    """Stemmed words of ``text``, stop words left out."""
    stop = _stop_words()
    words = [w for w in _WORD.findall(text.lower()) if w not in stop]
    stems: list[str] = _stemmer().stemWords(words)
    return stems


def expand_query(query_tokens: list[str], groups: dict[str, list[str]]) -> list[str]:
    """The query's tokens plus every name of each code one of whose names the query holds (in order)."""
    out = list(query_tokens)
    for names in groups.values():
        for name in names:
            want = tokens(name)
            n = len(want)
            if n and any(query_tokens[i : i + n] == want for i in range(len(query_tokens) - n + 1)):
                out += [t for other in names for t in tokens(other)]
                break
    return list(dict.fromkeys(out))  # each token once: BM25 would count a repeated one twice
