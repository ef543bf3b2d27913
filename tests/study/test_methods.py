"""The method table, question cues and method advice."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kit.errors import StudyError
from kit.study.methods import (
    PHASES,
    advise,
    classify_text,
    get_method,
    load_methods,
    method_fit_warnings,
    method_ids,
    method_problems,
    recommended,
)
from kit.study.study_file import Study, load_study, validate_study

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = [
    "usability-test-moderated",
    "unmoderated-test",
    "interviews",
    "diary-study",
    "survey",
    "card-sort",
    "tree-test",
    "a-b-test",
    "concept-test",
    "contextual-inquiry",
    "analytics-review",
]


def test_table_holds_the_required_methods_with_valid_values():
    methods = load_methods()
    assert set(REQUIRED) <= set(methods)
    for m in methods.values():
        assert set(m.phase_weeks) == set(PHASES)
        assert m.weeks > 0 and all(w >= 0 for w in m.phase_weeks.values())
        assert m.behaviour in ("behavioural", "attitudinal")
        assert m.data in ("qualitative", "quantitative")
        assert m.stance in ("generative", "evaluative")
        assert m.min_sample >= 0


def test_known_answers_from_the_table():
    assert get_method("usability-test-moderated").weeks == pytest.approx(4.0)
    assert get_method("survey").behaviour == "attitudinal"
    assert get_method("a-b-test").data == "quantitative"
    assert get_method("interviews").stance == "generative"
    assert get_method("card-sort").min_sample == 15  # Tullis & Wood 2004


def test_method_field_offers_the_table_as_choices():
    extra = Study.model_fields["method"].json_schema_extra
    assert extra["widget"] == "choice" and extra["choices"] == method_ids()


def test_unknown_method_names_the_key_and_lists_known_ids():
    (problem,) = method_problems("usability test")
    assert problem.where == "study.yml: key 'method'"
    assert "unknown method 'usability test'" in problem.message
    assert all(i in problem.message for i in REQUIRED)
    assert method_problems(None) == [] and method_problems("survey") == []


def test_unknown_method_fails_validation(tmp_path: Path):
    data = yaml.safe_load((ROOT / "notebooks" / "demo-checkout" / "study.yml").read_text())
    data["method"] = "focus-group"
    with pytest.raises(StudyError) as err:
        validate_study(data, "study.yml")
    assert "study.yml: key 'method': unknown method 'focus-group'" in str(err.value)
    assert "tree-test" in str(err.value)


@pytest.mark.parametrize(
    "text, dimension, value",
    [
        ("Can first-time customers complete a purchase without help?", "behaviour", "behavioural"),
        ("Do customers prefer the new wording?", "behaviour", "attitudinal"),
        ("What share of admins invite a teammate?", "data", "quantitative"),
        ("Why do customers abandon at the payment step?", "probes_why", "yes"),
        ("What needs and workarounds do small teams have today?", "stance", "generative"),
    ],
)
def test_question_cues(text, dimension, value):
    assert value in classify_text(text).get(dimension, [])


def test_a_question_without_cues_claims_nothing():
    assert classify_text("Tell me more.") == {}


QS = [("RQ1", "Can new admins complete the invite step without help?"), ("RQ2", "Why do admins hesitate to invite?")]


def test_one_week_recommends_only_methods_that_fit_one_week():
    advice = advise(QS, "Keep the invite step or move it", 1.0, 5)
    best = recommended(advice)
    assert best and all(a.method.weeks <= 1.0 for a in best)
    assert "usability-test-moderated" not in [a.method.id for a in best]
    moderated = next(a for a in advice if a.method.id == "usability-test-moderated")
    assert not moderated.fits and "needs 4.0 weeks, the cycle gives 1.0" in moderated.why


def test_longer_cycle_prefers_a_method_that_can_ask_why():
    best = recommended(advise(QS, "Keep the invite step or move it", 6.0, 8))
    assert best[0].method.id == "usability-test-moderated"
    assert "asks why: RQ2" in best[0].why


def test_sample_requirement_ranks_below_fitting_methods():
    advice = advise(QS, "Ship it", 6.0, 8)
    ab = next(a for a in advice if a.method.id == "a-b-test")
    assert not ab.sample_ok and "needs at least 1000 participants, the plan has 8" in ab.why
    assert ab not in recommended(advice)


def test_chosen_method_mismatch_warnings():
    lines = method_fit_warnings(get_method("survey"), QS, 8)
    assert any("needs at least 100 participants; the plan has 8" in w for w in lines)
    assert any("Survey is attitudinal, but RQ1, RQ2 ask a behavioural question" in w for w in lines)
    assert method_fit_warnings(get_method("usability-test-moderated"), QS, 8) == []


def test_the_two_example_studies_get_different_advice():
    demo = load_study(ROOT / "notebooks" / "demo-checkout")
    quick_dir = ROOT / "notebooks" / "quick-onboarding"
    quick = load_study(quick_dir)

    def top(study):
        qs = [(q.id, q.text) for q in study.research_questions]
        planned = sum(study.participants_per_segment.values())
        return [a.method.id for a in recommended(advise(qs, study.decision, study.weeks, planned))]

    demo_top, quick_top = top(demo), top(quick)
    assert quick.weeks == pytest.approx(1.0)
    assert demo_top[0] != quick_top[0]
    assert demo_top[0] == "usability-test-moderated"
    assert all(get_method(m).weeks <= 1.0 for m in quick_top)
    assert quick.method in quick_top  # its chosen method fits its cycle


def test_a_method_that_cannot_probe_is_warned_about_why_questions():
    q = [("RQ2", "What makes admins hesitate before inviting their team?")]
    [warning] = [w for w in method_fit_warnings(get_method("unmoderated-test"), q, 10) if "why" in w]
    assert warning == (
        "Unmoderated usability test cannot ask participants why, but RQ2 asks why: "
        "add interviews or a moderated method."
    )
    assert not [w for w in method_fit_warnings(get_method("interviews"), q, 10) if "why" in w]
