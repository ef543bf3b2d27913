"""Lazy package exports: ``kit.plan.run_plan_stage`` imports the stage only when it is used.

A package's ``__init__`` names what the templates and the CLI call; importing
all of it eagerly would make ``import kit.site.index`` (the one thing a
``kit run`` with nothing to execute needs) pull in every stage, pandas and
scikit-learn: seconds of imports for a no-op run. With :func:`lazy_exports`
each name is imported on first use (PEP 562, a module ``__getattr__``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``name -> module`` (a submodule when name is its last part)."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        loaded = importlib.import_module(module)
        return loaded if module == f"{package}.{name}" else getattr(loaded, name)

    return __getattr__
