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
