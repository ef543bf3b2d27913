"""Reading and writing files safely.

Everything the kit writes (study.yml from forms, reports, the site) goes
through :func:`atomic_write_text` or :func:`atomic_write_json`, so a crash or
a validation failure never leaves a half-written file behind: the content is
written to a temporary file in the same folder and renamed over the target,
which is atomic on POSIX file systems. A write that fails (disk full, file
too large, read-only) is an :class:`~kit.errors.OutputWriteError` naming the
path, and what was there before stays.

A whole folder (``_site/``, ``studies/``, a new study) is built beside its
target and swapped in (:func:`staged_dir`); on Linux the swap is one
``renameat2(RENAME_EXCHANGE)`` (renameat2(2)), so the target is never missing,
not even for a killed process. Every temporary file and staging folder is
named ``<prefix>kit<pid>-<random>``: the next ``kit run`` or ``kit site``
removes those of processes that are gone (:func:`remove_leftovers`).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from kit.errors import OutputWriteError, StageOrderError

Shape = TypeVar("Shape", bound=BaseModel)

# The process umask, read once at import (os.umask can only be read by setting
# it, which must not race with the threads `kit run` starts later).
_UMASK = os.umask(0o022)
os.umask(_UMASK)

# What a temporary file or staging folder of the kit is called: ``.name.kit<pid>-<8 random>`` (+ ``.tmp`` for
# files, ``.old`` for the previous folder of a swap without renameat2). The random part is
# tempfile's (8 of [a-z0-9_]); the pid says whether the process that made it still runs.
OWNED_NAME = re.compile(r"^.+\.kit(?P<pid>\d+)-[a-z0-9_]{8}(?:\.tmp|\.old)?$")

# errnos that mean "the output could not be written" when raised while a folder is built.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO, errno.EACCES, errno.EPERM})

# renameat2(2): <linux/fs.h> RENAME_EXCHANGE and <fcntl.h> AT_FDCWD.
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def owned_prefix(prefix: str) -> str:
    """``prefix`` plus this process's mark (``kit<pid>-``), so a later run knows whose leftover it is."""
    return f"{prefix}kit{os.getpid()}-"


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as an error shows it: relative to the current folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


# Tests of resumable operations (kit purge) kill the process after its Nth write. Taken
# out of the environment at once, so that kernels and other children never inherit it.
_CRASH_AFTER_WRITES = int(os.environ.pop("KIT_TEST_CRASH_AFTER_WRITES", "0") or 0)
_writes_done = 0


def crash_point() -> None:
    """Count one completed write (or deletion); the test hook SIGKILLs the process after the Nth.

    ``KIT_TEST_CRASH_AFTER_WRITES=N`` in the environment of a ``kit`` command
    kills it right after its Nth atomic write: a crash at a chosen step, as
    a power cut or the OOM killer would cause it, without strace.
    """
    global _writes_done
    if _CRASH_AFTER_WRITES:
        _writes_done += 1
        if _writes_done == _CRASH_AFTER_WRITES:
            os.kill(os.getpid(), signal.SIGKILL)


def _mode_for(path: Path, default: int) -> int:
    """The mode a written file or folder gets: the target's own, else ``default`` less the umask.

    mkstemp and mkdtemp create 0600 files and 0700 folders; renamed into place
    as they are, a published site or a saved study.yml would be unreadable to a
    web server or a teammate.
    """
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return default & ~_UMASK


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename), keeping its mode.

    Any OSError (ENOSPC, EFBIG, EROFS ...) becomes an :class:`OutputWriteError`
    naming ``path``; the temporary file is removed and the old content stays.
    """
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode_for(path, 0o666)
        fd, tmp = tempfile.mkstemp(prefix=owned_prefix(f".{path.name}."), suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputWriteError):
            raise OutputWriteError(shown(path), exc) from exc
        raise
    crash_point()
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Text twin of :func:`atomic_write_bytes` (newlines written as given)."""
    return atomic_write_bytes(path, text.encode(encoding))


def staging_dir(parent: Path, prefix: str) -> Path:
    """A new empty folder in ``parent`` to build into before a rename swaps it in.

    Its mode is what ``mkdir`` would give (0777 less the umask), not mkdtemp's
    0700, since it becomes ``_site/``, ``studies/`` or a study folder. Its name
    is ``prefix`` + :func:`owned_prefix`'s mark, for :func:`remove_leftovers`.
    """
    folder = Path(tempfile.mkdtemp(prefix=owned_prefix(prefix), dir=parent))
    os.chmod(folder, 0o777 & ~_UMASK)
    return folder


def _load_renameat2() -> Callable[..., int] | None:
    """glibc's renameat2 (2.28+), or None where there is none (macOS, musl before 1.2.4, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _load_renameat2()


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported.

    Unsupported is a missing renameat2 or a file system that refuses the flag
    (EINVAL; some network and FUSE file systems); any other failure raises.
    """
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def swap_in(new_dir: Path, target: Path) -> None:
    """Replace ``target`` by ``new_dir``; the previous folder is removed after.

    One atomic exchange where the system has it, so ``target`` always exists;
    elsewhere two renames (``target`` is missing between them).
    """
    if not target.exists():
        new_dir.rename(target)
        return
    if exchange(new_dir, target):
        shutil.rmtree(new_dir, ignore_errors=True)  # it holds the previous folder now
        return
    old = new_dir.with_name(new_dir.name + ".old")
    target.rename(old)
    new_dir.rename(target)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_dir(target: str | os.PathLike[str], *, replace: bool = True, prefix: str | None = None) -> Iterator[Path]:
    """Build a folder beside ``target``, then swap it in only when the block succeeds.

    The kit's one way to write a whole folder (a new study, ``studies/``,
    ``_site/``): readers see the old folder or the complete new one, never a
    half-built one, and a failure (or a check raising inside the block)
    leaves the old one in place and removes the staging folder.
    ``replace=False`` refuses to overwrite: the final rename fails if
    ``target`` appeared meanwhile (``kit new`` never touches an existing study).
    ``prefix`` names the staging folder (default ``.<name>.``): Quarto must
    not take it for an input, so keep it starting with ``.`` or ``_``.
    A disk that fills up while the folder is built, and a failed swap, are an
    :class:`OutputWriteError` naming ``target``.
    """
    target = Path(target)
    name = f"{shown(target)}/"
    kept = f"the previous {name} is kept" if replace else "nothing was written"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = staging_dir(target.parent, prefix or f".{target.name.lstrip('.')}.")
    except OSError as err:
        raise OutputWriteError(name, err, kept=kept) from err
    try:
        yield staging
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputWriteError) and exc.errno in WRITE_ERRNOS:
            raise OutputWriteError(name, exc, kept=kept) from exc
        raise
    try:
        if replace:
            swap_in(staging, target)
        else:
            staging.rename(target)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputWriteError(name, err, kept=kept) from err


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (this process counts: its own files are in use)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_leftovers(folders: Iterable[Path], *, mine_only: bool = False) -> list[Path]:
    """Remove the temporary files and staging folders that killed kit processes left in ``folders``.

    Only names the kit gives (:data:`OWNED_NAME`), and only those of a process
    that no longer runs: a leftover of a run still in progress (another
    command not holding the repository lock, such as a form saving study.yml)
    is kept. ``mine_only`` also requires this user to own it (for the shared
    temporary folder). Returns what was removed.
    """
    removed: list[Path] = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:  # not there (yet): nothing left over
            continue
        for entry in entries:
            match = OWNED_NAME.match(entry.name)
            if match is None or _alive(int(match["pid"])):
                continue
            try:
                if mine_only and entry.stat(follow_symlinks=False).st_uid != os.getuid():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
            except FileNotFoundError:  # removed meanwhile
                continue
            except OSError as err:
                raise OutputWriteError(shown(entry.path), err, kept="left as it is") from err
            removed.append(Path(entry.path))
    return removed


@contextmanager
def owned_temp_dir(prefix: str) -> Iterator[Path]:
    """A private (0700) folder in the system's temporary folder, removed after the block.

    For what a run keeps outside the repository (kernel connection files and
    sockets). First removes the ones killed processes of this user left.
    """
    base = Path(tempfile.gettempdir())
    remove_leftovers([base], mine_only=True)
    folder = Path(tempfile.mkdtemp(prefix=owned_prefix(f"{prefix}."), dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def to_jsonable(value: Any) -> Any:
    """Convert pandas/numpy/date values to plain JSON types (a set becomes a sorted list)."""
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):  # no order of its own: sorted, so two runs write the same bytes
        return sorted((to_jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def atomic_write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as pretty, key-stable JSON, atomically."""
    text = json.dumps(to_jsonable(data), indent=2, ensure_ascii=False, allow_nan=False)
    return atomic_write_text(path, text + "\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file the kit wrote."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def read_stage_output(path: str | os.PathLike[str], shape: type[Shape], stage: str) -> Shape:
    """Read a stage's JSON output (plan.json, synthesis.json ...) as its declared shape.

    A missing file, or one of another shape (an older kit's, a half-written
    one), is a :class:`StageOrderError` naming the file and the stage to run.
    """
    path = Path(path)
    if not path.is_file():
        raise StageOrderError(f"{path}: not found; run {stage} first")
    try:
        return shape.model_validate_json(path.read_bytes())
    except PydanticValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StageOrderError(
            f"{path}: not the shape this kit writes ({where}: {first['msg']}); run {stage} again"
        ) from None
