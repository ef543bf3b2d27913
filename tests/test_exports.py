"""kit.exports: every package's exports are visible to dir(), load on use, and match what tools see.

The templates call names such as ``kit.plan.run_plan_stage``; JupyterLab's
completion lists ``dir(kit.plan)``, editors and mypy read the ``if
TYPE_CHECKING:`` imports, and a no-op ``kit run`` must not pay for pandas.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import types
from pathlib import Path

import pytest

from kit.exports import lazy_exports

SRC = Path(__file__).resolve().parents[1] / "src" / "kit"
PACKAGES = sorted(f"kit.{init.parent.name}" for init in SRC.glob("*/__init__.py"))


def _init_tree(package: str) -> ast.Module:
    return ast.parse((SRC / package.removeprefix("kit.") / "__init__.py").read_text("utf-8"))


def _runtime_exports(package: str) -> dict[str, str]:
    """The ``_EXPORTS`` table of a package's ``__init__``: name -> module ({} when it has none)."""
    for node in _init_tree(package).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["_EXPORTS"]:
            exports: dict[str, str] = ast.literal_eval(node.value)
            return exports
    return {}


def _type_checking_imports(package: str) -> dict[str, str]:
    """What the ``if TYPE_CHECKING:`` block imports: name -> the module ``_EXPORTS`` would name for it."""
    found: dict[str, str] = {}
    for node in _init_tree(package).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module, ast.unparse(statement)
                for alias in statement.names:
                    # "import x as x" is the re-export spelling mypy --strict and pyright understand
                    assert alias.asname == alias.name, ast.unparse(statement)
                    submodule = f"{statement.module}.{alias.name}"
                    found[alias.name] = submodule if statement.module == package else statement.module
    return found


@pytest.mark.parametrize("package", [p for p in PACKAGES if _runtime_exports(p)])
def test_every_exported_name_is_in_dir_resolves_and_is_what_type_checkers_see(package: str) -> None:
    module = importlib.import_module(package)
    exports = _runtime_exports(package)
    assert sorted(module.__all__) == sorted(exports)
    assert set(module.__all__) <= set(dir(module))
    assert _type_checking_imports(package) == exports
    for name, source in exports.items():
        loaded = importlib.import_module(source)
        expected = loaded if source == f"{package}.{name}" else getattr(loaded, name)
        assert getattr(module, name) is expected, name


def test_dir_lists_exports_before_they_load_and_an_unknown_name_is_an_attribute_error() -> None:
    package = types.ModuleType("kit_fake_package", "A package with one lazy export.")
    getattr_, dir_ = lazy_exports(package.__name__, {"dumps": "json"})
    sys.modules[package.__name__] = package
    try:
        names = dir_()
        assert "dumps" in names and "__doc__" in names
        assert getattr_("dumps") is importlib.import_module("json").dumps
        with pytest.raises(AttributeError, match="'kit_fake_package' has no attribute 'loads'"):
            getattr_("loads")
    finally:
        del sys.modules[package.__name__]


def test_importing_the_index_a_no_op_run_needs_pulls_in_no_stage_and_no_pandas() -> None:
    # a fresh interpreter: this test process has long imported pandas
    probe = (
        "import sys, kit.site.index, kit.plan, kit.synthesis, kit.insights; "
        "print(sorted(m for m in ('pandas', 'sklearn', 'kit.plan.stage', 'kit.synthesis.stage') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
