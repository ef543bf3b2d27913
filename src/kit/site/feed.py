"""The RSS feed of the insights listing: ``_site/insights.xml``, one item per current insight.

Both engines publish the same file, written by the kit. Quarto's own
listing ``feed:`` option cannot serve here: it resolves each item's
``path`` as a document of the project (Quarto 1.11,
``website-listing-feed.ts``: ``resolveInputTarget(project, item.path)``),
so items from a metadata file that link to a card on a study page
(``studies/<slug>/03-insights.html#insight-I1``) all get the site root as
their link, and it needs ``site-url``. Tested, not assumed.

RSS 2.0 (https://www.rssboard.org/rss-specification), built with
:mod:`xml.etree.ElementTree`, which escapes every text itself. Links are
absolute when ``_quarto.yml`` sets ``website: site-url:``; otherwise they are
relative to the site root, where the feed lies (feed readers resolve them
against the feed's address). Each item's ``guid`` is the insight's id
(``<slug>/I1``), stable across builds; ``pubDate`` is the day it was last
reviewed, else the day its study found it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from kit.iorw import atomic_write_bytes
from kit.layout import INSIGHTS_FEED
from kit.site.lifecycle_pages import is_listed

INSIGHTS_LISTING_PAGE = "insights.html"


def site_url(repo_root: Path) -> str:
    """``website: site-url:`` of ``_quarto.yml`` with one trailing ``/``, else "" (relative links)."""
    path = Path(repo_root) / "_quarto.yml"
    config = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None) or {}
    url = str((config.get("website") or {}).get("site-url") or "").strip()
    return url.rstrip("/") + "/" if url else ""


def _rfc822(day: str | None, fallback: dt.date) -> str:
    try:
        when = dt.date.fromisoformat(day) if day else fallback
    except ValueError:
        when = fallback
    return email.utils.format_datetime(dt.datetime(when.year, when.month, when.day, tzinfo=dt.UTC))


def insights_feed(index: dict[str, Any], title: str, base: str = "", today: dt.date | None = None) -> bytes:
    """The feed as UTF-8 XML: one ``<item>`` per current insight, in the index's order."""
    today = today or dt.date.today()
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = f"{title}: insights"
    ET.SubElement(channel, "link").text = base + INSIGHTS_LISTING_PAGE
    ET.SubElement(
        channel, "description"
    ).text = "Current insights of every study (superseded, archived and draft ones are left out)."
    ET.SubElement(channel, "language").text = "en"
    ET.SubElement(channel, "lastBuildDate").text = _rfc822(None, today)
    for e in index.get("insights", []):
        if not is_listed(e):
            continue
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = e["statement"]
        ET.SubElement(item, "link").text = base + e["href"]
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = e["id"]
        ET.SubElement(
            item, "description"
        ).text = f"{e.get('study_title', e['study'])} · {e['insight']} · confidence {e.get('confidence', '')}"
        ET.SubElement(item, "pubDate").text = _rfc822(e.get("reviewed_on") or e.get("found_on") or e.get("date"), today)
        for category in [*e.get("tags", []), e.get("product_area", "")]:
            if category:
                ET.SubElement(item, "category").text = category
    ET.indent(rss)
    xml: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def write_insights_feed(site_dir: Path, repo_root: Path, index: dict[str, Any], title: str) -> Path:
    """Write ``<site_dir>/insights.xml`` atomically (never through a hard link to the previous site)."""
    target = Path(site_dir) / INSIGHTS_FEED
    target.unlink(missing_ok=True)
    return atomic_write_bytes(target, insights_feed(index, title, site_url(repo_root)))
