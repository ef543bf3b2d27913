"""insights.yml schema, the 03-insights stage entry point and its outputs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from insights_fixture import insights_copy, make_study
from kit.errors import InsightError, StageOrderError
from kit.insights.stage import load_insights, run_insights_stage, validate_insights
from kit.iorw import read_json
from kit.site.index import build_index


def test_stage_writes_insights_json_with_cards_data(tmp_path: Path):
    result = run_insights_stage(make_study(tmp_path))
    on_disk = read_json(tmp_path / "reports" / "fixture" / "insights.json")
    assert on_disk == result
    assert [i["id"] for i in result["insights"]] == ["I1", "I2"]
    i1 = result["insights"][0]
    assert [e["id"] for e in i1["evidence_items"]] == ["T1", "N001", "N002", "Q-N007", "Q-S01-2"]
    assert i1["counter_items"][0]["participants"] == ["P04"]
    # The decision log holds decided recommendations, oldest first.
    assert [r["id"] for r in result["decision_log"]] == ["R1", "R2"]
    # A metric typed in another spelling is stored as the plan names it.
    assert result["recommendations"][1]["metric"] == "Time to complete checkout"
    assert result["study"]["participant_count"] == 6


def test_matrix_marks_support_counter_and_metric_only(tmp_path: Path):
    result = run_insights_stage(make_study(tmp_path))
    rows = {r["insight"]: r["cells"] for r in result["evidence_matrix"]["rows"]}
    assert rows["I1"] == {"P01": "support", "P02": "support", "P03": "support", "P04": "counter"}
    # I2 cites notes of P02, P05, P06 and a completion metric measured on all six.
    assert rows["I2"]["P05"] == "support" and rows["I2"]["P04"] == "metric"


def test_researcher_text_naming_a_participant_is_redacted(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["statement"] = "Ada Lovelace and others hesitate at delivery cost."
    spec["insights"][0]["recommendations"][0]["action"] = "Call Ada Lovelace back (ada@example.com)"
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    text = (tmp_path / "reports" / "fixture" / "insights.json").read_text()
    assert "Ada" not in text and "ada@example.com" not in text
    assert result["insights"][0]["statement"].startswith("P01 and others")


def test_windows_1252_roster_and_staff_names_are_redacted_too(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["statement"] = "Zoë Núñez and Sam Okafor both saw delivery cost late."
    study = make_study(tmp_path, insights=spec)
    roster = study / "data" / "participants.csv"
    roster.write_bytes(roster.read_text(encoding="utf-8").replace("Ada Lovelace", "Zoë Núñez").encode("cp1252"))
    (study / "data" / "sessions.csv").write_text(
        "session_id,participant_id,date,moderator,observers\nS01,R1,2026-01-06,Sam Okafor,\n", encoding="utf-8"
    )
    result = run_insights_stage(study)
    text = (tmp_path / "reports" / "fixture" / "insights.json").read_text(encoding="utf-8")
    assert "Núñez" not in text and "Okafor" not in text
    assert result["insights"][0]["statement"].startswith("P01 and [moderator]")


def test_missing_synthesis_is_a_stage_order_error(tmp_path: Path):
    sdir = make_study(tmp_path, synthesis=False)
    with pytest.raises(StageOrderError, match="synthesis.json: not found"):
        run_insights_stage(sdir)
    assert not (tmp_path / "reports" / "fixture" / "insights.json").exists()


def test_schema_problems_name_insight_and_recommendation_by_id(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][0]["recommendations"][0]["status"] = "done"
    spec["insights"][1]["id"] = "Insight-2"
    spec["insights"][1]["evidnce"] = ["N005"]
    with pytest.raises(InsightError) as err:
        validate_insights(spec)
    text = str(err.value)
    assert "insights.yml: insight I1: recommendation R1: key 'status'" in text and "'done'" in text
    assert "insights.yml: insight Insight-2: key 'id': expected an id like I1, got 'Insight-2'" in text
    assert "insight Insight-2: key 'evidnce': unknown key" in text


def test_yaml_syntax_error_names_the_line(tmp_path: Path):
    sdir = make_study(tmp_path)
    (sdir / "insights.yml").write_text("insights:\n  - id: I1\n    statement: [unclosed\n")
    with pytest.raises(InsightError, match=r"^insights.yml:\d+: not valid YAML"):
        load_insights(sdir)


def test_a_failed_check_withdraws_the_previous_insights(tmp_path: Path):
    sdir = make_study(tmp_path)
    run_insights_stage(sdir)
    out = tmp_path / "reports" / "fixture"
    assert build_index(tmp_path / "reports")["insights"]
    spec = insights_copy()
    spec["insights"][0]["evidence"] = ["N999"]
    (sdir / "insights.yml").write_text(yaml.safe_dump(spec))
    with pytest.raises(InsightError):
        run_insights_stage(sdir)
    assert sorted(p.name for p in out.iterdir()) == ["synthesis.json"]
    assert build_index(tmp_path / "reports")["insights"] == []  # the index rebuilt after the run


def _skeleton() -> str:
    return resources.files("kit").joinpath("data", "insights_skeleton.yml").read_text()


def test_skeleton_loads_as_empty():
    spec = validate_insights(yaml.safe_load(_skeleton()))
    assert spec.insights == [] and spec.open_questions == ["RQ1"]  # the new study.yml's one question


def test_skeleton_example_is_valid_once_uncommented():
    text = "\n".join(line[2:] if line.startswith("#   ") else line for line in _skeleton().splitlines())
    spec = validate_insights(yaml.safe_load(text))
    assert spec.insights[0].id == "I1" and spec.insights[0].recommendations[0].owner == "Design"
    assert spec.open_questions == ["RQ1", "RQ3"]


@pytest.mark.parametrize("slug", ["demo-checkout", "quick-onboarding"])
def test_example_insights_trace_to_the_real_synthesis(slug: str, tmp_path: Path):
    from kit.synthesis.stage import run_synthesis_stage

    study_dir = Path(__file__).resolve().parents[2] / "notebooks" / slug
    reports = tmp_path / "reports" / slug
    run_synthesis_stage(study_dir, reports)
    result = run_insights_stage(study_dir, reports, exports=False)
    # The demo's I6 rests on feature requests alone: the warning it is meant to show (issue 17);
    # and its review date (1 December 2026) has passed (issue 28).
    expected = [
        "insight I6: evidence is only feature requests",
        "insight I6: recommendation R8: rests only on",
        "insight I6: review due since 1 December 2026 (demo-checkout/I6)",
    ]
    assert result["insights"] and len(result["warnings"]) == (3 if slug == "demo-checkout" else 0)
    assert all(e in w for e, w in zip(expected, result["warnings"]))
    assert all(q["status"] in ("answered", "open") for q in result["research_questions"])
    decided = {r["status"] for r in result["decision_log"]}
    assert {"accepted", "shipped"} <= decided
    assert all(r["decided_on"] and r["decided_by"] for r in result["decision_log"])
    # The last row of each sessions.csv: the Impact page counts the days from it to each decision.
    assert result["study"]["last_session"] == {"demo-checkout": "2026-10-23", "quick-onboarding": "2026-11-05"}[slug]


def test_verbatim_words_of_a_participant_without_quote_consent_are_withheld(tmp_path: Path):
    # N008 is a note of P06 (Zed Quill, consent_quotes=no); make it a verbatim quote.
    import copy

    from insights_fixture import SYNTHESIS

    synthesis = copy.deepcopy(SYNTHESIS)
    synthesis["notes"][7] |= {"kind": "quote", "text": "Zed here: the card error is rubbish"}
    result = run_insights_stage(make_study(tmp_path, synthesis=synthesis))
    item = next(e for e in result["insights"][1]["evidence_items"] if e["id"] == "N008")
    assert item["text"] == "[quote withheld: no consent to quotes]"
    assert "rubbish" not in (tmp_path / "reports" / "fixture" / "insights.json").read_text()


def test_metric_does_not_turn_counter_evidence_into_mixed(tmp_path: Path):
    spec = insights_copy()
    spec["insights"][1]["counter_evidence"] = ["N006"]  # P01, who is also in the completion metric
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    cells = result["evidence_matrix"]["rows"][1]["cells"]
    assert cells["P01"] == "counter" and cells["P03"] == "metric" and cells["P02"] == "support"


def test_save_insights_round_trips_and_refuses_broken_references(tmp_path: Path):
    from kit.insights.stage import save_insights

    sdir = make_study(tmp_path)
    spec = insights_copy()
    spec["insights"][0]["statement"] = "Edited in the form."
    save_insights(sdir, spec)
    assert load_insights(sdir).insights[0].statement == "Edited in the form."
    before = (sdir / "insights.yml").read_text()
    spec["insights"][0]["evidence"] = ["N999"]
    with pytest.raises(InsightError, match="insight I1: evidence 'N999' not found in synthesis"):
        save_insights(sdir, spec)
    assert (sdir / "insights.yml").read_text() == before
