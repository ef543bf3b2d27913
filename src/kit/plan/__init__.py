"""Stage 01-plan: check the plan a PM and a UXR agree, write ``plan.json``, show it.

:mod:`.stage` runs every check (method fit, the PM's business metrics,
sample sizes, guide lint, RACI, timeline) and writes plan.json; :mod:`.report`
shows it in the notebook. Rules are data tables under ``kit/data``.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs` and
:mod:`kit.panel` (the plan's sample is checked against the panel); never
another stage. Used by the 01-plan template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "report": "kit.plan.report",
    "build_plan": "kit.plan.stage",
    "run_plan_stage": "kit.plan.stage",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.plan import report as report
    from kit.plan.stage import build_plan as build_plan
    from kit.plan.stage import run_plan_stage as run_plan_stage
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
