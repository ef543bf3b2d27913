"""The papermill parameters of a study: study.yml's keys as values, checked before any kernel starts.

papermill writes each parameter into the injected cell as ``name = value``:
the value is translated to a Python literal (quoted, escaped) but the name is
pasted as it is. A study.yml key such as
``"a = __import__('os').system('touch /tmp/x') #"`` therefore ran in the
kernel before the stage's validation could reject it (issue 26, point 5).
Here every top-level key must be a Python identifier (``str.isidentifier``,
not a keyword) and a parameter the notebook accepts: a key of the plan
(:data:`kit.study.study_file.PLAN_KEYS`, what the stages read) or a name its
parameters cell declares (read by papermill's Python translator); else the
study fails with an error naming study.yml, the key's line and the key, and
nothing runs. Values stay
values: papermill's translator quotes every string, including the keys of
nested mappings. Plain ``papermill -f study.yml`` (README) pastes the keys
itself; ``kit run`` checks them first.
"""

from __future__ import annotations

import difflib
import keyword
from pathlib import Path
from typing import Any

from kit.errors import KitError
from kit.iorw import to_jsonable
from kit.layout import REPORTS_DIR, STUDY_FILE

PATH_PARAMETERS = ("study_dir", "reports_dir")  # what kit run adds to study.yml's keys


def is_parameter_name(key: object) -> bool:
    """Whether papermill can paste ``key`` as the left side of an assignment and mean only that."""
    return isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key)


def notebook_parameters(notebook: Path) -> set[str]:
    """The names a notebook's ``parameters`` cell assigns (empty when it has none: papermill accepts any).

    papermill's Python translator reads the cell, as ``papermill --help-notebook``
    does; the kit runs Python kernels only, whatever the notebook's metadata says.
    """
    import nbformat
    from papermill.translators import PythonTranslator  # loaded by then: the notebook is about to run

    nb = nbformat.read(str(notebook), as_version=4)
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return set()
    return {parameter.name for parameter in PythonTranslator.inspect(cell)}


def check_parameter_names(
    data: dict[Any, Any], key_lines: dict[str, int], shown: str, accepted: set[str] | None
) -> None:
    """Raise :class:`KitError` naming ``shown:line`` and the key for a key papermill must not receive."""
    for key in data:
        where = f"{shown}:{key_lines[key]}" if isinstance(key, str) and key in key_lines else shown
        if not is_parameter_name(key):
            raise KitError(
                f"{where}: key {key!r} is not a parameter name, expected a Python identifier "
                "(letters, digits and '_', such as product_area); nothing was run"
            )
        if accepted and key not in accepted:
            close = difflib.get_close_matches(key, sorted(accepted), n=1, cutoff=0.6)
            hint = f", did you mean '{close[0]}'?" if close else ""
            raise KitError(
                f"{where}: key '{key}' is not a parameter of the notebook{hint} "
                "(expected a key of the plan, see README 'The study folder'); nothing was run"
            )


def study_parameters(study_dir: Path, repo_root: Path, notebook: Path | None = None) -> dict[str, Any]:
    """papermill parameters: study.yml's keys (plain JSON values) + paths, every key checked.

    With ``notebook``, each key must also be one it accepts (see the module docstring).
    """
    # Loaded when a stage has to run: kit.study brings pandas (a second to import),
    # which a run where nothing changed never needs.
    from kit.study.safe_yaml import read_yaml_document

    shown = str(study_dir.relative_to(repo_root) / STUDY_FILE)
    document = read_yaml_document(study_dir / STUDY_FILE, KitError, shown)
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        raise KitError(f"{shown}: expected a mapping of keys, got {type(data).__name__}")
    accepted = None
    if notebook is not None:  # the plan's keys (the stages' contract) and whatever the notebook declares
        from kit.study.study_file import PLAN_KEYS

        accepted = set(PLAN_KEYS) | notebook_parameters(notebook)
    check_parameter_names(data, document.key_lines, shown, accepted)
    params: dict[str, Any] = to_jsonable(data)  # dates -> ISO strings, as `papermill -f` would give
    params["study_dir"] = str(study_dir.relative_to(repo_root))
    params["reports_dir"] = str(Path(REPORTS_DIR) / study_dir.name)
    return params
