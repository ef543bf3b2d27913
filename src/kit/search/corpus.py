"""What ``kit ask`` searches: one document per published insight and per recommendation, as tokens.

Documents come from each study's ``insights.json`` as the insights stage
published it (statements and actions redacted by the roster, evidence text
withheld where a participant did not consent to quotes), never from
``notebooks/<slug>/data/``. An insight's document is its statement, its tags,
its evidence's text and the study's title and product area; a
recommendation's is its action, note, metric and owner (the tags stay with
the insight: a query for a code finds the insight before the actions on it).

Words become tokens as :mod:`kit.search.text` says (stemmed, no stop words).
The codebook adds meaning the words lack: a document's tag brings every name
of its code (the code, its synonyms and the retired codes merged into it), and
so does a query that holds any of those names
(:func:`kit.search.text.expand_query`), so "postage" finds an insight tagged
``shipping-cost`` whose text says "delivery charge".
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kit.errors import StageOrderError
from kit.layout import insight_href
from kit.outputs.insights import read_insights_json
from kit.search.text import tokens
from kit.study.codebook import Codebook


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


def documents(files: list[Path], book: Codebook | None) -> tuple[list[dict[str, Any]], list[list[str]], list[str]]:
    """``(documents, their tokens, skipped)`` of the studies' insights.json ``files`` (a stale one is skipped)."""
    groups = synonym_groups(book)
    canonical = {t: code for code, names in groups.items() for t in names}
    docs: list[dict[str, Any]] = []
    corpus: list[list[str]] = []
    skipped: list[str] = []
    for path in files:
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
