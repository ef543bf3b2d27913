"""``kit ask "QUERY"``: the best-matching insights and recommendations of every study, ranked by BM25.

The ranking is Okapi BM25 as the ``bm25s`` library computes it (Lù, 2024,
"BM25S: Orders of magnitude faster lexical search via eager sparse scoring",
https://arxiv.org/abs/2407.03618; its default Lucene variant, k1 = 1.5,
b = 0.75). The documents and tokens are :mod:`kit.search.corpus`'s.

The first ask after the insights change builds the index and saves it under
``reports/.ask-index/`` (bm25s' own format: NumPy arrays saved without pickle,
and JSON), beside the documents and the codebook's synonym groups; it is
built beside the old one and swapped in (:func:`kit.iorw.staged_dir`). Its key
is the SHA-256 of every ``insights.json`` and of ``codebook.yml``, so any
change to a study's published insights, a new study, a removed one or a new
synonym builds it again; an unchanged repository loads it and answers without
reading a single insights.json as JSON.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kit import __version__
from kit.errors import KitError, UsageError
from kit.layout import ASK_INDEX_DIR, CODEBOOK_FILE, INSIGHTS_JSON, is_study_report_dir, reports_root
from kit.search.text import expand_query, tokens

INDEX_FORMAT = 1
META_FILE = "kit-ask.json"  # the key, the documents and the synonym groups
_CODE = [
    Path(__file__).with_name(name) for name in ("ask.py", "corpus.py", "text.py")
]  # a change in how documents are made rebuilds


@dataclass
class Hit:
    """One result: which study and item, what it says, how well it matched."""

    study: str
    id: str
    kind: str  # insight or recommendation
    text: str
    score: float
    confidence: str
    status: str
    study_title: str
    href: str  # its card on the site, relative to the site root
    insight: str | None = None  # a recommendation's insight

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def index_key(repo_root: Path) -> str:
    """SHA-256 of every study's insights.json (by slug), ``codebook.yml`` and the kit's search code."""
    h = hashlib.sha256(f"{INDEX_FORMAT} {__version__}".encode())
    for code in _CODE:
        h.update(code.read_bytes())
    book = Path(repo_root) / CODEBOOK_FILE
    h.update(book.read_bytes() if book.is_file() else b"no codebook")
    for path in insights_files(repo_root):
        h.update(f"\0{path.parent.name}\0".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _load(folder: Path, key: str) -> tuple[Any, dict[str, Any]] | None:
    """The saved index and its metadata when its key is ``key``; None when absent, stale or unreadable."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("key") != key:
        return None
    if not meta.get("documents"):
        return None, meta
    import bm25s

    try:
        return bm25s.BM25.load(str(folder), allow_pickle=False, show_progress=False), meta
    except (OSError, ValueError, KeyError):
        return None


def _build(repo_root: Path, folder: Path, key: str) -> tuple[Any, dict[str, Any]]:
    # Only a build reads the published JSON and the codebook (pydantic, the study schemas): imported here.
    import bm25s

    from kit.iorw import staged_dir
    from kit.search.corpus import documents, synonym_groups
    from kit.study.codebook import load_codebook

    try:
        book = load_codebook(repo_root)
    except KitError:  # `kit codebook` names the problem; search without synonyms meanwhile
        book = None
    docs, corpus, skipped = documents(insights_files(repo_root), book)
    meta = {"key": key, "format": INDEX_FORMAT, "documents": docs, "groups": synonym_groups(book), "skipped": skipped}
    retriever = None
    with staged_dir(folder) as staging:
        if docs:
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
            retriever.save(str(staging), show_progress=False)
        (staging / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return retriever, meta


def ask(repo_root: str | Path, query: str, limit: int = 10) -> list[Hit]:
    """The ``limit`` best matches of ``query``, best first (only documents that share a word with it)."""
    repo_root = Path(repo_root)
    query_tokens = tokens(query)
    if not query_tokens:
        raise UsageError(f"QUERY {query!r}: no word to search for (only stop words or punctuation)")
    reports = reports_root(repo_root)
    if not insights_files(repo_root):
        raise KitError(f"{reports}: no study's insights.json yet, expected at least one (run `kit run` first)")
    folder = reports / ASK_INDEX_DIR
    key = index_key(repo_root)
    retriever, meta = _load(folder, key) or _build(repo_root, folder, key)
    if retriever is None:
        return []
    wanted = [t for t in expand_query(query_tokens, meta["groups"]) if t in retriever.vocab_dict]
    if not wanted:
        return []
    scores = retriever.get_scores(wanted)
    docs = meta["documents"]
    ranked = sorted((i for i in range(len(docs)) if scores[i] > 0), key=lambda i: (-float(scores[i]), i))
    return [_hit(docs[i], float(scores[i])) for i in ranked[:limit]]


def insights_files(repo_root: Path) -> list[Path]:
    """Every study's ``reports/<slug>/insights.json``, in slug order."""
    reports = reports_root(repo_root)
    found = (p / INSIGHTS_JSON for p in reports.glob("*") if is_study_report_dir(p))
    return sorted(p for p in found if p.is_file())


def _hit(doc: dict[str, Any], score: float) -> Hit:
    return Hit(
        study=doc["study"],
        id=doc["id"],
        kind=doc["kind"],
        text=doc["text"],
        score=round(score, 4),
        confidence=doc["confidence"],
        status=doc["status"],
        study_title=doc["study_title"],
        href=doc["href"],
        insight=doc.get("insight"),
    )


def one_line(text: str, width: int = 100) -> str:
    """A statement on one line, cut at ``width`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"
