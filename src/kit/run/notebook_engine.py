"""Executing one notebook: papermill with a loopback kernel, a start retry and time limits.

papermill's Python API does the parameter injection and marks a failing cell
(the red "An Exception was encountered at In [n]" banner) exactly as the
``papermill`` command does. This module registers a papermill engine,
``kit``, that differs from the default nbclient engine where many notebooks
run in parallel in one process:

* the kernel connection stays on this machine and with this user: on POSIX
  ZeroMQ IPC sockets in a fresh private (0700) temporary folder, so no TCP
  port is opened at all; elsewhere TCP on 127.0.0.1 explicitly (not
  "localhost" as the resolver sees it). That folder also holds the
  connection file, and lies in the run's runtime folder
  (:func:`kit.iorw.owned_temp_dir`): a killed run's are removed by the next.
  The kernel starts in the repository root through the kernel manager's
  ``cwd``, not papermill's ``os.chdir``, which is process-wide and races
  between threads;
* a kernel that fails to start (port race, slow start under load: a known
  papermill trap) is started once more before the notebook fails;
* the executed notebook is handed back (``kit_notebook``), also when a cell
  failed, for the runner to write whole (papermill's own writes are not atomic);
* a per-cell timeout (nbclient's) and an outer wall-clock limit per notebook
  (a watchdog that kills the kernel's process group, which also ends a hang
  after the last cell) — and a kernel that dies — become an error output in
  the running cell, so papermill marks that cell like any other exception.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if "jsonschema" not in sys.modules:
    # jsonschema imports the optional rfc3987_syntax, which compiles a grammar
    # at import: 1.2 s per process here (python-jsonschema/jsonschema#1392,
    # #1521), holding the GIL while the study's kernel starts on another
    # thread (a one-study change: 4.3 s with it out, 5.8-6.5 s with it in).
    # nbformat's fastjsonschema option does not help: nbformat.json_compat
    # imports jsonschema either way (import nbformat: 1.41 s with it, 1.38 s
    # without). A None in sys.modules is the import system's documented way to
    # make a module unavailable (Python reference, "The module cache"):
    # jsonschema then runs as where rfc3987_syntax is not installed, without
    # its IRI format checks, which nbformat's schema does not use.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellTimeoutError, DeadKernelError  # noqa: E402
from nbformat import v4 as nbf  # noqa: E402
from papermill.clientwrap import PapermillNotebookClient  # noqa: E402
from papermill.engines import NBClientEngine, papermill_engines  # noqa: E402
from papermill.log import logger  # noqa: E402
from traitlets import Any as AnyTrait  # noqa: E402
from traitlets import Int, Unicode  # noqa: E402

from kit.iorw import atomic_write_text  # noqa: E402
from kit.run.kernel_pool import RunningKernel  # noqa: E402

ENGINE_NAME = "kit"
LOOPBACK = "127.0.0.1"


class KernelStartError(RuntimeError):
    """The kernel did not start, even on the second attempt."""


class Watchdog:
    """Kills a notebook's kernel when the notebook outlives its wall-clock limit."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self.stopped = False
        self.process: Any = None  # the kernel's Popen, for its exit code
        self._pgid: int | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Watchdog":
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def kernel_started(self, km: Any) -> None:
        provisioner = getattr(km, "provisioner", None)
        with self._lock:
            self.process = getattr(provisioner, "process", None)
            self._pgid = getattr(provisioner, "pgid", None) or getattr(self.process, "pid", None)
            if self.expired or self.stopped:  # the limit passed, or the run was stopped, while it started
                self._kill()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._kill()

    def stop(self) -> None:
        """Kill the kernel now (the run was interrupted)."""
        with self._lock:
            self.stopped = True
            self._kill()

    def _kill(self) -> None:
        # The kernel runs in its own session (jupyter_client's launcher), so
        # killing its process group also ends anything the notebook spawned.
        if self._pgid:
            try:
                os.killpg(self._pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def exit_code(self) -> int | None:
        return self.process.poll() if self.process is not None else None


class ExecutedNotebook:
    """Where the engine puts the notebook it executes, so a failed one can be written by the caller."""

    def __init__(self) -> None:
        self.nb: Any = None


def save_notebook(path: Path, nb: Any, repo_root: Path) -> None:
    """Write an executed notebook whole or not at all (else an OutputWriteError naming ``path``)."""
    # papermill records where it wrote; it wrote nothing (no output path): the kit writes here.
    nb.metadata.setdefault("papermill", {})["output_path"] = path.relative_to(repo_root).as_posix()
    atomic_write_text(path, nbformat.writes(nb))


class PrivateKernelClient(NotebookClient):
    """nbclient's client with the kit's kernel: private sockets and one start retry (module docstring)."""

    start_retries = Int(1)
    runtime_dir = Unicode(None, allow_none=True, help="folder for kernel sockets and connection files")

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self._socket_dirs: list[str] = []

    def create_kernel_manager(self) -> Any:
        km = super().create_kernel_manager()
        # mkdtemp makes the folder 0700: only this user can reach the sockets. Short names:
        # an IPC socket's path must stay under 108 bytes (sun_path).
        folder = tempfile.mkdtemp(prefix="k-", dir=self.runtime_dir)
        self._socket_dirs.append(folder)
        km.connection_file = os.path.join(folder, "kernel.json")
        if os.name == "posix":
            km.transport = "ipc"
            km.ip = os.path.join(folder, "kernel")
        else:
            km.transport = "tcp"
            km.ip = LOOPBACK
        return km

    def start_with_retries(self, **kwargs: Any) -> None:
        """Start the kernel and its client, once more if the first start fails (else KernelStartError)."""
        attempts = 1 + max(0, self.start_retries)
        for attempt in range(1, attempts + 1):
            try:
                self.km = self.create_kernel_manager()
                self.start_new_kernel(**kwargs)
                self.start_new_kernel_client()
                return
            except Exception as exc:  # noqa: BLE001 - any start failure is retried once
                self._discard_kernel()
                if attempt == attempts:
                    self.remove_socket_dirs()
                    raise KernelStartError(
                        f"kernel did not start ({attempts} attempts): {type(exc).__name__}: {exc}"
                    ) from exc
                logger.warning("kernel failed to start (%s); starting it again", exc)

    def shutdown(self) -> None:
        """Stop the kernel and remove its socket folder."""
        try:
            if self.km is not None:
                self._cleanup_kernel()
        finally:
            self.remove_socket_dirs()

    def remove_socket_dirs(self) -> None:
        for folder in self._socket_dirs:
            shutil.rmtree(folder, ignore_errors=True)

    def _discard_kernel(self) -> None:
        try:
            if self.km is not None:
                self._cleanup_kernel()
        except Exception:  # noqa: BLE001 - best effort: the retry gets a fresh manager
            pass
        self.km = None
        self.kc = None

    def run_quietly(self, code: str, what: str, limit: int) -> None:
        """Execute ``code`` in the kernel without a trace in any notebook (silent: no history, no count).

        ``limit`` (seconds) is its own, not the cells' ``--timeout``: it is the kit's code, not the notebook's.
        """
        assert self.kc is not None  # started by start_with_retries, or the study's kernel
        cell_timeout, self.timeout = self.timeout, limit
        try:
            reply = self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False, allow_stdin=False))
        finally:
            self.timeout = cell_timeout
        content = (reply or {}).get("content", {})
        if content.get("status") != "ok":
            raise KernelStateError(f"{what} failed: {content.get('ename', 'no reply')}: {content.get('evalue', '')}")


class KernelStateError(RuntimeError):
    """Warming a kernel up, or resetting it between notebooks, failed."""


WARM_UP_LIMIT = 120  # seconds for the warm-up imports, or a reset, on a busy machine
WARM_UP = "import kit.run.kernel_state as _kit_state; _kit_state.warm_up({modules!r}); del _kit_state"
RESTORE = "__import__('kit.run.kernel_state', fromlist=['restore']).restore()"


def start_warm_kernel(
    kernel_name: str,
    cwd: str,
    modules: list[str],
    start_timeout: float,
    start_retries: int = 1,
    runtime_dir: str | None = None,
) -> RunningKernel:
    """Start a kernel in ``cwd`` and import ``modules`` in it, for the notebooks of one study.

    Runs on the thread that will use the kernel (:class:`kit.run.kernel_pool.KernelSession`).
    """
    starter = PrivateKernelClient(
        nbf.new_notebook(),
        kernel_name=kernel_name,
        startup_timeout=start_timeout,
        log=logger,
        resources={"metadata": {"path": cwd}},
        shutdown_kernel="immediate",
        start_retries=start_retries,
        runtime_dir=runtime_dir,
    )
    starter.start_with_retries()
    provisioner = getattr(starter.km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    kernel = RunningKernel(
        starter.km,
        starter.kc,
        starter.shutdown,
        pgid=getattr(provisioner, "pgid", None) or getattr(process, "pid", None),
        process=process,
    )
    try:
        starter.run_quietly(WARM_UP.format(modules=modules), "warming the kernel up", WARM_UP_LIMIT)
    except BaseException:
        starter.shutdown()
        raise
    return kernel


class KitNotebookClient(PrivateKernelClient, PapermillNotebookClient):  # type: ignore[misc]  # papermill ships no types
    """papermill's client with the kit's kernel, cell tracking, and a kernel of the study's (``kernel``).

    With ``kernel`` (a :class:`kit.run.kernel_pool.RunningKernel`), the
    notebook runs in that kernel, reset first (:func:`kit.run.kernel_state.restore`),
    and the kernel is left running for the study's next notebook.
    """

    watchdog = AnyTrait(None, allow_none=True)
    kernel = AnyTrait(None, allow_none=True)

    def __init__(self, nb_man: Any, **kw: Any):
        super().__init__(nb_man, **kw)
        self.current_cell: int | None = None

    def execute_cell(self, cell: Any, cell_index: int, *args: Any, **kw: Any) -> Any:
        self.current_cell = cell_index
        return super().execute_cell(cell, cell_index, *args, **kw)

    @contextmanager
    def setup_kernel(self, **kwargs: Any) -> Iterator[None]:
        kwargs.pop("cleanup_kc", None)
        if self.kernel is not None:
            self.km, self.kc = self.kernel.km, self.kernel.kc
            if self.watchdog is not None:
                self.watchdog.kernel_started(self.km)
            self.run_quietly(RESTORE, "resetting the kernel for this notebook", WARM_UP_LIMIT)
            yield  # the kernel stays: the study's session shuts it down after its last notebook
            return
        self.start_with_retries(**kwargs)
        if self.watchdog is not None:
            self.watchdog.kernel_started(self.km)
        try:
            yield
        finally:
            self.shutdown()


def _mark_failed_cell(nb: Any, index: int | None, ename: str, evalue: str) -> None:
    """Give the running cell an error output so papermill marks and reports it."""
    if index is None:
        index = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), 0)
    cell = nb.cells[index]
    cell.setdefault("outputs", []).append(
        nbf.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
    )
    cell.metadata.setdefault("papermill", {})["exception"] = True
    nb.metadata.setdefault("papermill", {})["exception"] = True


class KitEngine(NBClientEngine):  # type: ignore[misc]  # papermill ships no types
    """papermill engine ``kit`` (see the module docstring)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        cwd = kwargs.pop("kit_cwd", None)
        watchdog: Watchdog | None = kwargs.pop("kit_watchdog", None)
        executed: ExecutedNotebook | None = kwargs.pop("kit_notebook", None)
        if executed is not None:  # the same object papermill marks a failure in and returns
            executed.nb = nb_man.nb
        client = KitNotebookClient(
            nb_man,
            kernel_name=kernel_name,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            resources={"metadata": {"path": cwd}} if cwd else {},
            shutdown_kernel="immediate",
            watchdog=watchdog,
            start_retries=kwargs.pop("kit_start_retries", 1),
            runtime_dir=kwargs.pop("kit_runtime_dir", None),
            kernel=kwargs.pop("kit_kernel", None),
        )
        try:
            return client.execute()
        except CellTimeoutError:
            _mark_failed_cell(
                nb_man.nb,
                client.current_cell,
                "CellTimeoutError",
                f"cell did not finish within {execution_timeout:g} s (--timeout)",
            )
        except DeadKernelError:
            if watchdog is not None and watchdog.expired:
                message = f"notebook did not finish within {watchdog.seconds:g} s (wall-clock limit); kernel stopped"
                _mark_failed_cell(nb_man.nb, client.current_cell, "NotebookTimeout", message)
            elif watchdog is not None and watchdog.stopped:
                _mark_failed_cell(
                    nb_man.nb, client.current_cell, "Interrupted", "the run was interrupted; kernel stopped"
                )
            else:
                code = watchdog.exit_code() if watchdog is not None else None
                message = "kernel died" + (f" (exit code {code})" if code is not None else "")
                _mark_failed_cell(nb_man.nb, client.current_cell, "DeadKernelError", message)
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, KitEngine)
