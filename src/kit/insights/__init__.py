"""Stage 03-insights: evidence-linked insights, checked against the plan and the synthesis.

:mod:`.stage` traces insights.yml to synthesis.json (:mod:`.traceability`),
rates confidence (:mod:`.confidence`), proposes drafts (:mod:`.drafts`),
writes ``insights.json`` and the spreadsheet exports (:mod:`.exports`);
:mod:`.evidence` is the index of citable synthesis items; :mod:`.report`
shows the cards, evidence matrix and decision log.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs` and
:mod:`kit.panel`; never another stage (it reads ``synthesis.json`` through its
declared shape). Used by the 03-insights template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "report": "kit.insights.report",
    "run_insights_stage": "kit.insights.stage",
    "save_insights": "kit.insights.stage",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.insights import report as report
    from kit.insights.stage import run_insights_stage as run_insights_stage
    from kit.insights.stage import save_insights as save_insights
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
