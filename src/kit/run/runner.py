"""Running studies: papermill executes each study's notebooks in order, incrementally.

Studies are independent and run in parallel: one thread per study (``--jobs``),
each driving its own kernel through papermill's Python API, so the whole run
is one process start plus one kernel per study that has a notebook to run:
its notebooks run in order in that kernel, reset between them, and the
kernel was started and warmed up while earlier studies ran
(:mod:`kit.run.kernel_pool`; ``fresh_kernels`` gives each notebook a kernel
of its own instead). Threads rather than a process pool: the work is in the
kernels (separate processes), the threads only wait on ZeroMQ sockets, and a
pool would import papermill again in every worker. Stages inside a study run
in order because each reads the JSON of the one before; which of them must
run is decided for every study first (:mod:`kit.run.study_plan`).

A stage runs only when something it reads changed (:mod:`kit.run.manifest`);
``force`` runs everything. A failing notebook fails its study only: the
failed notebook is kept as ``reports/<slug>/<stem>.failed.ipynb`` (papermill
marks the failing cell), later stages of that study are skipped, the other
studies finish. Executed notebooks are written atomically (a full disk fails the
study, naming the path). A run first removes what killed runs left: temporary
files, staging folders (:func:`kit.iorw.remove_leftovers`), kernel folders.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit.errors import KitError, NotebookFailure, OutputWriteError, UsageError
from kit.iorw import owned_temp_dir, remove_leftovers
from kit.layout import (  # noqa: F401 - STAGES re-exported
    STAGES,
    STUDY_FILE,
    is_study_report_dir,
    notebooks_root,
    reports_root,
    scratch_folders,
)
from kit.lock import repository_lock
from kit.run.inputs import RunContext, run_context
from kit.run.kernel_pool import KernelPool, RunningKernel, StudyKernel
from kit.run.manifest import stage_key
from kit.run.parameters import study_parameters  # noqa: F401 - re-exported: the runner's users call it from here
from kit.run.results import StageResult, StudyResult, failure_from
from kit.run.shards import Shard, prepare_shard_reports, shard_studies, write_costs
from kit.run.stage_warnings import output_warnings
from kit.run.study_plan import (  # noqa: F401 - discover_studies, prune_orphaned_reports, stage_notebook re-exported
    StudyPlan,
    discover_studies,
    plan_study,
    prune_orphaned_reports,
    restamp,
    stage_notebook,
    withdraw_outputs,
)

if TYPE_CHECKING:
    from kit.run.notebook_engine import Watchdog  # imported with papermill, when a notebook runs

DEFAULT_TIMEOUT = 600  # seconds per cell; a normal study needs a few
START_TIMEOUT = 60  # seconds for a kernel to answer after it was started
KERNEL_NAME = "python3"

EventSink = Callable[[str, str, str, str], None]
"""``on_event(study, stage, status, detail)``; status: started|ok|cached|failed|skipped."""


def cpu_count() -> int:
    """CPUs this process may use (a container's or CI runner's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def notebook_time_limit(timeout: float) -> float:
    """Outer wall-clock limit of one notebook: generous next to the per-cell ``timeout``.

    It catches what the cell timeout cannot: a hang in kernel start-up or
    after the last cell (papermill's known traps).
    """
    return 3 * timeout + START_TIMEOUT


@dataclass
class RunOptions:
    """How notebooks are executed (shared by every study of a run)."""

    timeout: float = DEFAULT_TIMEOUT
    force: bool = False
    kernel_name: str = KERNEL_NAME
    notebook_timeout: float | None = None  # default: notebook_time_limit(timeout)
    start_retries: int = 1
    cancelled: threading.Event = field(default_factory=threading.Event)  # set on Ctrl-C
    runtime_dir: Path | None = None  # kernels' connection files and sockets (default: the system's temp folder)
    fresh_kernels: bool = False  # a kernel per notebook, not one (warmed up ahead) per study


_ACTIVE: set[Watchdog] = set()  # watchdogs of the notebooks running now (to stop them on Ctrl-C)
_ACTIVE_LOCK = threading.Lock()


def _stop_running_kernels() -> None:
    with _ACTIVE_LOCK:
        for watchdog in list(_ACTIVE):
            watchdog.stop()


def _start_kernel(repo_root: Path, opts: RunOptions, modules: list[str]) -> RunningKernel:
    """A kernel for one study's notebooks, started in the repository root, ``modules`` imported."""
    from kit.run.notebook_engine import start_warm_kernel  # papermill: only when a notebook will run

    runtime = str(opts.runtime_dir) if opts.runtime_dir else None
    return start_warm_kernel(opts.kernel_name, str(repo_root), modules, START_TIMEOUT, opts.start_retries, runtime)


def kernel_pool(repo_root: Path, opts: RunOptions, size: int) -> KernelPool:
    """Warm kernels for a run's studies (see :mod:`kit.run.kernel_pool`)."""
    return KernelPool(partial(_start_kernel, repo_root, opts), size)


def _execute(
    notebook: Path,
    executed: Any,
    params: dict[str, Any],
    repo_root: Path,
    opts: RunOptions,
    kernel: StudyKernel | None = None,
) -> Any:
    """Run one notebook with the ``kit`` papermill engine, in the study's ``kernel`` if given, and return it.

    Raises on any failure. papermill writes nothing (no output path): the
    notebook is put in ``executed`` (a :class:`kit.run.notebook_engine.ExecutedNotebook`)
    also when a cell fails, and the caller writes it atomically.
    """
    # Imported on the first notebook to execute, not with the module: papermill
    # and its engine take seconds to import, and a run where nothing changed
    # (the usual push to a big repository) executes none.
    import papermill

    from kit.run.notebook_engine import ENGINE_NAME, Watchdog

    session = kernel.session() if kernel is not None else None  # a start failure fails this notebook
    limit = opts.notebook_timeout or notebook_time_limit(opts.timeout)
    with Watchdog(limit) as watchdog:
        with _ACTIVE_LOCK:
            _ACTIVE.add(watchdog)
        if opts.cancelled.is_set():  # Ctrl-C stopped the watchdogs before this one was added: stop it too
            watchdog.stop()
        try:
            execute = partial(
                papermill.execute_notebook,
                str(notebook),
                None,
                parameters=params,
                engine_name=ENGINE_NAME,
                kernel_name=opts.kernel_name,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                execution_timeout=opts.timeout,
                start_timeout=START_TIMEOUT,
                kit_cwd=str(repo_root),
                kit_watchdog=watchdog,
                kit_start_retries=opts.start_retries,
                kit_notebook=executed,
                kit_runtime_dir=str(opts.runtime_dir) if opts.runtime_dir else None,
                kit_kernel=session.wait_ready() if session is not None else None,
            )
            return session.call(execute) if session is not None else execute()
        finally:
            with _ACTIVE_LOCK:
                _ACTIVE.discard(watchdog)


def run_study(
    study_dir: Path,
    repo_root: Path,
    opts: RunOptions | None = None,
    on_event: EventSink | None = None,
    run: RunContext | None = None,
    plan: StudyPlan | None = None,
    kernels: KernelPool | None = None,
) -> StudyResult:
    """Bring one study's reports up to date, stage by stage; never raises for a notebook failure.

    ``run`` is the context the studies of one run share (:func:`kit.run.inputs.run_context`);
    ``plan`` the study's decided stages (:func:`kit.run.study_plan.plan_study`, made here if
    not given); ``kernels`` the run's pool, which gives the study its one kernel when its
    first notebook runs (a kernel is started then if no pool is given; none with
    ``opts.fresh_kernels``: each notebook starts its own).
    """
    opts = opts or RunOptions()
    repo_root = Path(repo_root)
    slug = study_dir.name
    result = StudyResult(slug)
    start = time.perf_counter()
    plan = plan or plan_study(study_dir, repo_root, opts.force, run)
    out_dir, manifest = plan.study.out_dir, plan.manifest
    emit = on_event or (lambda *_: None)
    own_pool = kernels is None and not opts.fresh_kernels
    pool = kernel_pool(repo_root, opts, 1) if own_pool else kernels
    if own_pool and pool is not None and plan.needs_kernel:
        pool.expect(stages=plan.may_execute)
    kernel = StudyKernel(pool)
    try:
        keys: dict[str, str] = {}
        for planned in plan.stages:
            if result.executed and not (result.failure or opts.cancelled.is_set()):
                upstream = keys.get(planned.spec.after) if planned.spec.after else None
                planned = restamp(plan, planned, upstream, opts.force)  # it reads what this run wrote
            keys[planned.stage] = stage_key(planned.inputs)
            stage, notebook, reason = planned.stage, planned.notebook, planned.reason
            if result.failure or opts.cancelled.is_set():
                result.stages.append(StageResult(stage, "skipped"))
                emit(slug, stage, "skipped", "")
                continue
            if reason is None:
                result.stages.append(StageResult(stage, "cached"))
                emit(slug, stage, "cached", "")
                continue
            problem: NotebookFailure | None = None
            if not notebook.is_file():
                problem = NotebookFailure(
                    slug,
                    stage,
                    None,
                    (
                        f"notebook not found: neither {study_dir.relative_to(repo_root)}/{stage} "
                        f"nor templates/{stage} exists"
                    ),
                )
            else:
                try:  # per notebook: a study's own copy may declare other parameters
                    params = study_parameters(study_dir, repo_root, notebook)
                except KitError as exc:
                    problem = NotebookFailure(slug, STUDY_FILE, None, str(exc))
            if problem is not None:
                withdraw_outputs(out_dir, stage, manifest)
                result.failure = problem
                result.stages.append(StageResult(stage, "failed", failure=problem))
                emit(slug, stage, "failed", problem.message)
                continue
            failed_copy = out_dir / f"{Path(stage).stem}.failed.ipynb"
            emit(slug, stage, "started", reason)
            t0 = time.perf_counter()
            from kit.run.notebook_engine import ExecutedNotebook, save_notebook  # papermill: only when one runs

            executed = ExecutedNotebook()
            try:
                nb = _execute(notebook, executed, params, repo_root, opts, kernel)
                save_notebook(out_dir / stage, nb, repo_root)
                failed_copy.unlink(missing_ok=True)
                seconds = time.perf_counter() - t0
                manifest.record(planned.spec, planned.inputs, seconds, output_warnings(out_dir, planned.spec.writes))
            except Exception as exc:  # noqa: BLE001 - any failure fails this study only
                seconds = time.perf_counter() - t0
                failure = failure_from(exc, slug, stage)
                failed_copy.unlink(missing_ok=True)  # an earlier run's: it does not show this failure
                if executed.nb is not None and not isinstance(exc, OutputWriteError):
                    try:
                        save_notebook(failed_copy, executed.nb, repo_root)
                    except OutputWriteError as err:  # the notebook is lost, the failure is not
                        failure.message += f" (and {err})"
                withdraw_outputs(out_dir, stage, manifest)
                result.failure = failure
                result.stages.append(StageResult(stage, "failed", seconds, failure, reason, True))
                emit(slug, stage, "failed", f"{seconds:.1f}s: {failure}")
                continue
            result.stages.append(StageResult(stage, "ok", seconds, reason=reason, executed=True))
            emit(slug, stage, "ok", f"{seconds:.1f}s")
    finally:
        kernel.close()  # the kernel served this study: nothing carries over to another
        if own_pool and pool is not None:
            pool.close()
    result.seconds = time.perf_counter() - start
    return result


def run_studies(
    repo_root: Path,
    slugs: Iterable[str] | None = None,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    on_event: EventSink | None = None,
    force: bool = False,
    shard: Shard | None = None,
    **options: object,
) -> list[StudyResult]:
    """Run every (or the named) studies, in parallel, under a repository lock.

    With ``shard``, only that shard's share of all studies runs
    (:mod:`kit.run.shards`) and ``reports/`` keeps only its studies, with a
    shard record for ``kit merge``. A run of all studies (no slugs, no shard)
    refreshes the cost table the shard assignment reads.
    ``options`` are further :class:`RunOptions` fields (``kernel_name``,
    ``notebook_timeout``, ``start_retries``).
    """
    repo_root = Path(repo_root).resolve()
    if shard is not None and slugs:
        raise UsageError("--shard runs a share of all studies: name no study with it")
    studies = discover_studies(repo_root, slugs)
    opts = RunOptions(timeout=timeout, force=force, **options)  # type: ignore[arg-type]  # RunOptions checks the names
    with repository_lock(repo_root), owned_temp_dir("kit-kernels") as runtime:
        remove_leftovers(scratch_folders(repo_root))  # of killed runs; none of a live run: we hold the lock
        opts.runtime_dir = runtime
        if shard is not None:
            studies = shard_studies(repo_root, studies, shard)
            prepare_shard_reports(repo_root, studies, shard)
            removed: list[str] = []
        else:
            removed = [] if slugs else prune_orphaned_reports(repo_root, studies)
        with run_context(repo_root) as run:  # one root, one rosters stamp, run-wide values for every stage
            results = _run_all(studies, repo_root, opts, jobs, on_event, run)
        if shard is None and not slugs:
            write_costs(repo_root)
        return results + [StudyResult(slug, removed=True) for slug in removed]


def _run_all(
    studies: list[Path],
    repo_root: Path,
    opts: RunOptions,
    jobs: int | None,
    on_event: EventSink | None,
    run: RunContext,
) -> list[StudyResult]:
    """Decide every study, then run them on a thread pool, their kernels warmed up ahead.

    On Ctrl-C: start nothing new, stop the kernels that run and those warming up.
    """
    workers = max(1, min(jobs or cpu_count(), len(studies) or 1))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kit-run")
    kernels = None if opts.fresh_kernels else kernel_pool(repo_root, opts, workers)
    try:
        plans = [pool.submit(plan_study, s, repo_root, opts.force, run) for s in studies]
        runs = []
        for study_dir, planned in zip(studies, plans, strict=True):
            plan = planned.result()
            if kernels is not None and plan.needs_kernel:
                # its kernel starts warming up now, while earlier studies run
                kernels.expect(stages=plan.may_execute)
            runs.append(pool.submit(run_study, study_dir, repo_root, opts, on_event, run, plan, kernels))
        return [f.result() for f in runs]
    except BaseException:  # Ctrl-C: start nothing new, stop the kernels that run
        opts.cancelled.set()
        pool.shutdown(wait=False, cancel_futures=True)
        _stop_running_kernels()
        if kernels is not None:
            kernels.close(kill=True)
        raise
    finally:
        pool.shutdown(wait=True)
        if kernels is not None:
            kernels.close()
