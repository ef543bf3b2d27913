"""Shards: split the studies over N machines (``kit run --shard K/N``) and merge their reports.

**Assignment.** Every machine of a CI matrix computes the same assignment on
its own, so it must depend only on what every machine has: the study folders
(from git) and the cost table ``reports/.costs.json`` (slug -> seconds, the
sum of each study's last stage durations from its run manifest). ``kit
merge`` writes that table from every shard's manifests; the workflow caches
it and restores it on every shard before the next run. A study missing from
the table (new, or no table yet) is costed by its data size (bytes of its
study folder), converted to seconds at the median seconds-per-byte of the
costed studies (with no costed study at all, the bytes themselves are the
cost). A shard's own manifests are deliberately *not* read here: each shard
restores only its own studies' manifests, and costs that differ between
machines would give each a different assignment (a study run twice, or never).

The assignment is *rendezvous (highest-random-weight) hashing with a
capacity*: each study ranks the N shards by ``sha256(slug, shard)``; studies
are placed in decreasing order of cost (ties by slug), each on the first
shard of its own ranking whose load stays within ``capacity = max(total / N
× (1 + SLACK), largest cost)``, else on the least-loaded shard. Rendezvous
hashing alone is stable (adding a study never moves another) but not balanced;
a greedy least-loaded pass is balanced but reshuffles on every addition; the
capacity keeps most of the first's stability with the second's bound: no
shard exceeds the mean by more than SLACK (or one study's cost), and a new
study moves only the few studies whose first choice it fills.
(Thaler & Ravishankar 1998, "Using name-based mappings to increase hit rates";
the capacity bound follows Mirrokni et al. 2018, "Consistent hashing with
bounded loads".)

**Records.** A shard run writes ``reports/.shard.json`` (its number, the
count and the studies it ran) and removes the reports of studies that are not
its own (moved to another shard, or deleted), so its ``reports/`` holds
exactly its share; :mod:`kit.run.merge` combines the shards' folders.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path

from kit.errors import UsageError
from kit.iorw import atomic_write_json, read_json
from kit.layout import (
    COSTS_JSON,
    SHARD_JSON,
    is_study_report_dir,
    reports_root,
)
from kit.run.manifest import MANIFEST_FILE

SLACK = 0.05  # a shard may carry 5% more than the mean expected cost


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"K/N"`` -> Shard(K, N), with 1 <= K <= N."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not m:
        raise UsageError(f"--shard: expected K/N such as 2/4, found {text!r}")
    index, count = int(m.group(1)), int(m.group(2))
    if count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard: K must be between 1 and N (N >= 1), found {text!r}")
    return Shard(index, count)


def data_size(study_dir: Path) -> int:
    """Bytes of every file in a study folder (git gives every machine the same)."""
    return sum(p.stat().st_size for p in Path(study_dir).rglob("*") if p.is_file())


def read_costs(repo_root: Path) -> dict[str, float]:
    """The cost table ``reports/.costs.json`` (slug -> seconds); empty when absent or unreadable."""
    path = reports_root(repo_root) / COSTS_JSON
    try:
        data = read_json(path)
    except (FileNotFoundError, ValueError):
        return {}
    table = data.get("seconds") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        return {}
    return {str(k): float(v) for k, v in table.items() if isinstance(v, (int, float)) and v >= 0}


def manifest_seconds(study_reports: Path) -> float | None:
    """Sum of the last recorded stage durations in a study's manifest (None without one)."""
    try:
        stages = read_json(Path(study_reports) / MANIFEST_FILE).get("stages", {})
    except (FileNotFoundError, ValueError, AttributeError):
        return None
    if not isinstance(stages, dict) or not stages:
        return None
    return float(sum(float(s.get("seconds", 0) or 0) for s in stages.values() if isinstance(s, dict)))


def write_costs(repo_root: Path) -> dict[str, float]:
    """Write ``reports/.costs.json`` from every study's manifest under ``reports/``; the table."""
    reports = reports_root(repo_root)
    table = {}
    for d in sorted(p for p in reports.glob("*") if is_study_report_dir(p)):
        seconds = manifest_seconds(d)
        if seconds is not None:
            table[d.name] = round(seconds, 2)
    if reports.is_dir():
        atomic_write_json(reports / COSTS_JSON, {"seconds": table})
    return table


def expected_costs(studies: list[Path], known: dict[str, float]) -> dict[str, float]:
    """Slug -> expected seconds: ``known`` (the cost table), else data size at the median rate."""
    sizes = {s.name: data_size(s) for s in studies}
    rates = [known[slug] / size for slug, size in sizes.items() if slug in known and size > 0]
    rate = statistics.median(rates) if rates else 1.0
    return {slug: known[slug] if slug in known else size * rate for slug, size in sizes.items()}


def _score(slug: str, shard: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{slug}\0{shard}".encode()).digest()[:8], "big")


def assign(costs: dict[str, float], count: int) -> dict[str, int]:
    """Slug -> shard (1..count): rendezvous ranking within a capacity (see the module docstring)."""
    if count < 1:
        raise ValueError("count must be >= 1")
    total = sum(costs.values())
    capacity = max(total / count * (1 + SLACK), max(costs.values(), default=0.0))
    loads = [0.0] * (count + 1)
    out: dict[str, int] = {}
    for slug in sorted(costs, key=lambda s: (-costs[s], s)):
        ranking = sorted(range(1, count + 1), key=lambda k: _score(slug, k), reverse=True)
        cost = costs[slug]
        chosen = next((k for k in ranking if loads[k] + cost <= capacity), None)
        if chosen is None:
            chosen = min(ranking, key=lambda k: loads[k])  # stable tie-break: ranking order
        loads[chosen] += cost
        out[slug] = chosen
    return out


def shard_studies(repo_root: Path, studies: list[Path], shard: Shard) -> list[Path]:
    """The studies (of ``studies``) that ``shard`` runs."""
    costs = expected_costs(studies, read_costs(repo_root))
    owner = assign(costs, shard.count)
    return [s for s in studies if owner[s.name] == shard.index]


def prepare_shard_reports(repo_root: Path, mine: list[Path], shard: Shard) -> list[str]:
    """Remove reports of studies that are not this shard's, record the shard; the removed slugs.

    A shard's cache may hold studies that moved to another shard since (or
    were deleted): uploaded, they would be merged twice.
    """
    reports = reports_root(repo_root)
    reports.mkdir(parents=True, exist_ok=True)
    keep = {s.name for s in mine}
    gone = sorted(d.name for d in reports.glob("*") if is_study_report_dir(d) and d.name not in keep)
    for slug in gone:
        shutil.rmtree(reports / slug)
    atomic_write_json(reports / SHARD_JSON, {"shard": shard.index, "of": shard.count, "studies": sorted(keep)})
    return gone
