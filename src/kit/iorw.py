"""Reading and writing files safely.

Everything the kit writes (study.yml from forms, reports, the site) goes
through :func:`atomic_write_text` or :func:`atomic_write_json`, so a crash or
a validation failure never leaves a half-written file behind: the content is
written to a temporary file in the same folder and renamed over the target,
which is atomic on POSIX file systems.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from kit.errors import StageOrderError

Shape = TypeVar("Shape", bound=BaseModel)

# The process umask, read once at import (os.umask can only be read by setting
# it, which must not race with the threads `kit run` starts later).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


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
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename), keeping its mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path, 0o666)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Text twin of :func:`atomic_write_bytes` (newlines written as given)."""
    return atomic_write_bytes(path, text.encode(encoding))


def staging_dir(parent: Path, prefix: str) -> Path:
    """A new empty folder in ``parent`` to build into before a rename swaps it in.

    Its mode is what ``mkdir`` would give (0777 less the umask), not mkdtemp's
    0700, since it becomes ``_site/``, ``studies/`` or a study folder.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, 0o777 & ~_UMASK)
    return folder


def swap_in(new_dir: Path, target: Path) -> None:
    """Replace ``target`` by ``new_dir`` with two renames; the old folder is removed after."""
    old = target.with_name(f".{target.name.lstrip('.')}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
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
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(target.parent, prefix or f".{target.name.lstrip('.')}.")
    try:
        yield staging
        if replace:
            swap_in(staging, target)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def to_jsonable(value: Any) -> Any:
    """Convert pandas/numpy/date values to plain JSON types."""
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
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
