"""What the site's search finds: a finding's words lead to its card, not also to what repeats it.

Quarto 1.11 indexes a page as one entry per ``section.level2`` with an id
(the section's heading as the entry's ``section``, its whole text as
``text``) plus one entry for the text outside them (``website-search.ts`` of
quarto-cli, around "section.level2"); nothing can be left out (it has no
exclude class). So on a study's insights page the "Insights" section repeated
the text of every card nested in it, and the "Summary" section restated every
insight's statement: a search for a finding's words listed the card, the
Summary and the Insights sections. The preview's index had one entry per page
with all of its text, so there the page came up beside the card.

The parts of a page that search treats apart are a table,
``data/search_parts.csv``, keyed by the class the kit's templates give them;
its ``entry`` column says what search does with each (:data:`ENTRY_KINDS`):

* ``own``: the part is an entry of its own (an insight card, ``#insight-I1``)
  and its text is left out of what holds it: Quarto's entry of the enclosing
  section loses the part's text (and is dropped when only its heading is
  left); the preview gives the part an entry with its heading as the title;
* ``none``: the part is left out of search. In the Quarto index the entry of
  the section that holds it is dropped (the template's "Summary" section holds
  the summary alone); the preview leaves the part's text out of the page's entry.

Both engines therefore agree: the insight's words find its card, once, on its page.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from kit.errors import KitError
from kit.iorw import read_json
from kit.layout import kit_data
from kit.site.incremental import write_fresh

TABLE = "search_parts.csv"
ENTRY_KINDS = ("own", "none")
"""``own``: an entry of its own; ``none``: left out of search."""
SEARCH_TEXT_CHARS = 20_000  # per entry of the preview: enough for headings, tables and quotes
_UNREAD = ("script", "style", "summary", "pre")  # the preview leaves their text out (a <summary> is a fold's label)


@dataclass(frozen=True)
class SearchPart:
    """One row of ``data/search_parts.csv``."""

    css_class: str
    entry: str  # one of ENTRY_KINDS
    label: str  # an own part's kind in the preview's results ("Insight")


@functools.cache
def search_parts() -> dict[str, SearchPart]:
    """The table, by class; a row whose ``entry`` is not one of :data:`ENTRY_KINDS` is a :class:`KitError`."""
    parts: dict[str, SearchPart] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(kit_data(TABLE))), start=2):
        css_class, entry = (row.get("class") or "").strip(), (row.get("entry") or "").strip()
        if not css_class or entry not in ENTRY_KINDS:
            raise KitError(
                f"data/{TABLE}:{line}: class {css_class!r}, entry {entry!r}; "
                f"expected a class and an entry of {', '.join(ENTRY_KINDS)}"
            )
        parts[css_class] = SearchPart(css_class, entry, (row.get("label") or "").strip())
    return parts


@dataclass
class FoundPart:
    """A part of the table met in a page: its kind, its id and the level-2 section that holds it."""

    part: SearchPart
    id: str
    holder: str  # the id of the innermost enclosing section.level2 with an id ("" when none)
    title: list[str] = field(default_factory=list)  # the text of its first h2 (the preview's title)
    text: list[str] = field(default_factory=list)


class _PageParts(HTMLParser):
    """Walks a page: the parts of the table, where they sit, and the text outside them."""

    def __init__(self, parts: dict[str, SearchPart]) -> None:
        super().__init__()
        self.parts = parts
        self.found: list[FoundPart] = []
        self.text: list[str] = []  # the page's own text: outside every part
        self._sections: list[str] = []  # ids of the open section elements ("" unless level2 with an id)
        self._open: list[tuple[FoundPart, str, int]] = []  # parts being read: (part, tag, depth of that tag)
        self._unread = 0
        self._heading: FoundPart | None = None  # the part whose first h2 is being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        part = next((self.parts[c] for c in classes if c in self.parts), None)
        if part is not None:
            holder = next((s for s in reversed(self._sections) if s), "")
            self.found.append(FoundPart(part, a.get("id") or "", holder))
            self._open.append((self.found[-1], tag, 0))
        elif self._open and self._open[-1][1] == tag:
            found, name, depth = self._open[-1]
            self._open[-1] = (found, name, depth + 1)
        if tag == "section":
            self._sections.append((a.get("id") or "") if "level2" in classes else "")
        if tag in _UNREAD:
            self._unread += 1
        if tag == "h2" and self._open and not self._open[-1][0].title:
            self._heading = self._open[-1][0]

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._sections:
            self._sections.pop()
        if tag in _UNREAD and self._unread:
            self._unread -= 1
        if tag == "h2":
            self._heading = None
        if self._open and self._open[-1][1] == tag:
            found, name, depth = self._open[-1]
            if depth:
                self._open[-1] = (found, name, depth - 1)
            else:
                self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.title.append(data)
        if self._unread:
            return
        if not self._open:
            self.text.append(data)
        elif self._open[-1][0].part.entry == "own":
            self._open[-1][0].text.append(data)


def _words(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(parts)).strip()[:SEARCH_TEXT_CHARS]


def read_page(fragment: str) -> _PageParts:
    """The parts of the table in an HTML page or fragment, and the text outside them."""
    reader = _PageParts(search_parts())
    reader.feed(fragment)
    reader.close()
    return reader


def page_text(fragment: str) -> str:
    """The preview's text of a page: its visible text outside the parts (no script, style, fold label, code)."""
    return _words(read_page(fragment).text)


def own_entries(fragment: str, rel: str, page_title: str) -> list[dict[str, str]]:
    """The preview's entries of a page's own parts (its cards): title, link to the part, kind, text.

    The page's title is part of the text, as Quarto's entries carry it (its search matches titles too).
    """
    return [
        {
            "t": _words(p.title),
            "u": f"{rel}#{p.id}",
            "k": f"{p.part.label} · {page_title}",
            "x": _words([page_title, *p.text]),
        }
        for p in read_page(fragment).found
        if p.part.entry == "own" and p.id
    ]


def _page_of(entry: dict[str, Any]) -> str:
    return str(entry.get("href", "")).split("#")[0]


def _only_heading(entry: dict[str, Any]) -> bool:
    return html.unescape(str(entry.get("text", ""))).split() == str(entry.get("section", "")).split()


def tidy_quarto_index(site_dir: Path) -> None:
    """Rewrite Quarto's ``search.json``: pages that are gone dropped, the table's parts applied, entries by page.

    A partial ``quarto render`` merges its pages into the existing
    ``search.json`` and never removes those of deleted pages; ordering by page
    (stable) makes a partial build's index the same as a full build's. Only
    pages whose HTML names a class of the table are read; applying the table
    twice changes nothing.
    """
    path = Path(site_dir) / "search.json"
    if not path.is_file():
        return
    entries = [e for e in read_json(path) if (Path(site_dir) / _page_of(e)).is_file()]
    by_href = {str(e.get("href", "")): e for e in entries}
    dropped: set[str] = set()
    for page in sorted({_page_of(e) for e in entries if "#" in str(e.get("href", ""))}):
        source = (Path(site_dir) / page).read_text("utf-8", errors="replace")
        if not any(c in source for c in search_parts()):
            continue
        for found in read_page(source).found:
            holder = by_href.get(f"{page}#{found.holder}") if found.holder else None
            if holder is None:  # outside every section: in the page's own entry, which is kept whole
                continue
            if found.part.entry == "none":
                dropped.add(str(holder["href"]))
                continue
            own = by_href.get(f"{page}#{found.id}")
            if own and own.get("text"):
                holder["text"] = str(holder.get("text", "")).replace(str(own["text"]), "", 1)
                if _only_heading(holder):
                    dropped.add(str(holder["href"]))
    kept = [e for e in entries if str(e.get("href", "")) not in dropped]
    kept.sort(key=_page_of)
    write_fresh(path, json.dumps(kept, ensure_ascii=False, indent=2))
