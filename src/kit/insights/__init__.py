"""Stage 03-insights: evidence-linked insights, checked against the plan and the synthesis.

:mod:`.stage` traces insights.yml to synthesis.json (:mod:`.traceability`),
rates confidence (:mod:`.confidence`), proposes drafts (:mod:`.drafts`),
writes ``insights.json`` and the spreadsheet exports (:mod:`.exports`);
:mod:`.evidence` is the index of citable synthesis items; :mod:`.report`
shows the cards, evidence matrix and decision log.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`. Used by the 03-insights template.
"""

from __future__ import annotations

from kit.exports import lazy_exports

_EXPORTS = {
    "report": "kit.insights.report",
    "run_insights_stage": "kit.insights.stage",
    "save_insights": "kit.insights.stage",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
