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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml.html import HtmlElement, document_fromstring, fragment_fromstring

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


def _has_class(name: str) -> str:
    """An XPath test: the element's class attribute lists ``name``."""
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def _found_parts(root: HtmlElement) -> list[tuple[SearchPart, HtmlElement]]:
    """The elements of the table's classes under ``root``, in document order."""
    table = search_parts()
    if not table:
        return []
    found = root.xpath(" | ".join(f"//*[{_has_class(c)}]" for c in table))
    elements = [e for e in found if isinstance(e, HtmlElement)] if isinstance(found, list) else []
    return [(next(table[c] for c in (e.get("class") or "").split() if c in table), e) for e in elements]


def _words(text: Iterable[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(text)).strip()[:SEARCH_TEXT_CHARS]


def _fragment(fragment: str) -> HtmlElement:
    """An HTML fragment (a page's body) in one parent element, without what a reader does not read as text."""
    root = fragment_fromstring(fragment, create_parent="div")
    found = root.xpath(" | ".join(f"//{tag}" for tag in _UNREAD))
    for unread in found if isinstance(found, list) else []:
        if isinstance(unread, HtmlElement):
            unread.drop_tree()  # the text after it (its tail) stays
    return root


def page_text(fragment: str) -> str:
    """The preview's text of a page: its visible text outside the table's parts (no script, style, fold label, code)."""
    if not fragment.strip():
        return ""
    root = _fragment(fragment)
    for _part, element in reversed(_found_parts(root)):
        element.drop_tree()
    return _words(root.itertext())


def own_entries(fragment: str, rel: str, page_title: str) -> list[dict[str, str]]:
    """The preview's entries of a page's own parts (its cards): title, link to the part, kind, text.

    The title is the part's first h2 (Quarto's ``section`` of its entry); the
    page's title is part of the text, as Quarto's entries carry it (its search matches titles too).
    """
    if not fragment.strip():
        return []
    out: list[dict[str, str]] = []
    for part, element in _found_parts(_fragment(fragment)):
        anchor = element.get("id")
        if part.entry != "own" or not anchor:
            continue
        heading = element.find(".//h2")
        out.append(
            {
                "t": _words(heading.itertext() if heading is not None else []),
                "u": f"{rel}#{anchor}",
                "k": f"{part.label} · {page_title}",
                "x": _words([page_title, *element.itertext()]),
            }
        )
    return out


def _holder(element: HtmlElement) -> str:
    """The id of the innermost ``section.level2`` with an id around ``element`` (Quarto's entry of it), or ""."""
    found = element.xpath(f"ancestor::section[{_has_class('level2')}][@id][1]/@id")
    return str(found[0]) if isinstance(found, list) and found else ""


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
        for part, element in _found_parts(document_fromstring(source)):
            anchor = _holder(element)
            holder = by_href.get(f"{page}#{anchor}") if anchor else None
            if holder is None:  # outside every section: in the page's own entry, which is kept whole
                continue
            if part.entry == "none":
                dropped.add(str(holder["href"]))
                continue
            own = by_href.get(f"{page}#{element.get('id')}")
            if own and own.get("text"):
                holder["text"] = str(holder.get("text", "")).replace(str(own["text"]), "", 1)
                if _only_heading(holder):
                    dropped.add(str(holder["href"]))
    kept = [e for e in entries if str(e.get("href", "")) not in dropped]
    kept.sort(key=_page_of)
    write_fresh(path, json.dumps(kept, ensure_ascii=False, indent=2))
