"""The RACI grid editor: activities x roles, each cell R, A, C, I or blank.

Rows are the activities of ``data/raci_activities.csv`` (plus any the file
names that the table lacks, so the check can point at them), columns the
roles of :data:`kit.study.study_file.ROLES`. The rule (exactly one Accountable, at least
one Responsible per activity) is kit.study.raci's; its messages are shown at the
end of the activity's row.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from markupsafe import Markup, escape

from kit.forms.editors import Editor, ErrorBox, Path_


class RaciGrid(Editor):
    """Activities x roles, each cell R/A/C/I or blank (kit.study.raci checks one A per activity)."""

    def __init__(self, activities: list[str], roles: list[str], letters: list[str]) -> None:
        super().__init__()
        self.activities, self.roles, self.letters = list(activities), list(roles), list(letters)
        self.row_errors: dict[str, ErrorBox] = {}
        self.cells: dict[tuple[str, str], w.Dropdown] = {}
        self.widget = w.VBox()
        self._build()

    def _build(self) -> None:
        head = [w.HTML("<b>activity</b>")] + [w.HTML(str(Markup("<b>{}</b>").format(r))) for r in self.roles]
        head.append(w.HTML(""))
        cells: list[w.Widget] = head
        for act in self.activities:
            cells.append(w.HTML(str(escape(act))))
            for role in self.roles:
                if (act, role) not in self.cells:
                    dd = w.Dropdown(options=[""] + self.letters, layout=w.Layout(width="5em"))
                    dd.add_class(f"kit-raci-{_css(act)}-{_css(role)}")
                    self.cells[(act, role)] = dd
                cells.append(self.cells[(act, role)])
            self.row_errors.setdefault(act, ErrorBox())
            cells.append(self.row_errors[act].widget)
        columns = f"14em repeat({len(self.roles)}, 7.5em) auto"
        self.widget.children = [w.GridBox(cells, layout=w.Layout(grid_template_columns=columns)), self.errors.widget]

    def get(self) -> dict[str, Any]:
        out: dict[str, dict[str, str]] = {}
        for act in self.activities:
            roles = {r: self.cells[(act, r)].value for r in self.roles if self.cells[(act, r)].value}
            if roles:
                out[act] = roles
        return out

    def set(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        extra_acts = [a for a in value if a not in self.activities]
        extra_roles = [r for roles in value.values() if isinstance(roles, dict) for r in roles if r not in self.roles]
        if extra_acts or extra_roles:  # show what the file has, so the checker can name it
            self.activities += extra_acts
            self.roles += list(dict.fromkeys(extra_roles))
            self._build()
        for (act, role), dd in self.cells.items():
            letter = (value.get(act) or {}).get(role, "") if isinstance(value.get(act), dict) else ""
            if letter not in dd.options:
                dd.options = list(dd.options) + [letter]
            dd.value = letter

    def show(self, path: Path_, message: str) -> None:
        if path and path[0] in self.row_errors:
            self.row_errors[path[0]].add(message)
        else:
            super().show(path, message)

    def clear(self) -> None:
        super().clear()
        for box in self.row_errors.values():
            box.clear()


def _css(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in str(text).lower())
