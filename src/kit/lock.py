"""The repository lock: one ``kit run`` or ``kit site`` at a time per repository.

Both write ``reports/`` and the site; two at once would interleave their
outputs. The lock is a file (``.kit-run.lock``, see :mod:`kit.layout`) held
with filelock, and taken without waiting: a second command says who holds it
and exits 2 instead of queueing behind a long run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from kit.errors import RunLockedError
from kit.layout import LOCK_FILE


@contextmanager
def repository_lock(repo_root: Path) -> Iterator[None]:
    """Hold the repository's lock (``kit run`` and ``kit site``), or raise RunLockedError at once."""
    lock = FileLock(str(Path(repo_root) / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RunLockedError(
            f"another 'kit run' is running in {repo_root}, or 'kit site' (lock {LOCK_FILE}); wait for it to finish"
        ) from None
    try:
        yield
    finally:
        lock.release()
