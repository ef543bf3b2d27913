"""kit merge: combining shards' reports, and every refusal (a study twice, a missing shard ...)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.layout import COSTS_JSON, SHARD_JSON
from kit.run.merge import MergeError, merge_shards
from kit.run.shards import read_costs


def _study(repo: Path, slug: str, size: int) -> Path:
    d = repo / "notebooks" / slug
    (d / "data").mkdir(parents=True)
    (d / "study.yml").write_text(f"title: {slug}\n")
    (d / "data" / "notes.csv").write_text("x" * size)
    return d


def _shard_dir(base: Path, k: int, n: int, slugs: list[str]) -> Path:
    d = base / f"reports-shard-{k}"
    d.mkdir(parents=True)
    (d / SHARD_JSON).write_text(json.dumps({"shard": k, "of": n, "studies": slugs}))
    for slug in slugs:
        (d / slug).mkdir()
        (d / slug / "plan.json").write_text(json.dumps({"slug": slug}))
        (d / slug / ".manifest.json").write_text(json.dumps({"format": 1, "stages": {"x": {"seconds": 2}}}))
    return d


def test_merge_combines_shards_and_replaces_reports(tmp_path: Path):
    (tmp_path / "reports" / "stale").mkdir(parents=True)
    dirs = [_shard_dir(tmp_path / "in", 1, 2, ["a", "c"]), _shard_dir(tmp_path / "in", 2, 2, ["b"])]
    result = merge_shards(tmp_path, dirs, expected=["a", "b", "c"])
    assert result.studies == ["a", "b", "c"] and result.shards == 2
    reports = tmp_path / "reports"
    assert sorted(p.name for p in reports.iterdir()) == [COSTS_JSON, "a", "b", "c"]
    assert json.loads((reports / "b" / "plan.json").read_text()) == {"slug": "b"}
    assert (reports / "a" / ".manifest.json").is_file()
    assert read_costs(tmp_path) == {"a": 2.0, "b": 2.0, "c": 2.0}


@pytest.mark.parametrize(
    "case, message",
    [
        ("duplicate", "study 'a' is in two shards"),
        ("missing", "missing shard 3/3"),
        ("twice", "shard 1/3 given twice"),
        ("unrun", "studies run by no shard: d"),
        ("counts", "different counts"),
    ],
)
def test_merge_refuses_and_keeps_reports(tmp_path: Path, case: str, message: str):
    (tmp_path / "reports" / "old").mkdir(parents=True)
    base = tmp_path / "in"
    dirs = [_shard_dir(base, 1, 3, ["a"]), _shard_dir(base, 2, 3, ["b"])]
    expected = ["a", "b", "c"]
    if case == "duplicate":
        dirs.append(_shard_dir(base, 3, 3, ["a", "c"]))
    elif case == "twice":
        dirs += [_shard_dir(base, 3, 3, ["c"]), _shard_dir(base / "again", 1, 3, [])]
    elif case == "unrun":
        dirs.append(_shard_dir(base, 3, 3, ["c"]))
        expected.append("d")
    elif case == "counts":
        dirs.append(_shard_dir(base, 3, 4, ["c"]))
    with pytest.raises(MergeError, match=message):
        merge_shards(tmp_path, dirs, expected)
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["old"]


def test_merge_names_a_folder_that_is_no_shard(tmp_path: Path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(MergeError, match="plain: not a shard's reports"):
        merge_shards(tmp_path, [tmp_path / "plain"])


def test_cli_merge_rebuilds_the_index_and_reports_a_missing_shard(tmp_path: Path, monkeypatch):
    for slug in ("a", "b"):
        _study(tmp_path, slug, 10)
    monkeypatch.setenv("KIT_REPO", str(tmp_path))
    one = _shard_dir(tmp_path / "in", 1, 2, ["a"])
    bad = CliRunner().invoke(cli, ["merge", str(one)])
    assert bad.exit_code == 1 and "missing shard 2/2" in bad.output
    two = _shard_dir(tmp_path / "in", 2, 2, ["b"])
    ok = CliRunner().invoke(cli, ["merge", str(one), str(two)])
    assert ok.exit_code == 0, ok.output
    assert "merged 2 studies from 2 shards" in ok.output
    assert json.loads((tmp_path / "reports" / "index.json").read_text())["studies"] == []
