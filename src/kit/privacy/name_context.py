"""Is a capitalised everyday word (Will, May, Mark, Grace, Hope, Bill ...) used as a name here?

A participant called Will must be redacted in "Will said the total was
wrong" and "I asked Will", but "Will it ship?" and "in May" must stay. Only
capitalised (or upper-case) words come here: lower case is never taken for
one of these names. The word lists are data (``name_context`` in
``data/redaction_patterns.yml``). The rules, in order:

1. followed by a possessive (``Will's``): a name;
2. after a determiner (``the Mark button``): not a name;
3. a month (May, June ...) after a time preposition (``in May``, ``since
   June``) or before a number (``May 3``): not a name;
4. at the start of a sentence (the text's start, after ``. ! ? : ;``, an
   opening quote or bracket, or a dash), followed by a word that opens a
   clause (``Will it``, ``May I``, ``Hope this``, ``Mark the``, ``Bill me``):
   not a name;
5. otherwise a name. Capitalised in mid-sentence, or at a sentence start
   before a verb or the end, the word reads as a name; when in doubt the
   name is redacted, since a missed name is a privacy leak and an extra
   ``[name]`` is not.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kit.privacy.patterns import PatternTable

_NEXT_WORD = re.compile(r"[\s\u00a0]*([^\W\d_]+)")
_POSSESSIVE = re.compile(r"['\u2019]s\b", re.IGNORECASE)
_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)[\s\u00a0]*$")
_NUMBER_NEXT = re.compile(r"[\s\u00a0]*(?:\d|(?:st|nd|rd|th)\b)")
SENTENCE_OPENERS = '.!?:;"\u201c\u2018([{\u2014\u2013-\n'


def _context(table: PatternTable, key: str) -> frozenset[str]:
    return table.name_context.get(key, frozenset())


def sentence_start(text: str, start: int) -> bool:
    """Whether ``text[start]`` opens a sentence (or a turn, a quote, a bracket)."""
    before = text[:start].rstrip(" \t\u00a0'\u2018")
    return not before or before[-1] in SENTENCE_OPENERS


def used_as_name(text: str, start: int, end: int, table: PatternTable) -> bool:
    """Whether the everyday word ``text[start:end]`` is used as a name (rules in the module docstring)."""
    word = text[start:end].casefold()
    after = text[end:]
    if _POSSESSIVE.match(after):
        return True
    previous = _PREVIOUS_WORD.search(text, 0, start)
    prev_word = previous.group(1).casefold() if previous else ""
    if prev_word in _context(table, "determiners") and not sentence_start(text, start):
        return False
    if word in _context(table, "months") and (prev_word in _context(table, "time_words") or _NUMBER_NEXT.match(after)):
        return False
    if sentence_start(text, start):
        nxt = _NEXT_WORD.match(after)
        if nxt and nxt.group(1).casefold() in _context(table, "clause_openers"):
            return False
    return True
