"""The kit's exception family.

Every error a user can cause derives from :class:`KitError`; the CLI turns
them into one clear line and an exit code. Errors about input carry a
location (``file:line`` or ``file: key``) so the user can find the fault.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from typing import Any


class KitError(Exception):
    """Base class of every error the kit raises on purpose."""

    exit_code = 1


class UsageError(KitError):
    """The command line was wrong (bad slug, unknown study, ...): exit 2."""

    exit_code = 2


class StudyExistsError(UsageError):
    """``kit new`` refused to touch an existing folder."""


@dataclass
class Problem:
    """One thing wrong with an input file.

    ``where`` is ``file:line`` for tables and ``file: key`` for YAML.
    ``fatal`` problems stop the stage; the others are shown as warnings.
    """

    where: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ValidationError(KitError):
    """One or more problems in a study's input; all are listed at once."""

    def __init__(self, problems: list[Problem] | Problem | str, *, source: str = ""):
        if isinstance(problems, str):
            problems = [Problem(source or "input", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [str(p) for p in self.problems]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)


class StudyError(ValidationError):
    """study.yml is missing, unreadable or invalid."""


class DataError(ValidationError):
    """A data file under ``data/`` is malformed (file:line messages)."""


class InsightError(ValidationError):
    """insights.yml is invalid or does not trace to the synthesis."""


class PanelError(ValidationError):
    """panel/people.csv, panel/rules.yml or a study's participation data is invalid (file:line messages)."""


class RecruitShortfallError(UsageError):
    """``kit recruit`` cannot propose enough eligible people: exit 2, shortfall per segment named."""


class CodebookError(ValidationError):
    """codebook.yml is unreadable or inconsistent (unknown parent, synonym of two codes ...)."""


class StageOrderError(KitError):
    """A stage needs the output of an earlier stage that is not there."""


class RunLockedError(KitError):
    """Another ``kit run`` holds the repository lock."""

    exit_code = 2


class OutputWriteError(KitError, OSError):
    """Writing an output failed (disk full, file too large, no permission): the path and the reason, in one line.

    Also an :class:`OSError` (same ``errno`` and ``filename``), so code that
    handles a failed write as an OSError still does. Raised by :mod:`kit.iorw`'s
    writers; what was there before the write is kept. ``kept`` says so after
    the reason where a reader may wonder (``the previous _site/ is kept``).
    """

    def __init__(self, path: str, err: OSError, *, kept: str = "") -> None:
        reason = err.strerror or str(err) or type(err).__name__
        inner = f" ({err.filename})" if err.filename and str(err.filename) not in (path, path.rstrip("/")) else ""
        code = f" [{errno.errorcode[err.errno]}]" if err.errno is not None and err.errno in errno.errorcode else ""
        tail = f"; {kept}" if kept else ""
        super().__init__(err.errno, f"cannot write {path}{inner}: {reason}{code}{tail}", path)

    def __str__(self) -> str:
        return str(self.strerror)


class PrivacyLeakError(KitError):
    """``kit check --privacy`` found personal data in published output."""


@dataclass
class NotebookFailure:
    """Where and why an executed notebook failed (for the run summary)."""

    study: str
    notebook: str
    cell: int | None
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        cell = f"cell {self.cell}" if self.cell is not None else "before any cell"
        return f"{self.study}/{self.notebook}: {cell}: {self.message}"
