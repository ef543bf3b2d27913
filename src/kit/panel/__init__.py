"""The participant panel across studies: people, contact rules, history, recruiting, retention.

:mod:`.people` reads ``panel/people.csv`` (and, for every stage's consent
check, who withdrew); :mod:`.rules` reads ``panel/rules.yml`` over the kit's
defaults; :mod:`.history` derives each person's sessions from every study's
``participants.csv`` (``person_id``) and ``sessions.csv`` (``attended``);
:mod:`.eligibility` applies the contact rules on a day; :mod:`.recruit`
proposes invitations (``kit recruit``); :mod:`.retention` lists and purges raw
data past its retention date and data of withdrawn people (``kit check
--retention``, ``kit purge``); :mod:`.supply` checks a plan's sample against
the panel.

May import: the core and :mod:`kit.study`. :mod:`kit.privacy` and the stages
import it (a withdrawal withholds quotes everywhere), so it never imports them.
"""
from __future__ import annotations

from kit.panel.people import Panel, Person, load_panel, withdrawn_person_ids
from kit.panel.rules import PanelRules, load_rules

__all__ = ["Panel", "PanelRules", "Person", "load_panel", "load_rules", "withdrawn_person_ids"]
