"""The tag matrix ("rainbow spreadsheet") and tag coverage per research question.

Rows are tags, columns are participants (pseudonyms), a cell counts the
participant's notes carrying the tag. Rows are sorted by how many
participants show the tag (then by notes, then by name), so patterns that hold
across people come first, not the ones one talkative participant repeated
(Sharon 2012, "It's Our Research", the rainbow spreadsheet).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from kit.study.study_file import ResearchQuestion


def tag_matrix(notes: pd.DataFrame, people: Sequence[str]) -> pd.DataFrame:
    """Tags x participants note counts; ``notes`` has ``participant`` and ``tags`` (lists)."""
    rows = notes[["participant", "tags"]].explode("tags").dropna(subset=["tags"])
    if rows.empty:
        return pd.DataFrame(index=pd.Index([], name="tag"), columns=list(people), dtype=int)
    # groupby().size() runs in C; pd.crosstab aggregates in Python (slow at 100k notes).
    m = rows.groupby(["tags", "participant"]).size().unstack(fill_value=0).reindex(columns=list(people), fill_value=0)
    key = pd.DataFrame({"people": (m > 0).sum(axis=1), "notes": m.sum(axis=1)}, index=m.index)
    key = key.reset_index(names="tag").sort_values(["people", "notes", "tag"], ascending=[False, False, True])
    m = m.loc[key["tag"]].astype(int)
    m.index.name = "tag"
    return m


def matrix_json(matrix: pd.DataFrame) -> dict[str, Any]:
    """The matrix as plain JSON: participants in column order, one row per tag."""
    people = list(matrix.columns)
    rows = []
    values = matrix.to_numpy()
    for tag, counts in zip(matrix.index, values):
        present = [p for p, c in zip(people, counts) if c]
        rows.append(
            {
                "tag": str(tag),
                "participant_count": len(present),
                "notes": int(counts.sum()),
                "participants": present,
                "counts": {p: int(c) for p, c in zip(people, counts) if c},
            }
        )
    return {"participants": people, "rows": rows}


def coverage(research_questions: Sequence[ResearchQuestion], matrix: pd.DataFrame) -> list[dict[str, Any]]:
    """Per research question: which of its tags occur, with how many participants and notes.

    ``research_questions`` are the study's ``ResearchQuestion`` objects (id,
    text, tags). A question whose tags never occur has no evidence yet.
    """
    people_by_tag = {t: set(matrix.columns[matrix.loc[t].to_numpy() > 0]) for t in matrix.index}
    notes_by_tag = matrix.sum(axis=1).to_dict()
    out = []
    for rq in research_questions:
        tags = [t.strip().lower() for t in rq.tags]
        found = [t for t in tags if t in people_by_tag]
        people = set().union(*(people_by_tag[t] for t in found)) if found else set()
        out.append(
            {
                "id": rq.id,
                "text": rq.text,
                "tags": tags,
                "covered_tags": found,
                "missing_tags": [t for t in tags if t not in people_by_tag],
                "participant_count": len(people),
                "participants": sorted(people),
                "notes": int(sum(notes_by_tag[t] for t in found)),
                "status": (
                    "no tags mapped"
                    if not tags
                    else "covered"
                    if len(found) == len(tags)
                    else "partly covered"
                    if found
                    else "no evidence"
                ),
            }
        )
    return out
