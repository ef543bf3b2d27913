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
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kit.layout import kit_data_dir
from kit.study.theme_pins import read_pins as read_pins  # the stage reads the pins from here

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer  # imported when themes are computed


MANY_TAGS = 3  # a note with this many tags or more is "many tags"
MIN_NOTES = 6  # below this, cluster every note with text (a small study still gets themes)
MAX_THEMES = 12
MAX_FEATURES = 3000
MAX_FEATURES_LARGE = 500
MINIBATCH_FROM = 5000
SEED = 0
PIN_NUMBER = re.compile(r"T(\d+)")  # a theme id the kit gives: found themes are numbered after pinned ones
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
    pinned: Mapping[str, list[str]] | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """Cluster candidate notes into themes T1, T2 ... sorted by participant count.

    ``notes`` has ``id``, ``participant`` (pseudonym), ``pid`` (participant id),
    ``text`` (redacted) and ``tags`` (lists). ``can_quote(pid)`` gates quotes.
    ``extra_quotes`` are (quote id, text) pairs, e.g. transcript turns, that are
    not clustered but attached to the theme whose centre they are closest to
    (cosine >= ``ATTACH_SIMILARITY``), up to ``quotes`` per theme, as
    ``transcript_quotes``. ``embed`` (texts -> unit vectors, see :func:`embedder`)
    replaces TF-IDF as the space k-means clusters in. ``pinned`` (theme id ->
    note ids, :mod:`kit.study.theme_pins`) are themes kept as they are: their
    notes are not clustered again and the found themes are numbered after
    them, so an insight citing a pinned id keeps citing the same notes after a
    purge removed words. Returns (themes, basis).
    """
    cand, basis = theme_candidates(notes)
    kept = _pinned_themes(notes, pinned or {}, can_quote, top_terms, quotes)
    if pinned:
        held = {n for ids in pinned.values() for n in ids}
        cand = cand[~cand["id"].isin(held)]
        basis += f"; {len(kept)} theme(s) pinned in data/themes.csv"
    found, basis = _clustered(cand, basis, can_quote, top_terms, quotes, extra_quotes or [], embed)
    found.sort(key=lambda t: (-len(t["participants"]), -len(t["notes"]), t["notes"][0]))
    # After every pinned id, also one whose notes are gone: an id is never reused for other notes.
    first = 1 + max((int(m[1]) for tid in pinned or {} if (m := PIN_NUMBER.fullmatch(tid))), default=0)
    numbered = [(tid, t) for tid, t in kept.items()] + [(f"T{i}", t) for i, t in enumerate(found, first)]
    return [
        {"id": tid, **t, "participant_count": len(t["participants"]), "size": len(t["notes"])} for tid, t in numbered
    ], basis


def _clustered(
    cand: pd.DataFrame,
    basis: str,
    can_quote: Callable[[str], bool],
    top_terms: int,
    quotes: int,
    extra_quotes: list[tuple[str, str]],
    embed: Callable[[list[str]], np.ndarray] | None,
) -> tuple[list[dict[str, Any]], str]:
    """k-means themes of the candidate notes (no ids yet), and the basis."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

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
    attached = _attach(vec, centres, extra_quotes, quotes)
    themes: list[dict[str, Any]] = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if len(members) == 0:
            continue
        theme = _describe(cand, members, x, centres[c], terms, can_quote, top_terms, quotes)
        themes.append({**theme, "transcript_quotes": attached.get(c, [])})
    return themes, basis


def _describe(
    cand: pd.DataFrame,
    members: np.ndarray,
    x: Any,
    centre: np.ndarray,
    terms: np.ndarray,
    can_quote: Callable[[str], bool],
    top_terms: int,
    quotes: int,
) -> dict[str, Any]:
    """A theme of the notes ``cand.iloc[members]``: label, terms, participants, notes, tags, quotes."""
    ids, people, pids = cand["id"].to_numpy(), cand["participant"].to_numpy(), cand["pid"].to_numpy()
    verbatim = (cand["kind"].to_numpy() == "quote") if "kind" in cand else np.zeros(len(cand), dtype=bool)
    texts, tags = cand["text"].to_numpy(), cand["tags"].to_numpy()
    top = [str(t) for t in terms[np.argsort(-centre, kind="stable")[:top_terms]]] if centre.any() else []
    sims = np.asarray(x[members] @ centre).ravel()
    # Participants' own words (notes of kind quote) first, then closest to the
    # centre; ties broken by note id so the pick is stable.
    order = sorted(
        range(len(members)), key=lambda j: (not verbatim[members[j]], -round(float(sims[j]), 6), ids[members[j]])
    )
    reps = [members[j] for j in order if texts[members[j]] and can_quote(pids[members[j]])][:quotes]
    tag_counts = pd.Series([t for i in members for t in tags[i]], dtype=object).value_counts()
    top_tags = [str(t) for t in tag_counts.index[:3]]
    return {
        # a theme whose words were all purged is named by its tags
        "label": ", ".join(top[:3] or top_tags) or "words removed",
        "top_terms": top,
        "participants": sorted(set(people[members])),
        "notes": sorted(ids[members].tolist()),
        "tags": top_tags,
        "quotes": [{"note_id": str(ids[i]), "participant": str(people[i]), "text": str(texts[i])} for i in reps],
    }


def _pinned_themes(
    notes: pd.DataFrame,
    pinned: Mapping[str, list[str]],
    can_quote: Callable[[str], bool],
    top_terms: int,
    quotes: int,
) -> dict[str, dict[str, Any]]:
    """Theme id -> the pinned theme as its notes are now (pins whose notes are all gone are left out).

    Top terms come from a TF-IDF of the pinned notes that still have words;
    with none left (an expired study) the theme keeps its notes, people and
    tags and is labelled by its tags.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not pinned:
        return {}
    held = notes[notes["id"].isin({n for ids in pinned.values() for n in ids})].sort_values("id", kind="stable")
    position = {note: i for i, note in enumerate(held["id"].tolist())}
    vec = TfidfVectorizer(stop_words=stop_words(), ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    try:
        x = vec.fit_transform(held["text"])
        terms = np.asarray(vec.get_feature_names_out())
    except ValueError:  # no words left (purged) or only stop words
        x, terms = np.zeros((len(held), 1), dtype=np.float32), np.asarray([""])
    kept: dict[str, dict[str, Any]] = {}
    for tid, ids in sorted(pinned.items(), key=lambda item: _pin_order(item[0])):
        members = np.asarray(sorted({position[n] for n in ids if n in position}), dtype=np.int64)
        if len(members) == 0:
            continue
        centre = np.asarray(x[members].mean(axis=0)).ravel()
        kept[tid] = {
            **_describe(held, members, x, centre, terms, can_quote, top_terms, quotes),
            "transcript_quotes": [],
        }
    return kept


def _pin_order(theme_id: str) -> tuple[int, str]:
    """T2 before T10; ids of another form after, by name."""
    m = PIN_NUMBER.fullmatch(theme_id)
    return (int(m[1]) if m else 1 << 30, theme_id)


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
