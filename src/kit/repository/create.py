"""``kit init DIR``: a new research repository, with no demo content unless asked.

Everything is written into a staging folder beside ``DIR`` and renamed into
place only when complete (:func:`kit.iorw.staged_dir` with ``replace=False``),
so a refused or failed init leaves nothing behind, and an existing non-empty
``DIR`` is never touched. The files come from the kit's one table
(:mod:`kit.repository.kit_files`); ``.kit/`` records what was written, for
``kit upgrade``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kit.errors import UsageError
from kit.iorw import shown, staged_dir
from kit.layout import NOTEBOOKS_DIR
from kit.repository.kit_files import Answers, demo_files, digest, installed_requirement, kit_files
from kit.repository.record import FileRecord, TemplateRecord, write_base

MAX_TITLE = 200  # characters: a site title, not a paragraph


@dataclass(frozen=True)
class Created:
    """What ``kit init`` wrote: the repository and its files (relative paths, sorted)."""

    root: Path
    files: tuple[str, ...]


def check_target(target: Path) -> None:
    """Refuse a ``DIR`` that is a file or a folder with anything in it (exit 2, nothing written)."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UsageError(f"DIR {shown(target)!r}: exists and is not a folder; nothing was written")
    if target.is_dir():
        entries = sorted(os.listdir(target))
        if entries:
            listed = ", ".join(entries[:5]) + (" ..." if len(entries) > 5 else "")
            raise UsageError(
                f"DIR {shown(target)!r}: not empty (found {listed}); expected a new or empty folder; "
                "nothing was written"
            )


def check_title(title: str) -> str:
    """The site title, stripped; refused when empty, multi-line or longer than :data:`MAX_TITLE`."""
    cleaned = title.strip()
    if not cleaned or "\n" in cleaned or "\r" in cleaned or len(cleaned) > MAX_TITLE:
        raise UsageError(f"--title {title!r}: expected one line of 1-{MAX_TITLE} characters")
    return cleaned


def init_repository(target: str | Path, title: str | None = None, *, demo: bool = False) -> Created:
    """Create the research repository ``target`` (exit 2 when it exists and is not empty).

    Writes every file of ``data/repository.yml`` (the kit's and the team's
    starting ones), an empty ``notebooks/``, with ``demo`` the demo's studies
    and codebook over them, and ``.kit/`` (the record and the base copy of
    each kit file).
    """
    target = Path(target).absolute()
    check_target(target)
    answers = Answers(requirement=installed_requirement())
    if title is not None:
        answers = Answers(title=check_title(title), requirement=answers.requirement)
    record = TemplateRecord(answers=answers, demo=demo)
    written: dict[str, bytes] = {}
    for item in kit_files():
        written[item.path] = item.text(answers)
    if demo:
        for path, packaged in demo_files().items():
            written[path] = packaged.read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    # replace=False: the final rename fails, writing nothing, when DIR filled up meanwhile
    # (renaming over an empty folder replaces it: kit init into a new empty folder works).
    with staged_dir(target, replace=False) as staging:
        (staging / NOTEBOOKS_DIR).mkdir()
        for path, data in written.items():
            out = staging / path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        for item in kit_files():
            if item.owner == "kit":
                write_base(staging, item.path, written[item.path])
                record.files[item.path] = FileRecord(digest(written[item.path]), record.kit_version)
        record.save(staging)
    return Created(target, tuple(sorted(written)))
