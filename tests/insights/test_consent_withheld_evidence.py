"""kit.insights.evidence with consent over time: a cited quote whose consent went away still builds.

The flow runs the real stages (synthesis, then insights) on a tiny study:
an insight cites a participant's quote and transcript turn; then the
participant withdraws (in the panel, or in the study's own roster) and the
next run is green, the evidence reads "quote withheld (no consent)", still
counts, the stage warns naming the insight and the evidence id, and the
words are nowhere in the reports.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from kit.insights.evidence import WITHHELD_TEXT, index_synthesis
from kit.insights.stage import run_insights_stage
from kit.outputs.synthesis import Synthesis
from kit.synthesis.stage import run_synthesis_stage
from panel_fixture import person, write_panel
from synthesis_fixture import FILES, make_study

INSIGHTS = {
    "insights": [
        {
            "id": "I1",
            "statement": "Card errors confuse people.",
            "answers": ["RQ1"],
            "evidence": ["N001", "N003", "Q-N002", "Q-S01-2"],
            "tags": ["payment"],
            "recommendations": [
                {
                    "id": "R1",
                    "action": "Accept spaces",
                    "owner": "Engineering",
                    "metric": "Completed transactions",
                    "priority": "high",
                    "effort": "S",
                    "status": "proposed",
                }
            ],
        }
    ],
    "open_questions": ["RQ2"],
}
ANN_WORDS = ("I thought it was broken", "The card box says invalid", "no spaces. Got it")
LINKED = (
    FILES["participants.csv"]
    .replace("consent_recording\n", "consent_recording,person_id\n", 1)
    .replace("R-1,Ann Archer,ann@example.com,New,yes,yes", "R-1,Ann Archer,ann@example.com,New,yes,yes,PN-1")
)


def run_both(study: Path) -> dict:
    run_synthesis_stage(study)
    return run_insights_stage(study)


def reports_text(repo: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in (repo / "reports").rglob("*") if p.is_file())


def study_citing_ann(repo: Path) -> Path:
    study = make_study(repo, files={"participants.csv": LINKED})
    (study / "insights.yml").write_text(yaml.safe_dump(INSIGHTS, sort_keys=False))
    return study


def assert_withheld_but_counted(result: dict, repo: Path) -> None:
    items = {e["id"]: e for e in result["insights"][0]["evidence_items"]}
    assert items["Q-N002"]["text"] == WITHHELD_TEXT and items["Q-N002"]["withheld"]
    assert items["Q-S01-2"]["text"] == WITHHELD_TEXT and items["Q-S01-2"]["participants"] == ["P01"]
    assert "P01" in result["insights"][0]["confidence"]["participants"]
    assert any("insight I1" in w and "'Q-N002'" in w and "withheld" in w for w in result["warnings"])
    assert any("insight I1" in w and "'Q-S01-2'" in w for w in result["warnings"])
    text = reports_text(repo)
    assert not any(words in text for words in ANN_WORDS)


def test_the_quotes_are_shown_while_consent_holds(tmp_path: Path):
    study = study_citing_ann(tmp_path)
    result = run_both(study)
    items = {e["id"]: e for e in result["insights"][0]["evidence_items"]}
    assert "broken" in items["Q-N002"]["text"] and "withheld" not in items["Q-N002"]
    assert not result["warnings"]


def test_a_withdrawal_in_the_panel_after_an_insight_cites_the_quote_still_builds(tmp_path: Path):
    study = study_citing_ann(tmp_path)
    run_both(study)
    write_panel(tmp_path, [person("PN-1", "Ann Archer", withdrawn="2026-03-01"), person("PN-2", "Zoe Zed")])
    result = run_both(study)
    assert_withheld_but_counted(result, tmp_path)


def test_consent_changed_in_the_study_roster_still_builds(tmp_path: Path):
    study = study_citing_ann(tmp_path)
    run_both(study)
    roster = (study / "data" / "participants.csv").read_text("utf-8")
    (study / "data" / "participants.csv").write_text(
        roster.replace("ann@example.com,New,yes,yes", "ann@example.com,New,no,no")
    )
    assert_withheld_but_counted(run_both(study), tmp_path)


def test_a_purged_transcript_still_resolves_its_cited_turn_as_withheld(tmp_path: Path):
    study = study_citing_ann(tmp_path)
    run_both(study)
    write_panel(tmp_path, [person("PN-1", "Ann Archer", withdrawn="2026-03-01")])
    (study / "data" / "transcripts" / "S01.vtt").unlink()
    assert_withheld_but_counted(run_both(study), tmp_path)


def test_withheld_ids_resolve_only_for_withheld_sessions():
    synthesis = Synthesis.model_validate(
        {
            "study": {"slug": "s", "title": "S"},
            "participants": [],
            "notes": [],
            "themes": [],
            "metrics": [],
            "withheld_quotes": [{"id": "Q-N9", "participants": ["P02"], "source": "note"}],
            "withheld_sessions": [{"session_id": "S02", "participants": ["P02"]}],
            "quotes": [{"id": "Q-S01-1", "source": "transcript", "participants": ["P01"], "text": "fine"}],
        }
    )
    index = index_synthesis(synthesis, cited=["Q-S02-4", "Q-S03-1", "Q-S01-1"])
    assert index["Q-N9"].withheld and index["Q-S02-4"].withheld and index["Q-S02-4"].source == "transcripts"
    assert "Q-S03-1" not in index and not index["Q-S01-1"].withheld


def test_a_no_in_a_later_study_withholds_the_quotes_of_this_one(tmp_path: Path):
    from panel_fixture import write_study

    study = study_citing_ann(tmp_path)
    write_panel(tmp_path, [person("PN-1", "Ann Archer")])
    run_both(study)
    write_study(
        tmp_path,
        "later",
        [["X-1", "Ann Archer", "ann@example.com", "New", "no", "no", "PN-1"]],
        [["S1", "X-1", "2026-03-01", "Uma UXR", "", "", ""]],
    )
    assert_withheld_but_counted(run_both(study), tmp_path)
