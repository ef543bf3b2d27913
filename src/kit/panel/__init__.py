"""The participant panel across studies: people, contact rules, history, recruiting, retention.

The people of ``panel/people.csv`` are read by :mod:`kit.study.panel_people`
(the file contract, which the privacy check and every stage's consent check
also read); :mod:`.rules` reads ``panel/rules.yml`` over the kit's
defaults; :mod:`.history` derives each person's sessions from every study's
``participants.csv`` (``person_id``) and ``sessions.csv`` (``attended``);
:mod:`.eligibility` applies the contact rules on a day; :mod:`.recruit`
proposes invitations (``kit recruit``, also among a beta program's members:
:mod:`.programs` reads ``panel/programs.yml``); :mod:`.retention` lists and purges raw
data past its retention date and data of withdrawn people (``kit check
--retention``, ``kit purge``; which cells go is the table of
:mod:`.purge_plan`, the files no study owns are :mod:`.shared_files`); :mod:`.supply` checks a plan's sample against
the panel; :mod:`.study_inputs` gives the run manifest what a study's stages
read of the panel (its people's consent, the plan's supply).

May import: the core, :mod:`kit.study` and :mod:`kit.privacy` (a purge redacts
a withdrawn person's name where others' notes mention it). The stages, the
runner and the site import it; it never imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "PanelRules": "kit.panel.rules",
    "load_rules": "kit.panel.rules",
    "Panel": "kit.study.panel_people",
    "Person": "kit.study.panel_people",
    "load_panel": "kit.study.panel_people",
    "withdrawn_person_ids": "kit.study.panel_people",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.panel.rules import PanelRules as PanelRules
    from kit.panel.rules import load_rules as load_rules
    from kit.study.panel_people import Panel as Panel
    from kit.study.panel_people import Person as Person
    from kit.study.panel_people import load_panel as load_panel
    from kit.study.panel_people import withdrawn_person_ids as withdrawn_person_ids
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
