"""A repository with a participant panel and studies linked to it, written directly (no papermill)."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEMO_STUDY = ROOT / "notebooks" / "demo-checkout" / "study.yml"
PEOPLE_HEADER = [
    "person_id",
    "name",
    "email",
    "account",
    "segment",
    "contact_owner",
    "opted_in",
    "consent_version",
    "withdrawn",
    "beta",
    "notes",
]
PARTICIPANTS_HEADER = ["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording", "person_id"]
SESSIONS_HEADER = ["session_id", "participant_id", "date", "moderator", "observers", "attended", "recording"]
RULES = {
    "cooldown_days": 30,
    "max_sessions_per_12_months": 2,
    "no_show_limit": 2,
    "retention_months": 12,
    "consent_versions": ["v2"],
}


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def person(
    pid: str,
    name: str,
    segment: str = "First-time buyer",
    owner: str = "PM",
    opted_in: str = "2025-01-01",
    version: str = "v2",
    withdrawn: str = "",
    beta: str = "no",
    account: str = "Acme",
) -> list[str]:
    email = name.lower().replace(" ", ".") + "@example.com"
    return [pid, name, email, account, segment, owner, opted_in, version, withdrawn, beta, "met at a fair"]


def write_panel(repo: Path, people: list[list[str]], rules: dict | None = None) -> Path:
    panel = repo / "panel"
    write_csv(panel / "people.csv", PEOPLE_HEADER, people)
    (panel / "rules.yml").write_text(yaml.safe_dump(rules if rules is not None else RULES), encoding="utf-8")
    return panel


def study_plan(**overrides: object) -> dict:
    plan = yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))
    plan.pop("program", None)  # the demo's beta program is not in these panels
    plan.update(overrides)
    return plan


def write_study(
    repo: Path, slug: str, participants: list[list[str]], sessions: list[list[str]], **plan: object
) -> Path:
    study = repo / "notebooks" / slug
    (study / "data").mkdir(parents=True, exist_ok=True)
    (study / "study.yml").write_text(yaml.safe_dump(study_plan(**plan), sort_keys=False), encoding="utf-8")
    write_csv(study / "data" / "participants.csv", PARTICIPANTS_HEADER, participants)
    write_csv(study / "data" / "sessions.csv", SESSIONS_HEADER, sessions)
    return study
