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

The preview indexes a study page as Quarto does, by section
(:func:`study_page_entries`): its search wants every word of a query in one
entry, and a whole page's entry matched a finding's words through sections
that hold them one by one. Both engines therefore agree: the insight's words
find its card, once, on its page.
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

from lxml import etree
from lxml.html import HtmlElement, document_fromstring, fragment_fromstring

from kit.errors import KitError
from kit.iorw import read_json
from kit.layout import kit_data
from kit.site.incremental import write_fresh

TABLE = "search_parts.csv"
ENTRY_KINDS = ("own", "none")
"""``own``: an entry of its own; ``none``: left out of search."""
SEARCH_TEXT_CHARS = 20_000  # per entry of the preview: enough for headings, tables and quotes
# The preview leaves their text out: a <summary> is a fold's label; nbconvert's a.anchor-link is a heading's "¶".
_UNREAD = ("script", "style", "summary", "pre")


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
    found = root.xpath(" | ".join([*(f"//{tag}" for tag in _UNREAD), f"//a[{_has_class('anchor-link')}]"]))
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


def _card_entry(part: SearchPart, element: HtmlElement, rel: str, study: str) -> dict[str, str]:
    """An own part's entry: its first h2 as the title (Quarto's ``section``), the study's title in its text
    as Quarto's entries carry the page's (its search matches titles too)."""
    heading = element.find(".//h2")
    return {
        "t": _words(heading.itertext() if heading is not None else []),
        "u": f"{rel}#{element.get('id')}",
        "k": f"{part.label} · {study}",
        "x": _words([study, *element.itertext()]),
    }


def study_page_entries(
    fragment: str, rel: str, title: str, kind: str, study: str
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The preview's entries of a study page, as Quarto indexes it: ``(page and sections, cards)``.

    The page's entry has the text before its first h2; each h2 with an id
    opens an entry of its own (``rel#id``, titled "page title: heading") up to
    the next one, as Quarto's ``section.level2`` entries (none when only its
    heading is left); an h2 without an id stays in the entry before it. Each own part (a card) is an entry apart
    and, like a part left out of search, its text is in no other entry.
    Without sections a search for several words would match a page whose
    other sections hold them one by one, which Quarto's index never does.
    """
    if not fragment.strip():
        return [{"t": title, "u": rel, "k": kind, "x": ""}], []
    root = _fragment(fragment)
    found = _found_parts(root)
    cards = [_card_entry(p, e, rel, study) for p, e in found if p.entry == "own" and e.get("id")]
    for _part, element in reversed(found):
        element.drop_tree()
    entries = [{"t": title, "u": rel, "k": kind, "x": ""}]
    texts: list[list[str]] = [[]]
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            if element.tag == "h2" and element.get("id"):
                heading = _words(element.itertext())
                entries.append({"t": f"{title}: {heading}", "u": f"{rel}#{element.get('id')}", "k": kind, "x": ""})
                texts.append([])
            texts[-1].append(element.text or "")
        else:
            texts[-1].append(element.tail or "")
    for entry, text in zip(entries, texts):
        entry["x"] = _words(text)
    # A section left with its heading alone (its summary or cards taken out) is no entry, as in Quarto's index.
    sections = [e for e in entries[1:] if e["x"] != e["t"][len(title) + 2 :]]
    return [entries[0], *sections], cards


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
