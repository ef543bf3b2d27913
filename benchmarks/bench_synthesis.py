"""Synthesis stage at scale: 100,000 notes from 1,000 participants (prints figures; no assertions).

Target (issue 4): under 10 s wall time and under 1.5 GiB peak memory on the
2-core machine. Builds a synthetic study in a temp folder (notes with 0-4 tags
so themes get work, quotes, tasks, SUS) and runs the whole stage,
including writing synthesis.json.

    .venv/bin/python benchmarks/bench_synthesis.py [N_NOTES] [N_PARTICIPANTS]
"""

from __future__ import annotations

import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

FIRST = ["Maria", "Kwame", "Priya", "Jonas", "Aiko", "Tomasz", "Fatima", "Grace", "Wei", "Olivia"]
LAST = ["Gonzalez", "Mensah", "Raghunathan", "Lindqvist", "Tanaka", "Wojcik", "Sayed", "Connor", "Chen", "Bennett"]
TAGS = [
    "payment",
    "address",
    "error",
    "hesitation",
    "trust",
    "shipping-cost",
    "express-pay",
    "saved-card",
    "mobile",
    "promo",
    "guest-checkout",
    "navigation",
]
WORDS = (
    "the checkout total changed again after entering postcode went back basket looked delivery charge "
    "shown anywhere obvious card number rejected spaces saved card expired express pay buttons looked "
    "like adverts promo code field error message unclear address lookup failed mobile keyboard covered "
    "button order summary collapsed trust badge missing"
).split()
STUDY = {
    "title": "Bench",
    "product_area": "Checkout",
    "feature": "Pay",
    "pm_owner": "PM",
    "uxr_owner": "UXR",
    "decision": "Ship or not",
    "start_date": "2026-01-05",
    "deadline": "2026-03-02",
    "pm_metrics": [{"name": "Completed transactions", "kind": "behavioural"}],
    "research_questions": [{"id": "RQ1", "text": "Can people pay?", "tags": ["payment", "error"]}],
    "segments": ["New", "Returning"],
    "observers": [{"name": "Dana Whitfield", "role": "PM"}],
}


def write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def build(root: Path, n_notes: int, n_people: int) -> Path:
    rng = random.Random(7)
    study = root / "notebooks" / "bench"
    data = study / "data"
    data.mkdir(parents=True)
    (study / "study.yml").write_text(yaml.safe_dump(STUDY))
    pids = [f"R-{10000 + i}" for i in range(n_people)]
    write_csv(
        data / "participants.csv",
        ["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording"],
        [
            (
                p,
                f"{FIRST[i % 10]} {LAST[(i // 10) % 10]}{i // 100 or ''}",
                f"p{i}@example.com",
                ("New", "Returning")[i % 2],
                "yes" if i % 7 else "no",
                "yes",
            )
            for i, p in enumerate(pids)
        ],
    )
    write_csv(
        data / "sessions.csv",
        ["session_id", "participant_id", "date", "moderator", "observers"],
        [(f"S{i:04d}", p, "2026-01-20", "Sam Okafor", "Dana Whitfield" if i % 2 else "") for i, p in enumerate(pids)],
    )

    def note(i: int):
        k = i % n_people
        words = rng.sample(WORDS, 12)
        if rng.random() < 0.2:
            words.insert(3, FIRST[k % 10])
        tags = rng.sample(TAGS, rng.choice((0, 1, 1, 2, 2, 3, 4)))
        kind = ("observation", "quote", "problem")[i % 3]
        return (f"N{i:06d}", f"S{k:04d}", pids[k], f"Task {i % 5}", " ".join(words), ";".join(tags), kind)

    write_csv(
        data / "notes.csv",
        ["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"],
        (note(i) for i in range(n_notes)),
    )
    write_csv(
        data / "tasks.csv",
        ["participant_id", "task", "success", "time_s", "seq"],
        [
            (p, f"Task {t}", rng.choice((0, 0.5, 1, 1, 1)), rng.randint(20, 600), rng.randint(1, 7))
            for p in pids
            for t in range(5)
        ],
    )
    write_csv(
        data / "sus.csv",
        ["participant_id"] + [f"q{i}" for i in range(1, 11)] + ["recommend"],
        [(p, *[rng.randint(1, 5) for _ in range(10)], rng.randint(0, 10)) for p in pids],
    )
    return study


def main() -> None:
    n_notes = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_people = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    from kit.synthesis.stage import run_synthesis_stage

    with tempfile.TemporaryDirectory() as tmp:
        study = build(Path(tmp), n_notes, n_people)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        before, cpu0 = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        start = time.perf_counter()
        result = run_synthesis_stage(study)
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - cpu0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        size = (Path(tmp) / "reports" / "bench" / "synthesis.json").stat().st_size
    print(
        f"synthesis: {n_notes:,} notes, {n_people:,} participants: {seconds:.2f} s wall "
        f"(target < 10 s), {cpu:.2f} s CPU (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); "
        f"peak RSS {peak / 1024:.0f} MiB (before the stage {before / 1024:.0f} MiB; "
        f"target < 1536 MiB); synthesis.json {size / 1e6:.1f} MB; "
        f"{len(result['themes'])} themes, {len(result['quotes']):,} quotes, "
        f"{len(result['tag_matrix']['rows'])} tags, {len(result['metrics'])} metrics"
    )


if __name__ == "__main__":
    main()
