"""kit import --qdpx refuses a project whose project.qde would inflate beyond the limits (issue 26, point 8)."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

from click.testing import CliRunner

from kit.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def test_a_qdpx_whose_project_xml_is_a_zip_bomb_is_refused_before_reading(tmp_path: Path, monkeypatch):
    shutil.copytree(ROOT / "notebooks" / "demo-checkout", tmp_path / "notebooks" / "demo-checkout")
    shutil.copy(ROOT / "codebook.yml", tmp_path / "codebook.yml")
    monkeypatch.setenv("KIT_REPO", str(tmp_path))
    runner = CliRunner()
    real = tmp_path / "out" / "demo.qdpx"
    assert runner.invoke(cli, ["export", "--qdpx", "demo-checkout", "-o", str(real)]).exit_code == 0
    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(real) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.lower() != "project.qde":
                zout.writestr(item.filename, data)
                continue
            head, tail = data.rsplit(b"</Project>", 1)
            with zout.open(item.filename, "w", force_zip64=True) as out:
                out.write(head)
                for _ in range(2000):  # 20 MB of comments: squeezed a thousandfold
                    out.write(b"<!--" + b"x" * 10_000 + b"-->")
                out.write(b"</Project>" + tail)
    codebook = (tmp_path / "codebook.yml").read_bytes()
    start = time.perf_counter()
    result = runner.invoke(cli, ["import", "--qdpx", str(bomb)])
    assert time.perf_counter() - start < 1
    assert result.exit_code == 1 and f"{bomb}: project.qde: compressed" in result.output
    assert "zip_max_ratio" in result.output and (tmp_path / "codebook.yml").read_bytes() == codebook
    assert runner.invoke(cli, ["import", "--qdpx", str(real)]).exit_code == 0
