"""Study tables read lightly, across every study of a repository (the panel's view of them).

The panel reads two small files of every study (200 studies: 400 files);
pandas' per-file set-up would cost seconds, so CSV goes through :mod:`csv`
directly, with cells cleaned as the stages clean them (whitespace runs to
one space) and each row's line in the file kept for messages. ``.xlsx``
files use the stages' reader (:func:`kit.study.tables.read_table_file`).
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kit.errors import Problem
from kit.layout import DATA_DIR, NOTEBOOKS_DIR, notebooks_root
from kit.study.tables import LINE, clean, decode, find_table, read_table_file


def study_data_dirs(repo_root: Path) -> list[Path]:
    """Every ``notebooks/<slug>/data`` folder, sorted by slug."""
    return sorted(p for p in notebooks_root(repo_root).glob(f"*/{DATA_DIR}") if p.is_dir())


@dataclass
class Records:
    """One study table as text columns with each row's file line (what the history needs of it)."""

    source: str
    columns: dict[str, list[str]]
    lines: list[int]

    def where(self, line: int) -> str:
        return f"{self.source}:{line}"


def read_records(data_dir: Path, stem: str, slug: str, problems: list[Problem]) -> Records | None:
    """One study table as text cells with file lines.

    CSV goes through :mod:`csv` directly: the panel reads two small files of
    every study (200 studies: 400 files) and pandas' per-file set-up would
    cost seconds. Cells are cleaned as the stages clean them; ``.xlsx`` uses
    the stages' reader.
    """
    path = find_table(data_dir, stem)
    if path is None:
        return None
    source = f"{NOTEBOOKS_DIR}/{slug}/{DATA_DIR}/{path.name}"
    if path.suffix.lower() != ".csv":
        table = read_table_file(path, stem, problems, source=source)
        if table is None:
            return None
        frame = table.frame
        return Records(source, {c: frame[c].tolist() for c in frame.columns if c != LINE}, frame[LINE].tolist())
    reader = csv.reader(io.StringIO(decode(path.read_bytes(), source, problems)))
    header: list[str] | None = None
    rows, lines = [], []
    previous = 0
    for record in reader:
        start, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines (Excel leaves trailing ,,,, rows)
        if header is None:
            header = [clean(c).lstrip("\ufeff").lower().replace(" ", "_") for c in record]
            continue
        rows.append([" ".join(c.split()) for c in record[: len(header)]] + [""] * (len(header) - len(record)))
        lines.append(start)
    header = header or []
    return Records(source, {name: [r[i] for r in rows] for i, name in enumerate(header)}, lines)


def person_links(data_dir: Path, problems: list[Problem]) -> dict[str, str]:
    """participant_id -> person_id of one study ({} without a person_id column)."""
    slug = data_dir.parent.name
    table = read_records(data_dir, "participants", slug, problems)
    if table is None or "person_id" not in table.columns or "participant_id" not in table.columns:
        return {}
    f = table.columns
    return {p: q for p, q in zip(f["participant_id"], f["person_id"]) if p and q}


FilesStamp = tuple[tuple[str, int, int], ...]  # (path, mtime in ns, size) of each file


def files_stamp(paths: list[Path]) -> FilesStamp:
    """(path, mtime, size) of each file: a cheap key for caching what was read from them in this process."""
    out = []
    for f in sorted(paths):
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(out)


def roster_files(repo_root: Path) -> list[Path]:
    """Every study's participants and sessions files (what the panel derives from)."""
    base = notebooks_root(repo_root)
    return [p for stem in ("participants", "sessions") for p in base.glob(f"*/{DATA_DIR}/{stem}.*") if p.is_file()]


# Repository root -> roster stamp, while a `kit run` holds the rosters still (rosters_fixed).
_FIXED: dict[Path, FilesStamp] = {}


def roster_stamp(repo_root: Path) -> FilesStamp:
    """:func:`files_stamp` of every study's participants and sessions files.

    The cache key of what the panel derives from every study. Every stage of
    every study asks for it (to hash its panel inputs), and each answer globs
    and stats every study's files: inside :func:`rosters_fixed` it is taken
    once, or a run of 300 studies would stat 300 x 300 files.
    """
    root = Path(repo_root).resolve()
    fixed = _FIXED.get(root)
    return fixed if fixed is not None else files_stamp(roster_files(root))


@contextlib.contextmanager
def rosters_fixed(repo_root: Path) -> Iterator[None]:
    """Within the block, :func:`roster_stamp` is the one taken on entry.

    For ``kit run`` under its repository lock: stages write only to
    ``reports/``, never to a study's data, so the rosters cannot change
    during the run (a hand edit meanwhile is picked up by the next run).
    """
    root = Path(repo_root).resolve()
    _FIXED[root] = files_stamp(roster_files(root))
    try:
        yield
    finally:
        _FIXED.pop(root, None)
