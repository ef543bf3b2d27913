"""What ``kit ask`` searches: one document per published insight and per recommendation, as tokens.

Documents come from each study's ``insights.json`` as the insights stage
published it (statements and actions redacted by the roster, evidence text
withheld where a participant did not consent to quotes), never from
``notebooks/<slug>/data/``. An insight's document is its statement, its tags,
its evidence's text and the study's title and product area; a
recommendation's is its action, note, metric and owner, with its insight's
tags.

Words are lower-cased, split on anything but letters and digits, stripped of
English stop words (bm25s' list) and stemmed with the Snowball English stemmer
(https://snowballstem.org/algorithms/english/stemmer.html), so "charges"
finds "charged". The codebook adds meaning the words lack: a document's tag
brings every name of its code (the code, its synonyms and the retired codes
merged into it), and so does a query that holds any of those names, so
"postage" finds an insight tagged ``shipping-cost`` whose text says
"delivery charge".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from kit.errors import StageOrderError
from kit.layout import INSIGHTS_JSON, insight_href, is_study_report_dir, reports_root
from kit.outputs.insights import read_insights_json
from kit.study.codebook import Codebook

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


def synonym_groups(book: Codebook | None) -> dict[str, list[str]]:
    """Each active code -> all its names (itself, its synonyms, the retired codes merged into it)."""
    if book is None:
        return {}
    groups: dict[str, list[str]] = {}
    for name, code in book.codes.items():
        if code.status != "retired":
            groups.setdefault(name, []).extend([name, *code.synonyms])
    for name, code in book.codes.items():
        if code.status == "retired":
            groups.setdefault(book.canonical(name), []).extend([name, *code.synonyms])
    return {code: sorted(set(names)) for code, names in sorted(groups.items())}


def tag_tokens(tags: Iterable[str], groups: dict[str, list[str]], canonical: dict[str, str]) -> list[str]:
    """The tokens of every name of each tag's code (a tag outside the codebook: its own)."""
    out: list[str] = []
    for tag in tags:
        code = canonical.get(tag, tag)
        for name in groups.get(code, [tag]):
            out += tokens(name)
    return out


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


def documents(repo_root: Path, book: Codebook | None) -> tuple[list[dict[str, Any]], list[list[str]], list[str]]:
    """``(documents, their tokens, skipped)`` for every study's insights.json (a stale one is skipped, named)."""
    groups = synonym_groups(book)
    canonical = {t: code for code, names in groups.items() for t in names}
    docs: list[dict[str, Any]] = []
    corpus: list[list[str]] = []
    skipped: list[str] = []
    for path in insights_files(repo_root):
        try:
            result = read_insights_json(path)
        except StageOrderError as exc:
            skipped.append(f"{path.parent.name}: {exc}")
            continue
        s = result.study
        context = f"{s.title} {s.product_area} {s.feature}"
        for ins in result.insights:
            evidence = " ".join(e.text or e.label for e in [*ins.evidence_items, *ins.counter_items])
            base = {"study": s.slug, "study_title": s.title, "confidence": ins.confidence.level}
            docs.append(
                {
                    **base,
                    "id": ins.id,
                    "kind": "insight",
                    "text": ins.statement,
                    "status": ins.status,
                    "href": insight_href(s.slug, ins.id),
                }
            )
            corpus.append(tokens(f"{ins.statement} {evidence} {context}") + tag_tokens(ins.tags, groups, canonical))
            for rec in ins.recommendations:
                docs.append(
                    {
                        **base,
                        "id": rec.id,
                        "kind": "recommendation",
                        "insight": ins.id,
                        "text": rec.action,
                        "status": rec.status,
                        "href": insight_href(s.slug, ins.id),
                    }
                )
                corpus.append(tokens(f"{rec.action} {rec.note} {rec.metric or ''} {rec.owner or ''}"))
    return docs, corpus, skipped


def insights_files(repo_root: Path) -> list[Path]:
    """Every study's ``reports/<slug>/insights.json``, in slug order."""
    reports = reports_root(repo_root)
    return sorted(
        p / INSIGHTS_JSON for p in reports.glob("*") if is_study_report_dir(p) and (p / INSIGHTS_JSON).is_file()
    )
