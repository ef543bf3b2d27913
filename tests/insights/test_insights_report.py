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
    assert html.count('class="kit-insight-card"') == 2
    assert 'id="insight-I1"' in html and 'id="insight-I2"' in html
    assert "Confidence: medium" in html and "3 distinct participants (P01, P02, P03)" in html
    assert '<q>I want to see the price first</q> <span class="kit-who">— P03</span>' in html
    assert "Completion: Pay: <strong>83% (95% CI 44-97, n=6)</strong>" in html
    assert ">Design</td>" in html and "2026-02-03 · Pat PM" in html


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
        "question": "RQ2",
        "text": "Why do people hesitate?",
        "status": "answered",
        "insights": "I1",
    }
    log = report.decision_log_frame(result)
    assert list(log["recommendation"]) == ["R1", "R2"] and list(log["status"]) == ["accepted", "shipped"]


def test_drafts_are_marked_and_outside_the_cards(result: dict):
    drafts = report.candidates_html(result)
    assert "DRAFT C-T1" in drafts and "not an insight until accepted in insights.yml" in drafts
    assert "kit-insight-card" not in drafts and "C-T1" not in report.cards_html(result)


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
    assert 'id=\\"insight-I1\\"' in text and "DRAFT C-T1" in text
    for private in ("Ada Lovelace", "ada@example.com", "Zed Quill"):
        assert private not in text
