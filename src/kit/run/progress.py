"""Progress of a run: a live table on a terminal, compact log lines in CI."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table

from kit.layout import STAGES
from kit.run.results import StudyResult
from kit.run.stage_warnings import SHOWN

_MARK = {
    "started": "[yellow]running[/]",
    "ok": "[green]done[/]",
    "cached": "[dim]up to date[/]",
    "failed": "[bold red]FAILED[/]",
    "skipped": "[dim]skipped[/]",
}
_LOGGED = {"ok": "done", "failed": "FAILED"}  # plain mode: one line per executed notebook

# A study's state in the live table, most important first: when the studies
# outnumber the terminal's rows, the first kinds get the rows and the rest are
# counted in the caption (a running or failed study must never scroll away).
_KINDS = ("failed", "running", "done", "up to date")
_FRAME_LINES = 7  # title, header, three rules, caption, cursor line


def _study_kind(stages: dict[str, str]) -> str:
    statuses = set(stages.values())
    if "failed" in statuses:
        return "failed"
    if "started" in statuses:
        return "running"
    if "ok" in statuses:
        return "done"
    return "up to date"  # cached (and, never alone, skipped)


class RunDisplay:
    """Receives runner events ``(study, stage, status, detail)`` and shows them.

    On a terminal: a live table, one row per study, one column per stage,
    within the terminal's height (see :meth:`shown`). In
    CI (no terminal) only executed notebooks are logged, one line each when
    they finish, so a run where little changed prints little.
    """

    def __init__(self, console: Console | None = None, live: bool | None = None):
        self.console = console or Console(stderr=True)
        self.live = self.console.is_terminal if live is None else live
        self.state: dict[str, dict[str, str]] = {}
        self.reasons: dict[tuple[str, str], str] = {}
        self.events = 0
        self.changed: dict[str, int] = {}  # study -> number of its last event, to rank recent ones first
        self.started = time.perf_counter()
        self._lock = threading.Lock()
        self._live: Live | None = None

    def __enter__(self) -> "RunDisplay":
        if self.live:
            self._live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live:
            self._live.__exit__(exc_type, exc, tb)

    def event(self, study: str, stage: str, status: str, detail: str = "") -> None:
        with self._lock:
            self.state.setdefault(study, {})[stage] = status
            self.events += 1
            self.changed[study] = self.events
            if status == "started":
                self.reasons[study, stage] = detail
            if self._live:
                self._live.update(self._table())
            elif status in _LOGGED:
                elapsed = time.perf_counter() - self.started
                why = self.reasons.get((study, stage))
                print(
                    f"[{elapsed:6.1f}s] {study} {stage}: {_LOGGED[status]}"
                    + (f" {detail}" if detail else "")
                    + (f" [{why}]" if why else ""),
                    file=sys.stderr,
                    flush=True,
                )

    def shown(self) -> tuple[list[str], dict[str, int]]:
        """The studies that get a row of the live table, and the others counted by kind.

        Rows go to failed, then running, then done studies (the most recent
        first), then up-to-date ones, as many as the terminal has lines for;
        the rows are listed by name.
        """
        room = max(3, self.console.size.height - _FRAME_LINES)
        kinds = {study: _study_kind(stages) for study, stages in self.state.items()}
        ranked = sorted(kinds, key=lambda study: (_KINDS.index(kinds[study]), -self.changed[study], study))
        hidden = Counter(kinds[study] for study in ranked[room:])
        return sorted(ranked[:room]), dict(hidden)

    def _table(self) -> Table:
        rows, hidden = self.shown()
        caption = None
        if hidden:
            caption = f"and {sum(hidden.values())} more: " + ", ".join(
                f"{hidden[kind]} {kind}" for kind in _KINDS if kind in hidden
            )
        table = Table(title="kit run", title_justify="left", caption=caption, caption_justify="left")
        table.add_column("study")
        for s in STAGES:
            table.add_column(s.removesuffix(".ipynb"))
        for study in rows:
            stages = self.state[study]
            table.add_row(study, *[_MARK.get(stages.get(s, ""), "[dim]·[/]") for s in STAGES])
        return table

    def summary(
        self, results: list[StudyResult], warnings: dict[str, list[str]] | None = None, strict: bool = False
    ) -> int:
        """One line per study: status, time, and for failures the cell and message; returns the failures.

        ``warnings`` (study -> its stages' warnings) are counted on the
        study's line and the first :data:`SHOWN` printed below it, one per
        line; with ``strict`` a study that has any fails.
        """
        out = Console(soft_wrap=True)  # one line per study, also in CI logs
        warnings = warnings or {}
        strict_failed = 0
        for r in results:
            ran = r.executed
            found = warnings.get(r.slug, []) if r.ok and not r.removed else []
            count = f", {len(found)} warning{'s' if len(found) != 1 else ''}" if found else ""
            if r.removed:
                out.print(
                    f"removed {r.slug}  (notebooks/{r.slug}/ no longer exists: its reports were deleted "
                    "and leave the site)",
                    highlight=False,
                    markup=False,
                )
            elif r.ok and found and strict:
                strict_failed += 1
                out.print(
                    f"FAILED  {r.slug}  ({len(found)} warning{'s' if len(found) != 1 else ''}, --strict)",
                    highlight=False,
                    markup=False,
                )
            elif r.ok:
                what = f"{r.seconds:.1f}s, {ran} run" if ran else "up to date"
                out.print(f"ok      {r.slug}  ({what}{count})", highlight=False, markup=False)
            else:
                out.print(f"FAILED  {r.slug}  ({r.seconds:.1f}s): {r.failure}", highlight=False, markup=False)
            for line in found[:SHOWN]:
                out.print(f"  warning: {line}", highlight=False, markup=False)
            if len(found) > SHOWN:
                out.print(
                    f'  ... and {len(found) - SHOWN} more in reports/{r.slug}/*.json ("warnings")',
                    highlight=False,
                    markup=False,
                )
        results = [r for r in results if not r.removed]
        failed = sum(not r.ok for r in results) + strict_failed
        executed = sum(r.executed for r in results)
        cached = sum(s.status == "cached" for r in results for s in r.stages)
        elapsed = time.perf_counter() - self.started
        out.print(
            f"{len(results) - failed} of {len(results)} studies ok; {executed} notebooks "
            f"executed, {cached} up to date ({elapsed:.1f}s)",
            highlight=False,
        )
        return failed
