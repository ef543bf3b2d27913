"""What the sessions measured, for synthesis.json: usability metrics, who observed, the problem matrix.

Metrics are built as :class:`~kit.outputs.synthesis.Metric` objects (the
statistics are in :mod:`kit.synthesis.usability_metrics`); ids ``M-SUS``,
``M-NPS``, ``M-COMPLETION-<task>``, ``M-TIME-<task>``, ``M-SEQ-<task>``.
Observers and problems are sections the model declares as mappings; their
keys are spelled here once.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from kit.outputs.synthesis import Metric
from kit.privacy.roster import Roster
from kit.study.study_file import Study
from kit.study.tables import StudyData
from kit.synthesis import usability_metrics as metrics


def slugify(text: str) -> str:
    """Task name -> id part: lower case, runs of other characters -> '-'."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "task"


def _measured(est: metrics.Estimate, **fields: Any) -> Metric:
    """A metric with its estimate's value, 95% interval and n."""
    return Metric(value=est.value, ci_low=est.ci_low, ci_high=est.ci_high, n=est.n, **fields)


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
    """Completion, time on task and SEQ of one task (``task`` already redacted: a task named
    after someone must not publish the name, nor its id)."""
    slug = slugify(task)
    out = [
        _measured(
            metrics.adjusted_wald(float(rows["success"].sum()), len(rows)),
            id=f"M-COMPLETION-{slug}",
            name=f"Completion rate: {task}",
            label=f"Completion: {task}",
            task=task,
            kind="behavioural",
            unit="%",
            participants=[roster.pseudonym(p) for p in rows["participant_id"]],
            method="successes / attempts (partial = 0.5); adjusted-Wald 95% interval",
        )
    ]
    ok = rows[(rows["success"] == 1) & rows["time_s"].notna()]
    est = metrics.geometric_mean_ci(ok["time_s"])
    if est.n:
        out.append(
            _measured(
                est,
                id=f"M-TIME-{slug}",
                name=f"Time on task: {task}",
                label=f"Time: {task}",
                task=task,
                kind="behavioural",
                unit="s",
                participants=[roster.pseudonym(p) for p in ok["participant_id"]],
                method="geometric mean of successful attempts only; 95% t-interval on log times",
            )
        )
    seq = rows[rows["seq"].notna()]
    est = metrics.mean_ci(seq["seq"])
    if est.n:
        out.append(
            _measured(
                est,
                id=f"M-SEQ-{slug}",
                name=f"Single Ease Question: {task}",
                label=f"SEQ: {task}",
                task=task,
                kind="attitudinal",
                unit="1-7",
                participants=[roster.pseudonym(p) for p in seq["participant_id"]],
                method="mean of 1-7 answers; 95% t-interval",
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
