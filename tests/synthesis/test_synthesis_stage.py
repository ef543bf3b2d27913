"""The synthesis stage end to end: synthesis.json contract, privacy, failure without output."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from kit.errors import DataError
from kit.iorw import read_json
from kit.outputs.synthesis import check_synthesis, read_synthesis
from kit.synthesis.stage import run_synthesis_stage, slugify
from synthesis_fixture import make_study

TOP_KEYS = {
    "study",
    "participants",
    "notes",
    "quotes",
    "themes",
    "metrics",
    "tag_matrix",
    "tag_coverage",
    "observers",
    "problems",
    "warnings",
}


@pytest.fixture
def result(tmp_path):
    study = make_study(tmp_path)
    return run_synthesis_stage(study), tmp_path / "reports" / "tiny" / "synthesis.json"


def test_writes_synthesis_json_with_the_contract_keys(result):
    out, path = result
    assert read_json(path) == json.loads(json.dumps(out))
    assert TOP_KEYS <= set(out)
    assert read_synthesis(path).model_dump(mode="json", exclude_unset=True) == json.loads(json.dumps(out))
    assert out["participants"] == [
        {"pseudonym": "P01", "segment": "New"},
        {"pseudonym": "P02", "segment": "Returning"},
        {"pseudonym": "P03", "segment": "New"},
        {"pseudonym": "P04", "segment": "Returning"},
    ]
    assert [n["id"] for n in out["notes"]] == [f"N{i:03d}" for i in range(1, 12)]
    for collection in ("notes", "quotes", "themes", "metrics"):
        for item in out[collection]:
            assert item["participants"] and all(p.startswith("P0") for p in item["participants"])


def test_no_personal_data_and_quotes_only_with_consent(result):
    out, path = result
    text = path.read_text()
    for secret in ("Ann Archer", "Archer", "Ann", "Dee Fox", "ann@example.com", "R-1", "Uma UXR", "Pat PM"):
        assert secret not in text, secret
    quotes = {q["id"]: q for q in out["quotes"]}
    assert set(quotes) == {"Q-N002", "Q-S01-2", "Q-S01-3"}  # N005 is P04's: no consent; turn 1 is the moderator's
    assert quotes["Q-N002"]["text"] == "I thought it was broken, P01 here says"
    assert quotes["Q-S01-2"]["text"] == "The card box says invalid, P01 is confused."
    assert quotes["Q-S01-2"]["source"] == "transcript" and quotes["Q-S01-2"]["start"] == 5.0
    n005 = next(n for n in out["notes"] if n["id"] == "N005")
    assert "trust" not in n005["text"] and "withheld" in n005["text"]
    # ...but P04 still counts: the trust tag is theirs.
    trust = next(r for r in out["tag_matrix"]["rows"] if r["tag"] == "trust")
    assert trust["participants"] == ["P04"]


def test_metrics_ids_values_and_kinds(result):
    out, _ = result
    m = {x["id"]: x for x in out["metrics"]}
    assert set(m) == {"M-SUS", "M-NPS", "M-COMPLETION-pay", "M-TIME-pay", "M-SEQ-pay"}
    # Brooke scoring by hand: 75, 100, 50, 77.5.
    assert m["M-SUS"]["value"] == pytest.approx((75 + 100 + 50 + 77.5) / 4) and m["M-SUS"]["n"] == 4
    assert m["M-SUS"]["grade"] == "B"
    assert m["M-COMPLETION-pay"]["value"] == 0.75 and m["M-COMPLETION-pay"]["unit"] == "%"
    assert m["M-TIME-pay"]["n"] == 3  # successful attempts only (R-3 failed)
    assert m["M-TIME-pay"]["participants"] == ["P01", "P02", "P04"]
    assert m["M-NPS"]["value"] == pytest.approx(25)  # promoters 9,10; detractor 6; passive 7
    kinds = {k: v["kind"] for k, v in m.items()}
    assert kinds == {
        "M-SUS": "attitudinal",
        "M-NPS": "attitudinal",
        "M-SEQ-pay": "attitudinal",
        "M-COMPLETION-pay": "behavioural",
        "M-TIME-pay": "behavioural",
    }
    for x in m.values():
        assert {"name", "value", "ci_low", "ci_high", "n", "unit", "kind"} <= set(x)


def test_observers_coverage_problems_and_themes(result):
    out, _ = result
    o = out["observers"]
    assert (o["sessions"], o["observed_sessions"], o["pm_observed_sessions"]) == (4, 3, 2)
    assert o["sessions_by_role"] == {"PM": 2, "Design": 2}
    cov = {c["id"]: c for c in out["tag_coverage"]}
    assert cov["RQ1"]["status"] == "covered" and cov["RQ2"]["participants"] == ["P04"]
    rows = {r["problem"]: r for r in out["problems"]["rows"]}
    assert rows["error"]["participants"] == ["P01", "P02"]
    assert [t["id"] for t in out["themes"]] == [f"T{i}" for i in range(1, len(out["themes"]) + 1)]
    assert out["themes"] and all(t["participants"] for t in out["themes"])


def test_fatal_defect_writes_nothing(tmp_path):
    notes = (
        "note_id,session_id,participant_id,task,text,tags,kind\n"
        "N001,S01,R-1,Pay,ok,payment,\nN001,S01,R-1,Pay,dup,payment,\nN003,S01,R-1,Pay,,payment,\n"
    )
    study = make_study(tmp_path, files={"notes.csv": notes})
    with pytest.raises(DataError) as err:
        run_synthesis_stage(study)
    assert "data/notes.csv:3: note_id 'N001' repeats line 2" in str(err.value)
    assert "data/notes.csv:4: note 'N003' has no text (warning)" in str(err.value)
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_kit_run_with_fatal_notes_fails_the_sessions_stage_and_leaves_no_synthesis(demo_repo):
    from kit.run.runner import run_studies

    notes = demo_repo / "notebooks" / "demo-checkout" / "data" / "notes.csv"
    lines = notes.read_text(encoding="utf-8").splitlines()
    lines.insert(3, lines[1])  # note N001 again, on line 4
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stale = demo_repo / "reports" / "demo-checkout" / "synthesis.json"  # from an earlier, good run
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    [result] = run_studies(demo_repo, jobs=1, timeout=300)
    assert result.failure is not None and result.failure.notebook == "02-sessions.ipynb"
    assert "data/notes.csv:4: note_id 'N001' repeats line 2" in result.failure.message
    assert [s.status for s in result.stages] == ["ok", "failed", "skipped"]
    assert not stale.exists()
    assert (demo_repo / "reports" / "demo-checkout" / "02-sessions.failed.ipynb").is_file()


def test_warnings_are_kept_and_redacted(tmp_path):
    notes = "note_id,session_id,participant_id,task,text,tags,kind\nN001,S02,R-1,Pay,ok,payment,\n"
    out = run_synthesis_stage(make_study(tmp_path, files={"notes.csv": notes}))
    assert out["warnings"] == [
        "data/notes.csv:2: session 'S02' belongs to participant 'P02' in "
        "sessions.csv, but the note names participant 'P01'"
    ]


def test_same_input_same_output(tmp_path):
    study = make_study(tmp_path)
    first = json.dumps(run_synthesis_stage(study))
    assert json.dumps(run_synthesis_stage(study)) == first


def test_slugify_task_names():
    assert slugify("Buy a product as a guest") == "buy-a-product-as-a-guest"
    assert slugify("  Pay (saved card)! ") == "pay-saved-card"


def test_the_demo_synthesis_has_the_declared_shape(demo_repo):
    out = run_synthesis_stage(demo_repo / "notebooks" / "demo-checkout")
    shaped = check_synthesis(out)
    assert {q.source for q in shaped.quotes} == {"note", "transcript"} and shaped.themes and shaped.metrics


def test_demo_study_traces_into_the_insights_stage(demo_repo):
    from kit.insights.stage import run_insights_stage

    study = demo_repo / "notebooks" / "demo-checkout"
    out = run_synthesis_stage(study)
    assert len(out["notes"]) == 75 and out["themes"] and out["metrics"]
    insights = run_insights_stage(study, exports=False)
    assert insights["insights"]


def test_recording_links_only_for_participants_who_consented(demo_repo):
    out = run_synthesis_stage(demo_repo / "notebooks" / "demo-checkout")
    rows = {r["session_id"]: r for r in out["observers"]["rows"]}
    # demo participants.csv: R-1066 (S06) and R-1079 (S08) said no to recording links
    assert rows["S01"]["recording"] == "https://recordings.example.com/demo-checkout/S01"
    assert rows["S06"]["recording"] is None and rows["S06"]["recording_withheld"]
    assert rows["S08"]["recording"] is None and rows["S08"]["recording_withheld"]
    assert out["observers"]["recordings_withheld"] == 2
    assert "demo-checkout/S06" not in json.dumps(out)


@pytest.mark.slow
def test_template_runs_with_papermill(demo_repo):
    import nbformat

    out = demo_repo / "out.ipynb"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "templates/02-sessions.ipynb",
            str(out),
            "-f",
            "notebooks/demo-checkout/study.yml",
            "-p",
            "study_dir",
            "notebooks/demo-checkout",
            "--execution-timeout",
            "300",
        ],
        cwd=demo_repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert html.count('class="kit-chart"') >= 4  # observers, SUS, completion, time, SEQ
    text = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # plotly.js names "Northern Mariana Islands"
    for secret in ("Maria", "Gonzalez", "R-1041", "maria.gonzalez84@example.com", "Sam Okafor"):
        assert secret not in text, secret
    assert (demo_repo / "reports" / "demo-checkout" / "synthesis.json").is_file()


def test_missing_optional_files_leave_sections_empty(tmp_path):
    study = make_study(
        tmp_path,
        files={
            "notes.csv": "note_id,session_id,participant_id,task,text,tags\n",
            "tasks.csv": None,
            "sus.csv": None,
            "transcripts/S01.vtt": None,
        },
    )
    out = run_synthesis_stage(study)
    assert out["notes"] == [] and out["themes"] == [] and out["metrics"] == [] and out["quotes"] == []
    assert out["tag_matrix"]["rows"] == [] and out["problems"]["rows"] == []
    assert sorted(out["warnings"]) == [
        "data/sus.csv: file not found (or sus.xlsx)",
        "data/tasks.csv: file not found (or tasks.xlsx)",
    ]


def test_report_sections_render_full_and_empty(tmp_path, capsys):
    from kit.synthesis import report as synthesis_report

    full = run_synthesis_stage(make_study(tmp_path / "a"))
    empty = run_synthesis_stage(
        make_study(
            tmp_path / "b", files={"notes.csv": None, "tasks.csv": None, "sus.csv": None, "transcripts/S01.vtt": None}
        )
    )
    for result in (full, empty):
        synthesis_report.show_all(result)
    shown = capsys.readouterr().out
    assert shown.count("HTML object") > 20


def test_names_in_tags_and_tasks_are_redacted(tmp_path):
    notes = (
        "note_id,session_id,participant_id,task,text,tags,kind\nN001,S01,R-1,Pay for Ann,ok,payment;archer-feedback,\n"
    )
    tasks = "participant_id,task,success,time_s,seq\nR-1,Pay for Ann,1,60,6\n"
    out = run_synthesis_stage(make_study(tmp_path, files={"notes.csv": notes, "tasks.csv": tasks}))
    assert "M-COMPLETION-pay-for-p01" in {m["id"] for m in out["metrics"]}
    assert out["notes"][0]["task"] == "Pay for P01"
    assert sorted(out["notes"][0]["tags"]) == ["p01-feedback", "payment"]
    assert "archer" not in json.dumps(out).lower()
