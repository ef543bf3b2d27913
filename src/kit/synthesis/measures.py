"""What the sessions measured, for synthesis.json: usability metrics, who observed, the problem matrix.

Metrics are built as :class:`~kit.outputs.synthesis.Metric` objects (the
statistics are in :mod:`kit.synthesis.usability_metrics`); ids ``M-SUS``,
``M-NPS`` and, per task, one per row of ``data/task_metrics.csv``
(``M-COMPLETION-<task>``, ``M-TIME-<task>``, ``M-SEQ-<task>``). A row names
the metric's id prefix, name, label, kind, unit and method text, the column
of ``tasks.csv`` it measures, which attempts count (:data:`ROW_SELECTIONS`),
the estimator (:data:`ESTIMATORS`) and its source:

* completion rate: adjusted-Wald interval (Agresti & Coull 1998; Sauro &
  Lewis 2016, ch. 3), partial successes counting half;
* time on task: geometric mean of successful attempts, t-interval on log
  times (Sauro & Lewis 2016, ch. 3);
* SEQ, the Single Ease Question (Sauro & Dumas 2009): mean of the 1-7
  answers with a t-interval (Sauro & Lewis 2016, ch. 3 and 8).

A new per-task metric is a new row; a new way of estimating or of choosing
attempts is one entry in a registry here. Observers and problems are
sections the model declares as mappings; their keys are spelled here once.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, get_args

import pandas as pd

from kit.errors import KitError
from kit.layout import kit_data
from kit.outputs.synthesis import Metric
from kit.privacy.roster import Roster
from kit.study.study_file import Study
from kit.study.tables import StudyData, columns
from kit.synthesis import usability_metrics as metrics

TASK_METRICS_FILE = "task_metrics.csv"
Estimator = Callable[[pd.Series], metrics.Estimate]
RowSelection = Callable[[pd.DataFrame, str], pd.DataFrame]


def slugify(text: str) -> str:
    """Task name -> id part: lower case, runs of other characters -> '-'."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "task"


def _measured(est: metrics.Estimate, **fields: Any) -> Metric:
    """A metric with its estimate's value, 95% interval and n."""
    return Metric(value=est.value, ci_low=est.ci_low, ci_high=est.ci_high, n=est.n, **fields)


def completion_rate(success: pd.Series) -> metrics.Estimate:
    """Successes / attempts with the adjusted-Wald interval (Agresti & Coull 1998; Sauro & Lewis 2016, ch. 3).

    ``success`` is 1, 0.5 (partial: half a success) or 0 per attempt.
    """
    return metrics.adjusted_wald(float(success.sum()), len(success))


ESTIMATORS: dict[str, Estimator] = {
    "adjusted_wald": completion_rate,
    # Task times are right-skewed: the geometric mean estimates the median (Sauro & Lewis 2016, ch. 3).
    "geometric_mean": metrics.geometric_mean_ci,
    # Rating scales such as the SEQ: mean with a t-interval (Sauro & Lewis 2016, ch. 3).
    "mean": metrics.mean_ci,
}
"""The estimator column of ``data/task_metrics.csv``: name -> the estimate of one task's values."""


def every_attempt(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """All of a task's attempts (the completion rate counts failures too)."""
    return rows


def successful_attempts(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """Successful attempts with a value (a failed attempt's time is when the participant gave up, not the task's)."""
    return rows[(rows["success"] == 1) & rows[column].notna()]


def answered_attempts(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """Attempts with a value in ``column`` (an SEQ not asked is left out, not counted as 0)."""
    return rows[rows[column].notna()]


ROW_SELECTIONS: dict[str, RowSelection] = {
    "all": every_attempt,
    "successful": successful_attempts,
    "answered": answered_attempts,
}
"""The rows column of ``data/task_metrics.csv``: name -> the attempts a metric counts."""


@dataclass(frozen=True)
class TaskMetric:
    """One row of ``data/task_metrics.csv``: a metric measured per task (``{task}`` in name and label)."""

    id_prefix: str
    name: str
    label: str
    kind: str
    unit: str
    column: str
    rows: str
    estimator: str
    method: str
    source: str


def parse_task_metrics(text: str, source: str = TASK_METRICS_FILE) -> tuple[TaskMetric, ...]:
    """The rows of a task-metric table, checked: every problem is a :class:`KitError` naming ``source:line``."""
    reader = csv.DictReader(io.StringIO(text))
    expected = [f.name for f in dataclasses.fields(TaskMetric)]
    if reader.fieldnames != expected:
        raise KitError(f"{source}:1: columns {reader.fieldnames}, expected {expected}")
    choices = {
        "kind": get_args(Metric.model_fields["kind"].annotation),  # behavioural or attitudinal, as the output declares
        "column": tuple(columns()["tasks"]),
        "rows": tuple(ROW_SELECTIONS),
        "estimator": tuple(ESTIMATORS),
    }
    table = []
    for row in reader:
        for key, known in choices.items():
            if row[key] not in known:
                raise KitError(
                    f"{source}:{reader.line_num}: key {key!r}: unknown {row[key]!r}, expected one of {', '.join(known)}"
                )
        for key in ("name", "label"):
            try:
                row[key].format(task="")
            except (KeyError, IndexError, ValueError):
                raise KitError(
                    f"{source}:{reader.line_num}: key {key!r}: {row[key]!r}, expected text with {{task}} as its "
                    "only placeholder"
                ) from None
        table.append(TaskMetric(**row))
    return tuple(table)


@lru_cache(maxsize=1)
def task_metric_table() -> tuple[TaskMetric, ...]:
    """The kit's per-task metrics (``data/task_metrics.csv``), in the order synthesis.json lists them."""
    return parse_task_metrics(kit_data(TASK_METRICS_FILE))


def metrics_json(data: StudyData, roster: Roster) -> list[Metric]:
    """SUS, NPS and per-task completion, time on task and SEQ (see :mod:`kit.synthesis.usability_metrics`)."""
    out: list[Metric] = []
    sus = data.frame("sus")
    if len(sus):
        scores = metrics.sus_scores(sus)
        done = scores.notna()
        est = metrics.mean_ci(scores[done])
        if est.n and est.value is not None:
            people = [roster.pseudonym(p) for p in sus.loc[done, "participant_id"]]
            out.append(
                _measured(
                    est,
                    id="M-SUS",
                    name="System Usability Scale (SUS)",
                    label="SUS",
                    kind="attitudinal",
                    unit="points",
                    grade=metrics.sus_grade(est.value),
                    participants=people,
                    scores=[{"participant": p, "score": float(s)} for p, s in zip(people, scores[done])],
                    method="Brooke 1996 scoring; mean with 95% t-interval; Sauro-Lewis curved grade",
                )
            )
        rec = sus[sus["recommend"].notna()]
        if len(rec):
            out.append(
                _measured(
                    metrics.nps(rec["recommend"]),
                    id="M-NPS",
                    name="Net Promoter Score",
                    label="NPS",
                    kind="attitudinal",
                    unit="points",
                    participants=[roster.pseudonym(p) for p in rec["participant_id"]],
                    method="% promoters (9-10) - % detractors (0-6); Wald 95% interval",
                )
            )
    for task, rows in data.frame("tasks").groupby("task", sort=False):
        out += _task_metrics(roster.redact(str(task)), rows, roster)
    return out


def _task_metrics(task: str, rows: pd.DataFrame, roster: Roster) -> list[Metric]:
    """The per-task metrics of one task, a row of the table each (``task`` already redacted: a task
    named after someone must not publish the name, nor its id); a metric with no attempt to count is left out."""
    slug = slugify(task)
    out = []
    for metric in task_metric_table():
        counted = ROW_SELECTIONS[metric.rows](rows, metric.column)
        est = ESTIMATORS[metric.estimator](counted[metric.column])
        if est.n:
            out.append(
                _measured(
                    est,
                    id=f"{metric.id_prefix}-{slug}",
                    name=metric.name.format(task=task),
                    label=metric.label.format(task=task),
                    task=task,
                    kind=metric.kind,
                    unit=metric.unit,
                    participants=[roster.pseudonym(p) for p in counted["participant_id"]],
                    method=metric.method,
                )
            )
    return out


def observers_json(data: StudyData, study: Study, roster: Roster) -> dict[str, Any]:
    """Sessions and who watched them, by role (names stay private)."""
    roles = {" ".join(o.name.split()).casefold(): o.role for o in study.observers}
    sessions = data.frame("sessions")
    rows: list[dict[str, Any]] = []
    by_role: dict[str, int] = {}
    for s in sessions.to_dict("records"):
        names = [n.strip() for n in re.split(r"[;\n]", s["observers"]) if n.strip()]
        kinds = [roles.get(" ".join(n.split()).casefold(), "Other") for n in names]
        for k in sorted(set(kinds)):  # sorted: a set's order changes with PYTHONHASHSEED, the JSON must not
            by_role[k] = by_role.get(k, 0) + 1
        link = roster.recording_link(s["session_id"])
        rows.append(
            {
                "session_id": s["session_id"],
                "date": s["date"],
                "participants": [roster.pseudonyms.get(s["participant_id"], "")],
                "observer_count": len(names),
                "roles": sorted(set(kinds)),
                # consent_recording gates the link; a withheld one is only counted
                "recording": link,
                "recording_withheld": bool(s["session_id"] in roster.recordings and link is None),
            }
        )
    observed = sum(1 for r in rows if r["observer_count"])
    return {
        "sessions": len(rows),
        "observed_sessions": observed,
        "pm_observed_sessions": by_role.get("PM", 0),
        "sessions_by_role": by_role,
        "recordings_withheld": sum(r["recording_withheld"] for r in rows),
        "rows": rows,
    }


def problems_json(notes: pd.DataFrame, people: list[str]) -> dict[str, Any]:
    """Problems x participants (notes of kind problem) with each problem's likelihood of discovery."""
    matrix = metrics.problem_matrix(notes, people)
    disc = metrics.discovery(matrix)
    likelihood = {d["problem"]: d["likelihood"] for d in disc["per_problem"]}
    rows = [
        {
            "problem": str(p),
            "participants": [c for c, v in zip(matrix.columns, r) if v],
            "participant_count": int(r.sum()),
            "likelihood": likelihood.get(str(p)),
        }
        for p, r in zip(matrix.index, matrix.to_numpy())
    ]
    return {"participants": people, "rows": rows, "discovery": {k: v for k, v in disc.items() if k != "per_problem"}}
