"""The synthesis' coded sources: double coding, feature requests and codebook warnings, end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from kit.errors import DataError
from kit.synthesis.stage import synthesise
from synthesis_fixture import STUDY, make_study

ROOT = Path(__file__).resolve().parents[2]

PM_CODING = (
    "note_id,tags\n"
    "N001,payment;error\nN002,payment\nN003,payment\nN004,payment\nN005,trust\n"
    "N006,trust\nN999,payment\n"
)  # N003: PM left off 'error'; N006: PM added 'trust'; N999 unknown


def _with_coder(study: Path, name: str, text: str = PM_CODING) -> Path:
    (study / "data" / "coding").mkdir(exist_ok=True)
    (study / "data" / "coding" / name).write_text(text, encoding="utf-8")
    return study


def test_a_second_coder_gives_agreement_per_code(tmp_path):
    study = _with_coder(make_study(tmp_path), "pm.csv")
    out = synthesise(study)
    a = out["agreement"]
    assert [c["label"] for c in a["coders"]] == ["notes.csv", "PM"]
    rows = {r["code"]: r for r in a["codes"]}
    assert rows["payment"]["alpha"] == pytest.approx(1.0)
    assert rows["error"]["units"] == 6 and rows["error"]["share_agreed"] == pytest.approx(5 / 6)
    assert {d["note"] for d in a["disagreements"]} == {"N003", "N006"}
    assert any("data/coding/pm.csv:8: note_id 'N999' is not in notes.csv" in w for w in out["warnings"])


def test_coder_files_named_after_a_person_are_shown_as_c1(tmp_path):
    study = _with_coder(make_study(tmp_path), "Pat Person.csv")
    out = synthesise(study)
    assert [c["label"] for c in out["agreement"]["coders"]] == ["notes.csv", "C1"]
    assert "Pat Person" not in json.dumps(out)
    assert any("data/coding/(coder C1): a coding file's name is not a role" in w for w in out["warnings"])
    assert any("data/coding/(coder C1):8: note_id 'N999' is not in notes.csv" in w for w in out["warnings"])


def test_double_coding_required_by_the_plan_is_warned_about(tmp_path):
    study = make_study(tmp_path)
    (study / "study.yml").write_text(yaml.safe_dump({**STUDY, "double_coding": True}))
    out = synthesise(study)
    assert out["agreement"] is None
    assert any("the plan requires double coding (double_coding: true)" in w for w in out["warnings"])


def test_requests_are_attitudinal_redacted_and_keep_the_requester_private(tmp_path):
    study = make_study(
        tmp_path,
        files={
            "requests.csv": (
                "request_id,date,account,person_id,text,votes,status,source,tags\n"
                'FR-1,2026-01-03,Acme Ltd,R-2,"Ben Brook wants Klarna, mail ben@example.com",12,open,support,payment\n'
                "FR-2,03/01/2026,,,Dark mode,many,open,,\n"
            )
        },
    )
    shared = tmp_path / "requests"
    shared.mkdir()
    (shared / "jira-export.csv").write_text("request_id,date,text,votes,priority\nFR-9,2026-01-05,Split bills,3,P2\n")
    out = synthesise(study)
    reqs = {r["id"]: r for r in out["requests"]}
    assert set(reqs) == {"R-FR-1", "R-FR-2", "R-FR-9"}
    first = reqs["R-FR-1"]
    assert first["kind"] == "attitudinal" and first["label"] == "expressed interest"
    assert first["participants"] == ["P02"] and first["votes"] == 12 and first["tags"] == ["payment"]
    assert "Ben" not in first["text"] and "ben@example.com" not in first["text"]
    assert "Acme" not in json.dumps(out["requests"]) and '"R-2"' not in json.dumps(out["requests"])
    assert reqs["R-FR-9"]["file"] == "requests/jira-export.csv"
    warnings = "\n".join(out["warnings"])
    assert "data/requests.csv:3: votes 'many', expected a whole number" in warnings
    assert "data/requests.csv:3: date '03/01/2026', expected a date like 2026-11-03" in warnings
    assert "requests/jira-export.csv:1: unknown column 'priority' ignored" in warnings


def test_a_request_id_twice_is_fatal(tmp_path):
    study = make_study(tmp_path, files={"requests.csv": "request_id,date,text\nFR-1,2026-01-03,a\n"})
    (tmp_path / "requests").mkdir()
    (tmp_path / "requests" / "a.csv").write_text("request_id,date,text\nFR-1,2026-01-04,b\n")
    with pytest.raises(DataError, match="requests/a.csv:2: request_id 'FR-1' repeats a request of another file"):
        synthesise(study)


def test_codebook_findings_join_the_data_warnings(tmp_path):
    study = make_study(tmp_path)
    (tmp_path / "codebook.yml").write_text("codes:\n  - name: payment\n    synonyms: [error]\n  - name: trust\n")
    warnings = synthesise(study)["warnings"]
    assert (
        "notebooks/tiny/data/notes.csv:2: tag 'error' is a synonym of 'payment': use 'payment'"
        " (and 1 more lines)" in warnings
    )


def test_the_demo_study_has_a_codebook_a_second_coder_and_agreement_per_code(tmp_path):
    shutil.copytree(ROOT / "notebooks" / "demo-checkout", tmp_path / "notebooks" / "demo-checkout")
    shutil.copy(ROOT / "codebook.yml", tmp_path / "codebook.yml")
    out = synthesise(tmp_path / "notebooks" / "demo-checkout")
    a = out["agreement"]
    assert [c["label"] for c in a["coders"]] == ["notes.csv", "PM"]
    rows = {r["code"]: r for r in a["codes"]}
    assert rows["hesitation"]["alpha"] < 0.667 and rows["hesitation"]["alpha_band"] == "unreliable"
    assert rows["shipping-cost"]["alpha"] > 0.8  # the PM's synonym 'delivery-charge' counts as shipping-cost
    assert a["overall"]["notes"] == 70 and a["disagreement_count"] > 0
    assert {r["id"] for r in out["requests"]} >= {"R-FR-241", "R-FR-245"}
