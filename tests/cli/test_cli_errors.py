"""The ``kit`` command on a full disk: one line naming the path, exit 1, the previous outputs kept.

The disk fills up for real, without root: RLIMIT_FSIZE (``resource.setrlimit``
in the child) makes a write past the limit fail with EFBIG, and strace's fault
injection (``-e inject=fsync:error=ENOSPC``, where strace is installed) makes
the kernel answer ENOSPC, as a full ext4 does on the fsync of delayed allocation.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.iorw import OWNED_NAME
from kit.layout import COSTS_JSON, scratch_folders
from kit.site.build import build_site
from site_fixture import seed_site_repo

SRC = Path(__file__).resolve().parents[2] / "src"
STRACE = shutil.which("strace")
needs_strace = pytest.mark.skipif(STRACE is None, reason="strace is not installed (apt-get install strace)")


def kit(repo: Path, *args: str, file_size_limit: int | None = None, strace: list[str] | None = None):
    """Run the real ``kit`` command in a new process on ``repo``."""

    def limit() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    command = [sys.executable, "-c", "from kit.cli import main; main()", *args]
    if strace is not None:
        command = [str(STRACE), "-f", "-qq", "-o", os.devnull, *strace, *command]
    env = {
        **os.environ,
        "KIT_REPO": str(repo),
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, preexec_fn=limit, check=False)
    if strace is not None and "ptrace" in proc.stderr and proc.returncode != 0:
        pytest.skip(f"strace cannot trace here: {proc.stderr.strip()[:200]}")
    return proc


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` -> its SHA-256: what a reader of the folder sees."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(repo: Path) -> list[str]:
    return [
        p.name
        for folder in scratch_folders(repo)
        if folder.is_dir()
        for p in folder.iterdir()
        if OWNED_NAME.match(p.name)
    ]


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A repository with a published preview site."""
    repo = seed_site_repo(tmp_path / "repo")
    build_site(repo, use_quarto=False, echo=lambda _: None)
    return repo


def test_kit_site_on_a_full_disk_prints_one_line_and_keeps_the_site(built: Path):
    site, studies = tree_digest(built / "_site"), tree_digest(built / "studies")
    # plotly.js (4.6 MB) is the first file over 1 MB the build writes: into studies/, before _site/.
    proc = kit(built, "site", "--no-quarto", "--full", file_size_limit=1 << 20)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == "kit: error: cannot write studies/: File too large [EFBIG]; the previous studies/ is kept\n"
    assert "Traceback" not in proc.stdout
    assert tree_digest(built / "_site") == site and tree_digest(built / "studies") == studies
    assert leftovers(built) == []


@needs_strace
def test_kit_site_on_enospc_names_the_file_and_keeps_it(built: Path):
    index = (built / "reports" / "index.json").read_bytes()
    site = tree_digest(built / "_site")
    proc = kit(built, "site", "--no-quarto", strace=["-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC"])
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ("kit: error: cannot write reports/index.json: No space left on device [ENOSPC]\n")
    assert (built / "reports" / "index.json").read_bytes() == index
    assert tree_digest(built / "_site") == site
    assert leftovers(built) == []


@needs_strace
def test_the_cost_table_write_on_enospc_is_one_line(tmp_path: Path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / COSTS_JSON).write_text('{"seconds": {"gone": 3.0}}\n')
    proc = kit(tmp_path, "run", strace=["-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC"])
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.endswith(f"kit: error: cannot write reports/{COSTS_JSON}: No space left on device [ENOSPC]\n")
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "reports" / COSTS_JSON).read_text() == '{"seconds": {"gone": 3.0}}\n'


def test_any_os_error_a_command_lets_through_is_one_line(tmp_path: Path, monkeypatch):
    def refuse(*_args: object, **_kw: object) -> Path:
        raise PermissionError(13, "Permission denied", str(tmp_path / "_site" / "index.html"))

    monkeypatch.setattr("kit.site.build.build_site", refuse)
    monkeypatch.setenv("KIT_REPO", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["site"])
    assert result.exit_code == 1
    assert result.output == "kit: error: _site/index.html: Permission denied [EACCES]\n"
