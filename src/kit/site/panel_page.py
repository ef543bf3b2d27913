"""The Panel page: how the participant panel is used, in counts only.

From ``panel/people.csv``, ``panel/rules.yml``, every study's sessions
(:mod:`kit.panel.history`) and ``panel/purge-log.csv``:

* eligible people per segment on the day the site is built (the contact
  rules of :mod:`kit.panel.eligibility`), and how many each rule excludes;
* sessions per month over the last 12 months (attended, no-shows);
* contact load per owner role: people whose relationship the role owns, and
  their attended sessions in the last 12 months;
* withdrawals (by the ``withdrawn`` date) and purges (``purge-log.csv`` rows)
  per quarter;
* each beta program of ``panel/programs.yml`` (:mod:`kit.panel.programs`):
  members, members eligible on the day, studies whose ``study.yml`` names
  it, its feedback items per code, and withdrawals. A member who withdrew
  counts only among the withdrawals (and their feedback not at all), before
  and after ``kit purge`` removes them from the file.

No name, e-mail, account or person id reaches the page: only segment labels,
role names, program names, codes, months, quarters and numbers. Like the playbook, the output is
Markdown (Quarto includes it in ``panel.qmd``; the preview converts it) and
every label goes through :func:`kit.display.markdown_text`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kit.display import markdown_text as md
from kit.errors import KitError
from kit.layout import STUDY_FILE, notebooks_root, purge_log_path
from kit.panel.eligibility import RULES, Eligibility, evaluate, window_start
from kit.panel.history import ATTENDED, NO_SHOW
from kit.panel.programs import feedback_codes, load_programs, read_feedback, study_program
from kit.panel.supply import panel_state
from kit.study.codebook import load_codebook
from kit.study.panel_people import Panel


def quarter(day: dt.date) -> str:
    """``2026-Q2``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _purges(repo_root: Path) -> Counter[str]:
    path = purge_log_path(repo_root)
    out: Counter[str] = Counter()
    if not path.is_file():
        return out
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                out[quarter(dt.date.fromisoformat(row.get("date", "")))] += 1
            except ValueError:
                continue
    return out


def _canonical(repo_root: Path) -> Callable[[str], str]:
    """The codebook's code for a tag (the tag itself without a readable codebook)."""
    try:
        codebook = load_codebook(repo_root)
    except KitError:
        codebook = None
    return codebook.canonical if codebook is not None else str


def program_counts(repo_root: Path, panel: Panel, result: Eligibility) -> list[dict[str, Any]] | dict[str, bool]:
    """Counts per beta program on the day of ``result``; ``{"error": True}`` when programs.yml cannot be read."""
    try:
        programs = load_programs(repo_root, panel)
    except KitError:
        return {"error": True}
    if programs is None:
        return []
    named = Counter(study_program(p.parent) for p in notebooks_root(repo_root).glob(f"*/{STUDY_FILE}"))
    gone = panel.withdrawn_ids()
    canonical = _canonical(repo_root)
    out = []
    for program in programs.programs.values():
        members = [m for m in program.members if m not in gone]
        frame = read_feedback(repo_root, program, [])
        out.append(
            {
                "id": program.id,
                "name": program.name,
                "owner": program.owner,
                "dates": program.dates_text(),
                "running": program.runs_on(result.day),
                "members": len(members),
                "eligible": sum(1 for m in members if result.reason.get(m, "") is None),
                "studies": named.get(program.id, 0),
                "feedback": feedback_codes(frame, gone, canonical) if frame is not None else {},
                "withdrawals": program.withdrawals + sum(1 for m in program.members if m in gone),
            }
        )
    return out


def panel_data(repo_root: str | Path, day: dt.date) -> dict[str, Any] | None:
    """The page's counts on ``day``; None without a panel, ``{"error": ...}`` when it cannot be read."""
    try:
        state = panel_state(repo_root)
    except KitError:
        return {"error": True}
    if state is None:
        return None
    panel, rules, history = state
    result = evaluate(panel, history, rules, day)
    segments: dict[str, Counter[str]] = {}
    for pid, person in panel.people.items():
        seg = segments.setdefault(person.segment or "(no segment)", Counter())
        seg["people"] += 1
        seg[result.reason[pid] or "eligible"] += 1
    start = window_start(day)
    months: dict[str, Counter[str]] = {}
    load: dict[str, Counter[str]] = {}
    for pid, sessions in history.items():
        owner = panel.people[pid].contact_owner if pid in panel.people else "(not in the panel)"
        for s in sessions:
            if start < s.date <= day and s.attended in (ATTENDED, NO_SHOW):
                months.setdefault(s.date.strftime("%Y-%m"), Counter())[s.attended] += 1
                if s.attended == ATTENDED:
                    load.setdefault(owner, Counter())["sessions"] += 1
    for person in panel.people.values():
        load.setdefault(person.contact_owner, Counter())["people"] += 1
    withdrawals = Counter(quarter(p.withdrawn) for p in panel.people.values() if p.withdrawn)
    purges = _purges(Path(repo_root))
    quarters = sorted(set(withdrawals) | set(purges))
    return {
        "day": day.isoformat(),
        "people": len(panel.people),
        "eligible": len(result.eligible()),
        "segments": {k: dict(v) for k, v in sorted(segments.items())},
        "months": {k: dict(v) for k, v in sorted(months.items())},
        "load": {k: dict(v) for k, v in sorted(load.items())},
        "quarters": [
            {"quarter": q, "withdrawals": withdrawals.get(q, 0), "purges": purges.get(q, 0)} for q in quarters
        ],
        "rules": rules.model_dump(),
        "programs": program_counts(Path(repo_root), panel, result),
    }


def panel_markdown(data: dict[str, Any] | None) -> str:
    """The generated part of the Panel page (headings level 2)."""
    if data is None:
        return (
            "This repository has no participant panel yet: add `panel/people.csv` "
            "(see the README, *The participant panel*).\n"
        )
    if data.get("error"):
        return "The panel could not be read: run `kit check --retention` or `kit recruit` to see why.\n"
    r = data["rules"]
    out = [
        f"{data['people']} people in the panel, {data['eligible']} eligible to be invited on {data['day']} "
        f"(cooldown {r['cooldown_days']} days, at most {r['max_sessions_per_12_months']} sessions and "
        f"fewer than {r['no_show_limit']} no-shows in 12 months; raw data kept {r['retention_months']} "
        "months after a study ends).",
        "",
        "## Eligible people per segment",
        "",
        "| Segment | People | Eligible | " + " | ".join(rule.capitalize() for rule in RULES) + " |",
        "|---|---|---|" + "---|" * len(RULES),
    ]
    for seg, c in data["segments"].items():
        out.append(
            f"| {md(seg)} | {c.get('people', 0)} | {c.get('eligible', 0)} | "
            + " | ".join(str(c.get(rule, 0)) for rule in RULES)
            + " |"
        )
    out += ["", "## Sessions per month (last 12 months)", ""]
    if data["months"]:
        out += ["| Month | Attended | No-shows |", "|---|---|---|"]
        out += [f"| {m} | {c.get(ATTENDED, 0)} | {c.get(NO_SHOW, 0)} |" for m, c in data["months"].items()]
    else:
        out.append("No sessions with panel people in the last 12 months.")
    out += [
        "",
        "## Contact load per owner role",
        "",
        "Who owns the relationship is asked before anyone contacts a person.",
        "",
        "| Contact owner | People | Sessions in 12 months |",
        "|---|---|---|",
    ]
    out += [f"| {md(role)} | {c.get('people', 0)} | {c.get('sessions', 0)} |" for role, c in data["load"].items()]
    out += ["", "## Withdrawals and purges per quarter", ""]
    if data["quarters"]:
        out += ["| Quarter | Withdrawals | Purges |", "|---|---|---|"]
        out += [f"| {q['quarter']} | {q['withdrawals']} | {q['purges']} |" for q in data["quarters"]]
    else:
        out.append("No withdrawals or purges yet.")
    return "\n".join(out + programs_markdown(data.get("programs", []))) + "\n"


def programs_markdown(programs: list[dict[str, Any]] | dict[str, Any]) -> list[str]:
    """The beta programs' section (counts only), as lines."""
    out = [
        "",
        "## Beta programs",
        "",
        "A PM's beta program is a channel to customers: its owner is asked before anyone contacts a member, and "
        "`kit recruit SLUG --program ID` proposes only its members.",
        "",
    ]
    if isinstance(programs, dict):
        return out + ["`panel/programs.yml` could not be read: run `kit recruit SLUG --n 1 --program ID` to see why."]
    if not programs:
        return out + ["No beta programs yet: list them in `panel/programs.yml` (see the README)."]
    out += [
        "| Program | Owner | Dates | Members | Eligible now | Studies | Feedback items by code | Withdrawals |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in programs:
        feedback = ", ".join(f"{md(code)} {n}" for code, n in p["feedback"].items()) or "none"
        dates = p["dates"] + ("" if p["running"] else " (not running)")
        out.append(
            f"| {md(p['name'])} ({md(p['id'])}) | {md(p['owner'])} | {dates} | {p['members']} | {p['eligible']} "
            f"| {p['studies']} | {feedback} | {p['withdrawals']} |"
        )
    return out
