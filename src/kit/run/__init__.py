"""Running studies: papermill executes each study's notebooks, incrementally and in parallel.

:mod:`.runner` runs the stages of every study (one thread per study, one
kernel per notebook); :mod:`.notebook_engine` is papermill's engine with a
start retry and time limits; :mod:`.manifest` decides what must re-run;
:mod:`.progress` shows it, with the warnings :mod:`.stage_warnings` reads
from the stages' JSON; :mod:`.new_study` is ``kit new``.

May import: the core, :mod:`kit.study` and :mod:`kit.panel` (the panel is an
input of the stages that read it). It never imports the stages: it runs their
notebooks. The CLI rebuilds the site index after a run.
"""

from __future__ import annotations

from kit.exports import lazy_exports

_EXPORTS = {
    "new_study": "kit.run.new_study",
    "run_studies": "kit.run.runner",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
