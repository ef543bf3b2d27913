"""A form for a whole pydantic model: one editor per field, in schema order.

One field list: the form is built by walking ``Model.model_fields``
(kit.study.study_file.Study, kit.study.insights_file.InsightsFile ...), each
field's editor chosen by :func:`kit.forms.editors.field_spec`. Lists of
models become lists of compact sub-forms; mappings and the RACI matrix get
their own editors.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from markupsafe import Markup
from pydantic import BaseModel

from kit.forms.editors import (
    Editor,
    ErrorBox,
    ListEditor,
    Path_,
    ScalarEditor,
    field_spec,
)
from kit.forms.mapping_editor import MappingEditor
from kit.forms.raci_grid import RaciGrid

_COMPACT_WIDTHS = {"choice": "16em", "date": "16em", "number": "10em", "text": "32%", "tags": "32%"}


class ModelForm(Editor):
    """A form for every field of a pydantic model, in schema order."""

    def __init__(
        self,
        model: type[BaseModel],
        hints: dict[str, Any] | None = None,
        compact: bool = False,
        extra_editors: dict[str, Editor] | None = None,
    ) -> None:
        super().__init__()
        self.model, self.hints = model, hints or {}
        self.editors: dict[str, Editor] = {}
        self.specs: dict[str, dict[str, Any]] = {}
        self.errors_for: dict[str, ErrorBox] = {}
        rows: list[w.Widget] = []
        for name in model.model_fields:
            spec = field_spec(model, name, self.hints)
            self.specs[name] = spec
            editor = (extra_editors or {}).get(name) or self._editor(spec, name)
            self.editors[name] = editor
            label_html = Markup("<b>{}</b>").format(spec["label"])
            if spec["help"] and not compact:
                label_html += Markup(" <span style='color:#666'>{}</span>").format(spec["help"])
            label = w.HTML(str(label_html))
            box = w.VBox([label, editor.widget, editor.errors.widget])
            box.add_class(f"kit-field-{name}")
            if compact:  # entries of a list: short fields side by side, long ones full width
                box.layout.width = _COMPACT_WIDTHS.get(spec["kind"], "100%")
                if isinstance(editor, ScalarEditor) and spec["kind"] in _COMPACT_WIDTHS:
                    editor.input.layout.width = "95%"
            rows.append(box)
        if compact:
            self.widget = w.VBox(
                [w.Box(rows, layout=w.Layout(display="flex", flex_flow="row wrap", width="100%")), self.errors.widget]
            )
        else:
            self.widget = w.VBox(rows + [self.errors.widget])

    def _editor(self, spec: dict[str, Any], name: str) -> Editor:
        kind = spec["kind"]
        if kind == "list":
            item = spec["item"]
            new_item = (lambda: ModelForm(item, self.hints, compact=True)) if item is not None else None
            return ListEditor(spec, new_item, name)
        if kind == "mapping":
            return MappingEditor(spec)
        if kind == "model":
            return NestedForm(spec["item"], self.hints)
        if kind == "raci":
            return RaciGrid(spec.get("activities", []), spec.get("roles", []), spec.get("letters", []))
        return ScalarEditor(spec)

    def get(self) -> dict[str, Any]:
        data = {}
        for name, editor in self.editors.items():
            value = editor.get()
            if value is not None:
                data[name] = value
        return data

    def set(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        for name, editor in self.editors.items():
            editor.set(value.get(name))

    def show(self, path: Path_, message: str) -> None:
        if path and path[0] in self.editors:
            self.editors[path[0]].show(path[1:], message)
        else:
            super().show(path, message)

    def clear(self) -> None:
        super().clear()
        for editor in self.editors.values():
            editor.clear()


class NestedForm(Editor):
    """An optional nested record (a recommendation's ``ab_result``) as a small form of its own.

    Left empty, it is absent: a choice or a default shown in its fields does not
    make a record without its required values (which would fail validation on save).
    """

    def __init__(self, model: type[BaseModel], hints: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.form = ModelForm(model, hints, compact=True)
        self.editors, self.widget, self.errors = self.form.editors, self.form.widget, self.form.errors
        self.required = [n for n, f in model.model_fields.items() if f.is_required()]

    def get(self) -> dict[str, Any] | None:
        data = self.form.get()
        return data if any(data.get(n) not in (None, "") for n in self.required) else None

    def set(self, value: Any) -> None:
        self.form.set(value)

    def show(self, path: Path_, message: str) -> None:
        self.form.show(path, message)

    def clear(self) -> None:
        self.form.clear()
