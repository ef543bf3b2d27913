"""The study's RACI matrix: who is Responsible, Accountable, Consulted, Informed.

Clear responsibilities (who talks to customers, who runs sessions, who owns
the beta program and feature requests) are what stops PMs and UXRs from
duplicating work. The activities are data (``data/raci_activities.csv``); the
rule is the standard RACI one: exactly one Accountable per activity (one
person answers for it) and at least one Responsible (someone does it).

study.yml holds it as ``raci: {activity: {role: letter}}``, e.g.
``planning: {UXR: A, PM: R}``. :data:`ROLES` are the team roles every
form and check uses (observers, RACI columns).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pandas as pd

from kit.errors import Problem
from kit.layout import kit_data

ROLES = ("PM", "UXR", "Design", "Engineering", "Support", "Sales")
RACI_LETTERS = ("R", "A", "C", "I")
LETTER_NAMES = {"R": "Responsible", "A": "Accountable", "C": "Consulted", "I": "Informed"}


@lru_cache(maxsize=1)
def load_activities() -> dict[str, dict[str, str]]:
    """The activity table, by activity name, in file order."""
    text = kit_data("raci_activities.csv")
    return {row["activity"]: row for row in csv.DictReader(text.splitlines())}


def activity_names() -> list[str]:
    """Known activities, in table order (the rows of the RACI grid)."""
    return list(load_activities())


def raci_problems(raci: Any, source: str = "study.yml") -> list[Problem]:
    """Every fatal problem in a raw ``raci`` mapping, each naming ``raci.<activity>``.

    A ``raci`` that is not a mapping at all is left to the schema's type check.
    """
    if not isinstance(raci, dict):
        return []
    known = activity_names()
    problems: list[Problem] = []
    for activity, roles in raci.items():
        where = f"{source}: key 'raci.{activity}'"
        if activity not in known:
            problems.append(Problem(where, f"unknown activity, expected one of: {', '.join(known)}"))
            continue
        if not isinstance(roles, dict) or not roles:
            problems.append(
                Problem(where, f"expected a mapping of role to R/A/C/I like {{UXR: A, PM: R}}, got {roles!r}")
            )
            continue
        letters: dict[str, list[str]] = {}
        for role, letter in roles.items():
            if role not in ROLES:
                problems.append(Problem(where, f"unknown role {role!r}, expected one of: {', '.join(ROLES)}"))
            if letter not in RACI_LETTERS:
                problems.append(
                    Problem(where, f"role {role!r}: expected one of {', '.join(RACI_LETTERS)}, got {letter!r}")
                )
                continue
            letters.setdefault(letter, []).append(str(role))
        accountable = letters.get("A", [])
        if len(accountable) != 1:
            got = "none" if not accountable else f"{len(accountable)} ({', '.join(accountable)})"
            problems.append(Problem(where, f"expected exactly one Accountable (A), got {got}"))
        if not letters.get("R"):
            problems.append(Problem(where, "expected at least one Responsible (R), got none"))
    return problems


def raci_warnings(raci: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Non-fatal gaps: activities nobody has been assigned yet."""
    if not raci:
        return [f"No RACI matrix yet: agree who is Responsible and Accountable for {', '.join(activity_names())}."]
    missing = [a for a in activity_names() if a not in raci]
    if missing:
        return [f"RACI has no row for: {', '.join(missing)} (add who is Accountable for each)."]
    return []


def raci_summary(raci: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """plan.json's RACI section: the full grid, one Accountable per activity, gaps."""
    activities = load_activities()
    rows = []
    for name, info in activities.items():
        roles = raci.get(name, {})
        rows.append(
            {
                "activity": name,
                "description": info["description"],
                "accountable": next((r for r, x in roles.items() if x == "A"), None),
                "responsible": [r for r, x in roles.items() if x == "R"],
                "roles": dict(roles),
            }
        )
    return {"roles": list(ROLES), "activities": rows, "warnings": raci_warnings(raci)}


def raci_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """The RACI grid as a table: one row per activity, one column per role."""
    records = []
    for row in summary["activities"]:
        record = {"activity": row["activity"]}
        record.update({role: row["roles"].get(role, "") for role in summary["roles"]})
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    # Roles nobody holds in this study only widen the table.
    used = [r for r in summary["roles"] if (frame[r] != "").any()] if not frame.empty else []
    return frame[["activity", *used]]
