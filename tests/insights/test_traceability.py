"""Traceability: broken evidence, unaccounted questions and ownerless recommendations fail the study."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights_fixture import insights_copy, make_study
from kit.errors import InsightError
from kit.insights.stage import run_insights_stage


def _fails(tmp_path: Path, spec: dict) -> InsightError:
    sdir = make_study(tmp_path, insights=spec)
    with pytest.raises(InsightError) as err:
        run_insights_stage(sdir)
    assert not (tmp_path / "reports" / "fixture" / "insights.json").exists()
    assert not (tmp_path / "reports" / "index.json").exists()
    return err.value


def test_broken_evidence_reference_names_insight_and_id(tmp_path: Path):
    spec = insights_copy()
    spec["insights"].append({"id": "I3", "statement": "Something", "answers": ["RQ1"], "evidence": ["N001", "N999"]})
    err = _fails(tmp_path, spec)
    assert [str(p) for p in err.problems] == ["insights.yml: insight I3: evidence 'N999' not found in synthesis"]


def test_unknown_counter_evidence_is_reported_too(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["counter_evidence"] = ["Q-S09-1"]
    err = _fails(tmp_path, spec)
    assert "insight I1: counter-evidence 'Q-S09-1' not found in synthesis" in str(err)


def test_question_neither_answered_nor_open(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["answers"] = []  # I1 was the only answer to RQ2
    err = _fails(tmp_path, spec)
    assert len(err.problems) == 1
    assert str(err.problems[0]).startswith(
        "insights.yml: research question RQ2: neither answered by an insight nor listed under open_questions"
    )


def test_open_question_satisfies_the_check(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["answers"] = []
    spec["open_questions"] = ["RQ2"]
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    assert result["open_questions"] == [{"id": "RQ2", "text": "Why do people hesitate?"}]
    assert {r["id"]: r["status"] for r in result["research_questions"]} == {"RQ1": "answered", "RQ2": "open"}


def test_recommendation_without_owner(tmp_path: Path):
    spec = insights_copy()
    del spec["insights"][1]["recommendations"][0]["owner"]
    err = _fails(tmp_path, spec)
    assert [str(p) for p in err.problems] == [
        "insights.yml: insight I2: recommendation R2: no owner, expected one of PM, UXR, Design, Engineering"
    ]


def test_recommendation_metric_must_be_a_plan_metric(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["recommendations"][0]["metric"] = "Page views"
    spec["insights"][1]["recommendations"][0]["owner"] = "Marketing"
    err = _fails(tmp_path, spec)
    text = str(err)
    assert "insight I1: recommendation R1: metric 'Page views' is not a PM metric of the plan" in text
    assert "'Completed transactions per checkout started'" in text
    assert "insight I2: recommendation R2: owner expected one of PM, UXR, Design, Engineering, got 'Marketing'" in text


def test_all_problems_listed_at_once(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["evidence"].append("N999")
    spec["insights"][0]["answers"] = []
    del spec["insights"][0]["recommendations"][0]["owner"]
    del spec["insights"][1]["recommendations"][0]["metric"]
    spec["insights"][1]["recommendations"][0]["decided_by"] = None
    spec["insights"][1]["answers"] = ["RQ1", "RQ7"]
    err = _fails(tmp_path, spec)
    text = str(err)
    assert len(err.problems) == 6, text
    for part in (
        "insight I1: evidence 'N999' not found",
        "research question RQ2: neither",
        "insight I1: recommendation R1: no owner",
        "insight I2: recommendation R2: no metric",
        "status 'shipped' needs decided_by",
        "answers 'RQ7', which is not a research question",
    ):
        assert part in text


def test_duplicate_ids_and_unknown_open_question(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][1]["id"] = "I1"
    spec["insights"][1]["recommendations"][0]["id"] = "R1"
    spec["open_questions"] = ["RQ9"]
    err = _fails(tmp_path, spec)
    text = str(err)
    assert "insight I1: id used more than once" in text
    assert "recommendation R1: id used more than once" in text
    assert "open_questions: 'RQ9' is not a research question of the plan" in text


def test_answered_and_open_is_a_warning_only(tmp_path: Path):
    spec = insights_copy()
    spec["open_questions"] = ["RQ1"]
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    assert any("RQ1 is answered by an insight and also listed as open" in w for w in result["warnings"])
    assert result["research_questions"][0]["status"] == "partly answered"
