"""The site's Glossary page: each term a reader meets, in plain words first, A to Z.

The site is read by PMs and leads. Its labels are plain words with the
precise term one hover away (an ``<abbr title>``), which neither a phone nor a
keyboard or screen-reader user can browse as a whole. This page lists them:
the words, what they mean in a sentence or two, and for researchers the
precise term or source behind them.

One table holds it all, ``data/reader_words.csv`` (:func:`kit.display.reader_word_rows`):
``words`` (what the site shows), ``precise`` (the hover), ``meaning`` (this
page's sentences). A row without a meaning is a column header only and is left
out; two rows with a meaning may not read alike, so each term is listed once.

The output is Markdown, a definition list (Pandoc's ``definition_lists``,
https://pandoc.org/MANUAL.html#definition-lists; the preview converts it with
mistune's ``def_list`` plugin): Quarto includes it in ``glossary.qmd``.
Every value passes :func:`kit.display.markdown_text`, so no text can become a
link or HTML, and each is one line that cannot open a block (a list, another
term), so no value can end its entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kit.display import markdown_text as md
from kit.display import reader_word_rows
from kit.errors import KitError

TABLE = "data/reader_words.csv"
LEAD = (
    "The words this site uses, A to Z: what each means and, for researchers, the precise term or source "
    "behind it. Elsewhere on the site, pointing at a word with a dotted underline shows that precise term too."
)


# What would open a block at the start of a term's or a meaning's line: a list item ("- ", "+ ", "1. ",
# "1) "), another definition (": ", "~ ") or a heading underline ("="). markdown_text leaves them (they are
# text anywhere else on a line); a backslash keeps them text here (both engines allow it before punctuation).
_BLOCK_START = re.compile(r"^(?:([-+:~=])|(\d+)([.)]))")


def _line(text: str) -> str:
    """One value as literal Markdown that stays inside its entry."""
    return _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", md(text), count=1)


@dataclass(frozen=True)
class GlossaryEntry:
    """One term of the Glossary page."""

    key: str
    words: str  # what the site shows
    meaning: str  # in a sentence or two
    precise: str  # the term or source for researchers ("" when the words are all there is)


def glossary_entries(rows: Iterable[Mapping[str, str | None]] | None = None) -> list[GlossaryEntry]:
    """The rows with a meaning (``rows``: the table's, by default), sorted by their words, case aside.

    Raises :class:`KitError` for a row with a meaning but no words, and for two
    rows with a meaning whose words are the same (the reader could not tell them apart).
    """
    entries: list[GlossaryEntry] = []
    seen: dict[str, str] = {}
    for row in reader_word_rows() if rows is None else rows:
        key, words, meaning = (" ".join((row.get(k) or "").split()) for k in ("key", "words", "meaning"))
        if not meaning:
            continue
        if not words:
            raise KitError(f"{TABLE}: row {key!r} has a meaning but no words; expected the words the site shows")
        first = seen.setdefault(words.casefold(), key)
        if first != key:
            raise KitError(
                f"{TABLE}: rows {first!r} and {key!r} both read {words!r} and both have a meaning; "
                "expected each term of the glossary once (give one of them other words, or no meaning)"
            )
        entries.append(GlossaryEntry(key, words, meaning, " ".join((row.get("precise") or "").split())))
    return sorted(entries, key=lambda e: (e.words.casefold(), e.words))


def glossary_markdown(entries: list[GlossaryEntry]) -> str:
    """The Glossary page's generated part: a lead paragraph and one definition per term."""
    out = [md(LEAD), ""]
    if not entries:
        out.append(f"No term has a meaning yet (the `meaning` column of `{TABLE}`).")
    for e in entries:
        out += [_line(e.words), f":   {_line(e.meaning)}" + ("\\" if e.precise else "")]
        if e.precise:  # after a line break (a backslash ending the line, in both engines), same definition
            out.append(f"    *For researchers:* {md(e.precise)}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
