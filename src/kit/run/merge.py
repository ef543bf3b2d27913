"""``kit merge``: combine the ``reports/`` folders of ``kit run --shard K/N`` into one.

Each shard's folder carries its record ``.shard.json`` (shard K of N, the
studies it ran; :mod:`kit.run.shards`). The merge checks the records before
touching anything: every shard 1..N present once, all cut for the same N, no
study in two folders, and every study of the repository run by some shard
(shards that restored different cost tables would disagree on who runs what).
Then one ``reports/`` is built beside the old one and swapped in, and the cost
table is rewritten from the merged manifests for the next run's shards. The
caller rebuilds the index (:func:`kit.site.index.refresh_index`).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from kit.errors import KitError, UsageError
from kit.iorw import read_json, staged_dir
from kit.layout import COSTS_JSON, SHARD_JSON, is_study_report_dir, reports_root
from kit.run.shards import write_costs


class MergeError(KitError):
    """The shards' reports cannot be combined (a shard missing, a study twice ...)."""


@dataclass
class MergeResult:
    shards: int
    studies: list[str]


def _shard_record(folder: Path) -> dict[str, Any]:
    path = folder / SHARD_JSON
    try:
        rec = read_json(path)
    except FileNotFoundError:
        raise MergeError(
            f"{folder}: not a shard's reports (no {SHARD_JSON}; it is written by `kit run --shard K/N`)"
        ) from None
    except ValueError as exc:
        raise MergeError(f"{path}: unreadable ({exc})") from None
    ok = (
        isinstance(rec, dict)
        and isinstance(rec.get("shard"), int)
        and isinstance(rec.get("of"), int)
        and isinstance(rec.get("studies"), list)
    )
    if not ok:
        raise MergeError(f"{path}: expected {{shard: K, of: N, studies: [...]}}, found {json.dumps(rec)[:80]}")
    return cast(dict[str, Any], rec)  # read_json gives Any; checked above: a mapping with shard, of and studies


def merge_shards(repo_root: Path, folders: list[Path], expected: list[str] | None = None) -> MergeResult:
    """Combine shards' ``reports/`` folders into ``<repo>/reports`` (replaced once all checks pass).

    Refuses: a folder without a shard record, shards of different counts, a
    shard given twice, a study in two folders; reports every shard of 1..N
    that is missing, and every study of ``expected`` (the repository's
    studies) that no shard ran. The cost table is rewritten from the merged
    manifests; the caller rebuilds the index.
    """
    if not folders:
        raise UsageError("kit merge: name the shards' reports folders (kit merge DIR ...)")
    records: dict[int, Path] = {}
    counts: set[int] = set()
    owner: dict[str, Path] = {}
    problems: list[str] = []
    for folder in map(Path, folders):
        if not folder.is_dir():
            raise MergeError(f"{folder}: no such folder")
        rec = _shard_record(folder)
        counts.add(rec["of"])
        if rec["shard"] in records:
            problems.append(f"shard {rec['shard']}/{rec['of']} given twice: {records[rec['shard']]} and {folder}")
        records[rec["shard"]] = folder
        for d in sorted(p for p in folder.glob("*") if is_study_report_dir(p)):
            if d.name in owner:
                problems.append(f"study {d.name!r} is in two shards: {owner[d.name]} and {folder}")
            owner.setdefault(d.name, folder)
    if len(counts) > 1:
        raise MergeError(f"the shards were cut for different counts: {sorted(counts)} (one N for all)")
    count = counts.pop()
    missing = [k for k in range(1, count + 1) if k not in records]
    if missing:
        problems.append(
            "missing shard" + ("s " if len(missing) > 1 else " ") + ", ".join(f"{k}/{count}" for k in missing)
        )
    if expected is not None and not missing:
        unrun = sorted(set(expected) - set(owner))
        if unrun:
            problems.append(
                f"studies run by no shard: {', '.join(unrun)} (did the shards restore different {COSTS_JSON}?)"
            )
    if problems:
        raise MergeError("cannot merge the shards' reports:\n  " + "\n  ".join(problems))
    reports = reports_root(repo_root)
    with staged_dir(reports) as staging:
        for slug, folder in sorted(owner.items()):
            shutil.copytree(folder / slug, staging / slug)
    write_costs(repo_root)
    return MergeResult(count, sorted(owner))
