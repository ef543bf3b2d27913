"""Stage 02-sessions: from notes, tasks, questionnaires and transcripts to ``synthesis.json``.

:mod:`.stage` validates the data files and computes the tag matrix, themes,
quotes, usability metrics with intervals (:mod:`.usability_metrics`),
observers and the problem matrix; :mod:`.report` shows them.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`. Used by the 02-sessions template.
"""

from __future__ import annotations

from kit.exports import lazy_exports

_EXPORTS = {
    "coding_report": "kit.synthesis.coding_report",
    "report": "kit.synthesis.report",
    "run_synthesis_stage": "kit.synthesis.stage",
    "synthesise": "kit.synthesis.stage",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
