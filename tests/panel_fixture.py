"""A repository with a participant panel and studies linked to it, written directly (no papermill)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
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


FIRST, RETURNING = "First-time buyer", "Returning buyer"
PAST_PARTICIPANTS = [
    ["R-1", "First Person1", "f1@x.org", FIRST, "yes", "yes", "PN-01"],
    ["R-2", "Back Person11", "b@x.org", RETURNING, "yes", "yes", "PN-11"],
]
# PN-01 took part 10 days before 2026-06-01 (cooldown); PN-11 no-showed twice
PAST_SESSIONS = [
    ["S1", "R-1", "2026-05-22", "Sam", "", "yes", ""],
    ["S2", "R-2", "2026-01-10", "Sam", "", "no-show", ""],
    ["S3", "R-2", "2026-02-10", "Sam", "", "no-show", ""],
]


def recruiting_people(owner_of_first: Callable[[int], str] = lambda i: "PM", beta_below: int = 4) -> list[list[str]]:
    """A panel to recruit from: first-time buyers PN-01..06 (``beta`` below ``beta_below``), returning
    buyers PN-11..15 (owned by Support), PN-90 withdrawn and PN-91 not opted in."""
    people = [
        person(
            f"PN-{i:02d}", f"First Person{i}", FIRST, owner=owner_of_first(i), beta="yes" if i < beta_below else "no"
        )
        for i in range(1, 7)
    ]
    people += [person(f"PN-{i:02d}", f"Back Person{i}", RETURNING, owner="Support") for i in range(11, 16)]
    people += [
        person("PN-90", "Will Drawn", FIRST, withdrawn="2026-01-01"),
        person("PN-91", "Not Yet", RETURNING, opted_in=""),
    ]
    return people


def write_recruiting_repo(
    repo: Path,
    people: list[list[str]],
    past_participants: Sequence[list[str]] = (),
    past_sessions: Sequence[list[str]] = (),
) -> Path:
    """The panel, study ``past`` (R-1 PN-01 and R-2 PN-11, then the extra rows given) and ``new-study`` (R-9 PN-06),
    whose RACI has the UXR reach out to customers."""
    write_panel(repo, people)
    write_study(repo, "past", [*PAST_PARTICIPANTS, *past_participants], [*PAST_SESSIONS, *past_sessions])
    write_study(
        repo,
        "new-study",
        [["R-9", "First Person6", "f6@x.org", FIRST, "yes", "yes", "PN-06"]],
        [],
        segments=[FIRST, RETURNING],
        raci={"planning": {"UXR": "A", "PM": "R"}, "customer communication": {"PM": "A", "UXR": "R"}},
    )
    return repo
