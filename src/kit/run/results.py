"""What a run reports: each study's stages, how long they took and the first failure.

Read by the progress display (:mod:`kit.run.progress`), the lifecycle checks
after a run (:mod:`kit.run.lifecycle_check`) and the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kit.errors import NotebookFailure


@dataclass
class StageResult:
    """One stage of one study in a run."""

    notebook: str
    status: str  # "ok" (executed) | "cached" (up to date) | "failed" | "skipped"
    seconds: float = 0.0
    failure: NotebookFailure | None = None
    reason: str = ""  # why it ran, e.g. "changed: data/notes.csv"
    executed: bool = False  # a kernel ran it (ok or failed) in this run


@dataclass
class StudyResult:
    """One study in a run: its stages, and the first failure that stopped it."""

    slug: str
    stages: list[StageResult] = field(default_factory=list)
    seconds: float = 0.0
    failure: NotebookFailure | None = None
    removed: bool = False  # its study folder is gone: its reports were deleted

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def executed(self) -> int:
        """Notebooks executed (successfully or not) in this run."""
        return sum(s.executed for s in self.stages)


def failure_from(exc: BaseException, slug: str, notebook: str) -> NotebookFailure:
    """What a failed notebook reports: papermill's failing cell (its number and first line), else the error."""
    from papermill.exceptions import PapermillExecutionError  # loaded by then: a notebook ran

    if isinstance(exc, PapermillExecutionError):
        first = (exc.source or "").strip().splitlines()[:1]
        cell = exc.exec_count if exc.exec_count is not None else exc.cell_index + 1
        return NotebookFailure(
            slug, notebook, cell, f"{exc.ename}: {exc.evalue}", {"source": first[0] if first else ""}
        )
    return NotebookFailure(slug, notebook, None, f"{type(exc).__name__}: {exc}".strip())
