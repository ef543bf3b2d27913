"""Three-way merge of one kit file: the team's version, the kit's old one (the base) and the kit's new one.

``git merge-file`` does it (git-merge-file(1)): a team working in a git
repository has git, and it is the merge the team's own merges use, so
conflicts look the same. ``-p`` prints the result instead of writing it; the
exit status is the number of conflicts (capped at 127), negative or higher
on an error. Where git is missing the merge is not tried, and ``kit upgrade``
writes the kit's new version beside the team's file instead.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kit.errors import KitError

CONFLICT_LIMIT = 127  # git merge-file's exit status counts conflicts up to this


@dataclass(frozen=True)
class Merged:
    """The result of a three-way merge: the merged bytes when clean, else how many conflicts."""

    data: bytes | None
    conflicts: int


def git_available() -> bool:
    """Whether ``git`` is on PATH (the merge needs it)."""
    return shutil.which("git") is not None


def merge_three(ours: bytes, base: bytes, theirs: bytes, name: str) -> Merged:
    """Merge the kit's change (``base`` -> ``theirs``) into the team's file ``ours``.

    Clean: the merged bytes. Overlapping changes: ``data`` is None and the
    number of conflicts is given; the caller keeps the team's file as it is.
    """
    git = shutil.which("git")
    if git is None:
        raise KitError("git not found on PATH: needed to merge the kit's changes into changed files")
    with tempfile.TemporaryDirectory(prefix="kit-merge.") as tmp:
        paths = []
        for label, data in (("yours", ours), ("base", base), ("kit", theirs)):
            path = Path(tmp) / label
            path.write_bytes(data)
            paths.append(str(path))
        proc = subprocess.run(
            [git, "merge-file", "-p", "-L", f"{name} (yours)", "-L", f"{name} (base)", "-L", f"{name} (kit)", *paths],
            capture_output=True,
        )
    if proc.returncode == 0:
        return Merged(proc.stdout, 0)
    if 0 < proc.returncode <= CONFLICT_LIMIT:
        return Merged(None, proc.returncode)
    raise KitError(f"git merge-file failed on {name} (exit {proc.returncode}): {proc.stderr.decode(errors='replace')}")
