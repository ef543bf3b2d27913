"""Tag matrix sorted by participants, and coverage of research questions."""

from __future__ import annotations

import pandas as pd

from kit.study.study_file import ResearchQuestion
from kit.synthesis import tag_matrix

NOTES = pd.DataFrame(
    {
        "participant": ["P01", "P01", "P01", "P02", "P03", "P02", "P03"],
        "tags": [["solo"], ["solo"], ["solo", "wide"], ["wide"], ["wide"], ["pair"], ["pair"]],
    }
)
PEOPLE = ["P01", "P02", "P03", "P04"]


def test_rows_sorted_by_participant_count_not_note_count():
    m = tag_matrix.tag_matrix(NOTES, PEOPLE)
    # 'solo' has most notes (3) but one person; 'wide' is seen with three people.
    assert list(m.index) == ["wide", "pair", "solo"]
    assert m.loc["solo"].tolist() == [3, 0, 0, 0]
    assert list(m.columns) == PEOPLE  # P04 has no notes but stays a column


def test_matrix_json_and_empty():
    j = tag_matrix.matrix_json(tag_matrix.tag_matrix(NOTES, PEOPLE))
    assert j["rows"][0] == {
        "tag": "wide",
        "participant_count": 3,
        "notes": 3,
        "participants": ["P01", "P02", "P03"],
        "counts": {"P01": 1, "P02": 1, "P03": 1},
    }
    empty = tag_matrix.tag_matrix(NOTES.assign(tags=[[]] * len(NOTES)), PEOPLE)
    assert empty.empty and tag_matrix.matrix_json(empty)["rows"] == []


def test_coverage_per_research_question():
    m = tag_matrix.tag_matrix(NOTES, PEOPLE)
    rqs = [
        ResearchQuestion(id="RQ1", text="a", tags=["Wide", "missing"]),
        ResearchQuestion(id="RQ2", text="b", tags=["pair"]),
        ResearchQuestion(id="RQ3", text="c", tags=[]),
        ResearchQuestion(id="RQ4", text="d", tags=["nothing"]),
    ]
    c = {r["id"]: r for r in tag_matrix.coverage(rqs, m)}
    assert c["RQ1"]["status"] == "partly covered" and c["RQ1"]["missing_tags"] == ["missing"]
    assert c["RQ1"]["participant_count"] == 3 and c["RQ1"]["notes"] == 3
    assert c["RQ2"]["status"] == "covered" and c["RQ2"]["participants"] == ["P02", "P03"]
    assert c["RQ3"]["status"] == "no tags mapped"
    assert c["RQ4"]["status"] == "no evidence" and c["RQ4"]["participant_count"] == 0
