"""What a study's stages read of the panel, as values the run manifest digests into cache keys.

``kit run`` re-executes a stage only when something it reads changed
(:mod:`kit.run.manifest`). Of the panel, a stage reads derived values rather
than whole files, so that a change elsewhere in the panel re-runs only the
studies it concerns: the consent restrictions of the study's own people
(:func:`study_consent`) and the plan's panel check (:func:`study_supply`);
a file of ``panel/`` read whole is :func:`panel_input_file`. One function per
kind of input; the run's input providers (:mod:`kit.run.input_kinds`) call
them and never the panel's insides.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kit.errors import KitError
from kit.layout import DATA_DIR, panel_root
from kit.panel.supply import panel_state, plan_supply
from kit.study.panel_people import panel_consent
from kit.study.records import person_links
from kit.study.study_file import load_study

INVALID_STUDY = "invalid study.yml"


def study_consent(repo_root: Path, study_dir: Path) -> list[tuple[str, tuple[bool, bool]]]:
    """(person_id, (may be quoted, may have recordings linked)) of the study's people the panel restricts, sorted.

    From :func:`kit.study.panel_people.panel_consent`: a withdrawal, or a
    ``no`` in another study, changes this for the studies of that person only.
    """
    linked = set(person_links(study_dir / DATA_DIR, []).values())
    restricted = panel_consent(repo_root)
    return sorted((person, restricted[person]) for person in linked if person in restricted)


def study_supply(repo_root: Path, study_dir: Path) -> dict[str, Any] | str | None:
    """The plan's panel check for the study (:func:`kit.panel.supply.plan_supply`: counts per segment).

    None without a panel, without reading study.yml; :data:`INVALID_STUDY`
    when study.yml does not load (the plan stage runs and says why). So a
    session added in another study re-runs this plan only when it changes
    the counts. A panel that cannot be read raises its
    :class:`~kit.errors.PanelError`.
    """
    if panel_state(repo_root) is None:
        return None
    try:
        study = load_study(study_dir)
    except KitError:
        return INVALID_STUDY
    return plan_supply(repo_root, study_dir, study)


def panel_input_file(repo_root: Path, name: str) -> Path:
    """``panel/<name>``, or its ``.xlsx`` twin when the panel is kept as a spreadsheet."""
    path = panel_root(repo_root) / name
    if not path.is_file() and path.suffix == ".csv" and path.with_suffix(".xlsx").is_file():
        path = path.with_suffix(".xlsx")
    return path
