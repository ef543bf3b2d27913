"""The plan and insight forms, headless: build, set values, press Save, read the file."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kit.forms import study_forms as widgets
from kit.forms.file_form import key_path
from kit.forms.insight_editor import build_insights_form, evidence_options
from kit.insights.stage import load_insights
from kit.plan.stage import run_plan_stage
from kit.study.methods import method_ids
from kit.study.raci import ROLES, activity_names
from kit.study.study_file import load_study


@pytest.fixture
def study(demo_repo: Path) -> Path:
    return demo_repo / "notebooks" / "demo-checkout"


def _field(form, name):
    return form.form.editors[name]


def test_save_writes_typed_values_and_keeps_comments(study: Path, tmp_path: Path):
    path = study / "study.yml"
    before = path.read_text()
    form = widgets.build_plan_form(study)
    _field(form, "title").input.value = "Checkout v2: one page"
    _field(form, "start_date").input.value = dt.date(2026, 10, 6)
    _field(form, "status").input.value = "done"
    form.save_button.click()

    after = path.read_text()
    data = yaml.safe_load(after)
    assert data["title"] == "Checkout v2: one page"
    assert data["start_date"] == "2026-10-06"  # a string, as papermill -f passes it
    assert data["status"] == "done"
    # Only the three edited lines changed: comments, order, flow-style RACI rows all kept.
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(before.splitlines()) == len(after.splitlines())
    assert {b.split(":")[0] for _, b in changed} == {"title", "start_date", "status"}
    assert after.startswith("# Demo study")
    assert "+title: 'Checkout v2: one page'" in form.diff.value or "Checkout v2: one page" in form.diff.value
    assert "Saved" in form.status.value
    # The saved file is what papermill and the plan stage read.
    plan = run_plan_stage(study, tmp_path / "reports")
    assert plan["plan"]["title"] == "Checkout v2: one page"


def test_invalid_values_show_beside_fields_and_write_nothing(study: Path):
    path = study / "study.yml"
    before = path.read_bytes()
    form = widgets.build_plan_form(study)
    _field(form, "title").input.value = "   "
    _field(form, "weeks_available").input.value = "three"
    _field(form, "raci").cells[("planning", "PM")].value = "A"  # a second Accountable
    rq_rows = _field(form, "research_questions").rows
    rq_rows[1][0].editors["id"].input.value = "Q2"
    form.save_button.click()

    assert path.read_bytes() == before
    assert "Not saved" in form.status.value
    assert any("expected some text" in m for m in _field(form, "title").errors.messages)
    assert any("expected a number" in m and "three" in m for m in _field(form, "weeks_available").errors.messages)
    raci_msgs = _field(form, "raci").row_errors["planning"].messages
    assert any("exactly one Accountable" in m for m in raci_msgs)
    assert any("RQ1" in m for m in rq_rows[1][0].editors["id"].errors.messages)
    # Fields without problems stay quiet.
    assert not _field(form, "feature").errors.messages
    # Fixing them clears the messages on the next save.
    _field(form, "title").input.value = "Fixed"
    _field(form, "weeks_available").input.value = ""
    _field(form, "raci").cells[("planning", "PM")].value = "R"
    rq_rows[1][0].editors["id"].input.value = "RQ2"
    form.save_button.click()
    assert yaml.safe_load(path.read_text())["title"] == "Fixed"
    assert not _field(form, "title").errors.messages


def test_whole_plan_rule_lands_beside_the_field_it_names(study: Path):
    path = study / "study.yml"
    before = path.read_bytes()
    form = widgets.build_plan_form(study)
    _field(form, "deadline").input.value = None  # no deadline and no weeks_available
    form.save()
    assert path.read_bytes() == before
    assert any("or give 'weeks_available'" in m for m in _field(form, "deadline").errors.messages)


def test_clearing_an_optional_value_removes_its_key(study: Path):
    form = widgets.build_plan_form(study)
    _field(form, "deadline").input.value = None
    _field(form, "weeks_available").input.value = "5.5"
    assert form.save()
    data = yaml.safe_load((study / "study.yml").read_text())
    assert "deadline" not in data and data["weeks_available"] == 5.5
    assert load_study(study).weeks == 5.5


def test_lists_add_and_remove(study: Path):
    form = widgets.build_plan_form(study)
    rqs = _field(form, "research_questions")
    rqs.add_button.click()
    new = rqs.rows[-1][0]
    new.editors["id"].input.value = "RQ4"
    new.editors["text"].input.value = "Do customers notice the delivery estimate?"
    new.editors["tags"].input.value = "delivery, estimate"
    segments = _field(form, "segments")
    segments.rows[1][1].children[1].click()  # Remove "Returning buyer"
    guide = _field(form, "discussion_guide")
    guide.add_button.click()
    guide.rows[-1][0].input.value = "What happened the last time a delivery was late?"
    guide.add_button.click()  # a row added and left blank is not an entry
    metrics = _field(form, "pm_metrics")
    metrics.rows[0][0].editors["kind"].input.value = "attitudinal"
    assert form.save(), form.status.value

    study_ = load_study(study)
    assert study_.research_questions[-1].id == "RQ4"
    assert study_.research_questions[-1].tags == ["delivery", "estimate"]
    assert study_.segments == ["First-time buyer"]
    assert study_.discussion_guide[-1] == "What happened the last time a delivery was late?"
    assert len(study_.discussion_guide) == 6
    assert study_.pm_metrics[0].kind == "attitudinal"


def test_mapping_and_raci_grid(study: Path):
    form = widgets.build_plan_form(study)
    mapping = _field(form, "participants_per_segment")
    mapping.rows.rows[0][0].value.input.value = "6"
    mapping.rows.add_button.click()
    mapping.rows.rows[-1][0].key.input.value = "Mobile-only buyer"
    mapping.rows.rows[-1][0].value.input.value = "3"
    grid = _field(form, "raci")
    assert grid.activities[: len(activity_names())] == activity_names()
    assert grid.roles == list(ROLES)
    grid.cells[("recruiting", "PM")].value = "I"
    assert form.save(), form.status.value
    text = (study / "study.yml").read_text()
    assert "recruiting: {PM: I, UXR: A, Support: R}" in text  # flow style kept, grid order
    data = yaml.safe_load(text)
    assert data["participants_per_segment"] == {"First-time buyer": 6, "Returning buyer": 4, "Mobile-only buyer": 3}


def test_negative_count_is_shown_beside_its_row(study: Path):
    before = (study / "study.yml").read_bytes()
    form = widgets.build_plan_form(study)
    row = _field(form, "participants_per_segment").rows.rows[0][0]
    row.value.input.value = "-2"
    assert not form.save()
    assert (study / "study.yml").read_bytes() == before
    assert any("0 or more" in m for m in row.errors.messages)


def test_choices_come_from_the_schema_and_tables(study: Path):
    form = widgets.build_plan_form(study)
    method_values = [v for _, v in _field(form, "method").input.options]
    assert method_values == [None, *method_ids()]
    status_values = [v for _, v in _field(form, "status").input.options]
    assert "in-field" in status_values and "done" in status_values
    kinds = [v for _, v in _field(form, "pm_metrics").rows[0][0].editors["kind"].input.options]
    assert kinds == ["behavioural", "attitudinal"]
    # Every schema field has an editor: there is no second list to keep in sync.
    from kit.study.study_file import PLAN_KEYS

    assert list(form.form.editors) == list(PLAN_KEYS)


def test_changed_on_disk_is_not_overwritten_silently(study: Path):
    path = study / "study.yml"
    first, second = widgets.build_plan_form(study), widgets.build_plan_form(study)
    _field(first, "title").input.value = "From the first form"
    assert first.save()
    after_first = path.read_text()

    _field(second, "feature").input.value = "From the second form"
    second.save_button.click()
    assert path.read_text() == after_first
    assert second.conflict_shown and "changed on disk" in second.status.value

    second.overwrite_button.click()
    data = yaml.safe_load(path.read_text())
    assert data["feature"] == "From the second form"
    assert not second.conflict_shown

    # A third edit elsewhere, then Reload shows it in the form.
    path.write_text(path.read_text().replace("status: synthesis", "status: done"))
    assert not first.save()  # first's hash is stale too
    first.conflict_reload_button.click()
    assert _field(first, "status").input.value == "done"
    assert _field(first, "feature").input.value == "From the second form"
    assert not first.conflict_shown


def test_reload_button_rereads_the_file(study: Path):
    form = widgets.build_plan_form(study)
    _field(form, "title").input.value = "typed but not saved"
    form.reload_button.click()
    assert _field(form, "title").input.value == "Checkout redesign usability study"


def test_unreadable_yaml_says_where(study: Path):
    (study / "study.yml").write_text("title: [unclosed\n")
    form = widgets.build_plan_form(study)
    assert "study.yml:" in form.status.value and "not valid YAML" in form.status.value


def test_key_path():
    assert key_path("pm_metrics[0].name") == ["pm_metrics", 0, "name"]
    assert key_path("raci.insight sign-off") == ["raci", "insight sign-off"]


# --- interactive or not -------------------------------------------------------------------

SESSION = {"JPY_SESSION_NAME": "notebooks/x/01-plan.ipynb"}


@pytest.mark.parametrize(
    "env, parent_env, expected",
    [
        ({}, {}, False),  # papermill / nbclient from a shell or CI
        (SESSION, {}, True),  # a kernel jupyter_server started for a notebook
        (SESSION, SESSION, False),  # papermill started from inside a notebook (!kit run)
        ({**SESSION, "KIT_INTERACTIVE": "0"}, {}, False),
        ({"KIT_INTERACTIVE": "1"}, {}, True),
    ],
)
def test_is_interactive(env, parent_env, expected):
    assert widgets.is_interactive(env, parent_env) is expected


def test_papermill_path_shows_a_note_and_makes_no_widgets(study: Path):
    code = (
        "import sys, IPython.display, kit.forms.study_forms\n"
        "IPython.display.display = lambda obj, **kw: print(obj.data)\n"
        f"kit.forms.study_forms.plan_editor({str(study)!r}, interactive=False)\n"
        f"kit.forms.study_forms.insights_editor({str(study)!r}, interactive=False)\n"
        "print('ipywidgets' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}
    )
    assert out.stdout.strip().splitlines()[-1] == "False"
    assert "open this notebook in JupyterLab" in out.stdout
    assert "study.yml: status synthesis, method usability-test-moderated" in out.stdout
    spec = load_insights(study)
    assert f"insights.yml: {len(spec.insights)} insights" in out.stdout


def test_summary_of_a_broken_file_defers_to_the_stage(study: Path):
    (study / "study.yml").write_text("title: [unclosed\n")
    assert widgets.plan_summary(study) == "study.yml has problems (listed below)."


def test_resolve_study_dir_from_the_notebook_folder(study: Path, monkeypatch):
    monkeypatch.chdir(study)  # JupyterLab starts the kernel in notebooks/<slug>/
    assert widgets.resolve_study_dir("notebooks/some-other-study") == str(study)
    monkeypatch.chdir(study.parent.parent)  # papermill runs from the repository root
    assert widgets.resolve_study_dir("notebooks/demo-checkout") == "notebooks/demo-checkout"


# --- insights -----------------------------------------------------------------------------


def test_insight_editor_saves_a_new_insight(study: Path):
    form = build_insights_form(study)
    insights = form.form.editors["insights"]
    n = len(insights.rows)
    insights.add_button.click()
    new = insights.rows[-1][0]
    new.editors["id"].input.value = "I9"
    new.editors["statement"].input.value = "Returning buyers look for the saved card first."
    new.editors["answers"].input.value = ("RQ3",)
    new.editors["evidence"].input.value = ("N003", "Q-N004")
    new.editors["recommendations"].add_button.click()
    rec = new.editors["recommendations"].rows[-1][0]
    rec.editors["id"].input.value = "R99"
    rec.editors["action"].input.value = "Put saved cards above express pay on mobile."
    rec.editors["owner"].input.value = "Design"
    rec.editors["metric"].input.value = "Time to complete checkout"
    rec.editors["priority"].input.value = "high"
    form.save_button.click()
    assert "Saved" in form.status.value, form.status.value

    spec = load_insights(study)
    assert len(spec.insights) == n + 1
    added = spec.insights[-1]
    assert (added.id, added.answers, added.evidence) == ("I9", ["RQ3"], ["N003", "Q-N004"])
    assert added.recommendations[0].owner == "Design"
    text = (study / "insights.yml").read_text()
    assert text.startswith("# Insights of the checkout redesign study")  # comments kept
    assert "note: ''" not in text and "counter_evidence: []" not in text.split("id: I9")[1]


def test_insight_editor_problems_beside_the_recommendation(study: Path):
    path = study / "insights.yml"
    before = path.read_bytes()
    form = build_insights_form(study)
    first = form.form.editors["insights"].rows[0][0]
    rec = first.editors["recommendations"].rows[1][0]
    rec.editors["status"].input.value = "accepted"  # decided, but no date or who
    first.editors["statement"].input.value = ""
    assert not form.save()
    assert path.read_bytes() == before
    assert any("statement" in m or "character" in m or "text" in m for m in first.editors["statement"].errors.messages)
    form.form.clear()
    first.editors["statement"].input.value = "Back again."
    assert not form.save()
    assert any("decided_on" in m for m in rec.editors["status"].errors.messages)


def test_evidence_labels_are_redacted(study: Path):
    names = pd.read_csv(study / "data" / "participants.csv", dtype=str)["name"]
    labels = " ".join(label for label, _ in evidence_options(study))
    assert labels  # the notes are offered before the synthesis has run
    for name in names:
        for part in name.split():
            if len(part) > 3:
                assert part not in labels, part
    ids = [v for _, v in evidence_options(study)]
    assert "N001" in ids and "Q-N004" in ids


@pytest.mark.slow
def test_kit_run_after_a_form_save_shows_the_new_values_and_no_widget_state(demo_repo: Path):
    """Done-when of the issue: save from the form, then ``kit run`` the study (papermill)."""
    import json

    from kit.run.runner import STAGES, run_studies

    study = demo_repo / "notebooks" / "demo-checkout"
    form = widgets.build_plan_form(study)
    _field(form, "title").input.value = "Saved from the form, run by kit run"
    form.save_button.click()
    assert "Saved" in form.status.value

    results = run_studies(demo_repo, ["demo-checkout"], jobs=1, timeout=300)
    assert all(r.ok for r in results), [str(r.failure) for r in results]
    out = demo_repo / "reports" / "demo-checkout"
    executed = (out / "01-plan.ipynb").read_text()
    assert "Saved from the form, run by kit run" in executed
    for name in STAGES:  # the forms stay out of the reports: no widget views or state
        text = (out / name).read_text()
        nb = json.loads(text)
        assert "widgets" not in nb.get("metadata", {}), name
        assert "application/vnd.jupyter.widget-view+json" not in text, name


def test_after_synthesis_the_picker_offers_its_ids_and_unknown_ids_are_named(study: Path):
    import json

    reports = study.parent.parent / "reports" / "demo-checkout"
    reports.mkdir(parents=True)
    synthesis = {
        "study": {"slug": "demo-checkout", "title": "Demo"},
        "participants": [],
        "notes": [{"id": "N003", "participants": ["P02"], "text": "Stopped at [name] total"}],
        "quotes": [{"id": "Q-N004", "source": "note", "participants": ["P02"], "text": "Where is the total?"}],
        "themes": [],
        "metrics": [],
    }
    (reports / "synthesis.json").write_text(json.dumps(synthesis))
    assert [v for _, v in evidence_options(study)] == ["N003", "Q-N004"]

    before = (study / "insights.yml").read_bytes()
    form = build_insights_form(study)
    assert not form.save()  # the demo cites many ids this small synthesis lacks
    assert (study / "insights.yml").read_bytes() == before
    first = form.form.editors["insights"].rows[0][0]
    # Each message beside the picker that holds the unknown id.
    evidence_msgs = first.editors["evidence"].errors.messages
    counter_msgs = first.editors["counter_evidence"].errors.messages
    assert evidence_msgs and all(m.startswith("evidence '") for m in evidence_msgs)
    assert all(m.startswith("counter-evidence '") for m in counter_msgs)
    assert not any("'N003'" in m for m in evidence_msgs)  # the synthesis has N003


def test_is_interactive_reads_the_real_parent_process():
    probe = "import kit.forms.study_forms; print(kit.forms.study_forms.is_interactive())"
    env = {k: v for k, v in os.environ.items() if k not in ("KIT_INTERACTIVE", "JPY_SESSION_NAME")}
    env["JPY_SESSION_NAME"] = "notebooks/x/01-plan.ipynb"
    nested = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {probe!r}], check=True)"
    # A process whose parent also has the variable: papermill run from inside a notebook.
    out = subprocess.run([sys.executable, "-c", nested], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    if "JPY_SESSION_NAME" not in os.environ:  # this test process is the parent: it lacks it
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "True"


def test_a_hand_edited_file_with_wrong_shapes_still_opens(study: Path):
    path = study / "study.yml"
    text = path.read_text()
    text = text.replace("start_date: '2026-10-05'", "start_date: 05/10/2026")
    text = text.replace(
        "participants_per_segment:\n  First-time buyer: 4\n  Returning buyer: 4\n", "participants_per_segment: [4, 4]\n"
    )
    text = text.replace("segments:\n  - First-time buyer\n  - Returning buyer\n", "segments: First-time buyer\n")
    path.write_text(text)
    before = path.read_bytes()
    form = widgets.build_plan_form(study)
    assert any("05/10/2026" in m for m in _field(form, "start_date").errors.messages)
    assert _field(form, "segments").get() == ["First-time buyer"]  # one entry, not its letters
    assert _field(form, "participants_per_segment").get() == {}
    assert not form.save()  # the date is still missing: nothing written
    assert path.read_bytes() == before
    assert _field(form, "start_date").errors.messages


def test_typed_markup_is_escaped_in_the_diff_and_messages(study: Path):
    form = widgets.build_plan_form(study)
    payload = "<img src=x onerror=alert(1)>"
    _field(form, "title").input.value = payload
    assert form.save()
    assert payload not in form.diff.value and "&lt;img src=x onerror=alert(1)&gt;" in form.diff.value
    assert yaml.safe_load((study / "study.yml").read_text())["title"] == payload
    _field(form, "weeks_available").input.value = payload
    assert not form.save()
    box = _field(form, "weeks_available").errors.widget.value
    assert payload not in box and "&lt;img" in box
