"""Running studies: papermill executes each study's notebooks in order.

Studies are independent and run in parallel (one thread per study, each
driving its own kernel through papermill's Python API, so the whole run is
one process start). Stages inside a study run in order because each reads the
JSON of the one before. A failing notebook fails its study only: the failed
notebook is kept as ``reports/<slug>/<stem>.failed.ipynb`` (papermill marks
the failing cell), later stages of that study are skipped, the other studies
finish.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import yaml

from .errors import KitError, NotebookFailure, RunLockedError, UsageError
from .iorw import to_jsonable
from .study import STUDY_FILE

STAGES: tuple[str, ...] = ("01-plan.ipynb", "02-sessions.ipynb", "03-insights.ipynb")
DEFAULT_TIMEOUT = 600  # seconds per cell; a normal study needs a few
KERNEL_NAME = "python3"
LOCK_FILE = ".kit-run.lock"


@dataclass
class StageResult:
    notebook: str
    status: str  # "ok" | "failed" | "skipped"
    seconds: float = 0.0
    failure: NotebookFailure | None = None


@dataclass
class StudyResult:
    slug: str
    stages: list[StageResult] = field(default_factory=list)
    seconds: float = 0.0
    failure: NotebookFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def discover_studies(repo_root: Path, slugs: Iterable[str] | None = None) -> list[Path]:
    """Study folders under ``notebooks/`` (those holding a study.yml)."""
    base = Path(repo_root) / "notebooks"
    found = sorted(p.parent for p in base.glob(f"*/{STUDY_FILE}"))
    if not slugs:
        return found
    by_slug = {p.name: p for p in found}
    unknown = [s for s in slugs if s not in by_slug]
    if unknown:
        known = ", ".join(by_slug) or "none"
        raise UsageError(f"unknown study {', '.join(map(repr, unknown))} (studies: {known})")
    return [by_slug[s] for s in slugs]


def study_parameters(study_dir: Path, repo_root: Path) -> dict:
    """papermill parameters: study.yml's keys (plain JSON values) + paths."""
    path = study_dir / STUDY_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path.relative_to(repo_root)}:{mark.line + 1}" if mark else str(path)
        raise KitError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise KitError(f"{path.relative_to(repo_root)}: expected a mapping of plan keys")
    params = to_jsonable(data)  # dates -> ISO strings, as `papermill -f` would give
    params["study_dir"] = str(study_dir.relative_to(repo_root))
    params["reports_dir"] = str(Path("reports") / study_dir.name)
    return params


def stage_notebook(study_dir: Path, repo_root: Path, stage: str) -> Path:
    """The study's own copy of a stage notebook, else the template."""
    own = study_dir / stage
    return own if own.is_file() else Path(repo_root) / "templates" / stage


def _failure_from(exc: BaseException, slug: str, notebook: str) -> NotebookFailure:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        first = (exc.source or "").strip().splitlines()[:1]
        return NotebookFailure(slug, notebook, exc.exec_count, f"{exc.ename}: {exc.evalue}",
                               {"source": first[0] if first else ""})
    return NotebookFailure(slug, notebook, None, f"{type(exc).__name__}: {exc}".strip())


def run_study(study_dir: Path, repo_root: Path, timeout: float = DEFAULT_TIMEOUT,
              on_event: Callable[[str, str, str], None] | None = None) -> StudyResult:
    """Execute one study's stages in order; never raises for a notebook failure."""
    import papermill

    slug = study_dir.name
    result = StudyResult(slug)
    start = time.perf_counter()
    out_dir = Path(repo_root) / "reports" / slug
    out_dir.mkdir(parents=True, exist_ok=True)
    emit = on_event or (lambda *_: None)
    try:
        params = study_parameters(study_dir, Path(repo_root))
    except KitError as exc:
        result.failure = NotebookFailure(slug, STUDY_FILE, None, str(exc))
        result.stages = [StageResult(s, "skipped") for s in STAGES]
        emit(slug, STUDY_FILE, "failed")
        return result
    for stage in STAGES:
        if result.failure:
            result.stages.append(StageResult(stage, "skipped"))
            continue
        stem = Path(stage).stem
        running = out_dir / f".{stem}.running.ipynb"
        emit(slug, stage, "started")
        t0 = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(stage_notebook(study_dir, Path(repo_root), stage)), str(running),
                parameters=params, kernel_name=KERNEL_NAME, cwd=str(repo_root),
                progress_bar=False, log_output=False, execution_timeout=timeout,
                request_save_on_cell_execute=False,
            )
        except Exception as exc:  # noqa: BLE001 - any failure fails this study only
            failure = _failure_from(exc, slug, stage)
            if running.exists():
                os.replace(running, out_dir / f"{stem}.failed.ipynb")
            (out_dir / stage).unlink(missing_ok=True)
            result.failure = failure
            result.stages.append(StageResult(stage, "failed", time.perf_counter() - t0, failure))
            emit(slug, stage, "failed")
            continue
        os.replace(running, out_dir / stage)
        (out_dir / f"{stem}.failed.ipynb").unlink(missing_ok=True)
        result.stages.append(StageResult(stage, "ok", time.perf_counter() - t0))
        emit(slug, stage, "ok")
    result.seconds = time.perf_counter() - start
    return result


def run_studies(repo_root: Path, slugs: Iterable[str] | None = None, jobs: int | None = None,
                timeout: float = DEFAULT_TIMEOUT,
                on_event: Callable[[str, str, str], None] | None = None) -> list[StudyResult]:
    """Run every (or the named) studies, in parallel, under a repository lock."""
    from filelock import FileLock, Timeout

    repo_root = Path(repo_root).resolve()
    studies = discover_studies(repo_root, slugs)
    lock = FileLock(str(repo_root / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RunLockedError(
            f"another 'kit run' is running in {repo_root} (lock {LOCK_FILE}); wait for it to finish"
        ) from None
    try:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(studies) or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run_study, s, repo_root, timeout, on_event) for s in studies]
            return [f.result() for f in futures]
    finally:
        lock.release()
