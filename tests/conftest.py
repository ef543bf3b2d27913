"""Shared fixtures: a small repository in tmp_path with the real templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from demo_copy import copy_demo_study

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "notebooks" / "demo-checkout"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty kit repository (templates only) in tmp_path."""
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "notebooks").mkdir()
    return tmp_path


@pytest.fixture
def demo_repo(repo: Path) -> Path:
    """A repository holding a copy of the demo study."""
    copy_demo_study(repo / "notebooks" / "demo-checkout")
    shutil.copytree(ROOT / "metrics", repo / "metrics")  # the PM metric series its R1 is judged by
    return repo
