"""Content digests of what a stage reads: files, notebooks' cells, the kit itself, the study's globs.

Every input of a stage is reduced to a SHA-256 digest of its content, not its
modification time: a ``git checkout`` touches files without changing them.
The input providers (:mod:`kit.run.input_kinds`) build their stamps from
these; the manifest (:mod:`kit.run.manifest`) digests the stamps into a key.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from kit import __version__
from kit.layout import INVITES_FILE

MISSING = "missing"
DISTRIBUTION = "research-ops-kit"
_CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (``missing`` when it does not exist)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except FileNotFoundError:
        return MISSING
    return h.hexdigest()


def digest_of(value: object) -> str:
    """SHA-256 of a JSON value (keys sorted): the digest of a derived input or of a stage's inputs."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def notebook_digest(path: Path) -> str:
    """Digest of a notebook's *cells* (type and source) and kernel name.

    Outputs, execution counts and metadata are left out: opening and saving a
    study's copy in JupyterLab changes those without changing what runs.
    Every study reads the same three templates: their digests are memoised
    per file version (path, size, modification time), so a run of hundreds of
    studies parses each template once.
    """
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        return MISSING
    return _notebook_digest(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _notebook_digest(path: str, size: int, mtime_ns: int) -> str:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return MISSING
    except ValueError:
        return file_digest(Path(path))  # not JSON: papermill will say so; any edit re-runs
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    cells = [
        (c.get("cell_type"), _text(c.get("source", "")), c.get("metadata", {}).get("tags", []))
        for c in nb.get("cells", [])
    ]
    return digest_of({"kernel": kernel, "cells": cells})


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


@functools.cache
def kit_fingerprint() -> str:
    """``<version>+<digest>`` of the kit's code, rule tables and environment.

    The version alone misses edits during development (an editable install
    keeps its version), so the package's ``*.py`` and ``data/*`` files are
    hashed too, with the Python version and the installed versions of the
    kit's direct dependencies (a pandas or plotly upgrade can change every
    output): any change re-runs every stage.
    """
    package = Path(__file__).parent.parent
    h = hashlib.sha256()
    for path in sorted(p for pattern in ("**/*.py", "data/*") for p in package.glob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(file_digest(path).encode())
    h.update(f"python {sys.version_info[:3]}\0".encode())
    for name, version in dependency_versions().items():
        h.update(f"{name}=={version}\0".encode())
    return f"{__version__}+{h.hexdigest()[:16]}"


def dependency_versions() -> dict[str, str]:
    """Installed version of each direct dependency of the kit ({} when running from a source tree)."""
    from importlib import metadata

    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:  # running from a source tree
        return {}
    names = sorted({re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0] for r in requirements if "extra ==" not in r})
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = MISSING
    return versions


def _skipped(path: Path) -> bool:
    # Editor lock/backup files (".~lock.notes.csv#", "~$notes.xlsx") and hidden
    # folders (".ipynb_checkpoints") are not data.
    # invites.csv is `kit recruit`'s proposal: no stage reads it.
    return path.name.startswith((".", "~$")) or path.name.endswith("~") or path.name == INVITES_FILE


def study_files(study_dir: Path, patterns: Iterable[str]) -> list[Path]:
    """Files of a study matched by the table's globs; literal names even when absent."""
    found: set[Path] = set()
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            # "data/**" means every file below data/ (Path.glob gives only folders for it
            # before Python 3.13).
            pattern = pattern + "/*" if pattern.endswith("**") else pattern
            found.update(
                p
                for p in study_dir.glob(pattern)
                if p.is_file()
                # ".." parts lead to repository data (../../requests/*), not hidden files
                and not any(_skipped(Path(part)) for part in p.relative_to(study_dir).parts if part != "..")
            )
        else:
            found.add(study_dir / pattern)  # absent -> "missing": creating it is a change
    return sorted(found)
