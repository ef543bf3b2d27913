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


def _purged(notes: pd.DataFrame, people: set[str]) -> pd.DataFrame:
    """The notes after a purge: the words of these participants' notes removed, ids and tags kept."""
    out = notes.copy()
    out["text"] = [("" if p in people else t) for p, t in zip(out["participant"], out["text"])]
    return out


def test_pinned_themes_keep_their_ids_and_notes_when_a_purge_removes_words():
    before, _ = themes.find_themes(_notes(), lambda pid: True)
    pins = {t["id"]: t["notes"] for t in before}
    tags = {i: ["shipping-cost", "hesitation", "trust"] if i <= 4 else [] for i in range(1, 9)}
    for people in ({"P01", "P02"}, {"P01", "P02", "P03", "P04", "P05", "P06"}):  # two withdrawn; expired
        notes = _purged(_notes(tags=tags), people)
        after, basis = themes.find_themes(notes, lambda pid: True, pinned=pins)
        assert {t["id"]: t["notes"] for t in after} == pins, people
        assert "pinned" in basis
        for theme in after:
            assert all(q["text"] for q in theme["quotes"])  # a purged note is never a quote
            assert not {q["participant"] for q in theme["quotes"]} & people
    wordless, _ = themes.find_themes(_purged(_notes(tags=tags), {f"P0{i}" for i in range(1, 7)}), lambda pid: True)
    assert wordless == []  # without pins the cited themes would be gone
    expired = _purged(_notes(tags=tags), {f"P0{i}" for i in range(1, 7)})
    delivery = next(t for t in themes.find_themes(expired, lambda pid: True, pinned=pins)[0] if "N001" in t["notes"])
    assert delivery["label"] == "shipping-cost, hesitation, trust" and delivery["top_terms"] == []


def test_notes_in_no_pin_become_themes_numbered_after_the_pinned_ones():
    pins = {"T1": ["N001", "N002", "N003", "N004"], "T7": ["N099"]}  # N099 is gone: T7 is dropped, never reused
    found, _ = themes.find_themes(_notes(), lambda pid: True, pinned=pins)
    assert found[0]["id"] == "T1" and found[0]["notes"] == pins["T1"]
    assert [t["id"] for t in found[1:]] == [f"T{i}" for i in range(8, 8 + len(found) - 1)]
    assert sorted(n for t in found[1:] for n in t["notes"]) == ["N005", "N006", "N007", "N008"]
