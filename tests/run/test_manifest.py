"""Incremental runs: which change re-executes which stage (kit.run.manifest via kit.run.runner).

Notebooks are not executed here: ``kit.run.runner._execute`` is replaced by a
stand-in that writes what a stage writes (its executed notebook and JSON),
so these tests exercise the real cache decisions quickly. Execution itself
is covered by tests/test_runner.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
import yaml

from kit.layout import STAGES
from kit.run import digests, manifest, runner
from kit.run.digests import notebook_digest
from kit.run.input_kinds import INPUT_PROVIDERS
from kit.run.inputs import StageContext
from kit.run.manifest import MANIFEST_FILE, Manifest, stage_specs
from kit.run.runner import run_studies
from panel_fixture import study_plan

PLAN, SESSIONS, INSIGHTS = STAGES


def _notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('study_dir = "."\nreports_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def _write_study(repo: Path, slug: str) -> Path:
    d = repo / "notebooks" / slug
    (d / "data").mkdir(parents=True)
    (d / "study.yml").write_text("title: A study\nstart_date: 2026-11-02\n")
    (d / "data" / "notes.csv").write_text(
        "note_id,session_id,participant_id,task,text,tags\nN001,S01,P01,pay,Paused at the total,hesitation\n"
    )
    (d / "data" / "sessions.csv").write_text(
        "session_id,participant_id,date,moderator,observers\nS01,P01,2026-11-03,Sam,Dana\n"
    )
    return d


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    for stage in STAGES:
        nbformat.write(_notebook(f"print('{stage}')"), tmp_path / "templates" / stage)
    _write_study(tmp_path, "alpha")
    _write_study(tmp_path, "beta")
    return tmp_path


@pytest.fixture
def executed(monkeypatch) -> list[tuple[str, str]]:
    """Replace notebook execution by writing the stage's outputs; record (study, stage)."""
    calls: list[tuple[str, str]] = []

    def fake_execute(
        notebook: Path, executed: object, params: dict, repo_root: Path, opts, kernel=None
    ) -> nbformat.NotebookNode:
        stage = notebook.name
        out_dir = repo_root / params["reports_dir"]
        calls.append((out_dir.name, stage))
        for name in stage_specs()[stage].writes:
            # deterministic, like the real stages: same inputs -> same JSON
            (out_dir / name).write_text(json.dumps({"stage": stage, "title": params.get("title")}))
        return nbformat.read(notebook, as_version=4)  # the runner writes it

    monkeypatch.setattr(runner, "_execute", fake_execute)
    return calls


def _run(repo: Path, calls: list, **kw) -> set[tuple[str, str]]:
    calls.clear()
    results = run_studies(repo, jobs=2, **kw)
    assert all(r.ok for r in results), [str(r.failure) for r in results]
    return set(calls)


def _only(slug: str, *stages: str) -> set[tuple[str, str]]:
    return {(slug, s) for s in stages}


def test_first_run_executes_everything_then_nothing(repo: Path, executed: list):
    assert _run(repo, executed) == _only("alpha", *STAGES) | _only("beta", *STAGES)
    assert _run(repo, executed) == set()
    results = run_studies(repo)
    assert [s.status for s in results[0].stages] == ["cached"] * 3
    saved = json.loads((repo / "reports" / "alpha" / MANIFEST_FILE).read_text())
    assert set(saved["stages"]) == set(STAGES)
    assert "data/notes.csv" in saved["stages"][SESSIONS]["inputs"]
    assert "data/notes.csv" not in saved["stages"][PLAN]["inputs"]


def test_study_yml_change_reruns_every_stage_of_that_study_only(repo: Path, executed: list):
    _run(repo, executed)
    with open(repo / "notebooks" / "alpha" / "study.yml", "a") as fh:
        fh.write("status: planned\n")
    assert _run(repo, executed) == _only("alpha", *STAGES)


def test_notes_change_reruns_sessions_and_insights_not_plan(repo: Path, executed: list):
    _run(repo, executed)
    with open(repo / "notebooks" / "beta" / "data" / "notes.csv", "a") as fh:
        fh.write("N002,S01,P01,pay,Could not find the coupon field,coupon\n")
    assert _run(repo, executed) == _only("beta", SESSIONS, INSIGHTS)
    results = {r.slug: r for r in run_studies(repo)}
    assert all(s.status == "cached" for s in results["beta"].stages)


def test_new_data_file_counts_but_editor_lock_files_do_not(repo: Path, executed: list):
    _run(repo, executed)
    data = repo / "notebooks" / "alpha" / "data"
    (data / ".~lock.notes.csv#").write_text("someone,editing")
    (data / "~$tasks.xlsx").write_bytes(b"lock")
    assert _run(repo, executed) == set()
    (data / "transcripts").mkdir()
    (data / "transcripts" / "S01.vtt").write_text("WEBVTT\n")
    assert _run(repo, executed) == _only("alpha", SESSIONS, INSIGHTS)


def test_insights_yml_reruns_only_insights(repo: Path, executed: list):
    _run(repo, executed)
    insights = repo / "notebooks" / "alpha" / "insights.yml"
    insights.write_text("insights: []\n")  # created: it was "missing" before
    assert _run(repo, executed) == _only("alpha", INSIGHTS)
    insights.write_text("insights: []\nopen_questions: [RQ1]\n")
    assert _run(repo, executed) == _only("alpha", INSIGHTS)


def test_changed_notebook_copy_reruns_that_stage_and_later(repo: Path, executed: list):
    _run(repo, executed)
    copy = repo / "notebooks" / "alpha" / SESSIONS
    nbformat.write(_notebook("print('02-sessions.ipynb')", "x = 2"), copy)
    assert _run(repo, executed) == _only("alpha", SESSIONS, INSIGHTS)


def test_copy_with_same_cells_but_outputs_does_not_rerun(repo: Path, executed: list):
    _run(repo, executed)
    nb = nbformat.read(repo / "templates" / PLAN, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="01-plan.ipynb\n")]
    nb.cells[1].execution_count = 7
    nb.metadata["widgets"] = {"state": {}}
    nbformat.write(nb, repo / "notebooks" / "alpha" / PLAN)
    assert _run(repo, executed) == set()


def test_plan_copy_change_reruns_plan_and_the_stages_after(repo: Path, executed: list):
    _run(repo, executed)
    nbformat.write(_notebook("print('my own plan')"), repo / "notebooks" / "beta" / PLAN)
    assert _run(repo, executed) == _only("beta", *STAGES)


def test_kit_version_change_reruns_everything(repo: Path, executed: list, monkeypatch):
    _run(repo, executed)

    class NewerKit:  # the kit's own provider, as another version of the kit would stamp it
        name = "kit"

        def stamp(self, context: StageContext) -> dict[str, str]:
            return {"kit": "9.9.9+0000"}

    monkeypatch.setitem(INPUT_PROVIDERS.providers, "kit", NewerKit())
    assert _run(repo, executed) == _only("alpha", *STAGES) | _only("beta", *STAGES)
    assert _run(repo, executed) == set()


def test_force_reruns_everything(repo: Path, executed: list):
    _run(repo, executed)
    assert _run(repo, executed, force=True) == _only("alpha", *STAGES) | _only("beta", *STAGES)


def test_missing_or_edited_outputs_rerun_their_stage(repo: Path, executed: list):
    _run(repo, executed)
    reports = repo / "reports" / "alpha"
    (reports / PLAN).unlink()
    assert _run(repo, executed) == _only("alpha", PLAN)
    # the regenerated synthesis.json is identical, so insights stays up to date
    (reports / "synthesis.json").unlink()
    assert _run(repo, executed) == _only("alpha", SESSIONS)
    (reports / "plan.json").write_text('{"edited": "by hand"}')
    assert _run(repo, executed) == _only("alpha", PLAN)
    (reports / MANIFEST_FILE).write_text("{not json")
    assert _run(repo, executed) == _only("alpha", *STAGES)


def test_failed_stage_runs_again_next_time(repo: Path, executed: list, monkeypatch):
    _run(repo, executed)
    nbformat.write(_notebook("changed"), repo / "notebooks" / "alpha" / SESSIONS)
    fake = runner._execute

    def failing(notebook, executed, params, repo_root, opts, kernel=None):
        if notebook.name == SESSIONS and "alpha" in str(notebook):
            raise RuntimeError("kernel fell over")
        return fake(notebook, executed, params, repo_root, opts)

    monkeypatch.setattr(runner, "_execute", failing)
    results = {r.slug: r for r in run_studies(repo)}
    assert [s.status for s in results["alpha"].stages] == ["cached", "failed", "skipped"]
    assert SESSIONS not in Manifest.load(repo / "reports" / "alpha").stages
    monkeypatch.setattr(runner, "_execute", fake)
    assert _run(repo, executed) == _only("alpha", SESSIONS, INSIGHTS)


def test_failed_stage_withdraws_its_own_and_later_outputs_from_earlier_runs(repo: Path, executed: list, monkeypatch):
    from kit.site.index import build_index

    _run(repo, executed)
    reports = repo / "reports"
    (reports / "alpha" / "recommendations.csv").write_text("study,id\nalpha,R1\n")
    build_index(reports)
    fake = runner._execute

    def failing(notebook, executed, params, repo_root, opts, kernel=None):
        if notebook.name == SESSIONS and params["reports_dir"].endswith("alpha"):
            raise RuntimeError("notes.csv:3: text is empty")
        return fake(notebook, executed, params, repo_root, opts)

    monkeypatch.setattr(runner, "_execute", failing)
    (repo / "notebooks" / "alpha" / "study.yml").write_text("title: Alpha changed\n")
    results = {r.slug: r for r in run_studies(repo)}
    assert not results["alpha"].ok and results["beta"].ok
    alpha = reports / "alpha"
    # the plan ran again and stands; the failed stage and the one after it leave nothing stale
    assert (alpha / "01-plan.ipynb").is_file() and (alpha / "plan.json").is_file()
    for name in (SESSIONS, INSIGHTS, "synthesis.json", "insights.json", "recommendations.csv"):
        assert not (alpha / name).exists(), name
    assert set(Manifest.load(alpha).stages) == {"01-plan.ipynb"}
    assert (reports / "beta" / "insights.json").is_file()  # the other study keeps its outputs


def test_a_deleted_study_leaves_the_reports_and_the_index(repo: Path, executed: list):
    import shutil

    from kit.run.runner import prune_orphaned_reports
    from kit.site.index import build_index, refresh_index

    _run(repo, executed)
    reports = repo / "reports"
    (reports / "beta" / "insights.json").write_text('{"study": {"slug": "beta"}, "insights": []}')
    build_index(reports)
    shutil.rmtree(repo / "notebooks" / "beta")
    (reports / ".cache").mkdir()  # not a study folder: left alone
    results = {r.slug: r for r in run_studies(repo)}
    refresh_index(repo)  # as `kit run` does after every run
    assert results["beta"].removed and results["alpha"].ok and not results["alpha"].removed
    assert not (reports / "beta").exists() and (reports / "alpha").is_dir() and (reports / ".cache").is_dir()
    assert "beta" not in (reports / "index.json").read_text()
    (reports / "gamma").mkdir()
    assert run_studies(repo, ["alpha"]) and (reports / "gamma").is_dir()  # only a full run prunes
    assert prune_orphaned_reports(repo, [repo / "notebooks" / "alpha"]) == ["gamma"]


def test_reason_names_what_changed(repo: Path, executed: list):
    _run(repo, executed)
    with open(repo / "notebooks" / "alpha" / "data" / "notes.csv", "a") as fh:
        fh.write("N002,S01,P01,pay,Another note,trust\n")
    events: list[tuple[str, str, str, str]] = []
    run_studies(repo, ["alpha"], on_event=lambda *e: events.append(e))
    started = {stage: detail for _, stage, status, detail in events if status == "started"}
    assert started[SESSIONS] == "changed: data/notes.csv"
    assert "stage:02-sessions.ipynb" in started[INSIGHTS]


def test_notebook_digest_reads_cells_not_outputs(tmp_path: Path):
    a, b, c = tmp_path / "a.ipynb", tmp_path / "b.ipynb", tmp_path / "c.ipynb"
    nbformat.write(_notebook("x = 1"), a)
    nb = _notebook("x = 1")
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"})]
    nbformat.write(nb, b)
    nbformat.write(_notebook("x = 2"), c)
    assert notebook_digest(a) == notebook_digest(b) != notebook_digest(c)
    assert notebook_digest(tmp_path / "none.ipynb") == digests.MISSING


def test_stage_table_matches_the_runner():
    specs = stage_specs()
    assert tuple(specs) == STAGES
    for spec in specs.values():
        assert spec.after is None or STAGES.index(spec.after) < STAGES.index(spec.notebook)


def test_kit_fingerprint_covers_dependencies(monkeypatch):
    before = digests.kit_fingerprint()
    digests.kit_fingerprint.cache_clear()
    versions = digests.dependency_versions()
    assert "pandas" in versions and "papermill" in versions
    monkeypatch.setattr(digests, "dependency_versions", lambda: {**versions, "pandas": "0.0.1"})
    try:
        assert digests.kit_fingerprint() != before
    finally:
        digests.kit_fingerprint.cache_clear()


def test_choosing_an_embedding_model_reruns_the_synthesis(repo: Path, executed: list, monkeypatch):
    _run(repo, executed)
    monkeypatch.setenv("KIT_THEME_EMBEDDINGS", "/models/minilm")
    assert _run(repo, executed) == _only("alpha", SESSIONS, INSIGHTS) | _only("beta", SESSIONS, INSIGHTS)
    assert _run(repo, executed) == set()


def _panel(repo: Path, people: str) -> None:
    (repo / "panel").mkdir(exist_ok=True)
    (repo / "panel" / "people.csv").write_text(
        "person_id,name,email,account,segment,contact_owner,opted_in,consent_version,withdrawn,beta\n" + people
    )
    for slug in ("alpha", "beta"):
        plan = repo / "notebooks" / slug / "study.yml"
        plan.write_text(
            yaml.safe_dump(
                study_plan(
                    segments=["Buyer"],
                    participants_per_segment={"Buyer": 2},
                    start_date="2026-11-02",
                    deadline="2026-12-01",
                )
            )
        )
        (repo / "notebooks" / slug / "data" / "participants.csv").write_text(  # PN-1 took part in beta only
            "participant_id,name,email,segment,consent_quotes,consent_recording,person_id\n"
            f"P01,A B,a@x.org,Buyer,yes,yes,{'PN-1' if slug == 'beta' else ''}\n"
        )
        (repo / "notebooks" / slug / "data" / "sessions.csv").write_text(
            "session_id,participant_id,date,moderator,observers\nS01,P01,2019-11-03,Sam,Dana\n"
        )


def test_a_withdrawal_in_the_panel_reruns_the_studies_of_that_person(repo: Path, executed: list):
    _panel(repo, "PN-1,A B,a@x.org,Acme,Buyer,PM,2025-01-01,v1,,no\n")
    _run(repo, executed)
    assert _run(repo, executed) == set()
    (repo / "panel" / "people.csv").write_text(
        (repo / "panel" / "people.csv").read_text().replace("v1,,no", "v1,2026-11-20,no")
    )
    # beta, where PN-1 took part, runs again; alpha because PN-1 was eligible for its plan
    # (a plan that runs again re-runs the stages after it)
    assert _run(repo, executed) == _only("alpha", *STAGES) | _only("beta", *STAGES)
    (repo / "panel" / "people.csv").write_text(
        (repo / "panel" / "people.csv").read_text().replace("2026-11-20", "2026-11-21")
    )
    assert _run(repo, executed) == set()  # another date, the same withdrawal
    roster = repo / "notebooks" / "alpha" / "data" / "participants.csv"
    roster.write_text(roster.read_text().replace("yes,yes,\n", "no,no,\n"))
    assert _run(repo, executed) == _only("alpha", SESSIONS, INSIGHTS)  # alpha's own data changed, nobody else's


def test_another_studys_session_reruns_a_plan_only_when_the_panel_supply_changes(repo: Path, executed: list):
    _panel(repo, "PN-1,A B,a@x.org,Acme,Buyer,PM,2025-01-01,v1,,no\nPN-2,C D,c@x.org,Acme,Buyer,PM,2025-01-01,v1,,no\n")
    _run(repo, executed)
    sessions = repo / "notebooks" / "beta" / "data" / "sessions.csv"
    with open(sessions, "a") as fh:  # a session years before the start date: no cooldown, supply unchanged
        fh.write("S02,P01,2020-11-04,Sam,\n")
    assert _run(repo, executed) == _only("beta", SESSIONS, INSIGHTS)
    with open(sessions, "a") as fh:  # PN-1 booked the day before alpha starts: alpha's supply drops
        fh.write("S03,P01,2026-11-01,Sam,\n")
    assert _run(repo, executed) == _only("alpha", *STAGES) | _only("beta", SESSIONS, INSIGHTS)


def test_kit_recruit_proposals_are_no_stage_input(repo: Path, executed: list):
    _run(repo, executed)
    (repo / "notebooks" / "alpha" / "data" / "invites.csv").write_text("person_id\nPN-1\n")
    assert _run(repo, executed) == set()


def test_the_shared_codebook_and_request_files_are_inputs_of_the_synthesis(tmp_path: Path):
    # Issue 17: codebook.yml and requests/*.csv live at the repository root; editing them re-runs 02-sessions.
    study = tmp_path / "notebooks" / "s"
    (study / "data").mkdir(parents=True)
    (tmp_path / "requests").mkdir()
    spec = stage_specs()["02-sessions.ipynb"]

    def inputs() -> dict:
        return manifest.stage_inputs(spec, study, tmp_path / "nb.ipynb", tmp_path / "out", None)

    first = inputs()
    (tmp_path / "codebook.yml").write_text("codes: []\n")
    second = inputs()
    assert second["../../codebook.yml"] != first["../../codebook.yml"]
    (tmp_path / "requests" / "jira.csv").write_text("request_id,date,text\n")
    assert "../../requests/jira.csv" in inputs() and "../../requests/jira.csv" not in second


def test_a_run_reads_the_rosters_stamp_once_not_once_per_stage(repo: Path, executed: list, monkeypatch):
    # Every stage of every study hashes the panel's view of all rosters: taken per stage,
    # a 300-study run would stat 300 x 300 files (a 25 s "nothing changed" run).
    _panel(repo, "PN-1,A B,a@x.org,Acme,Buyer,PM,2025-01-01,v1,,no\n")
    for slug in ("gamma", "delta"):
        _write_study(repo, slug)
    from kit.study import records

    calls = []
    original = records.roster_files
    monkeypatch.setattr(records, "roster_files", lambda root: calls.append(root) or original(root))
    assert _run(repo, executed) == {(s, st) for s in ("alpha", "beta", "gamma", "delta") for st in STAGES}
    assert len(calls) == 1
    calls.clear()
    assert _run(repo, executed) == set()
    assert len(calls) == 1
