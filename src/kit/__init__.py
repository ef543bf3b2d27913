"""Research-ops kit: plan, synthesise and publish user research.

The library the template notebooks and the ``kit`` command call: a core of
modules and one package per stage or concern, each package's ``__init__``
saying its role and what it may import. Dependencies point one way, from the
contract to what is built on it: each line may import the lines below it;
``|`` separates packages that never import each other, ``:`` joins the core's
modules. The table is ``[tool.importlinter]`` in ``pyproject.toml``, which
``make test`` enforces with import-linter::

    cli
    forms | qda | repository | run | site | digest | search
    plan | synthesis | insights
    outputs | panel
    privacy
    study
    display : errors : exports : iorw : layout : lock

Besides, run, site, qda, search and digest never import a stage (plan,
synthesis, insights): the runner executes their notebooks, the site, ``kit
ask`` and ``kit digest`` read their JSON through :mod:`kit.outputs`, the
REFI-QDA exchange reads the study folder. The
templates call only what the packages export (``__all__``).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
