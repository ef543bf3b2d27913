"""One kernel per study, started and warmed up before the study's turn (issue 30).

A study's notebooks run one after another in one kernel: a kernel start
(about 0.6 s) and the stages' imports (about 1 s: pandas, scikit-learn,
plotly) once per study instead of once per notebook. Between notebooks the
kernel is reset (:func:`kit.run.kernel_state.restore`), so each notebook sees
only its own parameters and counts its cells from 1, as in a kernel of its own.

A :class:`KernelPool` keeps the next studies' kernels ready: up to ``size``
(the run's ``--jobs``) kernels are started, and import what the stages import
(``warm`` in ``kit/data/stages.yml``), while the running studies compute.
A kernel serves one study and is shut down after it; a pool never starts more
kernels than the studies it was told to expect (:meth:`KernelPool.expect`), and
a kernel imports only what the stages that will run need: those the expected
studies will execute so far (a run where only studies' sessions changed does
not import the plan stage's modules).

Each kernel lives on a thread of its own (:class:`KernelSession`), which
starts it and then executes the study's notebooks: jupyter_client's managers
and clients belong to the event loop of the thread that made them.
"""

from __future__ import annotations

import collections
import os
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from kit.layout import STAGES, stage_table

T = TypeVar("T")


def warm_modules(stages: Iterable[str] | None = None) -> list[str]:
    """The modules a warm kernel imports: the ``warm`` lists of ``stages`` (default: every stage),
    in stage order, once each."""
    wanted = None if stages is None else set(stages)
    rows = [row for row in stage_table() if wanted is None or row["notebook"] in wanted]
    return list(dict.fromkeys(name for row in rows for name in row.get("warm", ())))


@dataclass
class RunningKernel:
    """A started kernel: its manager and client (used on its session's thread only) and how to end it."""

    km: Any
    kc: Any
    shutdown: Callable[[], None]
    pgid: int | None = None
    process: Any = None  # the kernel's Popen (for its exit code)
    notes: list[str] = field(default_factory=list)  # what warming it up could not import

    def kill(self) -> None:
        """Kill the kernel's process group now (from any thread)."""
        if self.pgid:
            try:
                os.killpg(self.pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


KernelStarter = Callable[[list[str]], RunningKernel]
"""Starts a kernel and imports the given modules in it, on the calling thread
(:func:`kit.run.notebook_engine.start_warm_kernel`)."""


class KernelSession:
    """One kernel for one study, on a thread of its own: started at once, then runs what it is given."""

    def __init__(self, start: Callable[[], RunningKernel], name: str) -> None:
        self._start = start
        self._ready: Future[RunningKernel] = Future()
        self._jobs: collections.deque[tuple[Callable[[], Any], Future[Any]] | None] = collections.deque()
        self._wake = threading.Condition()
        self._lock = threading.Lock()
        self._killed = False
        self._closed = False
        self.kernel: RunningKernel | None = None
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)
        self.thread.start()

    def _main(self) -> None:
        try:
            kernel = self._start()
        except BaseException as exc:  # noqa: BLE001 - handed to the study that takes this session
            self._ready.set_exception(exc)
            return
        with self._lock:
            self.kernel = kernel
            if self._killed:  # the run was stopped while this kernel started
                kernel.kill()
        self._ready.set_result(kernel)
        try:
            while (job := self._next_job()) is not None:
                fn, result = job
                try:
                    result.set_result(fn())
                except BaseException as exc:  # noqa: BLE001 - raised again in the study's thread
                    result.set_exception(exc)
        finally:
            try:
                kernel.shutdown()
            except Exception:  # noqa: BLE001 - best effort: the process group is killed next
                pass
            kernel.kill()

    def _next_job(self) -> tuple[Callable[[], Any], Future[Any]] | None:
        with self._wake:
            self._wake.wait_for(lambda: bool(self._jobs) or self._closed)
            return self._jobs.popleft() if self._jobs else None

    def _put(self, job: tuple[Callable[[], Any], Future[Any]]) -> None:
        with self._wake:
            if self._closed:
                raise RuntimeError("the study's kernel was shut down (the run was stopped)")
            self._jobs.append(job)
            self._wake.notify()

    def wait_ready(self) -> RunningKernel:
        """The started, warmed-up kernel; raises what starting it raised."""
        return self._ready.result()

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the kernel's thread and return its result (or raise its exception)."""
        self.wait_ready()
        result: Future[T] = Future()
        self._put((fn, result))
        return result.result()

    def close(self) -> None:
        """Shut the kernel down once what was given to it is done (does not wait)."""
        with self._wake:
            self._closed = True
            self._wake.notify()

    def kill(self) -> None:
        """Kill the kernel now, also one still starting (Ctrl-C)."""
        with self._lock:
            self._killed = True
            if self.kernel is not None:
                self.kernel.kill()
        self.close()


class KernelPool:
    """Warm kernels for the studies of one run, at most ``size`` ready or starting at a time."""

    def __init__(self, start: KernelStarter, size: int) -> None:
        self._start = start
        self.size = max(1, size)
        self._lock = threading.Lock()
        self._expected = 0  # studies that will ask for a kernel
        self._stages: set[str] = set()  # the stages those studies will execute
        self._started = 0
        self._waiting: collections.deque[KernelSession] = collections.deque()  # started, not taken yet
        self._sessions: list[KernelSession] = []
        self._closed = False

    def expect(self, count: int = 1, stages: Iterable[str] = STAGES) -> None:
        """``count`` more studies will each :meth:`take` a kernel, to execute ``stages`` (default: all).

        Their kernels start now and import what the stages of every study
        expected so far need (:func:`warm_modules`).
        """
        with self._lock:
            self._expected += count
            self._stages.update(stages)
            self._top_up()

    def _top_up(self) -> None:
        while not self._closed and len(self._waiting) < self.size and self._started < self._expected:
            self._started += 1
            modules = warm_modules(self._stages or None)  # a study not expected: every stage's
            session = KernelSession(partial(self._start, modules), f"kit-kernel-{self._started}")
            self._sessions.append(session)
            self._waiting.append(session)

    def take(self) -> KernelSession:
        """The oldest warm (or warming) kernel, for one study; it is started now if none is waiting.

        Raises what starting the kernel raised (a kernel that does not start
        fails the study that was to use it). The caller closes the session.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("the run was stopped")
            if not self._waiting:
                self._expected = max(self._expected, self._started + 1)
                self._top_up()
            session = self._waiting.popleft()
            self._top_up()
        session.wait_ready()
        return session

    def close(self, kill: bool = False) -> None:
        """Shut every kernel down (at once, with ``kill``) and wait for their threads.

        A study still running when the pool closes finishes its current notebook (unless killed);
        its next notebook fails.
        """
        with self._lock:
            self._closed = True
            sessions = list(self._sessions)
            self._waiting.clear()
        for session in sessions:
            session.kill() if kill else session.close()
        for session in sessions:
            session.thread.join()


class StudyKernel:
    """The one kernel of one study: taken from ``pool`` when the study's first notebook runs, then kept."""

    def __init__(self, pool: KernelPool | None) -> None:
        self.pool = pool
        self._session: KernelSession | None = None

    def session(self) -> KernelSession | None:
        """The study's kernel session (None without a pool: each notebook then starts its own kernel)."""
        if self._session is None and self.pool is not None:
            self._session = self.pool.take()
        return self._session

    def close(self) -> None:
        """Shut the study's kernel down: nothing carries over to another study."""
        if self._session is not None:
            self._session.close()
            self._session = None
