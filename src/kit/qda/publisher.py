"""What a REFI-QDA export shows of a study: pseudonymised and redacted, or raw.

Pseudonymised by default, like the site (:mod:`kit.privacy.roster`): participants
are P01 ..., text goes through :meth:`Roster.redact`, verbatim quotes and
transcript turns of participants without quote consent are withheld. Codes are
named as the codebook's canonical names (synonyms and retired codes as the code
they stand for, as the agreement measures them); the code tree is the codebook's
active codes plus tags in use that it lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kit.privacy.roster import Roster
from kit.study.codebook import Codebook, code_guid
from kit.study.transcripts import Utterance

WITHHELD = "[quote withheld: no consent to quotes]"


@dataclass
class ExportNote:
    """One note as the export shows it, with each coder's codes."""

    id: str
    session: str
    text: str
    codes: dict[str, list[str] | None]  # coder -> codes (None = not coded by that coder)


class Publisher:
    """Names and text as the export shows them: pseudonymised and redacted, or raw."""

    def __init__(self, roster: Roster, raw: bool) -> None:
        self.roster, self.raw = roster, raw
        self._cache: dict[str, str] = {}

    def text(self, text: str) -> str:
        if self.raw or not text:
            return text
        if text not in self._cache:
            self._cache[text] = self.roster.redact(text)
        return self._cache[text]

    def participant(self, pid: str, name: str = "") -> str:
        if self.raw:
            return f"{name} ({pid})" if name else pid
        return self.roster.pseudonyms.get(pid, "")

    def speaker(self, utterance: Utterance) -> str:
        return utterance.speaker if self.raw else self.roster.speaker(utterance.speaker)

    def turn(self, utterance: Utterance) -> str:
        if self.raw:
            return utterance.text
        if utterance.participant_id and not self.roster.can_quote(utterance.participant_id):
            return WITHHELD
        return self.text(utterance.text)


def code_mapper(book: Codebook | None, public: Publisher) -> Callable[[str], str]:
    """A tag's code name as exported (canonical, redacted and lowercased unless raw), memoised."""
    cache: dict[str, str] = {}

    def code_of(tag: str) -> str:
        if tag not in cache:
            name = book.canonical(tag) if book is not None else tag
            cache[tag] = name if public.raw else public.text(name).lower()
        return cache[tag]

    return code_of


def tool_name(name: str, parent: str | None) -> str:
    """The name a code has in a QDA tool's tree: ``price/positive`` under ``price`` is ``positive``.

    An import names two codes of one name under different parents ``<parent>/<name>``
    (:mod:`kit.qda.importer`); the export gives them back their own names.
    """
    return name[len(parent) + 1 :] if parent and name.startswith(parent + "/") and len(name) > len(parent) + 1 else name


def code_tree(book: Codebook | None, public: Publisher, used: set[str]) -> dict[str, dict[str, Any]]:
    """Code name -> {name (as the tool shows it), guid, parent, description, color}: the codebook's active
    codes plus codes in use."""
    out: dict[str, dict[str, Any]] = {}
    if book is not None:
        for name, code in book.codes.items():
            if code.status != "active":
                continue
            shown = name if public.raw else public.text(name).lower()
            label = tool_name(name, code.parent)
            out[shown] = {
                "name": label if public.raw else public.text(label).lower(),
                "guid": book.guid(name),
                "parent": code.parent,
                "description": code.definition,
                "color": code.color,
            }
    for name in sorted(used - set(out)):
        out[name] = {"name": name, "guid": code_guid(name), "parent": None, "description": "", "color": None}
    for info in out.values():
        if info["parent"] not in out:
            info["parent"] = None
    return out
