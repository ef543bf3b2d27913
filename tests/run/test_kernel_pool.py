"""The warm-kernel pool: how many kernels it starts, for whom, and how it ends them.

The starter here records what a real one (``start_warm_kernel``) would start;
the real kernels are in tests/e2e/test_warm_kernels.py.
"""

from __future__ import annotations

import threading

import pytest

from kit.run.kernel_pool import KernelPool, RunningKernel, StudyKernel, warm_modules


class Starter:
    """Counts starts; each "kernel" records on which thread it was started, used and shut down."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.started: list[RunningKernel] = []
        self.shut: list[RunningKernel] = []
        self.modules: list[list[str]] = []  # what each kernel was to import
        self.lock = threading.Lock()

    def __call__(self, modules: list[str]) -> RunningKernel:
        with self.lock:
            self.modules.append(modules)
        if self.fail:
            raise RuntimeError("kernel did not start (2 attempts)")
        kernel = RunningKernel(km=threading.current_thread().name, kc=None, shutdown=lambda: None)
        kernel.shutdown = lambda: self.shut.append(kernel)
        with self.lock:
            self.started.append(kernel)
        return kernel


def test_it_starts_no_more_kernels_than_studies_expected_and_at_most_its_size_ahead() -> None:
    start = Starter()
    pool = KernelPool(start, size=2)
    pool.expect(5)
    first = pool.take()
    assert first.wait_ready().km == "kit-kernel-1"
    # one taken, two waiting: three started, not five
    assert pool._started == 3  # noqa: SLF001 - the count is the point
    sessions = [first] + [pool.take() for _ in range(4)]
    assert pool._started == 5  # noqa: SLF001
    for s in sessions:
        s.close()
    pool.close()
    with pytest.raises(RuntimeError, match="stopped"):
        pool.take()
    assert len(start.started) == 5 and len(start.shut) == 5


def test_nothing_starts_until_a_study_is_expected() -> None:
    start = Starter()
    pool = KernelPool(start, size=2)
    kernel = StudyKernel(pool)
    kernel.close()  # a study whose stages were all up to date
    pool.close()
    assert start.started == []


def test_a_study_runs_its_notebooks_on_its_kernel_s_thread_and_shuts_it_down() -> None:
    start = Starter()
    pool = KernelPool(start, size=1)
    pool.expect(1)
    kernel = StudyKernel(pool)
    session = kernel.session()
    assert session is kernel.session()  # one kernel for all the study's notebooks
    threads = {session.call(lambda: threading.current_thread().name) for _ in range(3)}
    assert threads == {session.wait_ready().km}  # where it was started
    with pytest.raises(ZeroDivisionError):
        session.call(lambda: 1 / 0)  # a failure is the caller's, the kernel's thread goes on
    kernel.close()
    pool.close()
    assert start.shut == start.started


def test_a_kernel_that_does_not_start_fails_the_study_that_takes_it() -> None:
    pool = KernelPool(Starter(fail=True), size=2)
    pool.expect(1)
    with pytest.raises(RuntimeError, match="kernel did not start"):
        StudyKernel(pool).session()
    pool.close()


def test_close_with_kill_kills_the_kernels_in_use_and_those_waiting() -> None:
    killed: list[str] = []

    def start(modules: list[str]) -> RunningKernel:
        kernel = RunningKernel(km=None, kc=None, shutdown=lambda: None)
        kernel.kill = lambda: killed.append(threading.current_thread().name)  # type: ignore[method-assign]
        return kernel

    pool = KernelPool(start, size=2)
    pool.expect(3)
    in_use = pool.take()
    in_use.wait_ready()
    pool.close(kill=True)
    assert len(killed) >= 3  # 1 in use + 2 waiting, each killed (again as its thread ends)


def test_warm_modules_come_from_the_stage_table_in_stage_order() -> None:
    modules = warm_modules()
    assert modules.index("kit.plan.stage") < modules.index("kit.synthesis.stage") < modules.index("kit.insights.stage")
    assert len(modules) == len(set(modules))


def test_warm_modules_of_some_stages_leave_the_others_out() -> None:
    later = warm_modules(["02-sessions.ipynb", "03-insights.ipynb"])
    assert "kit.synthesis.stage" in later and "kit.insights.stage" in later
    assert "kit.plan.stage" not in later and "plotly.express" not in later
    assert warm_modules([]) == []


def test_a_kernel_imports_what_the_stages_of_the_studies_expected_so_far_need() -> None:
    start = Starter()
    pool = KernelPool(start, size=1)
    pool.expect(stages=["02-sessions.ipynb", "03-insights.ipynb"])  # a study whose sessions changed
    first = pool.take()  # the next kernel starts now, for the second study below
    pool.expect(stages=["01-plan.ipynb", "02-sessions.ipynb", "03-insights.ipynb"])
    second = pool.take()
    for s in (first, second):
        s.close()
    pool.close()
    assert start.modules[0] == warm_modules(["02-sessions.ipynb", "03-insights.ipynb"])
    assert start.modules[1] == warm_modules()


def test_a_kernel_taken_without_being_expected_imports_every_stage_s_modules() -> None:
    start = Starter()
    pool = KernelPool(start, size=1)
    StudyKernel(pool).session()
    pool.close()
    assert start.modules == [warm_modules()]
