"""``kit run`` on a full disk, and ``kit site`` and ``kit run`` killed at their renames.

A full disk is RLIMIT_FSIZE (writes past the limit fail with EFBIG, in the
kernels too): a stage names the file it could not write, and an executed
notebook is written whole or not at all. strace kills a command at the N-th call
of a rename system call (``-e inject=rename:signal=KILL:when=N``; the count is
per process), for every N until the command completes: ``_site/`` is never
missing and the next run removes what the killed one left.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from cli.test_cli_errors import built, kit, leftovers, needs_strace  # noqa: F401 - `built` is a fixture

pytestmark = pytest.mark.slow

KILLED = (-9, 128 + 9)  # strace ends itself with its tracee's signal (or exits 128 + signal)
RENAMES = ("rename", "renameat", "renameat2")  # os.replace, and the swap's RENAME_EXCHANGE


def killed_at(syscall: str, n: int) -> list[str]:
    return ["-e", f"trace={syscall}", "-e", f"inject={syscall}:signal=KILL:when={n}"]


@needs_strace
def test_kit_site_killed_at_any_rename_keeps_a_whole_site_and_the_next_run_cleans_up(built: Path):  # noqa: F811
    seen: set[str] = set()
    kills = 0
    for syscall in RENAMES:
        for n in itertools.count(1):
            proc = kit(built, "site", "--no-quarto", "--full", strace=killed_at(syscall, n))
            # Whatever step it died at, readers see a whole site: the old one or the new one.
            assert (built / "_site" / "index.html").is_file(), f"_site/ missing after a kill at {syscall} #{n}"
            assert (built / "studies").is_dir()
            seen.update(leftovers(built))
            if proc.returncode == 0:
                break
            assert proc.returncode in KILLED, proc.stderr
            kills += 1
            assert n < 20, "more renames than a site build makes"
    assert kills >= 3  # reports/index.json, studies/ and _site/ each replaced by a rename
    assert any(name.startswith("_site.kit") for name in seen)  # a killed swap left its staging folder ...
    assert leftovers(built) == []  # ... which the next complete run removed


def _notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('study_dir = "."\nreports_dir = None\ntitle = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    return nb


def _write_templates(repo: Path, sessions: tuple[str, ...] = ()) -> None:
    """Stand-in stages that write their JSON as the real ones do (kit.iorw); ``sessions``: 02's cells first."""
    (repo / "templates").mkdir()
    for stage, output in (("01-plan", "plan"), ("02-sessions", "synthesis"), ("03-insights", "insights")):
        write = f"atomic_write_json(f'{{reports_dir}}/{output}.json', {{'t': title}})"
        cells = (*sessions, f"from kit.iorw import atomic_write_json\n{write}")
        nbformat.write(
            _notebook(*(cells if stage == "02-sessions" else cells[-1:])), repo / "templates" / f"{stage}.ipynb"
        )


def _study(repo: Path, slug: str, title: str) -> None:
    study = repo / "notebooks" / slug
    study.mkdir(parents=True)
    (study / "study.yml").write_text(f"title: {title}\n")


def test_kit_run_on_a_full_disk_names_the_file_and_writes_notebooks_whole_or_not_at_all(tmp_path: Path):
    _write_templates(
        tmp_path,
        (
            "from kit.iorw import atomic_write_json\n"
            "if 'big synthesis' in title:\n"
            "    notes = [{'id': f'N{i:05d}', 'text': 'Surprised by the charge. ' * 4} for i in range(20000)]\n"
            "    atomic_write_json(f'{reports_dir}/synthesis.json', {'notes': notes})",
            "if 'long output' in title:\n    print('Transcript line of a long session\\n' * 60000)",
            "if 'fails' in title:\n    raise ValueError('data/notes.csv:3: a note without a session')",
        ),
    )
    _study(tmp_path, "big-json", "A big synthesis")
    _study(tmp_path, "long-ok", "A long output")
    _study(tmp_path, "long-fails", "A long output that fails")
    proc = kit(tmp_path, "run", file_size_limit=512 << 10)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out
    reports = tmp_path / "reports"
    # The stage's own write, in the kernel: the error names the file.
    assert "OutputWriteError: cannot write reports/big-json/synthesis.json: File too large [EFBIG]" in out
    failed = nbformat.read(reports / "big-json" / "02-sessions.failed.ipynb", as_version=4)  # small: written whole
    nbformat.validate(failed)
    # The executed notebook is over the limit: not written at all, and the failure says so.
    assert "cannot write reports/long-ok/02-sessions.ipynb: File too large [EFBIG]" in out
    assert "cannot write reports/long-fails/02-sessions.failed.ipynb: File too large [EFBIG]" in out
    assert "ValueError: data/notes.csv:3: a note without a session" in out
    for slug in ("long-ok", "long-fails"):
        names = sorted(p.name for p in (reports / slug).iterdir())
        assert not [n for n in names if n.startswith("02-sessions")], names  # no truncated notebook
    assert leftovers(tmp_path) == []


@pytest.fixture
def short_tmpdir() -> Iterator[Path]:
    """A TMPDIR of its own (short: a kernel's IPC socket path must stay under 108 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="kt", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@needs_strace
def test_kit_run_killed_leaves_files_that_the_next_run_removes(tmp_path: Path, short_tmpdir: Path, monkeypatch):
    """Stages that write like the real ones (kit.iorw); the kernel and then the run are killed at their renames."""
    _write_templates(tmp_path)
    _study(tmp_path, "good", "Checkout study")
    monkeypatch.setenv("TMPDIR", str(short_tmpdir))

    proc = kit(tmp_path, "run", "--jobs", "1", strace=killed_at("rename", 1))
    assert proc.returncode in KILLED, proc.stderr
    left = leftovers(tmp_path)
    runtime = [p.name for p in short_tmpdir.iterdir() if p.name.startswith("kit-kernels.kit")]
    assert any(name.startswith(".plan.json.kit") for name in left), left  # the kernel's temporary file
    assert runtime, "the killed run's kernel folder"

    again = kit(tmp_path, "run")
    assert again.returncode == 0, again.stdout + again.stderr
    assert leftovers(tmp_path) == []
    assert list(short_tmpdir.iterdir()) == []  # the killed run's kernel folder and this run's own are gone
    assert sorted(p.name for p in (tmp_path / "reports" / "good").iterdir()) == [
        ".manifest.json",
        "01-plan.ipynb",
        "02-sessions.ipynb",
        "03-insights.ipynb",
        "insights.json",
        "plan.json",
        "synthesis.json",
    ]
