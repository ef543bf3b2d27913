"""Can the panel supply a plan's ``participants_per_segment`` before its sessions start?

For each segment of the plan: the people already on the study's roster
(linked by ``person_id``, unless they withdrew) plus the panel people eligible on the study's
``start_date`` (:mod:`kit.panel.eligibility`: the cooldowns that end by then
count). A segment the panel cannot fill gets a warning in the plan stage.
The result holds counts only: it is published in plan.json.

The panel and history are read once per process for the same files
(:func:`panel_state`): ``kit run`` asks for every study's supply to decide
whether its plan must run again, and the answer must be cheap.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from pathlib import Path
from typing import Any

from kit.errors import KitError
from kit.layout import DATA_DIR, panel_root
from kit.panel.eligibility import evaluate
from kit.panel.history import Participation, by_person, load_history
from kit.panel.rules import PanelRules, load_rules
from kit.study.panel_people import Panel, load_panel, panel_file
from kit.study.records import FilesStamp, files_stamp, person_links, roster_stamp
from kit.study.study_file import Study

UNREADABLE = (
    "The panel could not be read, so the plan's sample was not checked against it: "
    "run `kit recruit` or `kit check --retention` to see what is wrong."
)


def _stamp(repo_root: Path) -> FilesStamp:
    return files_stamp(list(panel_root(repo_root).glob("*"))) + roster_stamp(repo_root)


@functools.lru_cache(maxsize=4)
def _state(repo_root: Path, stamp: FilesStamp) -> tuple[Panel, PanelRules, dict[str, list[Participation]]] | None:
    panel = load_panel(repo_root)
    if panel is None:
        return None
    return panel, load_rules(repo_root), by_person(load_history(repo_root))


def panel_state(repo_root: str | Path) -> tuple[Panel, PanelRules, dict[str, list[Participation]]] | None:
    """(panel, rules, history by person), read once per set of file versions; None without a panel."""
    root = Path(repo_root).resolve()
    if panel_file(root) is None:
        return None
    return _state(root, _stamp(root))


def plan_supply(repo_root: str | Path, study_dir: str | Path, study: Study) -> dict[str, Any] | None:
    """Per plan segment: planned, already on the roster, eligible on the start date, short. None without a panel."""
    try:
        state = panel_state(repo_root)
        if state is None:
            return None
        panel, rules, history = state
        on_roster = set(person_links(Path(study_dir) / DATA_DIR, []).values())
    except KitError:
        return {"day": study.start_date.isoformat(), "segments": [], "warnings": [UNREADABLE]}
    day: dt.date = study.start_date
    result = evaluate(panel, history, rules, day)
    recruited = Counter(
        panel.people[p].segment.casefold() for p in on_roster if p in panel.people and panel.people[p].withdrawn is None
    )
    eligible = Counter(panel.people[p].segment.casefold() for p in result.eligible() if p not in on_roster)
    rows, warnings = [], []
    for seg in study.segments:
        planned = study.participants_per_segment.get(seg, 0)
        have, free = recruited[seg.casefold()], eligible[seg.casefold()]
        short = max(0, planned - have - free)
        rows.append({"segment": seg, "planned": planned, "recruited": have, "eligible": free, "short": short})
        if short:
            warnings.append(
                f"The panel cannot supply segment '{seg}' by {day.isoformat()}: {planned} planned, "
                f"{have} already recruited, {free} eligible (short {short}). Recruit outside the "
                "panel, plan fewer sessions or start later."
            )
    return {"day": day.isoformat(), "segments": rows, "warnings": warnings}
