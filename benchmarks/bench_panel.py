"""Panel benchmark: a panel of 5,000 people over 200 studies (prints figures; no assertions).

Each study has 25 participants linked to the panel (``person_id``), one
session each over the last four years (some no-shows and cancellations),
three notes per participant and a transcript per session; 40 people have
withdrawn. ``kit recruit`` (read the panel and every study's history, apply
the rules, write invites.csv) and ``kit check --retention`` (find what is
past retention or belongs to withdrawn people, without writing) must each
stay under 2 s.

    .venv/bin/python benchmarks/bench_panel.py [N_PEOPLE] [N_STUDIES]
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import yaml

from kit.panel.recruit import recruit
from kit.panel.retention import plan_retention

DEMO_PLAN = Path(__file__).resolve().parent.parent / "notebooks" / "demo-checkout" / "study.yml"
SEGMENTS = ["First-time buyer", "Returning buyer", "Business buyer"]
ROLES = ["PM", "UXR", "Sales", "Support"]
DAY = dt.date(2026, 6, 1)


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def seed(root: Path, n_people: int, n_studies: int) -> None:
    rng = random.Random(16)
    people = [
        [
            f"PN-{i:05d}",
            f"Person{i} Family{i % 97}",
            f"p{i}@example.com",
            f"Account {i % 300}",
            SEGMENTS[i % 3],
            ROLES[i % 4],
            "2023-01-01" if i % 50 else "",
            "v2",
            "2026-04-01" if i % 125 == 7 else "",
            "yes" if i % 5 == 0 else "no",
            "",
        ]
        for i in range(n_people)
    ]
    write(
        root / "panel" / "people.csv",
        [
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
        ],
        people,
    )
    (root / "panel" / "rules.yml").write_text(
        yaml.safe_dump(
            {
                "cooldown_days": 90,
                "max_sessions_per_12_months": 2,
                "no_show_limit": 2,
                "retention_months": 24,
                "consent_versions": ["v2"],
            }
        )
    )
    base = yaml.safe_load(DEMO_PLAN.read_text(encoding="utf-8"))  # a valid plan (RACI, metrics ...)
    base.pop("program", None)  # the demo's beta program is not in this panel
    for s in range(n_studies):
        start = dt.date(2022, 6, 1) + dt.timedelta(days=s * 7)
        study = root / "notebooks" / f"study-{s:03d}"
        plan = {
            **base,
            "title": f"Study {s}",
            "start_date": start.isoformat(),
            "deadline": (start + dt.timedelta(days=28)).isoformat(),
            "segments": SEGMENTS,
            "participants_per_segment": {seg: 8 for seg in SEGMENTS},
        }
        study.mkdir(parents=True)
        (study / "study.yml").write_text(yaml.safe_dump(plan))
        who = rng.sample(range(n_people), 25)
        write(
            study / "data" / "participants.csv",
            ["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording", "person_id"],
            [
                [f"R-{s}-{j}", people[p][1], people[p][2], people[p][4], "yes", "yes", people[p][0]]
                for j, p in enumerate(who)
            ],
        )
        write(
            study / "data" / "sessions.csv",
            ["session_id", "participant_id", "date", "moderator", "observers", "attended", "recording"],
            [
                [
                    f"S{j:02d}",
                    f"R-{s}-{j}",
                    (start + dt.timedelta(days=j % 20)).isoformat(),
                    "Sam Okafor",
                    "Dana Whitfield",
                    rng.choice(["", "", "", "", "no-show", "cancelled"]),
                    f"https://rec.example/{s}/{j}",
                ]
                for j in range(25)
            ],
        )
        write(
            study / "data" / "notes.csv",
            ["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"],
            [
                [
                    f"N{j}-{k}",
                    f"S{j:02d}",
                    f"R-{s}-{j}",
                    "Pay",
                    f"Note {k} about paying, {people[who[j]][1]} said so",
                    "payment",
                    "observation",
                ]
                for j in range(25)
                for k in range(3)
            ],
        )
        (study / "data" / "transcripts").mkdir()
        for j in range(25):
            (study / "data" / "transcripts" / f"S{j:02d}.txt").write_text(f"{people[who[j]][1]}: it was fine\n")


def timed(label: str, fn) -> object:
    start = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def main() -> None:
    n_people = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    n_studies = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seed(root, n_people, n_studies)
        print(f"panel: {n_people} people, {n_studies} studies, {n_studies * 25} sessions", flush=True)
        rec = timed("kit recruit (--n 30, 3 segments)", lambda: recruit(root, "study-199", 30, day=DAY))
        print(f"  proposed {sum(map(len, rec.picked.values()))}; excluded: {rec.exclusions_text()}")
        plan = timed("kit check --retention", lambda: plan_retention(root, DAY))
        print(f"  due: {len(plan.due())} subjects in {len(plan.studies)} studies")


if __name__ == "__main__":
    main()
