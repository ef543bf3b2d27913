"""The wheel carries the whole kit: installed without -e, it makes a repository (kit init --demo), runs the demo
and builds the preview.

An editable install reads ``src/kit`` and would hide a data file missing from
the wheel (as ``kit/data/preview.js`` once was). Here the wheel is built,
installed with ``--no-deps`` into a fresh virtual environment, and that
environment's ``kit`` runs the demo study and builds the preview site; every
script and stylesheet a page references must exist. The third-party
dependencies come from the test's own environment through a ``.pth`` line
(the registries are not needed twice, and only the kit's own files are under
test); ``kit`` itself must import from the fresh environment, not from src/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from kit.site.build import PROJECT_FILES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"'#?]+)""", re.I)


def _run(args: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    # Never PYTHONPATH: it would put a source tree ahead of the installed wheel.
    env = env or {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_wheel_installed_without_editable_runs_the_demo_and_builds_a_complete_preview(tmp_path: Path):
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, ROOT], tmp_path)
    wheel = next(dist.glob("research_ops_kit-*.whl"))

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).stdout.strip()
    )
    (site / "kit-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", wheel], tmp_path)
    where = _run([python, "-c", "import kit; print(kit.__file__)"], tmp_path).stdout.strip()
    assert where.startswith(str(site)), f"kit imported from {where}, not from the installed wheel"

    repo = tmp_path / "repo"
    kit = venv / "bin" / "kit"
    # The fresh environment's kernel first; nbconvert's templates are data files of the borrowed
    # dependencies' environment.
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "JUPYTER_PATH": f"{venv / 'share' / 'jupyter'}:{Path(sys.prefix) / 'share' / 'jupyter'}",
    }
    # The repository comes from the wheel's own files (kit init --demo): templates, site, workflow, demo.
    _run([kit, "init", repo, "--demo"], tmp_path, env)
    for name in [*PROJECT_FILES, "templates/01-plan.ipynb", ".github/workflows/publish.yml", ".gitignore"]:
        assert (repo / name).is_file(), name
    assert (repo / "notebooks" / "demo-checkout" / "study.yml").is_file()
    # The templates name the python3 kernel: register the fresh environment's own.
    _run([python, "-m", "ipykernel", "install", "--prefix", venv, "--name", "python3"], repo)
    _run([kit, "run", "demo-checkout"], repo, env)
    _run([kit, "site", "--no-quarto"], repo, env)

    pages = sorted((repo / "_site").rglob("*.html"))
    assert len(pages) >= 6  # home, insights, playbook and the demo's three pages
    missing = []
    for page in pages:
        for ref in ASSET.findall(page.read_text("utf-8")):
            if ref.startswith("data:"):  # inline (the empty favicon)
                continue
            if ref.startswith(("http:", "https:", "//")):
                missing.append(f"{page.relative_to(repo)}: external {ref}")
            elif not (page.parent / ref).resolve().is_file():
                missing.append(f"{page.relative_to(repo)}: {ref}")
    assert missing == []
    assert (repo / "_site" / "assets" / "preview.js").is_file()
