"""The team's working agreement, generated from every study's RACI data.

Who owns customer communication, interviews, the beta program and
feature-request triage is what each study's ``raci`` grid records
(``plan.json`` → ``raci.activities``, validated: one Accountable per activity).
The playbook folds those grids into one table: per activity, the role that is
Accountable in most studies, the roles usually Responsible, and the studies
that agreed otherwise. It adds how PMs observed sessions (``synthesis.json`` →
``observers``, through :mod:`kit.site.synthesis_facts`) and who signed off
decisions (``insights.json`` → ``decision_log``).

The text around it is the team's own, in ``_playbook-intro.md`` (editable).
The output is Markdown: Quarto includes it in ``playbook.qmd``; the preview
converts it with mistune. Every value is written through
:func:`kit.display.markdown_text`, so a name cannot become a link or HTML.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from kit.display import markdown_text as md
from kit.errors import StageOrderError
from kit.layout import INSIGHTS_JSON, PLAN_JSON, reports_root
from kit.outputs.insights import read_insights_json
from kit.outputs.plan import read_plan
from kit.site.synthesis_facts import SynthesisFacts, read_synthesis_facts
from kit.study.raci import LETTER_NAMES, load_activities

T = TypeVar("T")

INTRO_FILE = "_playbook-intro.md"


def _load(read: Callable[[Path], T], path: Path) -> T | None:
    """A stage output, or None when the stage has not run (or its file is stale or half-written)."""
    try:
        return read(path)
    except StageOrderError:
        return None


def playbook_data(repo_root: Path, slugs: list[str], facts: dict[str, SynthesisFacts] | None = None) -> dict[str, Any]:
    """RACI per activity across studies, observation and sign-off facts.

    ``facts``: each study's synthesis facts when the build has them already
    (:func:`kit.site.synthesis_facts.read_synthesis_facts`), else read here.
    """
    reports = reports_root(repo_root)
    if facts is None:
        facts, _ = read_synthesis_facts(repo_root, slugs, reuse=False)
    activities = load_activities()
    accountable: dict[str, Counter[str]] = {a: Counter() for a in activities}
    responsible: dict[str, Counter[str]] = {a: Counter() for a in activities}
    per_study: dict[str, dict[str, str | None]] = {}
    observing: list[dict[str, Any]] = []
    signoff: Counter[str] = Counter()
    for slug in slugs:
        plan = _load(read_plan, reports / slug / PLAN_JSON)
        rows = plan.raci.activities if plan else []
        if rows:
            per_study[slug] = {}
        for row in rows:
            name = row.activity
            if name not in activities:
                continue
            per_study[slug][name] = row.accountable
            if row.accountable:
                accountable[name][row.accountable] += 1
            responsible[name].update(row.responsible)
        obs = (facts[slug].observers if slug in facts else None) or {}
        if obs.get("sessions"):
            observing.append(
                {
                    "study": slug,
                    "sessions": obs["sessions"],
                    "pm": obs.get("pm_observed_sessions", 0),
                    "observed": obs.get("observed_sessions", 0),
                    "roles": obs.get("sessions_by_role", {}),
                }
            )
        insights = _load(read_insights_json, reports / slug / INSIGHTS_JSON)
        for rec in insights.decision_log if insights else []:
            if rec.decided_by:
                signoff[rec.decided_by] += 1
    table: list[dict[str, Any]] = []
    for name, info in activities.items():
        # Most studies' choice; on a tie (or with no data) the activity table's usual role.
        counts = accountable[name]
        usual = (
            min(counts, key=lambda r: (-counts[r], r != info["usual_accountable"], r))
            if counts
            else info["usual_accountable"]
        )
        exceptions = {s: a for s, grid in per_study.items() if (a := grid.get(name)) and a != usual}
        table.append(
            {
                "activity": name,
                "description": info["description"],
                "accountable": usual,
                "responsible": [r for r, _ in responsible[name].most_common()],
                "studies": sum(accountable[name].values()),
                "exceptions": exceptions,
            }
        )
    return {
        "activities": table,
        "observing": observing,
        "signoff": signoff.most_common(),
        "study_count": len(per_study),
    }


def playbook_markdown(data: dict[str, Any]) -> str:
    """The generated part of the playbook as Markdown (headings level 2)."""
    out = [
        "## Who does what",
        "",
        f"Agreed in {data['study_count']} studies' RACI grids "
        f"({', '.join(f'{k} = {v}' for k, v in LETTER_NAMES.items())}).",
        "",
        "| Activity | What it covers | Accountable | Responsible | Studies that differ |",
        "|---|---|---|---|---|",
    ]
    for row in data["activities"]:
        diff = "; ".join(f"{md(s)}: {md(a)}" for s, a in row["exceptions"].items()) or "–"
        out.append(
            f"| {md(row['activity'])} | {md(row['description'])} | {md(row['accountable'])} "
            f"| {md(', '.join(row['responsible'])) or '–'} | {diff} |"
        )
    out += ["", "## How PMs observe sessions", ""]
    if data["observing"]:
        out += ["| Study | Sessions | Observed | Observed by a PM | Observer roles |", "|---|---|---|---|---|"]
        for o in data["observing"]:
            roles = ", ".join(f"{md(r)} {n}" for r, n in o["roles"].items()) or "–"
            out.append(f"| {md(o['study'])} | {o['sessions']} | {o['observed']} | {o['pm']} | {roles} |")
    else:
        out.append("No session logs yet.")
    out += ["", "## How insights are signed off", ""]
    row = next((r for r in data["activities"] if r["activity"] == "insight sign-off"), None)
    if row:
        out.append(
            f"The {md(row['accountable'])} is accountable for signing off insights; "
            "a recommendation counts as decided when it records who decided and when."
        )
    if data["signoff"]:
        out += ["", "| Decided by | Decisions |", "|---|---|"]
        out += [f"| {md(who)} | {n} |" for who, n in data["signoff"]]
    return "\n".join(out) + "\n"


def intro_text(repo_root: Path) -> str:
    """The editable part (``_playbook-intro.md``), or nothing."""
    path = Path(repo_root) / INTRO_FILE
    return path.read_text(encoding="utf-8") if path.is_file() else ""
