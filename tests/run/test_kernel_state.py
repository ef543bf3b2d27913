"""What a kernel that runs several notebooks restores between them (IPython's real shell, in this process)."""

from __future__ import annotations

import gc
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from kit.run import kernel_state


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(warnings, "filters", list(warnings.filters))
    monkeypatch.delenv("KIT_TEST_LEFT_OVER", raising=False)
    sh = InteractiveShell.instance()
    sh.reset(new_session=True)
    kernel_state.warm_up(["json"])  # a module import, then the state every notebook starts from
    yield sh
    gc.unfreeze()  # this test process is not a kernel: its objects go back to the collector
    sh.reset(new_session=True)
    InteractiveShell.clear_instance()


def _run(shell: InteractiveShell, code: str) -> object:
    result = shell.run_cell(code, store_history=True)
    if result.error_in_exec is not None:
        raise result.error_in_exec
    return result.result


def test_a_name_of_the_last_notebook_is_gone_and_cells_count_from_one(shell: InteractiveShell) -> None:
    fresh = _run(shell, "sorted(k for k in globals() if not k.startswith('_'))")
    _run(shell, "import json\nonly_in_01 = json.dumps([1])")
    assert shell.execution_count == 3
    kernel_state.restore(shell)
    assert shell.execution_count == 1  # In [1] again, as in a kernel of its own
    assert _run(shell, "sorted(k for k in globals() if not k.startswith('_'))") == fresh
    with pytest.raises(NameError, match="only_in_01"):
        _run(shell, "only_in_01")
    assert "json" in sys.modules  # modules stay imported; the notebook's own import binds the name


def test_folder_path_environment_and_warning_filters_come_back(shell: InteractiveShell, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run(
        shell,
        f"import os, sys, warnings\nos.chdir({str(elsewhere)!r})\nsys.path.insert(0, 'x')\n"
        "os.environ['KIT_TEST_LEFT_OVER'] = '1'\nwarnings.simplefilter('ignore')",
    )
    kernel_state.restore(shell)
    assert Path.cwd() == tmp_path
    assert "x" not in sys.path
    assert "KIT_TEST_LEFT_OVER" not in os.environ
    assert ("ignore", None, Warning, None, 0) not in warnings.filters


def test_a_warning_shown_by_the_last_notebook_is_shown_again(shell: InteractiveShell) -> None:
    """Python shows a warning once per place ('default' action): a fresh kernel would show it again."""
    registry: dict[object, object] = {}  # a library module's __warningregistry__
    shown: list[str] = []

    def library_warns() -> None:
        warnings.warn_explicit("pandas says hello", UserWarning, "lib.py", 7, registry=registry)

    original = warnings.showwarning
    warnings.showwarning = lambda message, *a, **k: shown.append(str(message))
    try:
        library_warns()
        library_warns()
        assert shown == ["pandas says hello"]
        kernel_state.restore(shell)
        library_warns()
    finally:
        warnings.showwarning = original
    assert shown == ["pandas says hello", "pandas says hello"]


def test_what_the_warm_up_imported_is_out_of_the_collector_s_sight_and_a_notebook_s_garbage_is_not(
    shell: InteractiveShell,
) -> None:
    assert gc.get_freeze_count() > 0  # warm_up froze what was alive then
    _run(shell, "class Node: pass\nloop = Node(); loop.me = loop; del loop")  # a cycle only a collection frees
    kernel_state.restore(shell)
    assert not [o for o in gc.get_objects() if type(o).__name__ == "Node"]
