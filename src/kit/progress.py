"""Progress of a run: a live table on a terminal, plain log lines in CI."""
from __future__ import annotations

import sys
import threading
import time

from rich.console import Console
from rich.live import Live
from rich.table import Table

from .runner import STAGES, StudyResult

_MARK = {"started": "running", "ok": "done", "failed": "FAILED", "skipped": "skipped"}


class RunDisplay:
    """Receives runner events ``(study, stage, status)`` and shows them."""

    def __init__(self, console: Console | None = None, live: bool | None = None):
        self.console = console or Console(stderr=True)
        self.live = self.console.is_terminal if live is None else live
        self.state: dict[str, dict[str, str]] = {}
        self.started = time.perf_counter()
        self._lock = threading.Lock()
        self._live: Live | None = None

    def __enter__(self) -> "RunDisplay":
        if self.live:
            self._live = Live(self._table(), console=self.console, refresh_per_second=4)
            self._live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._live:
            self._live.__exit__(*exc)

    def event(self, study: str, stage: str, status: str) -> None:
        with self._lock:
            self.state.setdefault(study, {})[stage] = status
            if self._live:
                self._live.update(self._table())
            else:
                elapsed = time.perf_counter() - self.started
                print(f"[{elapsed:6.1f}s] {study} {stage}: {_MARK.get(status, status)}",
                      file=sys.stderr, flush=True)

    def _table(self) -> Table:
        table = Table(title="kit run")
        table.add_column("study")
        for s in STAGES:
            table.add_column(s.removesuffix(".ipynb"))
        for study, stages in sorted(self.state.items()):
            table.add_row(study, *[_MARK.get(stages.get(s, ""), "·") for s in STAGES])
        return table

    def summary(self, results: list[StudyResult]) -> None:
        """One line per study: status, time, and for failures the cell and message."""
        out = Console()
        for r in results:
            if r.ok:
                out.print(f"ok      {r.slug}  ({r.seconds:.1f}s)", highlight=False)
            else:
                out.print(f"FAILED  {r.slug}  ({r.seconds:.1f}s): {r.failure}", highlight=False,
                          markup=False)
        failed = sum(not r.ok for r in results)
        out.print(f"{len(results) - failed} of {len(results)} studies ok", highlight=False)
