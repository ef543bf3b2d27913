"""ipywidgets editors for one value each: text, number, date, choice, tags, and lists of them.

One field list: every editor here is built by walking ``Model.model_fields``
(kit.study.study_file.Study, kit.insights.stage.InsightsFile ...). A field's widget kind comes
from its ``json_schema_extra["widget"]`` (text, longtext, date, number,
choice, list, mapping, raci) or, when absent, from its type (Literal ->
choice, date -> date, list[str] -> comma-separated tags, list[Model] -> list
of sub-forms). ``hints`` may override a kind per ``"Model.field"`` (e.g. an
evidence picker whose options come from the study's data), never add fields.

Editors return *raw* values (a number field that does not parse returns the
text typed) so that the schema's validator, not the form, decides what is
wrong and says so in the kit's words; :meth:`show` puts each message beside
the field it names.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union, get_args, get_origin

import ipywidgets as w
from markupsafe import Markup
from pydantic import BaseModel

Path_ = list[int | str]  # a problem's location: ["pm_metrics", 0, "name"]


def _wide() -> w.Layout:
    # A function, not a module constant: a widget made at import would put
    # widget state into every executed notebook that imports the kit.
    return w.Layout(width="95%")


def _unwrap_optional(ann: Any) -> tuple[Any, bool]:
    if get_origin(ann) in (Union, types.UnionType):
        args = [a for a in get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(get_args(ann))
    return ann, False


def _strip_annotated(ann: Any) -> Any:
    return get_args(ann)[0] if get_origin(ann) is typing.Annotated else ann


def field_spec(model: type[BaseModel], name: str, hints: dict[str, Any] | None = None) -> dict[str, Any]:
    """How to edit ``model.name``: ``{"kind", "options", "optional", "item", "label"}``."""
    info = model.model_fields[name]
    extra: dict[str, Any] = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    ann, optional = _unwrap_optional(info.annotation)
    spec: dict[str, Any] = {
        "kind": extra.get("widget"),
        "optional": optional or not info.is_required(),
        "options": list(extra.get("choices") or []),
        "item": None,
        "label": name.replace("_", " "),
        "help": info.description or "",
        "int": ann is int,
    }
    origin = get_origin(ann)
    if origin is Literal:
        spec["options"] = spec["options"] or list(get_args(ann))
        spec["kind"] = spec["kind"] or "choice"
    elif origin is list:
        item = _strip_annotated(get_args(ann)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            spec["item"] = item
            spec["kind"] = "list"
        else:
            spec["kind"] = spec["kind"] or "tags"
    elif origin is dict:
        spec["kind"] = spec["kind"] or "mapping"
    elif isinstance(ann, type) and issubclass(ann, BaseModel):
        spec["item"] = ann  # a nested record (a recommendation's ab_result): its own small form
        spec["kind"] = spec["kind"] or "model"
    elif ann is dt.date:
        spec["kind"] = spec["kind"] or "date"
    elif ann in (int, float):
        spec["kind"] = spec["kind"] or "number"
    spec["kind"] = spec["kind"] or "text"
    override = (hints or {}).get(f"{model.__name__}.{name}")
    if override:
        spec.update(override)
    return spec


class ErrorBox:
    """Messages shown beside one field (red, escaped)."""

    def __init__(self) -> None:
        self.widget = w.HTML("")
        self.widget.add_class("kit-error")
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)
        items = Markup("").join(Markup("<div>&#9888; {}</div>").format(m) for m in self.messages)
        self.widget.value = str(Markup('<div style="color:#b00020">{}</div>').format(items))

    def clear(self) -> None:
        self.messages = []
        self.widget.value = ""


class Editor:
    """One value's widget: ``get()`` a raw value, ``set(value)``, ``show(path, message)``."""

    widget: w.Widget

    def __init__(self) -> None:
        self.errors = ErrorBox()

    def get(self) -> Any:
        raise NotImplementedError

    def set(self, value: Any) -> None:
        raise NotImplementedError

    def show(self, path: Path_, message: str) -> None:
        self.errors.add(message if not path else f"{_path_text(path)}: {message}")

    def clear(self) -> None:
        self.errors.clear()


def _path_text(path: Path_) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


class ScalarEditor(Editor):
    """text, longtext, date, number, choice, tags (comma-separated) and multi (SelectMultiple)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self.spec = spec
        kind = spec["kind"]
        if kind == "longtext":
            self.input = w.Textarea(layout=w.Layout(width="95%", height="5em"))
        elif kind == "date":
            self.input = w.DatePicker()
        elif kind == "choice":
            self.input = w.Dropdown(options=self._options(spec["options"]))
        elif kind == "multi":
            self.input = w.SelectMultiple(
                options=list(spec["options"]), layout=_wide(), rows=max(2, min(len(spec["options"]), 8))
            )
        else:  # text, number, tags
            self.input = w.Text(
                layout=_wide() if kind != "number" else w.Layout(width="10em"),
                placeholder="comma-separated" if kind == "tags" else "",
            )
        self.widget = self.input

    def _options(self, options: list[Any]) -> list[tuple[str, Any]]:
        opts = [("", None)] if self.spec["optional"] or not options else []
        return opts + [o if isinstance(o, tuple) else (str(o), o) for o in options]

    def get(self) -> Any:
        kind, value = self.spec["kind"], self.input.value
        if kind == "date":
            return value.isoformat() if value else None
        if kind == "choice":
            return value
        if kind == "multi":
            return list(value)
        if kind == "tags":
            return [t.strip() for t in value.split(",") if t.strip()]
        text = value.strip()
        if kind == "number":
            if not text:
                return None
            try:
                number = float(text)
            except ValueError:
                return text  # the validator says "expected a number, got 'abc'"
            return int(number) if number.is_integer() and (self.spec["int"] or "." not in text) else number
        if not text and self.spec["optional"] and self.spec.get("none_when_blank", True):
            return None
        return value

    def set(self, value: Any) -> None:
        kind = self.spec["kind"]
        if kind == "date":
            self.input.value = _as_date(value)
            if value not in (None, "") and self.input.value is None:
                # Hand-edited text the date picker cannot show: say so rather than blank it silently.
                self.errors.add(f"the file has {value!r}, expected a date like 2026-12-01: pick the date")
        elif kind == "choice":
            values = [v for _, v in self.input.options]
            if value is None and None not in values:
                return  # a required choice keeps its first option
            if value not in values:  # keep a value the file has even if the table lacks it
                self.input.options = list(self.input.options) + [(str(value), value)]
            self.input.value = value
        elif kind == "multi":
            chosen = [str(v) for v in _as_list(value)]
            pairs = [o if isinstance(o, tuple) else (str(o), o) for o in self.input.options]
            missing = [v for v in chosen if v not in [value for _, value in pairs]]
            if missing:  # ids the file cites that the pickers do not know (the check names them)
                self.input.options = pairs + [(f"{v} (not found)", v) for v in missing]
            self.input.value = tuple(chosen)
        elif kind == "tags":
            self.input.value = ", ".join(str(v) for v in _as_list(value))
        else:
            self.input.value = "" if value is None else str(value)


def _as_list(value: Any) -> list[Any]:
    """A hand-edited file may hold one item where a list belongs: show it as one entry."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _close(widget: w.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close(child)
    widget.close()


def _as_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


class ListEditor(Editor):
    """A list with Add / Remove: rows of text, or rows of sub-forms for a model."""

    def __init__(self, spec: dict[str, Any], new_item: Callable[[], Editor] | None = None, name: str = "") -> None:
        super().__init__()
        # Rows of a model are sub-forms: kit.forms.model_form passes their factory.
        self.spec, self.new_item, self.name = spec, new_item, name
        self.rows: list[tuple[Editor, w.Widget]] = []
        self.box = w.VBox()
        add = w.Button(description="Add", icon="plus", layout=w.Layout(width="auto"), tooltip=f"Add to {spec['label']}")
        add.add_class("kit-add")
        add.on_click(lambda _b: self.add_row(None))
        self.add_button = add
        self.widget = w.VBox([self.box, add])

    def _new_editor(self) -> Editor:
        if self.new_item is not None:
            return self.new_item()
        return ScalarEditor({**self.spec, "kind": self.spec.get("item_kind", "text"), "optional": True})

    def add_row(self, value: Any) -> Editor:
        editor = self._new_editor()
        if value is not None:
            editor.set(value)
        remove = w.Button(description="Remove", icon="trash", layout=w.Layout(min_width="7.5em"))
        remove.add_class("kit-remove")
        if self.spec["item"] is None:
            row: w.Widget = w.HBox([editor.widget, remove])
        else:
            row = w.VBox(
                [editor.widget, remove], layout=w.Layout(border="1px solid #ddd", padding="4px", margin="2px 0")
            )
            if self.spec.get("collapsible"):
                # Long entries (insights) fold to one title line; a new one opens.
                title = _row_title(value) if value is not None else "new entry"
                row = w.Accordion(children=[row], titles=(title,), selected_index=None if value is not None else 0)
        entry = (editor, row)
        remove.on_click(lambda _b: self.remove_row(entry))
        self.rows.append(entry)
        self.box.children = [r for _, r in self.rows]
        return editor

    def remove_row(self, entry: tuple[Editor, w.Widget]) -> None:
        self.rows.remove(entry)
        self.box.children = [r for _, r in self.rows]
        _close(entry[1])

    def get(self) -> list[Any]:
        values = [e.get() for e, _ in self.rows]
        if self.spec["item"] is None:  # a blank line added and never filled is not an entry
            values = [v for v in values if v not in (None, "")]
        return values

    def set(self, value: Any) -> None:
        old, self.rows = self.rows, []
        self.box.children = []
        for _, row in old:  # a reload must not leave the old rows' models in the kernel
            _close(row)
        for item in _as_list(value):
            self.add_row(item)

    def show(self, path: Path_, message: str) -> None:
        if path and isinstance(path[0], int) and path[0] < len(self.rows):
            self.rows[path[0]][0].show(path[1:], message)
        else:
            super().show(path, message)

    def clear(self) -> None:
        super().clear()
        for editor, _ in self.rows:
            editor.clear()


def _row_title(value: Any) -> str:
    if not isinstance(value, dict):
        return str(value)
    text = " ".join(str(value.get("statement") or value.get("text") or value.get("name") or "").split())
    return f"{value.get('id', '')}: {text[:80]}{'…' if len(text) > 80 else ''}".strip(": ")
