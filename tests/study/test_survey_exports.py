"""Survey tools' exports as data/sus.csv: the same scores as the kit's own format, or a clear error.

The exports are built in :mod:`survey_fixture` the way Qualtrics, Google
Forms and SurveyMonkey write them.
"""

from __future__ import annotations

import pytest

import survey_fixture
from kit.errors import DataError
from kit.study import tables as sources
from kit.synthesis import usability_metrics as metrics
from synthesis_fixture import make_study

ITEMS = [f"q{i}" for i in range(1, 11)]


def _read(tmp_path, sus: str | bytes, name: str = "sus.csv"):
    study = make_study(tmp_path, files={"sus.csv": None})
    path = study / "data" / name
    path.write_bytes(sus if isinstance(sus, bytes) else sus.encode("utf-8"))
    return sources.load_tables(study, raise_fatal=False)


def _scores(data) -> dict[str, tuple[float, float]]:
    sus = data.frame("sus")
    return dict(zip(sus["participant_id"], zip(metrics.sus_scores(sus), sus["recommend"])))


EXPORTS = [
    pytest.param(survey_fixture.qualtrics_csv(), "sus.csv", "Qualtrics", id="qualtrics"),
    pytest.param(
        survey_fixture.xlsx_bytes(survey_fixture.qualtrics_rows()), "sus.xlsx", "Qualtrics", id="qualtrics-xlsx"
    ),
    pytest.param(survey_fixture.google_forms_csv(), "sus.csv", "Google Forms", id="google-forms"),
    pytest.param(
        survey_fixture.xlsx_bytes(survey_fixture.google_forms_rows()),
        "sus.xlsx",
        "Google Forms",
        id="google-forms-sheet",
    ),
    pytest.param(survey_fixture.surveymonkey_csv(), "sus.csv", "SurveyMonkey", id="surveymonkey"),
]


@pytest.mark.parametrize("export,name,tool", EXPORTS)
def test_exports_score_as_the_kits_own_sus_csv(tmp_path, export, name, tool):
    own = _read(tmp_path / "own", survey_fixture.kit_sus_csv())
    data = _read(tmp_path / "export", export, name)
    assert not [p for p in data.problems if p.fatal], data.problems
    assert _scores(data) == _scores(own)
    # Brooke (1996) by hand; R-1 is Tullis & Albert's worked example (contributions 22 -> 55)
    assert {pid: s for pid, (s, _) in _scores(data).items()} == {
        pid: survey_fixture.brooke_score(answers) for pid, (answers, _) in survey_fixture.ANSWERS.items()
    }
    assert _scores(data)["R-1"][0] == 55
    [how] = [p for p in data.problems if "export (" in p.message]
    assert how.where == f"data/{name}:1" and not how.fatal and how.message.startswith(f"read as a {tool} export")


def test_qualtrics_columns_are_named_in_one_line(tmp_path):
    data = _read(tmp_path, survey_fixture.qualtrics_csv())
    [how] = [p for p in data.problems if p.message.startswith("read as")]
    # 11 metadata columns (A-K), the id question L, the matrix M-V, NPS W (its NPS_GROUP X is ignored)
    assert how.message == (
        "read as a Qualtrics export (3 header rows): participant_id from column L, q1-q10 from columns M-V, "
        "recommend from column W; answers given as labels read as 1-5"
    )


def test_qualtrics_preview_and_test_responses_are_skipped_with_a_warning(tmp_path):
    data = _read(tmp_path, survey_fixture.qualtrics_csv(previews=True))
    sus = data.frame("sus")
    assert sus["participant_id"].tolist() == ["R-1", "R-2", "R-3", "R-4"]
    assert sus[sources.LINE].tolist() == [6, 7, 8, 9]  # lines 4-5: the preview and the test response
    [skipped] = [p for p in data.problems if "preview or test" in p.message]
    assert skipped.where == "data/sus.csv:4" and not skipped.fatal
    assert "line 4 (Status 'Survey Preview')" in skipped.message and "line 5 (Status 'Survey Test')" in skipped.message


def test_synthesis_of_an_export_equals_that_of_the_kits_format(tmp_path):
    from kit.synthesis.stage import synthesise

    def metric(study, mid: str) -> float:
        return next(m["value"] for m in synthesise(study)["metrics"] if m["id"] == mid)

    own = make_study(tmp_path / "own", files={"sus.csv": survey_fixture.kit_sus_csv()})
    export = make_study(tmp_path / "export", files={"sus.csv": survey_fixture.surveymonkey_csv()})
    assert metric(export, "M-SUS") == metric(own, "M-SUS") == pytest.approx((55 + 100 + 50 + 77.5) / 4)
    assert metric(export, "M-NPS") == metric(own, "M-NPS")
    warnings = synthesise(export)["warnings"]
    assert any(w.startswith("data/sus.csv:1: read as a SurveyMonkey export") for w in warnings)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_missing_item_names_the_file_line_and_item(tmp_path):
    export = _replace(survey_fixture.google_forms_csv(), "I felt very confident using the website", "I felt fine")
    data = _read(tmp_path, export)
    [p] = [p for p in data.problems if p.fatal]
    assert p.where == "data/sus.csv:1"
    assert p.message.startswith("SUS item q9 not found") and "I felt very confident using the system" in p.message
    with pytest.raises(DataError):
        sources.load_tables(make_study(tmp_path / "again", files={"sus.csv": export}))


def test_two_participant_id_questions_are_an_error_naming_both_columns(tmp_path):
    data = _read(tmp_path, survey_fixture.qualtrics_csv(extra_id_question=True))
    [p] = [p for p in data.problems if p.fatal]
    assert p.where == "data/sus.csv:2"  # Qualtrics' question row
    assert "participant_id found in column L ('What is your participant ID?') and column Y ('participant_id')" in (
        p.message
    )


def test_label_off_the_scale_names_line_and_column(tmp_path):
    export = survey_fixture.surveymonkey_csv().split("\r\n")
    export[3] = export[3].replace("Strongly disagree", "Kind of", 1)  # R-2's second answer
    data = _read(tmp_path, "\r\n".join(export))
    [p] = [p for p in data.problems if p.fatal]
    assert p.where == "data/sus.csv:4"
    assert p.message.startswith("column L ('Please indicate how much you agree") and "answer 'Kind of'" in p.message
    assert "Strongly disagree, Disagree" in p.message


def test_seven_point_scale_is_not_read_as_five(tmp_path):
    # SurveyMonkey's "Agree" and Qualtrics' "Somewhat agree" in one file: a 7-point scale
    export = survey_fixture.surveymonkey_csv().split("\r\n")
    export[4] = export[4].replace("Neither agree nor disagree", "Somewhat agree", 1)
    data = _read(tmp_path, "\r\n".join(export))
    [p] = [p for p in data.problems if p.fatal]
    assert p.where == "data/sus.csv:5" and "'Somewhat agree' and 'agree' (line 3) would both be 4" in p.message


def test_numbered_label_that_contradicts_its_number_is_refused(tmp_path):
    export = _replace(survey_fixture.google_forms_csv(), ",5 = Strongly agree,", ",1 = Strongly agree,")
    data = _read(tmp_path, export)
    assert any(p.fatal and "answer '1 = Strongly agree' is not on the 5-point" in p.message for p in data.problems)


def test_the_kits_own_format_is_not_taken_for_an_export(tmp_path):
    data = _read(tmp_path, survey_fixture.kit_sus_csv())
    assert data.problems == [] and len(data.frame("sus")) == 4
