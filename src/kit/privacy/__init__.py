"""Participants' privacy: pseudonyms, redaction, and the proof that nothing leaked.

:mod:`.roster` maps participants to stable pseudonyms and holds consent;
:mod:`.redaction` replaces names, e-mails, phones and other personal data in
free text (:mod:`.name_context` tells a name such as Will from the word);
:mod:`.inventory` lists what a study must never publish;
:mod:`.leak_check` scans ``reports/`` and ``_site/`` for it (``kit check --privacy``).

May import: the core and :mod:`kit.study`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "Roster": "kit.privacy.roster",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.privacy.roster import Roster as Roster
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
