"""Themes: untagged/many-tagged notes clustered by text, deterministically."""

from __future__ import annotations

import pandas as pd

from kit.synthesis import themes

TEXTS = [
    ("delivery cost surprised at the last step", "P01"),
    ("delivery cost shown too late", "P02"),
    ("late delivery cost made her go back", "P03"),
    ("surprised by the delivery cost", "P04"),
    ("padlock icon missing felt unsafe", "P01"),
    ("wanted a padlock icon to trust the page", "P02"),
    ("no padlock icon so did not trust it", "P05"),
    ("padlock icon would make it feel safe", "P06"),
]


def _notes(order=None, tags=None) -> pd.DataFrame:
    rows = [
        {"id": f"N{i:03d}", "participant": p, "pid": f"R-{p}", "text": t, "tags": (tags or {}).get(i, [])}
        for i, (t, p) in enumerate(TEXTS, 1)
    ]
    if order:
        rows = [rows[i] for i in order]
    return pd.DataFrame(rows)


def test_two_clear_topics_become_two_themes_with_quotes():
    found, basis = themes.find_themes(_notes(), can_quote=lambda pid: pid != "R-P06")
    assert basis.startswith("notes with no tag")
    assert [t["id"] for t in found] == ["T1", "T2"]
    groups = {frozenset(t["notes"]) for t in found}
    assert groups == {frozenset({"N001", "N002", "N003", "N004"}), frozenset({"N005", "N006", "N007", "N008"})}
    padlock = next(t for t in found if "N005" in t["notes"])
    assert "padlock" in padlock["top_terms"][:2] or "icon" in padlock["top_terms"][:2]
    assert padlock["participant_count"] == 4
    assert 2 <= len(padlock["quotes"]) <= 3
    assert "P06" not in {q["participant"] for q in padlock["quotes"]}  # no consent to quotes


def test_same_input_same_themes_in_any_row_order():
    a, _ = themes.find_themes(_notes(), lambda pid: True)
    b, _ = themes.find_themes(_notes(order=[7, 3, 5, 1, 0, 2, 6, 4]), lambda pid: True)
    assert a == b


def test_only_untagged_or_many_tagged_notes_are_candidates():
    tags = {i: ["one"] for i in range(1, 9)}
    tags.update({1: [], 2: ["a", "b", "c"]})
    cand, basis = themes.theme_candidates(_notes(tags=tags))
    assert basis.startswith("all notes")  # only 2 candidates: too few, so every note is used
    many = {i: ["a", "b", "c"] for i in range(1, 7)}
    many.update({7: ["one"], 8: ["one", "two"]})
    cand, basis = themes.theme_candidates(_notes(tags=many))
    assert sorted(cand["id"]) == [f"N{i:03d}" for i in range(1, 7)]


def test_theme_count_grows_with_notes_and_is_capped():
    assert themes.n_themes(8) == 2 and themes.n_themes(200) == 10
    assert themes.n_themes(100_000) == themes.MAX_THEMES


def test_transcript_lines_attach_to_the_closest_theme():
    extra = [
        ("Q-S01-1", "the delivery cost was a surprise"),
        ("Q-S01-2", "padlock icon please"),
        ("Q-S01-3", "the weather is nice today"),
    ]
    found, _ = themes.find_themes(_notes(), lambda pid: True, extra_quotes=extra)
    by_note = {n: t for t in found for n in t["notes"]}
    assert by_note["N001"]["transcript_quotes"] == ["Q-S01-1"]
    assert by_note["N005"]["transcript_quotes"] == ["Q-S01-2"]
    assert all("Q-S01-3" not in t["transcript_quotes"] for t in found)  # shares no word with any theme


def test_an_embedding_model_can_replace_tfidf_for_clustering():
    # A stand-in model that knows the two topics by one word each (no download in tests).
    def embed(texts):
        import numpy as np

        return np.asarray([[1.0, 0.0] if "padlock" in t else [0.0, 1.0] for t in texts], dtype="float32")

    found, basis = themes.find_themes(_notes(), lambda pid: True, embed=embed)
    assert basis.endswith("clustered on sentence embeddings")
    assert {frozenset(t["notes"]) for t in found} == {
        frozenset({"N001", "N002", "N003", "N004"}),
        frozenset({"N005", "N006", "N007", "N008"}),
    }
    assert all(t["top_terms"] for t in found)  # words still come from TF-IDF


def test_no_embedding_model_without_a_local_path(monkeypatch):
    monkeypatch.delenv("KIT_THEME_EMBEDDINGS", raising=False)
    assert themes.embedder() is None


def test_verbatim_quotes_come_first_among_a_themes_representatives():
    notes = _notes()
    notes["kind"] = "observation"
    notes.loc[notes["id"] == "N004", "kind"] = "quote"  # "surprised by the delivery cost"
    found, _ = themes.find_themes(notes, lambda pid: True, quotes=2)
    delivery = next(t for t in found if "N001" in t["notes"])
    assert delivery["quotes"][0]["note_id"] == "N004"
    assert len(delivery["quotes"]) == 2


def test_note_taking_words_are_never_top_terms():
    notes = pd.DataFrame(
        [
            {
                "id": f"N{i:03d}",
                "participant": p,
                "pid": p,
                "tags": [],
                "text": f"she said and asked about the {t}, it appeared {t} was odd",
            }
            for i, (t, p) in enumerate(
                [
                    ("coupon", "P01"),
                    ("coupon", "P02"),
                    ("coupon", "P03"),
                    ("invoice", "P01"),
                    ("invoice", "P02"),
                    ("invoice", "P03"),
                ],
                1,
            )
        ]
    )
    found, _ = themes.find_themes(notes, lambda pid: True)
    terms = {term for t in found for term in t["top_terms"]}
    assert {"coupon", "invoice"} <= terms
    assert not terms & {"said", "asked", "appeared"}
