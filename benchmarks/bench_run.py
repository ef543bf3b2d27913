"""Benchmark: `kit run` against a shell loop of `papermill` commands (issues 7 and 30).

Generates a synthetic repository in a temporary folder (8 studies, each with
8 invented participants, 300 notes, tasks, SUS answers and an insights.yml
that leaves every research question open), with the repository's real
templates, then measures in one go:

  baseline  a shell loop calling the `papermill` command once per notebook,
            in stage order, as a team without the kit would;
  (a)       `kit run` cold (no reports yet);
  (b)       `kit run` again, nothing changed;
  (c)       `kit run` after one study's notes.csv changed.

(b) and (c) take a few seconds, so a busy moment of the machine moves one
sample a lot: each runs three times ((c) with one more note each time) and
the median is judged, every sample printed beside it.

`kit run` goes through the real command (`.venv/bin/kit run` as a subprocess
with cwd = the synthetic repository), so its start-up is counted. Prints each
wall time, the CPU time of the command and everything it started (kernels
included: `getrusage(RUSAGE_CHILDREN)`), the load average before each run,
its ratio to the baseline and how many notebooks each run executed.
Targets (issue 30, on a quiet 2-core machine): (a) >= 5x faster than the loop
(stretch 6x: one kernel per study, warmed up ahead), (b) < 1.5 s and
0 notebooks, (c) exactly the changed study's two notebooks, in <= 5 s.

    .venv/bin/python benchmarks/bench_run.py            # what `make bench` runs
    .venv/bin/python benchmarks/bench_run.py --studies 4 --keep
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STAGES = ("01-plan", "02-sessions", "03-insights")
DEMO = ROOT / "notebooks" / "demo-checkout"
REPEAT = 3  # samples of the short runs (b) and (c); their median is reported


def samples(seconds: Iterable[float]) -> str:
    """Every sample of a repeated run, for the printout: "samples 1.19 / 1.02 / 1.05 s"."""
    return "samples " + " / ".join(f"{s:.2f}" for s in seconds) + " s"


FIRST = [
    "Alex",
    "Maya",
    "Jonas",
    "Priya",
    "Tomás",
    "Ines",
    "Kofi",
    "Lena",
    "Omar",
    "Yuki",
    "Sara",
    "Ravi",
    "Elif",
    "Noah",
    "Chen",
    "Ada",
]
LAST = [
    "Brennan",
    "Okoye",
    "Lindqvist",
    "Haddad",
    "Moreau",
    "Tanaka",
    "Silva",
    "Novak",
    "Adeyemi",
    "Kowalski",
    "Fischer",
    "Rahman",
    "Costa",
    "Ivanova",
    "Walsh",
    "Mbeki",
]
OBSERVED = [
    "looked for the {x} for a while before finding it",
    "went back to the basket to check the {x}",
    "scrolled past the {x} twice",
    "asked what the {x} meant",
    "completed the {x} step without hesitation",
    "hovered over the {x} and read the help text",
    "tried to edit the {x} inline",
]
SAID = [
    "I wasn't sure the {x} would be saved.",
    "The {x} was where I expected it.",
    "I would not have trusted the {x} on my phone.",
    "Why does the {x} change here?",
    "Honestly the {x} made me want to stop.",
]
THINGS = [
    "delivery cost",
    "promo code field",
    "saved card",
    "address form",
    "express pay button",
    "order total",
    "guest checkout link",
    "error message",
]


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    def cell(v: object) -> str:
        s = str(v)
        return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s

    path.write_text("\n".join(",".join(map(cell, r)) for r in [header, *rows]) + "\n", encoding="utf-8")


def make_study(repo: Path, slug: str, n: int, participants: int, notes: int, rng: random.Random, plan: dict) -> Path:
    """One synthetic study following the study-folder contract (invented people only)."""
    study = repo / "notebooks" / slug
    data = study / "data"
    data.mkdir(parents=True)
    plan = dict(plan, title=f"Synthetic checkout study {n:02d}")
    (study / "study.yml").write_text(yaml.safe_dump(plan, sort_keys=False, allow_unicode=True), encoding="utf-8")
    rq_ids = [q["id"] for q in plan["research_questions"]]
    tags = sorted({t for q in plan["research_questions"] for t in q.get("tags", [])})
    (study / "insights.yml").write_text(
        "# Nothing concluded yet: every research question is still open.\n"
        f"insights: []\nopen_questions: [{', '.join(rq_ids)}]\n",
        encoding="utf-8",
    )

    segments = plan["segments"]
    people, roster = [], []
    for i in range(participants):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        pid = f"R-{1000 + 37 * n + i}"
        people.append(pid)
        roster.append(
            [
                pid,
                f"{first} {last}",
                f"{first.lower()}.{last.lower()}{i}@example.com",
                segments[i % len(segments)],
                "no" if i == 3 else "yes",
                "yes",
            ]
        )
    _csv(
        data / "participants.csv",
        ["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording"],
        roster,
    )
    sessions = [
        [
            f"S{i + 1:02d}",
            pid,
            f"2026-10-{12 + i:02d}",
            "Sam Okafor",
            "Dana Whitfield;Lee Park" if i % 2 == 0 else "Dana Whitfield",
        ]
        for i, pid in enumerate(people)
    ]
    _csv(data / "sessions.csv", ["session_id", "participant_id", "date", "moderator", "observers"], sessions)
    task_names = ["Buy a product as a guest", "Pay with saved card", "Apply a promo code"]
    note_rows = []
    for k in range(notes):
        sid, pid = sessions[k % participants][:2]
        kind = rng.choices(["observation", "quote", "problem"], [6, 3, 1])[0]
        text = rng.choice(SAID if kind == "quote" else OBSERVED).format(x=rng.choice(THINGS))
        note_rows.append(
            [
                f"N{k + 1:03d}",
                sid,
                pid,
                rng.choice(task_names),
                text[0].upper() + text[1:],
                ";".join(rng.sample(tags, rng.randint(1, 2))),
                kind,
            ]
        )
    _csv(data / "notes.csv", ["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"], note_rows)
    _csv(
        data / "tasks.csv",
        ["participant_id", "task", "success", "time_s", "seq"],
        [
            [pid, t, int(rng.random() < 0.75), rng.randint(35, 400), rng.randint(2, 7)]
            for pid in people
            for t in task_names
        ],
    )
    _csv(
        data / "sus.csv",
        ["participant_id"] + [f"q{i}" for i in range(1, 11)] + ["recommend"],
        [[pid] + [rng.randint(1, 5) for _ in range(10)] + [rng.randint(0, 10)] for pid in people],
    )
    return study


def add_note(repo: Path, slug: str, note_id: str = "N99999") -> None:
    """One more note in one study, for its first session (its 02-sessions and 03-insights re-run)."""
    notes = repo / "notebooks" / slug / "data" / "notes.csv"
    first = notes.read_text(encoding="utf-8").splitlines()[1].split(",")
    with notes.open("a", encoding="utf-8") as fh:
        fh.write(
            f"{note_id},{first[1]},{first[2]},Apply a promo code,"
            "Typed the code into the gift card box,promo-code,problem\n"
        )


@contextlib.contextmanager
def scratch(prefix: str, keep: bool):
    """A temporary folder for a synthetic repository: removed afterwards unless ``keep``."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield tmp
    finally:
        if keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def make_repo(where: Path, studies: int, participants: int, notes: int, templates: Path) -> list[str]:
    missing = [s for s in STAGES if not (templates / f"{s}.ipynb").is_file()]
    if missing:
        sys.exit(f"bench_run: {templates} lacks {', '.join(missing)}; use --templates DIR")
    shutil.copytree(templates, where / "templates", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    plan = yaml.safe_load((DEMO / "study.yml").read_text(encoding="utf-8"))
    rng = random.Random(7)
    slugs = [f"study-{n:02d}" for n in range(1, studies + 1)]
    for n, slug in enumerate(slugs, 1):
        make_study(where, slug, n, participants, notes, rng, plan)
    return slugs


def snapshot_kit(repo: Path) -> dict[str, str]:
    """Environment that imports a frozen copy of the kit, for the loop, kit run and kernels.

    The kit's code is an input of every stage (a change re-runs everything);
    other people editing src/kit/ during the benchmark must not turn the
    "nothing changed" run into a full one.
    """
    shutil.copytree(ROOT / "src" / "kit", repo / ".kit-snapshot" / "kit", ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in ("KIT_REPO", "PYTHONPATH")}
    env["PYTHONPATH"] = str(repo / ".kit-snapshot")
    env["CI"] = "true"
    return env


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process and their waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def papermill_loop(repo: Path, slugs: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """The baseline: one `papermill` command per notebook, stages in order, a study stops at
    its first failure. Returns (seconds, notebooks executed, failures)."""
    lines = ["set -u", "ran=0; failed=0"]
    for slug in slugs:
        cmds = []
        for s in STAGES:
            cmds.append(
                f"ran=$((ran+1)); {BIN / 'papermill'} templates/{s}.ipynb loop/{slug}/{s}.ipynb "
                f"-f notebooks/{slug}/study.yml -p study_dir notebooks/{slug} "
                f"-p reports_dir loop/{slug} --no-progress-bar --log-level ERROR "
                f">>loop.log 2>&1 || {{ failed=$((failed+1)); false; }}"
            )
        lines.append(f"mkdir -p loop/{slug}; " + " && ".join(cmds) + " || true")
    lines.append('echo "$ran $failed"')
    t0 = time.perf_counter()
    out = subprocess.run(
        ["bash", "-c", "\n".join(lines)], cwd=repo, capture_output=True, text=True, check=True, env=env
    )
    seconds = time.perf_counter() - t0
    ran, failed = map(int, out.stdout.split()[-2:])
    return seconds, ran, failed


def kit_run(repo: Path, env: dict[str, str], *args: str) -> tuple[float, int, set[str], str]:
    """`kit run` as a user runs it. Returns (seconds, notebooks executed, studies that ran, output)."""
    t0 = time.perf_counter()
    proc = subprocess.run([str(BIN / "kit"), "run", *args], cwd=repo, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    found = re.search(r"(\d+) notebooks executed", proc.stdout)
    if proc.returncode not in (0, 1) or not found:
        sys.exit(f"bench_run: kit run failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    studies = set(re.findall(r"\] (\S+) \S+\.ipynb: (?:done|FAILED)", proc.stderr))
    failed = [ln for ln in proc.stdout.splitlines() if ln.startswith("FAILED")]
    if failed:
        print("  kit run reported failures:\n  " + "\n  ".join(failed))
    return seconds, int(found.group(1)), studies, proc.stdout + proc.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--studies", type=int, default=8)
    ap.add_argument("--participants", type=int, default=8)
    ap.add_argument("--notes", type=int, default=300)
    ap.add_argument("--templates", type=Path, default=ROOT / "templates")
    ap.add_argument("--jobs", type=int, default=None, help="kit run --jobs (default: its own)")
    ap.add_argument("--skip-baseline", action="store_true", help="kit runs only")
    ap.add_argument("--keep", action="store_true", help="keep the synthetic repository")
    args = ap.parse_args()

    with scratch("kit-bench-run-", args.keep) as tmp:
        slugs = make_repo(tmp, args.studies, args.participants, args.notes, args.templates)
        env = snapshot_kit(tmp)
        total = len(slugs) * len(STAGES)
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        print(
            f"kit run benchmark: {len(slugs)} studies x {len(STAGES)} notebooks, "
            f"{args.participants} participants and {args.notes} notes each; "
            f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; repo {tmp}"
        )

        rows = []
        cpu: dict[str, list[tuple[float, float, float]]] = {}  # run -> (CPU s, load before, wall s) per sample

        def measured(name: str, fn, *a):  # noqa: ANN001, ANN202 - a benchmark's local helper
            """Run ``fn``, recording its CPU seconds, the load average before it and its wall time."""
            load, before = os.getloadavg()[0], children_cpu()
            out = fn(*a)
            cpu.setdefault(name, []).append((children_cpu() - before, load, out[0]))
            return out

        base_name = "baseline: papermill command per notebook"
        if not args.skip_baseline:
            base, ran, failed = measured(base_name, papermill_loop, tmp, slugs, env)
            rows.append((base_name, base, ran, f"{failed} failed" if failed else ""))
        else:
            base = None
        cold, cold_n, _, cold_out = measured("(a) kit run, cold", kit_run, tmp, env, *jobs)
        rows.append(("(a) kit run, cold", cold, cold_n, ""))
        # (b) and (c) take seconds, so one busy moment of the machine moves them a lot: each is
        # run REPEAT times and the median shown, with every sample.
        warm_name = "(b) kit run, nothing changed"
        warm_runs = [measured(warm_name, kit_run, tmp, env, *jobs) for _ in range(REPEAT)]
        warm, warm_n = statistics.median(r[0] for r in warm_runs), max(r[1] for r in warm_runs)
        rows.append((warm_name, warm, warm_n, samples(r[0] for r in warm_runs)))
        changed = slugs[len(slugs) // 2]
        one_name = f"(c) kit run, {changed}/data/notes.csv changed"
        one_runs = []
        for i in range(REPEAT):
            add_note(tmp, changed, f"N{99999 - i}")
            one_runs.append(measured(one_name, kit_run, tmp, env, *jobs))
        one, one_n = statistics.median(r[0] for r in one_runs), max(r[1] for r in one_runs)
        one_studies = set().union(*(r[2] for r in one_runs))
        studies_run = "studies run: " + (", ".join(sorted(one_studies)) or "none")
        rows.append((one_name, one, one_n, f"{samples(r[0] for r in one_runs)}; {studies_run}"))

        print(f"{'run':48} {'seconds':>8} {'CPU s':>8} {'load':>5} {'notebooks':>10} {'vs loop':>8}")
        for name, secs, n, note in rows:
            ratio = f"{base / secs:7.1f}x" if base else "    n/a"
            used, load, _ = sorted(cpu[name], key=lambda sample: sample[2])[len(cpu[name]) // 2]
            print(f"{name:48} {secs:8.2f} {used:8.2f} {load:5.1f} {n:>10} {ratio:>8}  {note}")

        print("targets:")
        if base:
            cpu_ratio = cpu[base_name][0][0] / max(cpu["(a) kit run, cold"][0][0], 1e-9)
            verdict = "stretch met" if base / cold >= 6 else "met" if base / cold >= 5 else "MISSED"
            print(
                f"  cold >= 5x faster than the loop (stretch 6x): {base / cold:.2f}x wall, "
                f"{cpu_ratio:.2f}x CPU -> {verdict}"
            )
        print(
            f"  nothing changed < 1.5 s and 0 notebooks: median {warm:.2f} s, {warm_n} "
            f"-> {'met' if warm < 1.5 and warm_n == 0 else 'MISSED'}"
        )
        exact = one_studies == {changed} and all(r[1] == 2 for r in one_runs)
        print(
            f"  one study's notes changed -> only its 02-sessions and 03-insights, <= 5 s: "
            f"{one_n} notebooks in {sorted(one_studies)}, median {one:.2f} s "
            f"-> {'met' if exact and one <= 5 else 'MISSED'}"
        )
        if cold_n != total:
            print(f"  note: the cold run executed {cold_n} of {total} notebooks:\n{cold_out}")


if __name__ == "__main__":
    main()
