"""The forms a PM or a UXR fills in JupyterLab: the plan and the insights.

:mod:`.study_forms` is what the templates call (an editor in JupyterLab, a
read-only line under papermill); :mod:`.file_form` binds a form to one YAML
file (validate, save atomically, reload); :mod:`.model_form` builds a form
from a pydantic schema out of :mod:`.editors`, :mod:`.mapping_editor` and
:mod:`.raci_grid`; :mod:`.insight_editor` is the insights form;
:mod:`.yaml_rt` keeps a file's comments when a form saves it.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs`,
:mod:`kit.panel` and the stages :mod:`kit.plan`, :mod:`kit.synthesis`,
:mod:`kit.insights`.
ipywidgets is loaded only when a form is shown, never under papermill.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "insights_editor": "kit.forms.study_forms",
    "plan_editor": "kit.forms.study_forms",
    "resolve_study_dir": "kit.forms.study_forms",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.forms.study_forms import insights_editor as insights_editor
    from kit.forms.study_forms import plan_editor as plan_editor
    from kit.forms.study_forms import resolve_study_dir as resolve_study_dir
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
