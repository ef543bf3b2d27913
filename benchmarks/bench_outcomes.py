"""Recommendation outcomes benchmark: 300 studies, each judged by its own two-year daily metric series.

Each study's insights.yml has two recommendations shipped a year in; each
cites a series ``metrics/<slug>-<n>.csv`` of 730 days (half rates,
``date,successes,trials``; half plain values, ``date,value``). Timed: what
the insights stage adds for outcomes (insights.yml read with its lines,
each series read and validated, before/after with its interval and
verdict) over all studies, and the outcomes-due check every ``kit run``
makes. Goal: the outcomes of 300 studies under 10 s.

    .venv/bin/python benchmarks/bench_outcomes.py [N_STUDIES]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kit.insights.outcomes import recommendation_outcomes
from kit.study.insights_file import load_insights_document
from kit.study.outcomes_due import outcomes_due

DAYS = 730
START = dt.date(2025, 1, 1)
SHIP = START + dt.timedelta(days=365)
GOAL_S = 10.0


def seed(root: Path, n_studies: int) -> None:
    rng = np.random.default_rng(29)
    (root / "metrics").mkdir(parents=True)
    days = [(START + dt.timedelta(days=i)).isoformat() for i in range(DAYS)]
    for s in range(n_studies):
        slug = f"study-{s:03d}"
        recs = []
        for n in range(2):
            metric_id = f"{slug}-{n}"
            if n == 0:
                trials = rng.integers(500, 1500, DAYS)
                successes = rng.binomial(trials, 0.6)
                rows = [f"{d},{a},{b}" for d, a, b in zip(days, successes, trials)]
                header, baseline, target = "date,successes,trials", 0.6, 0.63
            else:
                values = rng.normal(64, 6, DAYS)
                rows = [f"{d},{v:.2f}" for d, v in zip(days, values)]
                header, baseline, target = "date,value", 64, 68
            (root / "metrics" / f"{metric_id}.csv").write_text(header + "\n" + "\n".join(rows) + "\n")
            recs.append(
                f"      - id: R{n + 1}\n        action: Change {n}\n        shipped_on: {SHIP.isoformat()}\n"
                f"        metric_id: {metric_id}\n        baseline: {baseline}\n        target: {target}\n"
                f"        check_on: {(SHIP + dt.timedelta(days=60)).isoformat()}\n"
            )
        study = root / "notebooks" / slug
        study.mkdir(parents=True)
        (study / "insights.yml").write_text(
            "insights:\n  - id: I1\n    statement: A finding.\n    evidence: [N001]\n    recommendations:\n"
            + "".join(recs)
        )


def main(n_studies: int = 300) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seed(root, n_studies)
        studies = sorted((root / "notebooks").iterdir())
        start, cpu = time.perf_counter(), time.process_time()
        verdicts: dict[str, int] = {}
        for study in studies:
            spec, document = load_insights_document(study)
            for row in recommendation_outcomes(spec, root, document).rows.values():
                verdict = row["before_after"]["verdict"]
                verdicts[verdict] = verdicts.get(verdict, 0) + 1
        outcomes_s, outcomes_cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        due = sum(len(outcomes_due(study)) for study in studies)
        due_s = time.perf_counter() - start
    ok = "ok" if outcomes_s < GOAL_S else "OVER GOAL"
    print(
        f"outcomes: {n_studies} studies x 2 recommendations, {DAYS}-day series each: {outcomes_s:.2f} s "
        f"(goal < {GOAL_S:.0f} s: {ok}; {outcomes_cpu:.2f} s of CPU, load average {os.getloadavg()[0]:.1f}); "
        f"verdicts {dict(sorted(verdicts.items()))}"
    )
    print(f"outcomes due (every kit run): {due} due in {n_studies} studies: {due_s:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
