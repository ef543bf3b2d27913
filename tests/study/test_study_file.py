"""study.yml: loading, parameters and the shape of its errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kit.errors import StudyError
from kit.layout import reports_dir_for, study_slug
from kit.study.study_file import (
    PLAN_KEYS,
    load_study,
    parameters_from,
    validate_study,
)

DEMO = Path(__file__).resolve().parents[2] / "notebooks" / "demo-checkout"


def _demo_data() -> dict:
    return yaml.safe_load((DEMO / "study.yml").read_text())


def test_demo_study_is_valid_and_parameters_are_plain_json():
    study = load_study(DEMO)
    params = study.to_parameters()
    assert set(params) == set(PLAN_KEYS)
    assert params["start_date"] == "2026-10-05"  # a string, as papermill -f gives
    assert study.weeks == pytest.approx(39 / 7)


def test_overrides_from_papermill_win(tmp_path: Path):
    shutil.copytree(DEMO, tmp_path / "notebooks" / "s1")
    study = load_study(tmp_path / "notebooks" / "s1", overrides={"title": "Changed", "bogus": 1})
    assert study.title == "Changed"


def test_parameters_from_namespace_skips_unset_and_foreign_names():
    ns = {"title": "T", "deadline": None, "study_dir": "x", "pd": object()}
    assert parameters_from(ns) == {"title": "T"}


def test_bad_date_names_the_key_and_the_value():
    data = _demo_data() | {"deadline": "next friday"}
    with pytest.raises(StudyError) as err:
        validate_study(data, "study.yml")
    assert "study.yml: key 'deadline': expected a date like 2026-12-01, got 'next friday'" in str(err.value)


@pytest.mark.parametrize(
    "changes,message",
    [
        (
            {"deadline": "2026-01-01"},
            "study.yml: key 'deadline': expected a date on or after start_date 2026-10-05, got 2026-01-01",
        ),
        (
            {"deadline": None},
            "study.yml: key 'deadline': required key is missing (or give 'weeks_available'), got neither",
        ),
        (
            {"observers": [{"name": "Dana", "role": "CEO"}]},
            "study.yml: key 'observers[0].role': expected one of 'PM', 'UXR', 'Design', 'Engineering', "
            "'Support', 'Sales', got 'CEO'",
        ),
    ],
)
def test_cross_key_rules_and_roles_name_their_key(changes, message):
    data = _demo_data() | changes
    if data.get("deadline") is None:
        data.pop("deadline")
        data.pop("weeks_available", None)
    with pytest.raises(StudyError) as err:
        validate_study(data, "study.yml")
    assert message in str(err.value)


def test_repeated_question_id_names_the_repeat():
    data = _demo_data()
    data["research_questions"] = data["research_questions"] + [dict(data["research_questions"][0])]
    with pytest.raises(StudyError) as err:
        validate_study(data, "study.yml")
    assert (
        "study.yml: key 'research_questions[3].id': expected each id once, got 'RQ1' again (research_questions[0])"
    ) in str(err.value)


def test_observer_roles_are_matched_in_any_case():
    data = _demo_data() | {"observers": [{"name": "Dana", "role": "pm"}]}
    assert validate_study(data).observers[0].role == "PM"


def test_all_problems_are_listed_at_once():
    data = _demo_data()
    del data["title"]
    data["tittle"] = "typo"
    data["pm_metrics"][0]["kind"] = "vibes"
    with pytest.raises(StudyError) as err:
        validate_study(data, "study.yml")
    text = str(err.value)
    assert "key 'title': required key is missing" in text
    assert "key 'tittle': unknown key" in text
    assert "key 'pm_metrics[0].kind'" in text and "'vibes'" in text
    assert len(err.value.problems) == 3


def test_yaml_syntax_error_names_the_line(tmp_path: Path):
    d = tmp_path / "s"
    d.mkdir()
    (d / "study.yml").write_text("title: ok\nsegments: [a, b\nmethod: x\n")
    with pytest.raises(StudyError, match=r"study.yml:\d+: not valid YAML"):
        load_study(d)


def test_missing_file_is_named(tmp_path: Path):
    with pytest.raises(StudyError, match="study.yml: file not found"):
        load_study(tmp_path)


def test_paths(tmp_path: Path):
    d = tmp_path / "notebooks" / "my-study"
    d.mkdir(parents=True)
    assert study_slug(d) == "my-study"
    assert reports_dir_for(d) == tmp_path.resolve() / "reports" / "my-study"
    assert reports_dir_for(d, "elsewhere") == Path("elsewhere")
