"""kit run --shard K/N on separate "machines" + kit merge give the reports of one unsharded run."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from demo_copy import copy_demo_study
from kit.cli import cli
from kit.layout import SHARD_JSON

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "notebooks" / "demo-checkout"
SLUGS = ("checkout-a", "checkout-b", "checkout-c")
# What legitimately differs between two executions of the same notebook.
VOLATILE_KEYS = {"papermill", "execution", "ExecuteTime"}
# Fresh per execution: plotly's div ids (UUIDs) and pandas Styler's table ids (T_ + 5 hex digits).
RANDOM_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\bT_[0-9a-f]{5}(?=[_ \"])")


def _machine(base: Path, name: str) -> Path:
    """A fresh checkout: templates and the study folders, no reports."""
    repo = base / name
    shutil.copytree(ROOT / "templates", repo / "templates")
    shutil.copytree(ROOT / "metrics", repo / "metrics")  # the demo's R1 is judged by its series
    for n, slug in enumerate(SLUGS):
        copy_demo_study(repo / "notebooks" / slug)
        study = repo / "notebooks" / slug / "study.yml"
        study.write_text(
            study.read_text(encoding="utf-8").replace("title:", f"title: Copy {n} of", 1), encoding="utf-8"
        )
    return repo


def _kit(repo: Path, monkeypatch, *args: str) -> str:
    monkeypatch.setenv("KIT_REPO", str(repo))
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    if isinstance(value, str):
        return RANDOM_IDS.sub("<id>", value)
    return value


def _published(reports: Path) -> dict[str, object]:
    """Every file under reports/ (timings and run bookkeeping aside), by relative path."""
    out: dict[str, object] = {}
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        rel = path.relative_to(reports).as_posix()
        if path.name.startswith(".") or rel.endswith(".lock"):
            continue  # manifests (durations, finish times), cost table, locks
        if path.suffix in (".json", ".ipynb"):
            data = json.loads(path.read_text(encoding="utf-8"))
            if path.suffix == ".ipynb":
                for cell in data["cells"]:
                    cell.pop("id", None)  # papermill gives cells fresh ids
            out[rel] = _strip(data)
        else:
            out[rel] = path.read_bytes()
    return out


def test_sharded_and_merged_reports_equal_an_unsharded_run(tmp_path: Path, monkeypatch):
    single = _machine(tmp_path, "single")
    _kit(single, monkeypatch, "run", "--jobs", "2")

    shard_dirs = []
    for k in (1, 2):
        machine = _machine(tmp_path, f"shard{k}")
        _kit(machine, monkeypatch, "run", "--shard", f"{k}/2", "--jobs", "2")
        assert json.loads((machine / "reports" / SHARD_JSON).read_text())["shard"] == k
        shard_dirs.append(machine / "reports")
    ran = [sorted(p.name for p in d.iterdir() if p.is_dir()) for d in shard_dirs]
    assert sorted(ran[0] + ran[1]) == sorted(SLUGS) and all(ran), ran  # both shards had work

    merged = _machine(tmp_path, "merge")
    out = _kit(merged, monkeypatch, "merge", *map(str, shard_dirs))
    assert "merged 3 studies from 2 shards" in out

    expected, got = _published(single / "reports"), _published(merged / "reports")
    assert sorted(got) == sorted(expected)
    assert "index.json" in got and any(k.endswith("03-insights.ipynb") for k in got)
    for rel in expected:
        assert got[rel] == expected[rel], (rel, _first_difference(expected[rel], got[rel]))


def _first_difference(a, b, where: str = "") -> str:
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        for k in sorted(a.keys() | b.keys()):
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{where}/{k}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, f"{where}[{i}]")
    return f"{where}: {str(a)[:300]!r} != {str(b)[:300]!r}"
