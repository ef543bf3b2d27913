"""The participant panel across studies: people, contact rules, history, recruiting, retention.

The people of ``panel/people.csv`` are read by :mod:`kit.study.panel_people`
(the file contract, which the privacy check and every stage's consent check
also read); :mod:`.rules` reads ``panel/rules.yml`` over the kit's
defaults; :mod:`.history` derives each person's sessions from every study's
``participants.csv`` (``person_id``) and ``sessions.csv`` (``attended``);
:mod:`.eligibility` applies the contact rules on a day; :mod:`.recruit`
proposes invitations (``kit recruit``); :mod:`.retention` lists and purges raw
data past its retention date and data of withdrawn people (``kit check
--retention``, ``kit purge``); :mod:`.supply` checks a plan's sample against
the panel.

May import: the core, :mod:`kit.study` and :mod:`kit.privacy` (a purge redacts
a withdrawn person's name where others' notes mention it). The stages, the
runner and the site import it; it never imports them.
"""
from __future__ import annotations

from kit.panel.rules import PanelRules, load_rules
from kit.study.panel_people import Panel, Person, load_panel, withdrawn_person_ids

__all__ = ["Panel", "PanelRules", "Person", "load_panel", "load_rules", "withdrawn_person_ids"]
