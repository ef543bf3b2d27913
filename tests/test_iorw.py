import datetime as dt
import json
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
