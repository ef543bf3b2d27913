"""`kit ask` benchmark: 300 studies' published insights (prints figures; no assertions).

The two demo studies run through their stages once (in-process, no
papermill); their insights.json files are then copied into 300 study folders
of ``reports/``, each with its own slug, title and statements varied with words
of a small product vocabulary, so the index holds ~2,400 insights and
~3,000 recommendations with real evidence text. Printed: the first ask
(builds and saves the index), a warm ask in-process, and the wall time of the
``kit ask`` command (a new Python process: imports, key check, index load,
ranking), median of 5, against the goal of under 1 s.

    .venv/bin/python benchmarks/bench_ask.py [N_STUDIES]
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from demo_reports import DEMO_STUDIES, seed_demo_reports  # noqa: E402
from kit.layout import ASK_INDEX_DIR, INSIGHTS_JSON, reports_root  # noqa: E402
from kit.search.ask import ask  # noqa: E402

WORDS = "search filter basket invoice refund wishlist onboarding billing export sharing reports alerts".split()
GOAL_S = 1.0


def make_repository(repo: Path, studies: int) -> None:
    seed_demo_reports(repo)
    reports = reports_root(repo)
    sources = [json.loads((reports / slug / INSIGHTS_JSON).read_text("utf-8")) for slug in DEMO_STUDIES]
    rng = random.Random(28)
    for n in range(studies):
        data = json.loads(json.dumps(sources[n % len(sources)]))
        slug = f"study-{n:03d}"
        data["study"].update(slug=slug, title=f"{data['study']['title']} #{n}")
        for ins in data["insights"]:
            ins["statement"] += " " + " ".join(rng.sample(WORDS, 3))
        (reports / slug).mkdir()
        (reports / slug / INSIGHTS_JSON).write_text(json.dumps(data), encoding="utf-8")
    for slug in DEMO_STUDIES:
        shutil.rmtree(reports / slug)


def main() -> None:
    studies = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        make_repository(repo, studies)
        size = sum(p.stat().st_size for p in reports_root(repo).glob(f"*/{INSIGHTS_JSON}"))
        print(f"kit ask over {studies} studies ({size / 1e6:.1f} MB of insights.json)")

        start = time.perf_counter()
        hits = ask(repo, "postage")
        first = time.perf_counter() - start
        index_mb = sum(p.stat().st_size for p in (reports_root(repo) / ASK_INDEX_DIR).rglob("*")) / 1e6
        print(
            f"  first ask (builds the index, {index_mb:.1f} MB): {first:.2f} s; best hit {hits[0].study}/{hits[0].id}"
        )

        start = time.perf_counter()
        ask(repo, "saved card on mobile")
        print(f"  warm ask in-process: {time.perf_counter() - start:.3f} s")

        kit = str(Path(sys.executable).parent / "kit")
        env = {**os.environ, "KIT_REPO": str(repo)}
        walls = []
        for query in ("postage", "invite email", "address autocomplete", "refund", "express pay"):
            start = time.perf_counter()
            subprocess.run([kit, "ask", query, "--json"], env=env, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
        median = statistics.median(walls)
        verdict = "ok" if median < GOAL_S else "OVER"
        print(
            f"  `kit ask` command, median of 5: {median:.2f} s "
            f"(max {max(walls):.2f} s; goal < {GOAL_S:.0f} s: {verdict})"
        )


if __name__ == "__main__":
    main()
