"""Stage 02-sessions: from notes, tasks, questionnaires and transcripts to ``synthesis.json``.

:mod:`.stage` validates the data files and computes the tag matrix, themes,
notes and quotes (:mod:`.evidence_rows`), usability metrics with intervals,
observers and the problem matrix (:mod:`.measures`, :mod:`.usability_metrics`);
:mod:`.report` shows them.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs` and
:mod:`kit.panel`; never another stage. Used by the 02-sessions template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "coding_report": "kit.synthesis.coding_report",
    "report": "kit.synthesis.report",
    "run_synthesis_stage": "kit.synthesis.stage",
    "synthesise": "kit.synthesis.stage",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.synthesis import coding_report as coding_report
    from kit.synthesis import report as report
    from kit.synthesis.stage import run_synthesis_stage as run_synthesis_stage
    from kit.synthesis.stage import synthesise as synthesise
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
