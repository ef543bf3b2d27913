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
