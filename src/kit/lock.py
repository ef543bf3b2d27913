"""The repository lock: one ``kit run`` or ``kit site`` at a time per repository.

Both write ``reports/`` and the site; two at once would interleave their
outputs. The lock is a file (``.kit-run.lock``, see :mod:`kit.layout`) held
with filelock, and taken without waiting: a second command says who holds it
and exits 2 instead of queueing behind a long run.

``kit purge`` holds it from its journal to its site rebuild and lends it to
the run and the site build it starts itself (``purge=True``). While a purge
journal is pending (a purge was killed), every other command that takes the
lock is refused: running the stages on half-purged data could publish what
the purge was removing (a name blanked in one file, still in another).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from filelock import FileLock, Timeout

from kit.errors import RunLockedError
from kit.layout import LOCK_FILE, PANEL_DIR, PURGE_JOURNAL_FILE, purge_journal_path

# Repositories whose lock this thread holds for a purge, lent to the steps the purge runs itself.
_LENT: ContextVar[frozenset[Path]] = ContextVar("kit_lent_repository_locks", default=frozenset())


@contextmanager
def repository_lock(repo_root: Path, *, purge: bool = False) -> Iterator[None]:
    """Hold the repository's lock (``kit run``, ``kit site``, ``kit purge``), or raise RunLockedError at once.

    ``purge``: the holder is ``kit purge``, which may find its own journal and
    lends the lock to the run and site build it calls in the same thread.
    """
    root = Path(repo_root).resolve()
    if root in _LENT.get():
        yield  # inside a purge that holds the lock
        return
    lock = FileLock(str(root / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RunLockedError(
            f"another 'kit run' is running in {repo_root}, or 'kit site' (lock {LOCK_FILE}); wait for it to finish"
        ) from None
    try:
        if not purge and purge_journal_path(root).is_file():
            raise RunLockedError(
                f"a 'kit purge' was interrupted ({PANEL_DIR}/{PURGE_JOURNAL_FILE}): run the same 'kit purge' "
                "again to complete it first"
            )
        token = _LENT.set(_LENT.get() | {root}) if purge else None
        try:
            yield
        finally:
            if token is not None:
                _LENT.reset(token)
    finally:
        lock.release()
