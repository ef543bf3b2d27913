"""Topic pages: "What we know about <topic>" across every study, with one RSS feed each.

One topic per codebook code and per product area that has insights
(issue 28). A code's page gathers the insights tagged with the code, with a
synonym or retired code that stands for it, or with one of its descendants in
the codebook's hierarchy (``shipping-cost`` is part of ``checkout``); a
product area's page gathers the insights of its studies. A code and a product
area whose names give the same slug (the code ``checkout``, the area
``Checkout``) share one page: both answer "what do we know about checkout".

Each page lists the *current* insights (every status but ``draft``,
``superseded`` and ``archived``), strongest confidence first (the order of the
rule table ``data/confidence_rules.yml``), then most recent, each with its
confidence, study, date and open recommendations, linking to its card;
superseded ones are folded below in a closed ``<details>`` with a link to the
insight that replaced them. Drafts and archived insights are left out.

Slugs come from python-slugify (transliterated to ASCII, lower case, ``-``):
``topics/shipping-cost.html``. The page body is one autoescaped Jinja
fragment (``data/topic_pages.html``) that both engines publish: Quarto as a raw
HTML block in a generated ``topics/<slug>.qmd``, the preview as the page body.
Braces are written as character references, so no text can become a Quarto
shortcode (https://quarto.org/docs/extensions/shortcodes.html). The feeds are
RSS 2.0 written by feedgen (https://feedgen.kiesow.be/), one entry per current
insight linking to its card; with ``website: site-url`` in ``_quarto.yml``
links are absolute, else relative to the feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from slugify import slugify

from kit.errors import KitError
from kit.iorw import staged_dir
from kit.layout import TOPICS_DIR, TOPICS_INDEX_PART, insight_href, kit_data, kit_data_dir, topic_href
from kit.site.cells import raw_html_markdown
from kit.site.published import quarto_title
from kit.study.codebook import Codebook, load_codebook

# Statuses that keep an insight off a topic page's main list (issue 28's lifecycle).
FOLDED = frozenset({"superseded"})  # shown below, folded, with the insight that replaced it
HIDDEN = frozenset({"draft", "archived"})
CLOSED_RECOMMENDATIONS = frozenset({"shipped", "rejected"})  # every other status is still open
SLUG_MAX = 60
KIND_CODE, KIND_AREA = "code", "product area"


@dataclass
class Topic:
    """One topic page: its slug, the name shown, what it gathers and its insights."""

    slug: str
    name: str
    kinds: list[str] = field(default_factory=list)
    about: list[str] = field(default_factory=list)  # one line per source: the code's definition, the product area
    current: list[dict[str, Any]] = field(default_factory=list)
    superseded: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"What we know about {self.name}"

    @property
    def href(self) -> str:
        return topic_href(self.slug)

    @property
    def feed_name(self) -> str:
        return f"{self.slug}.xml"


def topic_slug(name: str) -> str:
    """``shipping-cost`` for "Shipping cost"; a name with nothing to transliterate gets a stable hash."""
    slug = slugify(name, max_length=SLUG_MAX, word_boundary=True)
    return slug or "topic-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


@lru_cache(maxsize=1)
def confidence_order() -> dict[str, int]:
    """Confidence levels, strongest first, from the rule table the insights stage applies."""
    levels = (yaml.safe_load(kit_data("confidence_rules.yml")) or {}).get("levels") or []
    return {str(row["level"]): n for n, row in enumerate(levels)}


def _num(ident: str) -> int:
    m = re.search(r"\d+", ident)
    return int(m.group()) if m else 0


def _strongest_first(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rank = confidence_order()
    out = sorted(entries, key=lambda e: (e["study"], _num(e["insight"])))
    out.sort(key=lambda e: str(e.get("date") or ""), reverse=True)  # stable: most recent first within a level
    out.sort(key=lambda e: rank.get(str(e.get("confidence")), len(rank)))
    return out


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    """The index entry with what a topic page adds: open recommendations and the replacing insight."""
    out = dict(entry)
    out["open_recommendations"] = [
        r for r in entry.get("recommendations", []) if r.get("status") not in CLOSED_RECOMMENDATIONS
    ]
    target = entry.get("superseded_by")
    if target:
        study, _, ident = str(target).rpartition("/")
        study = study or entry["study"]
        out["superseded_link"] = {"label": f"{study}/{ident}", "href": insight_href(study, ident)}
    return out


def _family(book: Codebook, name: str) -> set[str]:
    """The code and every code below it in the hierarchy (the codebook refuses cycles)."""
    out, todo = {name}, [name]
    while todo:
        for child in book.children(todo.pop()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def collect_topics(index: dict[str, Any], book: Codebook | None) -> list[Topic]:
    """Every topic with at least one current or superseded insight, in name order."""
    entries = [e for e in index.get("insights", []) if (e.get("status") or "confirmed") not in HIDDEN]
    by_slug: dict[str, Topic] = {}
    members: dict[str, dict[str, dict[str, Any]]] = {}

    def add(name: str, kind: str, about: str, found: list[dict[str, Any]]) -> None:
        if not found:
            return
        slug = topic_slug(name)
        topic = by_slug.setdefault(slug, Topic(slug, name))
        topic.kinds.append(kind)
        topic.about.append(about)
        members.setdefault(slug, {}).update({e["id"]: e for e in found})

    if book is not None:
        canonical = {e["id"]: {book.canonical(t) for t in e.get("tags", [])} for e in entries}
        for name, code in sorted(book.codes.items()):
            if code.status == "retired":
                continue
            family = _family(book, name)
            about = f"Codebook code: {code.definition}" if code.definition else "Codebook code."
            if len(family) > 1:
                about += " Includes " + ", ".join(sorted(family - {name})) + "."
            add(name, KIND_CODE, about, [e for e in entries if canonical[e["id"]] & family])
    for area in sorted({str(e["product_area"]) for e in entries if e.get("product_area")}):
        add(
            area,
            KIND_AREA,
            f"Product area {area}: the insights of its studies.",
            [e for e in entries if e.get("product_area") == area],
        )
    for slug, topic in by_slug.items():
        found = list(members[slug].values())
        topic.current = [_shown(e) for e in _strongest_first([e for e in found if e.get("status") not in FOLDED])]
        topic.superseded = [_shown(e) for e in _strongest_first([e for e in found if e.get("status") in FOLDED])]
    return sorted(by_slug.values(), key=lambda t: (t.name.lower(), t.slug))


def repository_topics(repo_root: Path, index: dict[str, Any]) -> list[Topic]:
    """The repository's topics; without a readable codebook only product areas (the Codebook page names the error)."""
    try:
        book = load_codebook(repo_root)
    except KitError:
        book = None
    return collect_topics(index, book)


@lru_cache(maxsize=1)
def _macros() -> Any:
    env = Environment(
        loader=FileSystemLoader(str(kit_data_dir())), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
    )
    return env.get_template("topic_pages.html").module


def _literal_braces(html: Markup) -> Markup:
    # No "{{<" can reach Quarto's shortcode processing; browsers read the references as braces.
    return Markup(str(html).replace("{", "&#123;").replace("}", "&#125;"))


def topic_fragment(topic: Topic) -> Markup:
    """A topic page's body (from ``topics/<slug>.html``: the site root is one folder up)."""
    return _literal_braces(_macros().topic(topic, "../"))


def index_fragment(topics: list[Topic]) -> Markup:
    """The Topics page's body (``topics.html`` at the site root)."""
    return _literal_braces(_macros().index(topics, ""))


def site_url(repo_root: Path) -> str:
    """``website: site-url`` of ``_quarto.yml`` with a trailing ``/``, or "" (feeds then link relatively)."""
    path = Path(repo_root) / "_quarto.yml"
    config = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None) or {}
    url = str(((config.get("website") or {}).get("site-url")) or "")
    return url.rstrip("/") + "/" if url else ""


def _date(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(str(text)), dt.time(), tzinfo=dt.UTC)
    except ValueError:
        return None


def topic_feed(topic: Topic, base: str = "") -> bytes:
    """The topic's RSS 2.0 feed: one entry per current insight, linking to its card.

    ``base``: the site's URL (links are absolute), else links are relative to the feed in ``topics/``.
    """
    from feedgen.feed import FeedGenerator

    root = base or "../"
    feed = FeedGenerator()
    feed.title(topic.title)
    feed.link(href=f"{root}{topic.href}", rel="alternate")
    feed.description(f"Current insights about {topic.name}, from every study of the research repository.")
    feed.language("en")
    dates = [d for e in topic.current if (d := _date(e.get("date")))]
    feed.lastBuildDate(max(dates) if dates else dt.datetime(1970, 1, 1, tzinfo=dt.UTC))  # deterministic
    for e in topic.current:
        item = feed.add_entry(order="append")
        item.title(str(e["statement"]))
        item.link(href=f"{root}{e['href']}")
        item.guid(str(e["id"]), permalink=False)
        item.description(f"Confidence {e.get('confidence')} · {e.get('study_title', e['study'])} · {e['id']}")
        when = _date(e.get("date"))
        if when:
            item.pubDate(when)
    data: bytes = feed.rss_str(pretty=True)
    return data


def quarto_page(topic: Topic) -> str:
    """``topics/<slug>.qmd``: the title in front matter, the body as a raw HTML block."""
    front = yaml.safe_dump({"title": quarto_title(topic.title)}, allow_unicode=True, width=10_000)
    body = raw_html_markdown(topic_fragment(topic))
    return f"---\n# Generated by `kit site` from reports/: do not edit.\n{front}---\n\n{body}"


def write_topics_dir(repo_root: Path, topics: list[Topic]) -> None:
    """(Re)write the generated ``topics/`` folder: a ``.qmd`` and a feed per topic, the Topics page's part."""
    base = site_url(repo_root)
    with staged_dir(Path(repo_root) / TOPICS_DIR) as staging:
        for topic in topics:
            (staging / f"{topic.slug}.qmd").write_text(quarto_page(topic), encoding="utf-8")
            (staging / topic.feed_name).write_bytes(topic_feed(topic, base))
        (staging / TOPICS_INDEX_PART).write_text(raw_html_markdown(index_fragment(topics)), encoding="utf-8")


def publish_feeds(repo_root: Path, site_dir: Path) -> None:
    """Copy the feeds of ``topics/`` into the built site (files written fresh, never through a hard link)."""
    out = Path(site_dir) / TOPICS_DIR
    out.mkdir(parents=True, exist_ok=True)
    for feed in sorted((Path(repo_root) / TOPICS_DIR).glob("*.xml")):
        (out / feed.name).unlink(missing_ok=True)
        shutil.copyfile(feed, out / feed.name)
