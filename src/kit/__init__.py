"""Research-ops kit: plan, synthesise and publish user research.

The library the template notebooks and the ``kit`` command call. Its parts,
each a package whose ``__init__`` says its role and what it may import
(dependencies point one way, from the contract to what is built on it)::

    core      errors, iorw, layout, lock, display      (imports nothing of the kit but core)
    study     the study-folder contract, panel/people.csv too (core)
    privacy   roster, pseudonyms, redaction, leak check (core, study)
    panel     participant panel: rules, history, recruiting, retention (core, study, privacy)
    plan, synthesis, insights   one package per stage  (core, study, privacy, panel, earlier stages)
    run       runner, notebook engine, manifest, kit new (core, study)
    site      index, published pages, preview, site build (core, study, panel, stages' outputs)
    forms     the ipywidgets forms used in JupyterLab  (core, study, privacy, insights)
    cli       the ``kit`` command, a thin layer over all of it

The templates call only what the packages export (``__all__``).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
