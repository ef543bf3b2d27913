"""Shard assignment (balanced, deterministic, stable), the cost table and a shard's reports, without papermill."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.errors import UsageError
from kit.layout import COSTS_JSON, SHARD_JSON
from kit.run.shards import (
    SLACK,
    Shard,
    assign,
    expected_costs,
    parse_shard,
    prepare_shard_reports,
    read_costs,
    shard_studies,
    write_costs,
)


def _costs(n: int, seed: int = 7) -> dict[str, float]:
    rng = random.Random(seed)
    # Real-shaped: most studies take 20-60 s, a few are ten times that.
    return {f"study-{i:03d}": rng.uniform(20, 60) * (10 if rng.random() < 0.03 else 1) for i in range(n)}


def _loads(costs: dict[str, float], owner: dict[str, int], n: int) -> list[float]:
    loads = [0.0] * n
    for slug, k in owner.items():
        loads[k - 1] += costs[slug]
    return loads


def test_parse_shard():
    assert parse_shard("2/4") == Shard(2, 4)
    assert str(parse_shard(" 1 / 1 ")) == "1/1"
    for bad in ("0/4", "5/4", "1/0", "2", "a/b", ""):
        with pytest.raises(UsageError, match="--shard"):
            parse_shard(bad)


def test_every_study_gets_exactly_one_shard_and_loads_are_balanced():
    costs = _costs(300)
    owner = assign(costs, 4)
    assert set(owner) == set(costs) and set(owner.values()) == {1, 2, 3, 4}
    loads = _loads(costs, owner, 4)
    mean = sum(costs.values()) / 4
    assert max(loads) <= max(mean * (1 + SLACK), max(costs.values())) + 1e-9
    assert sum(loads) == pytest.approx(sum(costs.values()))


def test_one_huge_study_gets_a_shard_and_the_rest_share_the_others():
    costs = {"huge": 1000.0} | {f"s{i}": 10.0 for i in range(30)}
    owner = assign(costs, 4)
    assert [s for s, k in owner.items() if k == owner["huge"]] == ["huge"]


def test_assignment_is_deterministic_whatever_the_order():
    costs = _costs(120)
    shuffled = dict(random.Random(1).sample(sorted(costs.items()), len(costs)))
    assert assign(costs, 4) == assign(shuffled, 4)


def test_adding_a_study_keeps_most_studies_on_their_shard():
    costs = _costs(300)
    before = assign(costs, 4)
    after = assign(costs | {"study-new": 35.0}, 4)
    moved = [s for s in before if before[s] != after[s]]
    assert len(moved) <= 0.1 * len(before), moved
    # A plain greedy least-loaded pass would move far more: the test can tell the two apart.
    greedy = _greedy(costs, 4), _greedy(costs | {"study-new": 35.0}, 4)
    assert sum(greedy[0][s] != greedy[1][s] for s in costs) > len(moved)


def _greedy(costs: dict[str, float], n: int) -> dict[str, int]:
    loads, out = [0.0] * n, {}
    for slug in sorted(costs, key=lambda s: (-costs[s], s)):
        k = min(range(n), key=lambda i: loads[i])
        loads[k] += costs[slug]
        out[slug] = k + 1
    return out


def _study(repo: Path, slug: str, size: int) -> Path:
    d = repo / "notebooks" / slug
    (d / "data").mkdir(parents=True)
    (d / "study.yml").write_text(f"title: {slug}\n")
    (d / "data" / "notes.csv").write_text("x" * size)
    return d


def test_costs_come_from_the_table_else_from_data_size(tmp_path: Path):
    known = _study(tmp_path, "known", 1000)
    new = _study(tmp_path, "new", 3000)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / COSTS_JSON).write_text(json.dumps({"seconds": {"known": 50.0}}))
    costs = expected_costs([known, new], read_costs(tmp_path))
    assert costs["known"] == 50.0
    # new has ~3x the bytes of known: costed at known's seconds per byte.
    rate = 50.0 / (1000 + len("title: known\n"))
    assert costs["new"] == pytest.approx((3000 + len("title: new\n")) * rate)


def test_cost_table_is_written_from_the_manifests(tmp_path: Path):
    for slug, secs in (("a", [3.0, 4.5]), ("b", [10.0])):
        d = tmp_path / "reports" / slug
        d.mkdir(parents=True)
        stages = {f"0{i}.ipynb": {"seconds": s} for i, s in enumerate(secs)}
        (d / ".manifest.json").write_text(json.dumps({"format": 1, "stages": stages}))
    (tmp_path / "reports" / "c").mkdir()  # never ran: no manifest, no cost
    assert write_costs(tmp_path) == {"a": 7.5, "b": 10.0}
    assert read_costs(tmp_path) == {"a": 7.5, "b": 10.0}


def test_a_shard_keeps_only_its_studies_and_records_itself(tmp_path: Path):
    studies = [_study(tmp_path, f"s{i}", 100 * (i + 1)) for i in range(8)]
    for s in studies:
        (tmp_path / "reports" / s.name).mkdir(parents=True)
        (tmp_path / "reports" / s.name / "plan.json").write_text("{}")
    shares = [shard_studies(tmp_path, studies, Shard(k, 3)) for k in (1, 2, 3)]
    assert sorted(s.name for share in shares for s in share) == sorted(s.name for s in studies)
    mine = shares[1]
    prepare_shard_reports(tmp_path, mine, Shard(2, 3))
    left = sorted(p.name for p in (tmp_path / "reports").iterdir() if not p.name.startswith("."))
    assert left == sorted(s.name for s in mine)
    rec = json.loads((tmp_path / "reports" / SHARD_JSON).read_text())
    assert rec == {"shard": 2, "of": 3, "studies": left}


def test_cli_run_refuses_a_bad_shard_and_slugs_with_a_shard(tmp_path: Path, monkeypatch):
    _study(tmp_path, "a", 10)
    monkeypatch.setenv("KIT_REPO", str(tmp_path))
    assert CliRunner().invoke(cli, ["run", "--shard", "5/4"]).exit_code == 2
    assert CliRunner().invoke(cli, ["run", "a", "--shard", "1/2"]).exit_code == 2
