"""Lazy package exports: ``kit.plan.run_plan_stage`` imports the stage only when it is used.

A package's ``__init__`` names what the templates and the CLI call; importing
all of it eagerly would make ``import kit.site.index`` (the one thing a
``kit run`` with nothing to execute needs) pull in every stage, pandas and
scikit-learn: seconds of imports for a no-op run. With :func:`lazy_exports`
each name is imported on first use (PEP 562, a module ``__getattr__``), and
the module ``__dir__`` it returns too (PEP 562) lists every exported name, so
``dir()`` and JupyterLab's completion offer them before they are loaded.

Type checkers and editors do not run ``__getattr__``: each package also
imports its exports under ``if TYPE_CHECKING:`` (PEP 484), which costs
nothing at run time; ``tests/test_architecture.py`` checks that block and the
table given here name the same objects.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

ModuleGetattr = Callable[[str], Any]
ModuleDir = Callable[[], list[str]]


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[ModuleGetattr, ModuleDir]:
    """A module ``__getattr__`` and ``__dir__`` for ``package``, from ``name -> module``.

    A name that is the last part of its module (``report`` -> ``kit.plan.report``)
    is that submodule; any other name is the attribute of that module.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        loaded = importlib.import_module(module)
        return loaded if module == f"{package}.{name}" else getattr(loaded, name)

    def __dir__() -> list[str]:
        # what the module already holds (docstring, submodules imported so far) and what it can load
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
