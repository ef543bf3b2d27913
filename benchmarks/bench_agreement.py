"""Inter-coder agreement at scale: 100,000 notes coded by 3 coders (prints figures; no assertions).

Target (issue 17): kappa and alpha for 100,000 notes and 3 coders under 5 s. Builds notes.csv and
three coders' files (each coder skips ~3% of the notes and changes ~15% of the codings), then times
reading the coding files with the validated reader plus computing every code's share agreed,
Krippendorff's alpha and the pooled figures (:func:`kit.synthesis.agreement.agreement`), and the same
for two coders (where Cohen's kappa is computed too).

    .venv/bin/python benchmarks/bench_agreement.py [N_NOTES]
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

CODES = [f"code-{i:02d}" for i in range(30)]


def write_csv(path: Path, header: list[str], rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def build(study: Path, n_notes: int, coders: list[str]) -> dict[str, list[str]]:
    rng = random.Random(17)
    base = {f"N{i:06d}": rng.sample(CODES, rng.choice((0, 1, 1, 2, 2, 3))) for i in range(n_notes)}
    write_csv(study / "data" / "notes.csv", ["note_id", "tags"], ((n, ";".join(t)) for n, t in base.items()))
    for coder in coders:
        rows = []
        for note, tags in base.items():
            if rng.random() < 0.03:
                continue  # a missing coding
            tags = list(tags)
            if rng.random() < 0.15:
                tags = tags[:-1] + [rng.choice(CODES)]
            rows.append((note, ";".join(sorted(set(tags)))))
        write_csv(study / "data" / "coding" / f"{coder}.csv", ["note_id", "tags"], rows)
    return base


def run(n_notes: int, coders: list[str]) -> None:
    from kit.study.coding import read_codings
    from kit.synthesis.agreement import agreement

    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "notebooks" / "bench"
        base = build(study, n_notes, coders)
        start = time.perf_counter()
        problems: list = []
        codings = read_codings(study, base, problems)
        read = time.perf_counter() - start
        result = agreement(codings)
        total = time.perf_counter() - start
    o = result["overall"]
    kappa = "n/a (3 coders)" if o["kappa"] is None else f"{o['kappa']:.3f}"
    print(
        f"agreement: {n_notes:,} notes, {len(coders)} coders, {len(result['codes'])} codes: "
        f"{total:.2f} s wall (target < 5 s; reading the coding files {read:.2f} s, statistics "
        f"{total - read:.2f} s); pooled alpha {o['alpha']:.3f} over {o['decisions']:,} decisions, "
        f"kappa {kappa}; {result['disagreement_count']:,} notes disagreed; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


def main() -> None:
    n_notes = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    import krippendorff  # noqa: F401  (imports are paid once per kernel, not per study)
    import statsmodels.stats.inter_rater  # noqa: F401

    run(n_notes, ["pm", "uxr", "ab"])
    run(n_notes, ["pm", "uxr"])


if __name__ == "__main__":
    main()
