"""Forms for the plan (study.yml) and the insights (insights.yml) in JupyterLab.

The template notebooks call :func:`plan_editor` and :func:`insights_editor`
right after their parameters. In a live JupyterLab kernel they show a form
generated from the schema (:mod:`kit.forms.editors`, :mod:`kit.forms.file_form`); under
papermill (``kit run``, CI) they show a one-line read-only summary instead,
so executed reports hold no widget state and nothing waits for a click.

Interactive means (first match wins):
1. ``KIT_INTERACTIVE`` set in the kernel's environment: ``1``/``true`` forces
   the form, ``0``/``false`` forces the summary (tests, unusual front ends);
2. ``JPY_SESSION_NAME`` is set: jupyter_server sets it for every kernel it
   starts for a notebook session (JupyterLab, Notebook 7), papermill and
   nbclient never do. A kernel that papermill started from *inside* a notebook
   (``!kit run`` in a cell) inherits the variable, but then its parent process
   has it too, while the jupyter server that starts a notebook's kernel does not:
   so the parent's environment must lack it;
3. otherwise not interactive.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.display import display

from kit import display as kd
from kit.errors import KitError, Problem
from kit.layout import STUDY_FILE
from kit.study.insights_file import DECIDED_STATUSES, load_insights
from kit.study.methods import load_methods
from kit.study.raci import RACI_LETTERS, ROLES, activity_names
from kit.study.study_file import Study, load_study, validate_study

if TYPE_CHECKING:
    from kit.forms.file_form import FileForm

_TRUE = ("1", "true", "yes", "on")


def is_interactive(env: Mapping[str, str] | None = None, parent_env: Mapping[str, str] | None = None) -> bool:
    """True in a live notebook front end, False under papermill (see the module docstring)."""
    env = os.environ if env is None else env
    forced = env.get("KIT_INTERACTIVE")
    if forced is not None:
        return forced.strip().lower() in _TRUE
    if not env.get("JPY_SESSION_NAME"):
        return False
    parent_env = _parent_environ() if parent_env is None else parent_env
    return "JPY_SESSION_NAME" not in parent_env


def _parent_environ() -> dict[str, str]:
    """The parent process's environment; empty when the system does not show it."""
    try:
        import psutil  # an ipykernel dependency

        return psutil.Process(os.getppid()).environ()
    except Exception:  # noqa: BLE001 - no psutil, access denied, parent gone: trust the variable
        return {}


def resolve_study_dir(study_dir: str | Path) -> str:
    """The study folder: ``study_dir`` as given, else the notebook's own folder.

    papermill runs from the repository root, where ``notebooks/<slug>`` resolves
    and is returned unchanged; JupyterLab starts the kernel in the notebook's
    folder (notebooks/<slug>/), where the copied template's default does not
    resolve but study.yml is right there. Returned as a string: parameters stay
    plain values.
    """
    given = Path(study_dir)
    if (given / STUDY_FILE).is_file():
        return str(study_dir)
    here = Path.cwd()
    if (here / STUDY_FILE).is_file():
        return str(here)
    for parent in here.parents:  # a notebook opened from elsewhere in the repository
        if (parent / given / STUDY_FILE).is_file():
            return str(parent / given)
    return str(study_dir)


# --- the plan -----------------------------------------------------------------------------


def _raci_activities() -> list[str]:
    return activity_names()


def plan_hints() -> dict[str, Any]:
    """Per-field options that come from the kit's data tables rather than the schema."""

    methods = [(f"{m.name} ({m.id}, ~{m.weeks:g} weeks)", m.id) for m in load_methods().values()]
    return {
        "Study.raci": {"activities": _raci_activities(), "roles": list(ROLES), "letters": list(RACI_LETTERS)},
        "Study.method": {"options": methods},
        "Study.decision": {"kind": "longtext"},
    }


def _validate_plan(data: dict[str, Any]) -> list[Problem]:
    validate_study(data, STUDY_FILE)
    return []


def build_plan_form(study_dir: str | Path) -> "FileForm":
    """The study.yml form (not displayed): for tests and :func:`plan_editor`."""
    # The editors import ipywidgets only when a form is built: a notebook run
    # by papermill shows a read-only line and never loads them.
    from kit.forms.file_form import FileForm, study_problem_path
    from kit.forms.model_form import ModelForm

    fields = list(Study.model_fields)
    form = ModelForm(Study, plan_hints())
    return FileForm(
        Path(study_dir) / STUDY_FILE,
        form,
        _validate_plan,
        lambda problem, _data: study_problem_path(problem, fields),
        title="Edit the plan",
    )


def plan_editor(study_dir: str | Path, interactive: bool | None = None) -> None:
    """Show the plan form in JupyterLab, or a read-only line under papermill."""

    study_dir = resolve_study_dir(study_dir)
    if interactive if interactive is not None else is_interactive():
        display(build_plan_form(study_dir).widget)
        return
    kd.note(
        f"{plan_summary(study_dir)} To edit the plan with a form, open this notebook in "
        "JupyterLab and run it; or edit study.yml in a text editor."
    )


def plan_summary(study_dir: str | Path) -> str:
    """One read-only line about study.yml for executed reports (plain text, escaped on display)."""

    try:
        study = load_study(study_dir)
    except KitError:
        return "study.yml has problems (listed below)."
    cycle = f"deadline {study.deadline}" if study.deadline else f"{study.weeks:g} weeks"
    return (
        f"study.yml: status {study.status}, method {study.method or 'not chosen'}, {cycle}, "
        f"{len(study.research_questions)} research questions, {len(study.pm_metrics)} PM metrics, "
        f"RACI for {len(study.raci)} activities."
    )


# --- the insights -------------------------------------------------------------------------


def insights_editor(
    study_dir: str | Path, interactive: bool | None = None, reports_dir: str | Path | None = None
) -> None:
    """Show the insight editor in JupyterLab, or a read-only line under papermill."""

    study_dir = resolve_study_dir(study_dir)
    if interactive if interactive is not None else is_interactive():
        from kit.forms.insight_editor import build_insights_form  # ipywidgets: see build_plan_form

        display(build_insights_form(study_dir, reports_dir).widget)
        return
    kd.note(
        f"{insights_summary(study_dir)} To edit them with a form, open this notebook in "
        "JupyterLab and run it; or edit insights.yml in a text editor."
    )


def insights_summary(study_dir: str | Path) -> str:
    """One read-only line about insights.yml for executed reports."""

    try:
        spec = load_insights(study_dir)
    except KitError:
        return "insights.yml has problems (listed below)."
    recs = [r for i in spec.insights for r in i.recommendations]
    decided = sum(r.status in DECIDED_STATUSES for r in recs)
    open_q = f", open questions {', '.join(spec.open_questions)}" if spec.open_questions else ""
    return f"insights.yml: {len(spec.insights)} insights, {len(recs)} recommendations ({decided} decided){open_q}."


__all__ = [
    "is_interactive",
    "resolve_study_dir",
    "plan_editor",
    "insights_editor",
    "build_plan_form",
    "plan_hints",
    "plan_summary",
    "insights_summary",
]
