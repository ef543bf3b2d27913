"""The insight editor: insights.yml as a form (kit.insights.stage.InsightsFile's schema).

Each insight gets its statement, the research questions it answers (picked
from the plan), evidence and counter-evidence (picked from the synthesis ids,
or from the study's notes before the synthesis has run) and recommendations
whose owner and metric are picked from the roles and the plan's PM metrics.
Each insight's lifecycle (status, review_by, reviewed_on, superseded_by:
:mod:`kit.study.lifecycle`) is edited with it: the status from the status
table, the dates with date pickers. Saving checks the schema, the
``superseded_by`` references inside the study and, once synthesis.json
exists, traceability: the same checks the 03-insights stage runs.

The picker labels show redacted text only (synthesis text is redacted
already; notes.csv text passes the roster's ``redact``): widget state must
not carry a participant's name, and insights.yml itself only stores ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from kit.errors import InsightError, Problem, StudyError
from kit.forms.editors import Path_
from kit.forms.file_form import FileForm, key_path
from kit.forms.model_form import ModelForm
from kit.insights import traceability
from kit.insights.evidence import EvidenceItem, index_synthesis
from kit.layout import DATA_DIR, INSIGHTS_FILE, SYNTHESIS_JSON, repo_root_for, reports_dir_for, study_slug
from kit.outputs.synthesis import Synthesis, read_synthesis
from kit.privacy.roster import Roster
from kit.study.insights_file import (
    OWNERS,
    Insight,
    InsightsFile,
    Recommendation,
    validate_insights,
)
from kit.study.lifecycle import insight_statuses
from kit.study.metric_series import metric_ids
from kit.study.study_file import load_study
from kit.study.supersession import study_lifecycle_problems

LABEL_CHARS = 70


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _synthesis(study_dir: Path, reports_dir: str | Path | None) -> Synthesis | None:
    path = reports_dir_for(study_dir, reports_dir) / SYNTHESIS_JSON
    return read_synthesis(path) if path.is_file() else None


def evidence_options(study_dir: str | Path, reports_dir: str | Path | None = None) -> list[tuple[str, str]]:
    """(label, id) for every citable item: synthesis ids, else the notes' ids (redacted labels)."""
    study_dir = Path(study_dir)
    synthesis = _synthesis(study_dir, reports_dir)
    if synthesis is not None:
        return [
            (f"{i.id} · {i.kind} · {', '.join(i.participants)} · {_short(i.text or i.label)}", i.id)
            for i in index_synthesis(synthesis).values()
        ]
    return _note_options(study_dir)


def _note_options(study_dir: Path) -> list[tuple[str, str]]:
    notes_path = study_dir / DATA_DIR / "notes.csv"
    if not notes_path.is_file():
        return []
    try:
        notes = pd.read_csv(notes_path, dtype=str).fillna("")
    except Exception:  # noqa: BLE001 - an unreadable notes.csv: the synthesis stage reports it
        return []
    if "note_id" not in notes:
        return []
    try:
        roster = Roster.from_study(study_dir)
        redact, alias = roster.redact, roster.pseudonym
    except Exception:  # noqa: BLE001 - no usable roster: show ids only, never raw text
        return [(str(n), str(n)) for n in notes["note_id"]]
    options = []
    for _, row in notes.iterrows():
        try:
            who = alias(row.get("participant_id", ""))
        except Exception:  # noqa: BLE001 - an unknown participant id: the stage reports it
            who = "?"
        label = f"{row['note_id']} · {who} · {_short(redact(row.get('text', '')))}"
        options.append((label, row["note_id"]))
        if row.get("kind", "").strip().lower() == "quote":
            options.append((f"Q-{row['note_id']} · quote · {who}", f"Q-{row['note_id']}"))
    return options


def insights_hints(study_dir: Path, reports_dir: str | Path | None = None) -> dict[str, Any]:
    """Pickers whose options come from the plan and the study's data."""
    try:
        study = load_study(study_dir)
        rq_ids = [(f"{q.id} · {_short(q.text)}", q.id) for q in study.research_questions]
        metrics = [m.name for m in study.pm_metrics]
    except StudyError:  # an invalid plan: free choices, the save check names the problem
        rq_ids, metrics = [], []
    evidence = evidence_options(study_dir, reports_dir)
    multi_rq = {"kind": "multi", "options": rq_ids}
    # The metric series at the repository root; a typed id not among them is named by the save check.
    series = metric_ids(repo_root_for(study_dir))
    return {
        "InsightsFile.insights": {"collapsible": True},
        "Insight.statement": {"kind": "longtext"},
        "Insight.answers": multi_rq,
        "Insight.evidence": {"kind": "multi", "options": evidence},
        "Insight.counter_evidence": {"kind": "multi", "options": evidence},
        "InsightsFile.open_questions": multi_rq,
        "Recommendation.owner": {"kind": "choice", "options": list(OWNERS)},
        "Recommendation.metric": {"kind": "choice", "options": metrics},
        "Recommendation.action": {"kind": "longtext"},
        "Recommendation.note": {"kind": "longtext"},
        "Recommendation.metric_id": {"kind": "choice", "options": series} if series else {},
        "Recommendation.outcome_note": {"kind": "longtext"},
        "Insight.status": {"kind": "choice", "options": list(insight_statuses())},
    }


def _validator(study_dir: Path, reports_dir: str | Path | None) -> Callable[[dict[str, Any]], list[Problem]]:
    def validate(data: dict[str, Any]) -> list[Problem]:
        spec = validate_insights(data, INSIGHTS_FILE)
        # superseded_by inside the study (no loop, no unknown id); `kit run` checks other studies.
        lifecycle = study_lifecycle_problems(spec, study_slug(study_dir), [])
        if any(p.fatal for p in lifecycle):
            raise InsightError([p for p in lifecycle if p.fatal])
        synthesis = _synthesis(study_dir, reports_dir)
        if synthesis is not None:
            index = index_synthesis(synthesis, cited=traceability.cited_ids(spec))  # withheld quotes resolve
            return traceability.check(spec, load_study(study_dir), index) + lifecycle
        # Before the synthesis, every other rule still applies: treat the cited ids as known.
        cited: dict[str, EvidenceItem | None] = {
            ref: None for ins in spec.insights for ref in ins.evidence + ins.counter_evidence
        }
        warnings = traceability.check(spec, load_study(study_dir), cited) + lifecycle
        return warnings + [
            Problem(INSIGHTS_FILE, "evidence ids not checked yet: run the synthesis (02-sessions) first", fatal=False)
        ]

    return validate


_PART_RE = re.compile(r"^(insight|recommendation) (#?)(\S+)$")


def insights_problem_path(problem: Problem, data: dict[str, Any]) -> Path_:
    """``insights.yml: insight I2: recommendation R3: key 'owner'`` -> ``["insights", 1, ...]``."""
    parts = [p.strip() for p in problem.where.split(": ")[1:]]
    path: Path_ = []
    insights = data.get("insights") or []
    for part in parts:
        m = _PART_RE.match(part)
        if m:
            label, by_number, ident = m.groups()
            if label == "insight":
                idx = (
                    int(ident) - 1
                    if by_number
                    else next((i for i, ins in enumerate(insights) if ins.get("id") == ident), None)
                )
                if idx is None:
                    break
                path = ["insights", idx]
            else:
                holder = (
                    insights[int(path[1])]  # path is ["insights", its index]
                    if path
                    else next(
                        (ins for ins in insights if any(r.get("id") == ident for r in ins.get("recommendations", []))),
                        None,
                    )
                )
                if holder is None:
                    break
                if not path:
                    path = ["insights", insights.index(holder)]
                recs = holder.get("recommendations", [])
                idx = (
                    int(ident) - 1 if by_number else next((i for i, r in enumerate(recs) if r.get("id") == ident), None)
                )
                if idx is None:
                    break
                path += ["recommendations", idx]
        elif part.startswith("key '"):
            path += key_path(part[5:-1])
        elif part == "open_questions" or part.startswith("research question "):
            path = ["open_questions"]
    if path and isinstance(path[-1], int):  # an insight or recommendation as a whole
        path += _field_named(problem.message, Recommendation if path[-2] == "recommendations" else Insight)
    return path


def _field_named(message: str, model: type[BaseModel]) -> list[str]:
    """The field a traceability message is about: the first field name it mentions."""
    text = message.replace("counter-evidence", "counter_evidence")
    hits = [
        (m.start(), name)
        for name in model.model_fields
        for m in [re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)]
        if m
    ]
    return [min(hits)[1]] if hits else []


def build_insights_form(study_dir: str | Path, reports_dir: str | Path | None = None) -> FileForm:
    """The insights.yml form (not displayed): for tests and :func:`kit.forms.study_forms.insights_editor`."""
    study_dir = Path(study_dir)
    form = ModelForm(InsightsFile, insights_hints(study_dir, reports_dir))
    return FileForm(
        study_dir / INSIGHTS_FILE,
        form,
        _validator(study_dir, reports_dir),
        insights_problem_path,
        title="Edit the insights",
    )
