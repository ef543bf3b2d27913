"""Stage 03-insights: evidence-linked insights, checked against the plan and the synthesis.

:mod:`.stage` traces insights.yml to synthesis.json (:mod:`.traceability`),
rates confidence (:mod:`.confidence`), proposes drafts (:mod:`.drafts`),
writes ``insights.json`` and the spreadsheet exports (:mod:`.exports`);
:mod:`.evidence` is the index of citable synthesis items; :mod:`.report`
shows the cards, evidence matrix and decision log.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`. Used by the 03-insights template.
"""
from __future__ import annotations

from kit.insights import report
from kit.insights.stage import run_insights_stage, save_insights

__all__ = ["report", "run_insights_stage", "save_insights"]
