"""Redaction: one compiled regex that replaces personal data in free text.

The typed patterns (e-mails, phone numbers, card numbers, URLs with query
strings, street addresses: :mod:`kit.privacy.patterns`); the names
come from the study's roster (:mod:`kit.privacy.roster`). Both are compiled into a
single alternation so a text is scanned once, whatever the roster size: names
are compiled as a character trie (``(?i:ma(?:ria|teus))`` ...) so adding a
participant adds branches, not passes. This is what keeps redaction of 100k
notes within the synthesis benchmark.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from kit.privacy.name_context import used_as_name
from kit.privacy.patterns import CHECKS, DIGIT, PatternTable, pattern_table


class NameHashes(Protocol):
    """Names known by their hashes only (:class:`kit.privacy.purged_names.PurgedNames`)."""

    def find(self, text: str) -> Iterator[tuple[int, int]]: ...


PURGED_NAME = "[name]"  # what a name an earlier purge removed becomes

NAME_PLACEHOLDER = "[name]"
_DIGIT = re.compile(r"\d")  # a name part shared by two people: no pseudonym can be chosen


APOSTROPHES = "\u2019\u02bc\u2018`"  # typed for ' in O'Connor by phones and word processors


def normalise_name(text: str) -> str:
    """Key of a name for lookups: NFC, whitespace collapsed, case-folded, one apostrophe."""
    text = unicodedata.normalize("NFC", text)
    for apostrophe in APOSTROPHES:
        text = text.replace(apostrophe, "'")
    return " ".join(text.split()).casefold()


def apostrophe_variants(key: str) -> set[str]:
    """``o'connor`` -> also ``o’connor`` ..., as texts may spell it."""
    return {key} | ({key.replace("'", a) for a in APOSTROPHES} if "'" in key else set())


def punctuation_variants(key: str) -> set[str]:
    """``o'brien`` -> ``obrien``, ``o brien``; ``al-sayed`` -> ``alsayed``, ``al sayed`` (as people type them)."""
    out = {key}
    for mark in ("'", "-"):
        out |= {v.replace(mark, "") for v in out} | {v.replace(mark, " ") for v in out}
    return {" ".join(v.split()) for v in out if v.strip()}


def strip_accents(text: str) -> str:
    """``José Núñez`` -> ``Jose Nunez`` (people type names without accents)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@dataclass(frozen=True)
class NameRule:
    """A name (or name part) to replace: ``any_case`` False means Title/UPPER only."""

    key: str  # normalise_name() form
    replacement: str
    any_case: bool


def name_parts(full_name: str) -> list[str]:
    """The single names inside a full name: words, and the pieces of hyphenated words."""
    parts: list[str] = []
    for word in full_name.split():
        word = word.strip(".,;:()\"'")
        if not word:
            continue
        parts.append(word)
        if "-" in word:
            parts.extend(p for p in word.split("-") if p)
    return parts


def is_everyday_word(part: str, table: PatternTable | None = None) -> bool:
    """A name part that is also a common word (or has two letters): capitalised-only rules."""
    table = table or pattern_table()
    letters = sum(c.isalpha() for c in part)
    return letters < 3 or normalise_name(part) in table.common_words


def name_rules(people: Iterable[tuple[str, str]]) -> list[NameRule]:
    """Rules for every (full name, replacement): the full name and each single name.

    * a full name matches in any case, with any whitespace between its words;
    * a single name matches alone in any case, unless it is an everyday word or
      has two letters (then Title or UPPER case only: "Will", not "will");
      particles (van, de, al ...) and initials are never replaced alone;
    * a single name shared by people with different replacements becomes
      ``[name]``, since no pseudonym is right;
    * each rule is also added without accents (José -> Jose), and without
      its apostrophes or hyphens (O'Brien -> Obrien, O Brien; Al-Sayed ->
      Alsayed, Al Sayed).
    """
    table = pattern_table()
    claims: dict[str, set[str]] = {}
    multiword: set[str] = set()
    for full, replacement in people:
        full = " ".join(str(full).split())
        if sum(c.isalpha() for c in full) < 2:
            continue
        keys = [full]
        for part in name_parts(full):
            if part.casefold() in table.name_particles or sum(c.isalpha() for c in part) < 2:
                continue
            keys.append(part)
        for key in keys:
            for base in {normalise_name(key), normalise_name(strip_accents(key))}:
                for variant in punctuation_variants(base):
                    claims.setdefault(variant, set()).add(replacement)
                    if " " in variant:
                        multiword.add(variant)
    rules = []
    for key, replacements in claims.items():
        replacement = next(iter(replacements)) if len(replacements) == 1 else NAME_PLACEHOLDER
        any_case = key in multiword or not is_everyday_word(key, table)
        rules.append(NameRule(key, replacement, any_case))
    return rules


def trie_regex(words: Iterable[str]) -> str:
    """A regex matching exactly ``words``, factored as a trie (a space matches any whitespace)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        if list(node) == [""]:
            return ""
        optional = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            atom = r"\s+" if ch == " " else re.escape(ch)
            branches.append(atom + emit(node[ch]))
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if optional:
            body = f"(?:{body})?"
        return body

    return emit(trie)


# --- the redactor ------------------------------------------------------------------------


class Redactor:
    """Replaces typed personal data and the given names in one pass over a text."""

    def __init__(
        self, rules: Iterable[NameRule] = (), table: PatternTable | None = None, purged: NameHashes | None = None
    ) -> None:
        self.table = table or pattern_table()
        self.purged = purged  # names earlier purges removed, known by their hashes only
        self.replacements: dict[str, str] = {}
        # Names that are also everyday words: replaced where the context reads as a name
        # (kit.privacy.name_context), kept in ordinary use ("Will it ship?").
        self.everyday: frozenset[str] = frozenset()
        any_case: list[str] = []
        capital_only: list[str] = []
        everyday: set[str] = set()
        for rule in rules:
            self.replacements[rule.key] = rule.replacement
            if not rule.any_case and rule.key in self.table.common_words:
                everyday.add(rule.key)
            for key in apostrophe_variants(rule.key):
                if rule.any_case:
                    any_case.append(key)
                else:
                    # Title case and upper case of the word as it would be typed.
                    capital_only.extend({key.title(), key.upper()})
        self.everyday = frozenset(everyday)
        name_alts = []
        if any_case:
            name_alts.append(f"(?i:{trie_regex(any_case)})")
        if capital_only:
            name_alts.append(trie_regex(capital_only))
        self._name_regex = (r"(?<!\w)(?:" + "|".join(name_alts) + r")(?!\w)") if name_alts else None
        needs = {n for p in self.table.patterns for n in p.needs}
        self._literal_needs = tuple(sorted(needs - {DIGIT}))
        self._digit_need = DIGIT in needs
        self._plans: dict[tuple[bool, ...], tuple[re.Pattern[str] | None, frozenset[int]]] = {}
        self._compiled: dict[frozenset[int], re.Pattern[str] | None] = {}
        self._compile(frozenset())  # fail early on a bad pattern table

    def _compile(self, excluded: frozenset[int]) -> re.Pattern[str] | None:
        """The alternation of every typed pattern not in ``excluded``, then the names."""
        if excluded in self._compiled:
            return self._compiled[excluded]
        # Consecutive patterns that start with the same characters share one
        # look-ahead, so elsewhere the regex engine skips them in one step.
        alts: list[str] = []
        group: list[str] = []
        starts = None
        for i, p in enumerate(self.table.patterns):
            if i in excluded:
                continue
            if group and p.starts != starts:
                alts.append(_gated(starts, group))
                group = []
            starts = p.starts
            group.append(f"(?P<t{i}>{p.regex})")
        if group:
            alts.append(_gated(starts, group))
        if self._name_regex:
            alts.append(f"(?P<name>{self._name_regex})")
        regex = re.compile("|".join(alts)) if alts else None
        self._compiled[excluded] = regex
        return regex

    def redact(self, text: str) -> str:
        """``text`` with every match replaced by its placeholder or pseudonym."""
        if not text:
            return text
        edits = self.edits(text)
        if not edits:
            return text
        parts: list[str] = []
        at = 0
        for start, end, replacement in edits:
            parts += [text[at:start], replacement]
            at = end
        parts.append(text[at:])
        return "".join(parts)

    def edits(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, replacement) of every replacement :meth:`redact` makes, in order."""
        if not text:
            return []
        # Leave out the patterns whose required characters the text lacks
        # (most notes hold no digit, @ or ?): fewer alternatives, faster scan.
        key = tuple(map(text.__contains__, self._literal_needs))
        if self._digit_need:
            key += (_DIGIT.search(text) is not None,)
        plan = self._plans.get(key)
        if plan is None:
            present = {need for need, hit in zip((*self._literal_needs, DIGIT), key) if hit}
            excluded = frozenset(
                i for i, p in enumerate(self.table.patterns) if p.needs and not present.intersection(p.needs)
            )
            plan = self._plans[key] = (self._compile(excluded), excluded)
        edits = self._edits(plan[0], plan[1], text, 0, len(text), text)
        if self.purged is not None:
            # A purged name no roster holds any more (an earlier study, a withdrawn person).
            spans = [(a, b, PURGED_NAME) for a, b in self.purged.find(text)]
            edits = sorted(edits + [s for s in spans if not any(s[0] < e and e0 < s[1] for e0, e, _ in edits)])
        return edits

    def find(self, text: str) -> list[tuple[str, str]]:
        """(kind, matched text) of every typed pattern or name in ``text``."""
        if not text:
            return []
        return self._find(self._compile(frozenset()), frozenset(), text)

    def _find(self, regex: re.Pattern[str] | None, excluded: frozenset[int], text: str) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for m in regex.finditer(text) if regex is not None else ():
            if m.lastgroup == "name":
                found.append(("name", m.group()))
                continue
            assert m.lastgroup is not None  # every alternative of the regex is a named group
            index = int(m.lastgroup[1:])
            pattern = self.table.patterns[index]
            if pattern.check and not CHECKS[pattern.check](m.group()):
                narrower = excluded | {index}
                found.extend(self._find(self._compile(narrower), narrower, m.group()))
            else:
                found.append((pattern.kind, m.group()))
        return found

    def _edits(
        self, regex: re.Pattern[str] | None, excluded: frozenset[int], text: str, start: int, end: int, whole: str
    ) -> list[tuple[int, int, str]]:
        """Replacements in ``text[start:end]`` (offsets in ``text``; ``whole`` gives names their context)."""
        if regex is None:
            return []
        out: list[tuple[int, int, str]] = []
        for m in regex.finditer(text, start, end):
            group = m.lastgroup
            if group == "name":
                key = normalise_name(m.group())
                if key in self.everyday and not used_as_name(whole, m.start(), m.end(), self.table):
                    continue
                out.append((m.start(), m.end(), self.replacements.get(key, NAME_PLACEHOLDER)))
                continue
            assert group is not None  # every alternative of the regex is a named group
            index = int(group[1:])
            pattern = self.table.patterns[index]
            if pattern.check and not CHECKS[pattern.check](m.group()):
                # Not this kind after all: let the other patterns look at it.
                narrower = excluded | {index}
                out += self._edits(self._compile(narrower), narrower, text, m.start(), m.end(), whole)
            else:
                out.append((m.start(), m.end(), pattern.placeholder))
        return out


def _gated(starts: str | None, alternatives: list[str]) -> str:
    body = "|".join(alternatives)
    return f"(?={starts})(?:{body})" if starts else body


def redact_typed(text: str) -> str:
    """Replace only the typed patterns (no roster): e-mails, phones, cards, URLs, addresses."""
    return _plain_redactor().redact(text)


@lru_cache(maxsize=1)
def _plain_redactor() -> Redactor:
    return Redactor()


def placeholders() -> Mapping[str, str]:
    """kind -> placeholder, for documentation and tests."""
    return {p.kind: p.placeholder for p in pattern_table().patterns}


def find_typed(text: str) -> list[tuple[str, str]]:
    """Every (kind, matched text) of the typed patterns in ``text`` (checks applied).

    The privacy check uses it to list the e-mails, phones, cards, URLs and
    addresses a study's raw data holds, so it can look for exactly those.
    """
    return _plain_redactor().find(text)
