import datetime as dt
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kit import iorw


def test_atomic_write_replaces_whole_file(tmp_path: Path):
    target = tmp_path / "sub" / "out.json"
    iorw.atomic_write_json(target, {"a": np.int64(3), "d": dt.date(2026, 1, 2), "x": float("nan")})
    assert json.loads(target.read_text()) == {"a": 3, "d": "2026-01-02", "x": None}
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_failed_write_leaves_previous_content(tmp_path: Path):
    target = tmp_path / "out.json"
    target.write_text('{"old": true}')
    with pytest.raises(TypeError):
        iorw.atomic_write_json(target, {"bad": object()})
    assert target.read_text() == '{"old": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_written_files_and_staging_folders_get_ordinary_modes(tmp_path):
    import os
    import stat

    umask = iorw._UMASK
    new = iorw.atomic_write_text(tmp_path / "new.json", "{}")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    kept = tmp_path / "study.yml"
    kept.write_text("title: x\n")
    os.chmod(kept, 0o640)
    iorw.atomic_write_text(kept, "title: y\n")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "title: y\n"
    folder = iorw.staging_dir(tmp_path, ".site.")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask  # not mkdtemp's 0700


def test_staged_dir_swaps_in_only_a_complete_folder(tmp_path):
    target = tmp_path / "_site"
    target.mkdir()
    (target / "old.html").write_text("old")
    with iorw.staged_dir(target) as staging:
        (staging / "new.html").write_text("new")
        assert not (target / "new.html").exists()  # readers still see the old site
    assert sorted(p.name for p in target.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]  # no staging or .old folder left


def test_staged_dir_keeps_the_old_folder_when_the_block_fails(tmp_path):
    target = tmp_path / "studies"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    with pytest.raises(RuntimeError):
        with iorw.staged_dir(target) as staging:
            (staging / "half.txt").write_text("half")
            raise RuntimeError("a check failed")
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["studies"]


def test_staged_dir_without_replace_never_overwrites(tmp_path):
    target = tmp_path / "study"
    with iorw.staged_dir(target, replace=False) as staging:
        (staging / "study.yml").write_text("title: x\n")
    assert (target / "study.yml").is_file()
    with pytest.raises(OSError):
        with iorw.staged_dir(target, replace=False) as staging:
            (staging / "study.yml").write_text("title: y\n")
    assert (target / "study.yml").read_text() == "title: x\n"


# --- disk full, kills and leftovers -------------------------------------------------------------

SRC = Path(__file__).resolve().parents[1] / "src"


def _python(code: str, cwd: Path, file_size_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new Python process, with writes past ``file_size_limit`` bytes failing (EFBIG).

    RLIMIT_FSIZE is the portable, unprivileged way to make a real write fail
    the way a full disk does (Python ignores SIGXFSZ, so write() returns EFBIG).
    """

    def limit() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, preexec_fn=limit, check=False
    )


def test_a_write_the_disk_refuses_is_one_error_naming_the_file_and_keeps_the_old_one(tmp_path: Path):
    target = tmp_path / "reports" / "synthesis.json"
    target.parent.mkdir()
    target.write_text('{"old": true}\n')
    code = (
        "from kit import iorw\nfrom kit.errors import OutputWriteError\n"
        "notes = [{'id': f'N{i:05d}', 'text': 'The delivery charge appeared only at the last step. ' * 4}"
        " for i in range(20000)]\n"
        "try:\n    iorw.atomic_write_json('reports/synthesis.json', {'notes': notes})\n"
        "except OutputWriteError as err:\n    print(err.errno, err)\n"
    )
    proc = _python(code, tmp_path, file_size_limit=1 << 20)
    assert proc.returncode == 0, proc.stderr
    errno_, message = proc.stdout.strip().split(" ", 1)
    assert int(errno_) == 27  # EFBIG
    assert message == "cannot write reports/synthesis.json: File too large [EFBIG]"
    assert target.read_text() == '{"old": true}\n'
    assert [p.name for p in target.parent.iterdir()] == ["synthesis.json"]  # no temporary file left


def test_a_folder_that_fills_up_while_built_is_not_swapped_in(tmp_path: Path):
    site = tmp_path / "_site"
    site.mkdir()
    (site / "index.html").write_text("<p>previous site</p>")
    code = (
        "from kit import iorw\nfrom kit.errors import OutputWriteError\n"
        "try:\n    with iorw.staged_dir('_site', prefix='_site.') as staging:\n"
        "        (staging / 'index.html').write_text('<p>new</p>')\n"
        "        (staging / 'plotly.min.js').write_text('x' * (3 << 20))\n"
        "except OutputWriteError as err:\n    print(err)\n"
    )
    proc = _python(code, tmp_path, file_size_limit=1 << 20)
    assert proc.returncode == 0, proc.stderr
    # write() names no file: the folder being built is named
    assert proc.stdout.strip() == "cannot write _site/: File too large [EFBIG]; the previous _site/ is kept"
    assert [p.name for p in tmp_path.iterdir()] == ["_site"]  # staging folder removed
    assert (site / "index.html").read_text() == "<p>previous site</p>"


def test_the_swap_exchanges_the_folders_so_the_target_never_goes_missing(tmp_path: Path, monkeypatch):
    target = tmp_path / "_site"
    target.mkdir()
    (target / "index.html").write_text("old")
    with iorw.staged_dir(target, prefix="_site.") as staging:
        assert iorw.OWNED_NAME.match(staging.name)
        (staging / "index.html").write_text("new")
    assert (target / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]
    if sys.platform.startswith("linux"):
        assert iorw._RENAMEAT2 is not None  # glibc 2.28+: the exchange is what swaps
    # Where there is no renameat2 the two renames still swap (with a moment without the target).
    monkeypatch.setattr(iorw, "_RENAMEAT2", None)
    with iorw.staged_dir(target, prefix="_site.") as staging:
        (staging / "index.html").write_text("newer")
    assert (target / "index.html").read_text() == "newer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


def test_leftovers_of_killed_processes_are_removed_and_no_others(tmp_path: Path):
    """A process killed mid-write leaves a .tmp file and a staging folder; the next cleanup removes only those."""
    killed = (
        "import os, signal, tempfile\nfrom kit import iorw\n"
        "iorw.staging_dir(__import__('pathlib').Path('.'), '.studies.')\n"
        "tempfile.mkstemp(prefix=iorw.owned_prefix('.index.json.'), suffix='.tmp', dir='.')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = _python(killed, tmp_path)
    assert proc.returncode == -9
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 2 and all(iorw.OWNED_NAME.match(n) for n in left), left
    # Someone else's files, and a live process's (this one's), stay.
    (tmp_path / ".notes.csv.swp").write_text("editor")
    (tmp_path / "report.kit1-draft.txt").write_text("a user's file")
    live = iorw.staging_dir(tmp_path, ".studies.")
    other_live = tmp_path / f".index.json.kit{os.getppid()}-abcd1234.tmp"
    other_live.write_text("{}")
    removed = iorw.remove_leftovers([tmp_path, tmp_path / "missing"])
    assert sorted(p.name for p in removed) == left
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".notes.csv.swp", "report.kit1-draft.txt", live.name, other_live.name]
    )


def test_sets_are_written_in_a_stable_order():
    assert iorw.to_jsonable({"roles": {"PM", "Design", "Engineering"}}) == {"roles": ["Design", "Engineering", "PM"]}
