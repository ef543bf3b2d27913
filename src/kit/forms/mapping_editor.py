"""The ``key: whole number`` editor (participants per segment) for :mod:`kit.forms.editors`.

Rows of a key and a count with Add / Remove. Counts are returned raw (text
that does not parse stays text) so the schema names the problem, which is
shown beside the row of the key it concerns.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from kit.forms.editors import Editor, ListEditor, Path_, ScalarEditor


class MappingEditor(Editor):
    """``key: whole number`` rows (participants per segment)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        key_spec = {"kind": "text", "optional": True, "options": [], "int": False}
        value_spec = {"kind": "number", "optional": True, "options": [], "int": True}
        self.rows = ListEditor({"label": spec["label"], "item": None}, None)
        self.rows._new_editor = lambda: _PairEditor(key_spec, value_spec)  # type: ignore[method-assign]  # rows of pairs
        self.rows.add_button.description = "Add row"
        self.widget = self.rows.widget

    def get(self) -> dict[str, Any]:
        return {k: v for k, v in (e.get() for e, _ in self.rows.rows) if k}

    def set(self, value: Any) -> None:
        self.rows.set(list(value.items()) if isinstance(value, dict) else [])

    def show(self, path: Path_, message: str) -> None:
        keys = [e.get()[0] for e, _ in self.rows.rows]
        if path and path[0] in keys:
            self.rows.rows[keys.index(path[0])][0].show([], message)
        else:
            super().show(path, message)

    def clear(self) -> None:
        super().clear()
        self.rows.clear()


class _PairEditor(Editor):
    def __init__(self, key_spec: dict[str, Any], value_spec: dict[str, Any]) -> None:
        super().__init__()
        self.key, self.value = ScalarEditor(key_spec), ScalarEditor(value_spec)
        self.key.input.layout = w.Layout(width="20em")
        self.widget = w.VBox([w.HBox([self.key.widget, self.value.widget]), self.errors.widget])

    def get(self) -> tuple[str, Any]:
        return (self.key.input.value.strip(), self.value.get())

    def set(self, value: Any) -> None:
        self.key.set(value[0])
        self.value.set(value[1])
