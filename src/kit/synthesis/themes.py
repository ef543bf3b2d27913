"""Candidate themes: notes that tags do not sort, grouped by text similarity.

Notes with no tag (nobody has coded them yet) or with many tags (the code
book does not separate them) are the ones a researcher still has to make
sense of. They are turned into TF-IDF vectors (scikit-learn; English stop
words, uni- and bigrams, at most ``MAX_FEATURES`` terms so large studies stay
fast) and clustered with k-means (MiniBatchKMeans above ``MINIBATCH_FROM``
notes) with a fixed seed: the same notes give the same themes. The number of
themes grows with the square root of the number of notes, capped.

Each theme has its top terms (highest centroid weights; note-taking words
such as "said" are stop words, see ``data/theme_stopwords.csv``), the
participants whose notes it holds, and 2-3 representative notes from
participants who consented to quotes: their verbatim quotes (notes of kind
quote) first, then the notes closest to the centroid.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kit.layout import kit_data_dir

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer  # imported when themes are computed


MANY_TAGS = 3  # a note with this many tags or more is "many tags"
MIN_NOTES = 6  # below this, cluster every note with text (a small study still gets themes)
MAX_THEMES = 12
MAX_FEATURES = 3000
MAX_FEATURES_LARGE = 500
MINIBATCH_FROM = 5000
SEED = 0
ATTACH_SIMILARITY = 0.1  # cosine to a theme centre for a transcript turn to illustrate it (lexical overlap)


@functools.cache
def stop_words() -> list[str]:
    """English stop words plus the words of note-taking (``data/theme_stopwords.csv``).

    "said", "asked", "appeared" ... are in most researchers' notes whatever the
    theme, so as top terms they would label every theme the same.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    table = kit_data_dir() / "theme_stopwords.csv"
    with table.open(encoding="utf-8") as f:
        own = {row["word"].strip().lower() for row in csv.DictReader(f) if row["word"].strip()}
    return sorted(ENGLISH_STOP_WORDS | own)


def theme_candidates(notes: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The notes to cluster and why: untagged or many-tagged ones (or all, when too few)."""
    has_text = np.fromiter((bool(t) for t in notes["text"].tolist()), dtype=bool, count=len(notes))
    counts = np.fromiter((len(t) for t in notes["tags"].tolist()), dtype=np.int64, count=len(notes))
    pick = has_text & ((counts == 0) | (counts >= MANY_TAGS))
    if pick.sum() >= MIN_NOTES:
        return notes[pick], f"notes with no tag or {MANY_TAGS}+ tags"
    return notes[has_text], f"all notes (fewer than {MIN_NOTES} untagged or many-tagged)"


def n_themes(n_notes: int) -> int:
    """sqrt(n/2), at least 2 and at most MAX_THEMES (and never more than the notes)."""
    return max(1, min(MAX_THEMES, n_notes // 2, max(2, round(math.sqrt(n_notes / 2)))))


def embedder() -> Callable[[list[str]], np.ndarray] | None:
    """An optional sentence-embedding model, where one is installed locally.

    Set ``KIT_THEME_EMBEDDINGS`` to the folder of a sentence-transformers model
    (with the ``sentence-transformers`` package installed) to cluster on its
    embeddings instead of TF-IDF. Nothing is downloaded: without both, None
    (TF-IDF). Top terms always come from TF-IDF, as embeddings have no words.
    """
    import os

    path = os.environ.get("KIT_THEME_EMBEDDINGS")
    if not path:
        return None
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    model = SentenceTransformer(path, device="cpu", local_files_only=True)
    return lambda texts: np.asarray(model.encode(texts, normalize_embeddings=True), dtype=np.float32)


def find_themes(
    notes: pd.DataFrame,
    can_quote: Callable[[str], bool],
    top_terms: int = 5,
    quotes: int = 3,
    extra_quotes: list[tuple[str, str]] | None = None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """Cluster candidate notes into themes T1, T2 ... sorted by participant count.

    ``notes`` has ``id``, ``participant`` (pseudonym), ``pid`` (participant id),
    ``text`` (redacted) and ``tags`` (lists). ``can_quote(pid)`` gates quotes.
    ``extra_quotes`` are (quote id, text) pairs, e.g. transcript turns, that are
    not clustered but attached to the theme whose centre they are closest to
    (cosine >= ``ATTACH_SIMILARITY``), up to ``quotes`` per theme, as
    ``transcript_quotes``. ``embed`` (texts -> unit vectors, see :func:`embedder`)
    replaces TF-IDF as the space k-means clusters in. Returns (themes, basis).
    """
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    cand, basis = theme_candidates(notes)
    if len(cand) < 2:
        return [], basis
    cand = cand.sort_values("id", kind="stable")  # input order must not change the themes
    large = len(cand) >= MINIBATCH_FROM
    # Bigrams make labels readable for small studies; for large ones they only cost time.
    vec = TfidfVectorizer(
        stop_words=stop_words(),
        ngram_range=(1, 1) if large else (1, 2),
        max_features=MAX_FEATURES_LARGE if large else MAX_FEATURES,
        min_df=1 if len(cand) < 50 else 2,
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        x = vec.fit_transform(cand["text"])
    except ValueError:  # only stop words
        return [], basis
    k = n_themes(len(cand))
    if large:
        model = MiniBatchKMeans(
            n_clusters=k, random_state=SEED, n_init=1, batch_size=4096, max_iter=30, max_no_improvement=5
        )
    else:
        model = KMeans(n_clusters=k, random_state=SEED, n_init=10)
    # One BLAS/OpenMP thread: k-means on sparse TF-IDF gains nothing from threads, and on
    # a machine shared with other jobs (kit run executes studies in parallel) spinning
    # OpenMP workers made it 2-3x slower. threadpoolctl comes with scikit-learn.
    from threadpoolctl import threadpool_limits

    space = x
    if embed is not None:
        space, basis = embed(cand["text"].tolist()), basis + ", clustered on sentence embeddings"
    with threadpool_limits(1):
        labels = model.fit_predict(space)
    terms = np.asarray(vec.get_feature_names_out())
    # Centres in TF-IDF space in both cases: they give the top terms and the similarities.
    centres = np.vstack(
        [
            np.asarray(x[labels == c].mean(axis=0)).ravel()
            if (labels == c).any()
            else np.zeros(x.shape[1], dtype=np.float32)
            for c in range(k)
        ]
    )
    attached = _attach(vec, centres, extra_quotes or [], quotes)
    ids, people, pids = cand["id"].to_numpy(), cand["participant"].to_numpy(), cand["pid"].to_numpy()
    verbatim = (cand["kind"].to_numpy() == "quote") if "kind" in cand else np.zeros(len(cand), dtype=bool)
    texts, tags = cand["text"].to_numpy(), cand["tags"].to_numpy()
    themes: list[dict[str, Any]] = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if len(members) == 0:
            continue
        top = [str(t) for t in terms[np.argsort(-centres[c], kind="stable")[:top_terms]]]
        sims = np.asarray(x[members] @ centres[c]).ravel()
        # Participants' own words (notes of kind quote) first, then closest to the
        # centre; ties broken by note id so the pick is stable.
        order = sorted(
            range(len(members)), key=lambda j: (not verbatim[members[j]], -round(float(sims[j]), 6), ids[members[j]])
        )
        reps: list[int] = []
        for j in order:
            if len(reps) == quotes:
                break
            if can_quote(pids[members[j]]):
                reps.append(members[j])
        tag_counts = pd.Series([t for i in members for t in tags[i]], dtype=object).value_counts()
        themes.append(
            {
                "label": ", ".join(top[:3]),
                "top_terms": top,
                "participants": sorted(set(people[members])),
                "notes": sorted(ids[members].tolist()),
                "tags": [str(t) for t in tag_counts.index[:3]],
                "quotes": [
                    {"note_id": str(ids[i]), "participant": str(people[i]), "text": str(texts[i])} for i in reps
                ],
                "transcript_quotes": attached.get(c, []),
            }
        )
    themes.sort(key=lambda t: (-len(t["participants"]), -len(t["notes"]), t["notes"][0]))
    for i, t in enumerate(themes, 1):
        t["id"] = f"T{i}"
        t["participant_count"] = len(t["participants"])
        t["size"] = len(t["notes"])
    return [{"id": t.pop("id"), **t} for t in themes], basis


def _attach(
    vec: TfidfVectorizer, centres: np.ndarray, extra: list[tuple[str, str]], limit: int
) -> dict[int, list[str]]:
    """Cluster index -> ids of the closest extra texts (most similar first, ties by id)."""
    if not extra:
        return {}
    ids = [i for i, _ in extra]
    sims = np.asarray(vec.transform([t for _, t in extra]) @ centres.T)
    best, score = sims.argmax(axis=1), sims.max(axis=1)
    out: dict[int, list[tuple[float, str]]] = {}
    for qid, c, v in zip(ids, best, score):
        if v >= ATTACH_SIMILARITY:
            out.setdefault(int(c), []).append((-round(float(v), 6), qid))
    return {c: [qid for _, qid in sorted(pairs)[:limit]] for c, pairs in out.items()}
