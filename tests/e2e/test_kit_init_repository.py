"""A team's own repository end to end, with the real ``kit`` command: ``kit init`` gives an empty site that
says how to start, then ``kit new``, ``kit run`` and ``kit site`` publish a first study; ``kit upgrade
--dry-run`` has nothing to do on it. Quarto too when it is on PATH."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kit.site.build import quarto_path

pytestmark = pytest.mark.slow

SRC = Path(__file__).resolve().parents[2] / "src"
ENGINES = ["--no-quarto"] + (["--quarto"] if quarto_path() else [])


def kit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``kit`` command in a new process, the kit of this checkout first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-c", "from kit.cli import main; main()", *args]
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"kit {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc


def _home(repo: Path) -> str:
    html = (repo / "_site" / "index.html").read_text("utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.find("<main") :]).split())


def test_a_new_repository_builds_empty_then_with_its_first_study(tmp_path: Path):
    kit(tmp_path, "init", "acme-research", "--title", "Acme research")
    repo = tmp_path / "acme-research"
    assert "nothing to do" in kit(repo, "upgrade", "--dry-run").stdout

    for engine in ENGINES:
        kit(repo, "site", engine)
        home = _home(repo)
        assert "No studies yet" in home and "kit new my-study" in home, (engine, home)
        assert "Acme research" in (repo / "_site" / "index.html").read_text("utf-8")

    kit(repo, "new", "first-study", "--title", "First study")
    kit(repo, "run")
    for engine in ENGINES:
        kit(repo, "site", engine)
        home = _home(repo)
        assert "No studies yet" not in home, engine
        assert "First study" in home, engine
        assert (repo / "_site" / "studies" / "first-study" / "03-insights.html").is_file()

    assert "nothing to do" in kit(repo, "upgrade", "--dry-run").stdout
