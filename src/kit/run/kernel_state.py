"""Inside a kernel that runs several notebooks: warm it up, and give each notebook a fresh start.

``kit run`` executes a study's notebooks one after another in one kernel
(:mod:`kit.run.kernel_pool`), started and warmed up before the study's turn.
This module is imported *in that kernel*, never by the runner's own process:

* :func:`warm_up` imports the modules the stages import (``warm`` in
  ``kit/data/stages.yml``), so no notebook waits for pandas or plotly; then
  it records the kernel's state (:func:`remember`) and moves every object
  alive then (the imported modules, which stay imported anyway) out of the
  garbage collector's sight with ``gc.freeze()`` (Python docs, module ``gc``):
  the full collections of each reset then walk only what the notebooks made,
  not the hundreds of thousands of objects of pandas, scipy and scikit-learn
  (measured: a reset took 0.12 s before, 0.01 s after);
* :func:`restore` runs before each notebook's first cell and gives it what a
  freshly started kernel would: IPython's own reset of the user namespace
  (``InteractiveShell.reset``, the code behind ``%reset -f``, with
  ``new_session=True`` so that the execution counter starts at 1 again: the
  executed notebook's ``In [n]`` are those of a run alone), and back to the
  remembered working folder, ``sys.path``, environment and warning filters
  (with the "already shown" registries invalidated, so a warning shown by the
  last notebook is shown again by this one).

Modules stay imported (``sys.modules``), as they would after the notebook's
own ``import``; a name the previous notebook defined is gone.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class KernelBaseline:
    """What the kernel looked like, warmed up, before its first notebook."""

    cwd: str
    path: list[str]
    environ: dict[str, str]
    filters: list[Any] = field(default_factory=list)


_BASELINE: KernelBaseline | None = None


def remember() -> KernelBaseline:
    """Record the state every notebook of this kernel starts from."""
    global _BASELINE
    _BASELINE = KernelBaseline(os.getcwd(), list(sys.path), dict(os.environ), list(warnings.filters))
    return _BASELINE


def warm_up(modules: Iterable[str]) -> list[str]:
    """Import ``modules`` (those that fail are left to the notebook's own import), then :func:`remember`.

    Returns the modules that could not be imported: the notebook that needs
    one raises the error itself, in its cell, as it would in a fresh kernel.
    """
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the notebook's own import reports it where it belongs
            failed.append(name)
    remember()
    gc.freeze()  # no collection first: it takes 0.06 s on the critical path to free about 20 objects
    return failed


def _restore_environ(saved: dict[str, str]) -> None:
    for name in [n for n in os.environ if n not in saved]:
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def _restore_warnings(saved: list[Any]) -> None:
    warnings.filters = list(saved)  # rebound, as catch_warnings does when it restores them
    once: dict[Any, Any] = getattr(warnings, "onceregistry", {})  # the "once" action's registry
    once.clear()
    # Leaving catch_warnings marks the filters as changed, which empties every
    # module's __warningregistry__ on its next warning (the public way to do it).
    with warnings.catch_warnings():
        pass


def restore(shell: Any = None) -> None:
    """Give the next notebook a kernel as fresh as a new one's (see the module docstring)."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    baseline = _BASELINE or remember()
    shell.reset(new_session=True)
    os.chdir(baseline.cwd)
    sys.path[:] = baseline.path
    _restore_environ(baseline.environ)
    _restore_warnings(baseline.filters)
    gc.collect()  # the last notebook's data frames go now, not in the middle of this one
