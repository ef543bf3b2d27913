"""RACI validation: one Accountable, at least one Responsible, known roles/letters/activities."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kit.errors import StudyError
from kit.study.raci import (
    activity_names,
    raci_frame,
    raci_problems,
    raci_summary,
    raci_warnings,
)
from kit.study.study_file import validate_study

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = [
    "planning",
    "recruiting",
    "customer communication",
    "moderating sessions",
    "observing",
    "synthesis",
    "insight sign-off",
    "product decision",
    "beta program",
    "feature-request triage",
]


def _demo() -> dict:
    return yaml.safe_load((ROOT / "notebooks" / "demo-checkout" / "study.yml").read_text())


def _messages(raci) -> list[str]:
    return [str(p) for p in raci_problems(raci)]


def test_activity_table_holds_the_required_activities():
    assert activity_names() == REQUIRED


def test_demo_raci_is_valid_and_complete():
    raci = _demo()["raci"]
    assert raci_problems(raci) == []
    assert raci_warnings(raci) == []


def test_two_accountables_are_rejected_naming_the_activity():
    (msg,) = _messages({"planning": {"UXR": "A", "PM": "A", "Design": "R"}})
    assert msg == ("study.yml: key 'raci.planning': expected exactly one Accountable (A), got 2 (UXR, PM)")


def test_no_accountable_and_no_responsible():
    msgs = _messages({"synthesis": {"UXR": "C", "PM": "I"}})
    assert "study.yml: key 'raci.synthesis': expected exactly one Accountable (A), got none" in msgs
    assert "study.yml: key 'raci.synthesis': expected at least one Responsible (R), got none" in msgs


def test_unknown_role_letter_and_activity():
    msgs = _messages({"planning": {"UXR": "A", "Marketing": "R", "PM": "X"}, "lunch": {"PM": "A", "UXR": "R"}})
    assert any("key 'raci.planning': unknown role 'Marketing'" in m and "Engineering" in m for m in msgs)
    assert any("key 'raci.planning': role 'PM': expected one of R, A, C, I, got 'X'" in m for m in msgs)
    assert any("key 'raci.lunch': unknown activity, expected one of: planning" in m for m in msgs)


def test_validation_lists_raci_problems_once_with_the_activity_key():
    data = _demo()
    data["raci"]["recruiting"] = {"UXR": "A", "Support": "A", "PM": "R"}
    data["raci"]["observing"]["PM"] = "Z"
    with pytest.raises(StudyError) as err:
        validate_study(data, "study.yml")
    problems = [str(p) for p in err.value.problems]
    assert "study.yml: key 'raci.recruiting': expected exactly one Accountable (A), got 2 (UXR, Support)" in problems
    assert "study.yml: key 'raci.observing': role 'PM': expected one of R, A, C, I, got 'Z'" in problems
    assert len(problems) == 2  # the schema's own letter check does not repeat it


def test_missing_rows_are_warnings_not_errors():
    raci = {"planning": {"UXR": "A", "PM": "R"}}
    assert raci_problems(raci) == []
    (w,) = raci_warnings(raci)
    assert "recruiting" in w and "planning" not in w.split(":", 1)[1]
    assert "No RACI matrix yet" in raci_warnings({})[0]


def test_summary_and_table():
    summary = raci_summary(_demo()["raci"])
    rows = {r["activity"]: r for r in summary["activities"]}
    assert rows["product decision"]["accountable"] == "PM"
    assert rows["moderating sessions"]["responsible"] == ["Design"]
    frame = raci_frame(summary)
    assert list(frame["activity"]) == REQUIRED
    assert frame.set_index("activity").loc["recruiting", "Support"] == "R"
    assert "Sales" not in frame.columns  # nobody holds that role in the demo
