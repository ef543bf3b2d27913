"""Running studies: papermill executes each study's notebooks, incrementally and in parallel.

:mod:`.runner` runs the stages of every study (one thread and one kernel per
study, warmed up ahead by :mod:`.kernel_pool` and reset between notebooks by
:mod:`.kernel_state`), decided first by :mod:`.study_plan`;
:mod:`.notebook_engine` is papermill's engine with a start retry and time
limits; :mod:`.manifest` decides what must re-run
from the stamps of the input providers registered in :mod:`.inputs`
(the built-in kinds in :mod:`.input_kinds`, digests by :mod:`.digests`);
:mod:`.progress` shows it, with the warnings :mod:`.stage_warnings` reads
from the stages' JSON; :mod:`.new_study` is ``kit new``.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs` and
:mod:`kit.panel` (the panel is an input of the stages that read it). It never
imports the stages: it runs their notebooks. The CLI rebuilds the site index
after a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "new_study": "kit.run.new_study",
    "run_studies": "kit.run.runner",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.run import new_study as new_study
    from kit.run.runner import run_studies as run_studies
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
