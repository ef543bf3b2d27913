"""The declared shapes of the stages' outputs: ``plan.json``, ``synthesis.json``, ``insights.json``.

One spelling of each contract. The stage that writes a file builds it from
these models; every later stage, the site and the forms read it through
them (:func:`read_plan`, :func:`read_synthesis`, :func:`read_insights_json`).
The models live below the stages so that a reader (the site, the insights
stage reading the synthesis) never imports the stage that writes the file.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.outputs import insights as insights
    from kit.outputs import plan as plan
    from kit.outputs import synthesis as synthesis
    from kit.outputs.insights import InsightsJson as InsightsJson
    from kit.outputs.insights import read_insights_json as read_insights_json
    from kit.outputs.plan import Plan as Plan
    from kit.outputs.plan import read_plan as read_plan
    from kit.outputs.synthesis import Synthesis as Synthesis
    from kit.outputs.synthesis import read_synthesis as read_synthesis
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
