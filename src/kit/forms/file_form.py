"""A form bound to one YAML file: load, validate, save atomically, reload, detect edits.

Saving validates first (the same validator papermill's stages use) and, on
any problem, shows each message beside its field and writes nothing. A good
save merges the values into the file round-trip (:mod:`kit.forms.yaml_rt`: comments,
order and quoting kept), writes it with :func:`kit.iorw.atomic_write_text`
and shows a small diff. The file's sha256 is remembered at load: if the file
changed on disk since (another form, an editor, git pull), the save stops and
asks: "Overwrite anyway" or "Reload".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
import yaml
from markupsafe import Markup, escape

from kit.errors import Problem, ValidationError
from kit.forms import yaml_rt
from kit.forms.editors import Path_
from kit.forms.model_form import ModelForm
from kit.iorw import atomic_write_text
from kit.study.safe_yaml import load_yaml_text

MAX_DIFF_LINES = 60
_KEY_RE = re.compile(r"key '([^']*)'")


def key_path(key: str) -> Path_:
    """``"pm_metrics[0].name"`` -> ``["pm_metrics", 0, "name"]``."""
    return [int(t[1:-1]) if t.startswith("[") else t for t in re.findall(r"\[\d+\]|[^.\[\]]+", key)]


def study_problem_path(problem: Problem, fields: list[str]) -> Path_:
    """Where in the plan form a study.yml problem belongs (``[]``: the form as a whole)."""
    m = _KEY_RE.search(problem.where)
    if m:
        return key_path(m.group(1))
    # Whole-plan rules without a key name their fields in quotes ("... 'weeks_available' ...").
    named = [f for f in fields if f"'{f}'" in problem.message]
    return [named[0]] if named else []


def _status(kind: str, text: str | Markup) -> str:
    """A coloured status line; ``text`` is escaped unless it is Markup."""
    colour = {"ok": "#1b5e20", "error": "#b00020", "warn": "#8a5300", "info": "#333"}[kind]
    return str(Markup('<div style="color:{}">{}</div>').format(colour, text))


class FileForm:
    """A :class:`ModelForm` plus Save / Reload bound to ``path``."""

    def __init__(
        self,
        path: str | Path,
        form: ModelForm,
        validate: Callable[[dict[str, Any]], list[Problem]],
        locate: Callable[[Problem, dict[str, Any]], Path_],
        title: str = "",
    ) -> None:
        self.path = Path(path)
        self.form, self.validate, self.locate = form, validate, locate
        self.loaded_hash: str | None = None
        self.save_button = w.Button(description="Save", icon="save", button_style="primary")
        self.save_button.add_class("kit-save")
        self.save_button.on_click(lambda _b: self.save())
        self.reload_button = w.Button(description="Reload", icon="refresh")
        self.reload_button.add_class("kit-reload")
        self.reload_button.on_click(lambda _b: self.load())
        self.overwrite_button = w.Button(description="Overwrite anyway", button_style="danger")
        self.overwrite_button.add_class("kit-overwrite")
        self.overwrite_button.on_click(lambda _b: self.save(force=True))
        self.conflict_reload_button = w.Button(description="Reload", icon="refresh")
        self.conflict_reload_button.add_class("kit-conflict-reload")
        self.conflict_reload_button.on_click(lambda _b: self.load())
        self.conflict = w.VBox(
            [
                w.HTML(
                    _status(
                        "warn",
                        Markup("&#9888; {} changed on disk since this form loaded it. Nothing was saved.").format(
                            self.path.name
                        ),
                    )
                ),
                w.HBox([self.overwrite_button, self.conflict_reload_button]),
            ]
        )
        self.conflict.layout.display = "none"
        self.status = w.HTML("")
        self.status.add_class("kit-status")
        self.diff = w.HTML("")
        self.diff.add_class("kit-diff")
        buttons = w.HBox([self.save_button, self.reload_button])
        header = [w.HTML(str(Markup("<h3>{}</h3>").format(title)))] if title else []
        self.widget = w.VBox(header + [self.form.widget, buttons, self.conflict, self.status, self.diff])
        self.widget.add_class("kit-form")
        self.load()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    @property
    def conflict_shown(self) -> bool:
        return bool(self.conflict.layout.display != "none")

    def load(self) -> bool:
        """(Re)read the file into the form; returns False when it is not valid YAML."""
        self.conflict.layout.display = "none"
        self.diff.value = ""
        self.form.clear()
        text = self.path.read_text(encoding="utf-8-sig") if self.path.is_file() else ""
        self.loaded_hash = yaml_rt.content_hash(self.path)
        try:
            data = load_yaml_text(text, self.path.name).data or {}  # the kit's limits on aliases
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{self.path.name}:{mark.line + 1}" if mark else self.path.name
            self.status.value = _status(
                "error",
                f"{where}: not valid YAML ({getattr(exc, 'problem', exc)}); fix it in a text editor, then press Reload",
            )
            return False
        except ValidationError as exc:  # over the limits of data/input_limits.csv (an alias bomb)
            self.status.value = _status("error", f"{exc}; fix it in a text editor, then press Reload")
            return False
        self.form.set(data)
        self.status.value = _status("info", f"Loaded {self.path}")
        return True

    def save(self, force: bool = False) -> bool:
        """Validate and write; False (file untouched) on problems or an unconfirmed conflict."""
        self.form.clear()
        self.diff.value = ""
        data = self.form.get()
        try:
            warnings = self.validate(data)
        except ValidationError as err:
            for problem in err.problems:
                self.form.show(self.locate(problem, data), problem.message)
            n = len(err.problems)
            self.status.value = _status(
                "error", f"Not saved: {n} problem{'s' * (n != 1)}, shown beside the fields. The file was not changed."
            )
            return False
        if yaml_rt.content_hash(self.path) != self.loaded_hash and not force:
            self.conflict.layout.display = ""
            self.status.value = _status(
                "warn",
                "Not saved: the file changed on disk since it was "
                "loaded. Overwrite anyway, or Reload to see the new version.",
            )
            return False
        self.conflict.layout.display = "none"
        old = self.path.read_text(encoding="utf-8-sig") if self.path.is_file() else ""
        new = yaml_rt.updated_text(old, data)
        if new != old:
            atomic_write_text(self.path, new)
        self.loaded_hash = yaml_rt.content_hash(self.path)
        self.diff.value = diff_html(old, new, self.path.name)
        notes = Markup("").join(Markup("<div>&#9888; {}</div>").format(p) for p in warnings or [])
        saved = f"Saved {self.path}. Run the cells below again (Run > Run All Cells) to see the result."
        self.status.value = _status("ok", escape(saved if new != old else "No changes to save.") + notes)
        return True


def diff_html(old: str, new: str, name: str) -> str:
    """What changed, as an escaped unified diff (at most :data:`MAX_DIFF_LINES` lines)."""
    lines = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), f"{name} (before)", f"{name} (saved)", lineterm="", n=1
        )
    )
    if not lines:
        return ""
    more = len(lines) - MAX_DIFF_LINES
    shown = lines[:MAX_DIFF_LINES] + ([f"... {more} more lines"] if more > 0 else [])
    colour = {"+": "#1b5e20", "-": "#b00020", "@": "#555"}
    span = Markup('<span style="color:{}">{}</span>')
    body = Markup("\n").join(span.format(colour.get(line[:1], "#333"), line) for line in shown)
    return str(Markup("<details open><summary>What changed</summary><pre>{}</pre></details>").format(body))
