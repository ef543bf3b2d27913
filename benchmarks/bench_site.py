"""Benchmark: how heavy the published site is, for the demo and for a 100-study repository (issue 14).

Runs the two demo studies through the real stages (papermill) in a temporary
repository, builds the site with each engine (the preview always, Quarto when
``quarto`` is on PATH) and prints its size: total bytes of ``_site/``, the
number of HTML pages, the largest page and the build time. Then copies the
demo's executed reports under 100 slugs (running papermill 200 more times
would only make the benchmark slow: the pages are what is measured), builds
that site with each engine and prints the same figures.

Goals (issue 14): no HTML page over 1 MB; the 100-study site under 60 MB with
both engines (plotly.js, about 4.6 MB, is published once per site).

    .venv/bin/python benchmarks/bench_site.py             # what `make bench` runs
    .venv/bin/python benchmarks/bench_site.py --studies 20 --keep
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from kit.layout import INSIGHTS_JSON, PLAN_JSON, SITE_DIR, reports_root
from kit.site.build import PROJECT_FILES, build_site, quarto_path

ROOT = Path(__file__).resolve().parent.parent

DEMO_STUDIES = ("demo-checkout", "quick-onboarding")
MB = 1_000_000
GOAL_MB = 60
PAGE_LIMIT = 1 * MB


def _project(repo: Path) -> Path:
    repo.mkdir(parents=True)
    for name in PROJECT_FILES:
        shutil.copyfile(ROOT / name, repo / name)
    return repo


def demo_repo(tmp: Path) -> Path:
    """The two demo studies, executed by the real stages."""
    from kit.run.runner import run_studies

    repo = _project(tmp / "demo")
    shutil.copytree(ROOT / "templates", repo / "templates")
    shutil.copytree(ROOT / "metrics", repo / "metrics")  # the demo's R1 is judged by its series
    for slug in DEMO_STUDIES:
        shutil.copytree(
            ROOT / "notebooks" / slug, repo / "notebooks" / slug, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    failed = [str(r.failure) for r in run_studies(repo, list(DEMO_STUDIES), jobs=2, timeout=600) if not r.ok]
    if failed:
        raise SystemExit(f"the demo studies failed: {failed}")
    return repo


def copied_repo(tmp: Path, demo: Path, studies: int) -> Path:
    """``studies`` copies of the demo's executed reports, each under its own slug and title."""
    repo = _project(tmp / f"repo-{studies}")
    for n in range(studies):
        source = DEMO_STUDIES[n % len(DEMO_STUDIES)]
        slug = f"study-{n + 1:03d}"
        dest = reports_root(repo) / slug
        shutil.copytree(reports_root(demo) / source, dest, ignore=shutil.ignore_patterns(".*"))
        insights = json.loads((dest / INSIGHTS_JSON).read_text("utf-8"))
        insights["study"]["slug"] = slug
        insights["study"]["title"] = f"{insights['study']['title']} #{n + 1}"
        (dest / INSIGHTS_JSON).write_text(json.dumps(insights), encoding="utf-8")
        plan = json.loads((dest / PLAN_JSON).read_text("utf-8"))
        plan.setdefault("plan", {})["title"] = insights["study"]["title"]
        (dest / PLAN_JSON).write_text(json.dumps(plan), encoding="utf-8")
    return repo


def measure(repo: Path, engine: str) -> dict:
    started = time.perf_counter()
    out = build_site(repo, use_quarto=engine == "quarto", echo=lambda message: None)
    seconds = time.perf_counter() - started
    files = [p for p in out.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    largest = max(pages, key=lambda p: p.stat().st_size)
    return {
        "total": sum(p.stat().st_size for p in files),
        "pages": len(pages),
        "largest": largest.stat().st_size,
        "largest_name": largest.relative_to(out).as_posix(),
        "seconds": seconds,
    }


def report(label: str, engine: str, m: dict, goal: bool) -> str:
    verdicts = ["largest page " + ("ok" if m["largest"] <= PAGE_LIMIT else "OVER 1 MB")]
    if goal:
        verdicts.append(f"goal < {GOAL_MB} MB " + ("met" if m["total"] < GOAL_MB * MB else "MISSED"))
    return (
        f"site {label:<12} {engine:<7} {m['total'] / MB:7.1f} MB in {m['pages']:4d} HTML pages; "
        f"largest page {m['largest'] / MB:.2f} MB ({m['largest_name']}); "
        f"built in {m['seconds']:6.1f} s  [{', '.join(verdicts)}]"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=100, help="studies in the copied repository (100)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary repositories and print where")
    args = parser.parse_args(argv)
    engines = ["preview"] + (["quarto"] if quarto_path() else [])
    if "quarto" not in engines:
        print("site: quarto is not on PATH: the Quarto figures are missing (the preview's are below)")
    tmp = Path(tempfile.mkdtemp(prefix="kit-bench-site-"))
    try:
        demo = demo_repo(tmp)
        for engine in engines:
            print(report(f"demo ({len(DEMO_STUDIES)})", engine, measure(demo, engine), goal=False), flush=True)
            shutil.rmtree(demo / SITE_DIR)
        many = copied_repo(tmp, demo, args.studies)
        for engine in engines:
            print(report(f"{args.studies} studies", engine, measure(many, engine), goal=True), flush=True)
            if not args.keep:
                shutil.rmtree(many / SITE_DIR)
    finally:
        if args.keep:
            print(f"repositories kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
