"""The declared shapes of the stages' outputs: ``plan.json``, ``synthesis.json``, ``insights.json``.

One spelling of each contract. The stage that writes a file builds it from
these models; every later stage, the site and the forms read it through
them (:func:`read_plan`, :func:`read_synthesis`, :func:`read_insights_json`).
The models live below the stages so that a reader (the site, the insights
stage reading the synthesis) never imports the stage that writes the file.

May import: the core, :mod:`kit.study`.
"""

from __future__ import annotations

from kit.exports import lazy_exports

_EXPORTS = {
    "plan": "kit.outputs.plan",
    "synthesis": "kit.outputs.synthesis",
    "insights": "kit.outputs.insights",
    "Plan": "kit.outputs.plan",
    "read_plan": "kit.outputs.plan",
    "Synthesis": "kit.outputs.synthesis",
    "read_synthesis": "kit.outputs.synthesis",
    "InsightsJson": "kit.outputs.insights",
    "read_insights_json": "kit.outputs.insights",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
