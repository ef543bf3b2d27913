"""The insights page: escaped cards with anchors, matrix, coverage, decision log, drafts."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest

from insights_fixture import SYNTHESIS, make_study
from kit.insights import report
from kit.insights.stage import run_insights_stage

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def result(tmp_path: Path) -> dict:
    return run_insights_stage(make_study(tmp_path), exports=False)


def test_cards_carry_anchors_confidence_quotes_and_owners(result: dict):
    html = report.cards_html(result)
    assert html.count('class="kit-insight-card level2"') == 2
    assert 'id="insight-I1"' in html and 'id="insight-I2"' in html
    assert "moderate evidence</abbr>" in html and "(confidence medium)" in html
    assert "3 distinct participants (P01, P02, P03)" in html
    # The pseudonym leads an evidence line; the evidence id follows, small.
    assert (
        '<span class="kit-who">P03:</span> <q>I want to see the price first</q> <small class="kit-evidence-id"' in html
    )
    # A confidence interval reads "likely range", the precise term on hover.
    assert (
        'Completion: Pay: <strong>83%</strong> <span class="kit-range">(<abbr title="95% confidence interval">'
        "likely range</abbr> 44–97, 6 measured)</span>"
    ) in html
    assert "95% CI" not in html
    assert ">Design</td>" in html and "Pat PM, 2026-02-03" in html
    # Headers in words, the field name a hover away.
    assert '<abbr title="the PM metric of the plan (pm_metrics)">Metric it should move</abbr>' in html
    assert ">decided_on<" not in html and ">decided_by<" not in html


def test_summary_says_what_was_found_decided_and_still_open(result: dict):
    data = report.summary_data(result)
    assert [f["id"] for f in data["found"]] == [i["id"] for i in result["insights"]]
    proposed = [r["id"] for r in result["recommendations"] if r["status"] == "proposed"]
    decided = [r["id"] for r in result["recommendations"] if r["status"] != "proposed"]
    assert [r["id"] for r in data["awaiting"]] == proposed
    assert sorted(r["id"] for r in data["decided"]) == sorted(decided) and decided
    dates = [r.get("decided_on") or "" for r in data["decided"]]
    assert dates == sorted(dates, reverse=True)  # newest decision first
    html = str(report.summary_html(result))
    found, decided_part, still_open = (
        html.index("What we found"),
        html.index("What was decided"),
        html.index("Still open"),
    )
    assert found < decided_part < still_open
    for ins in result["insights"]:
        assert f'href="#insight-{ins["id"]}"' in html
    for rec in result["decision_log"]:
        line = html[html.index(rec["action"]) :].split("</li>")[0]
        assert rec["decided_by"] in line and rec["decided_on"] in line
    assert html.count("Awaiting a decision:") == len(proposed)


def test_summary_lists_open_questions_and_says_when_nothing_is_decided(result: dict):
    bare = copy.deepcopy(result)
    bare["open_questions"] = [{"id": "RQ9", "text": "Do <b>teams</b> share carts?"}]
    for rec in bare["recommendations"]:
        rec["status"] = "proposed"
    html = str(report.summary_html(bare))
    assert "Question not yet answered: Do &lt;b&gt;teams&lt;/b&gt; share carts?" in html
    assert "Nothing decided yet." in html


def test_participant_text_is_escaped(tmp_path: Path):
    synthesis = copy.deepcopy(SYNTHESIS)
    synthesis["quotes"][1]["text"] = "<script>alert(1)</script> delivery is extra"
    result = run_insights_stage(make_study(tmp_path, synthesis=synthesis), exports=False)
    html = report.cards_html(result)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_matrix_coverage_and_decision_log_frames(result: dict):
    matrix = report.evidence_matrix_frame(result)
    assert list(matrix.index) == ["I1", "I2"]
    assert matrix.loc["I1", "P04 (Returning)"] == "✕" and matrix.loc["I1", "P01 (New)"] == "●"
    assert matrix.loc["I1", "P05 (New)"] == "" and matrix.loc["I2", "P04 (Returning)"] == "◦"
    cov = report.coverage_frame(result)
    assert cov.to_dict("records")[1] == {
        "Question": "Why do people hesitate?",
        "Status": "answered",
        "Answered by": "I1",
        "Ref": "RQ2",
    }
    log = report.decision_log_frame(result)
    assert list(log["Ref"]) == ["R1", "R2"] and list(log["Status"]) == ["accepted", "shipped"]
    assert {"Decided on", "Decided by", "Metric it should move"} <= set(log.columns)
    assert not {"decided_on", "decided_by"} & set(log.columns)


def test_drafts_are_one_closed_section_apart_from_the_cards(result: dict):
    drafts = str(report.candidates_html(result))
    assert drafts.count("<details") == 1 and drafts.startswith('<details class="kit-drafts"')
    assert "<details open" not in drafts
    assert "<summary>Machine-proposed drafts, not findings (" in drafts and "Draft C-T1" in drafts
    # Never an insight's look: no card, no confidence label.
    assert "kit-insight-card" not in drafts and "kit-confidence" not in drafts and "evidence</abbr>" not in drafts
    assert "C-T1" not in report.cards_html(result)


@pytest.mark.slow
def test_template_runs_with_papermill(tmp_path: Path):
    sdir = make_study(tmp_path)
    out = tmp_path / "out.ipynb"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(ROOT / "templates" / "03-insights.ipynb"),
            str(out),
            "-p",
            "study_dir",
            str(sdir),
            "-k",
            "python3",
            "--execution-timeout",
            "120",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text()
    assert 'id=\\"insight-I1\\"' in text and "Draft C-T1" in text
    for private in ("Ada Lovelace", "ada@example.com", "Zed Quill"):
        assert private not in text
