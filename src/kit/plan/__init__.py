"""Stage 01-plan: check the plan a PM and a UXR agree, write ``plan.json``, show it.

:mod:`.stage` runs every check (method fit, the PM's business metrics,
sample sizes, guide lint, RACI, timeline) and writes plan.json; :mod:`.report`
shows it in the notebook. Rules are data tables under ``kit/data``.

May import: the core, :mod:`kit.study`. Used by the 01-plan template.
"""

from __future__ import annotations

from kit.exports import lazy_exports

_EXPORTS = {
    "report": "kit.plan.report",
    "build_plan": "kit.plan.stage",
    "run_plan_stage": "kit.plan.stage",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
