"""kit.site.feed: _site/insights.xml, one RSS item per current insight, each linking to its card (preview engine;
the Quarto site's feed is checked in tests/e2e/test_site_browser.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import feedparser
import pytest

from kit.site.build import build_site
from kit.site.feed import insights_feed
from site_fixture import HOSTILE, seed_site_repo


def _supersede(repo: Path) -> None:
    """alpha's I2 replaced by its I1 (and the lifecycle keys a real stage writes)."""
    path = repo / "reports" / "alpha" / "insights.json"
    data = json.loads(path.read_text())
    data["insights"][0] |= {"status": "confirmed", "review_by": "2027-02-02", "found_on": "2026-10-20"}
    data["insights"][1] |= {"status": "superseded", "superseded_by": "I1", "review_by": "2027-02-02"}
    path.write_text(json.dumps(data))


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = seed_site_repo(tmp_path_factory.mktemp("feed") / "repo")
    _supersede(repo)
    build_site(repo, use_quarto=False, echo=lambda m: None)
    return repo


def test_the_feed_has_one_entry_per_current_insight_and_each_link_opens_its_card(repo: Path):
    site = repo / "_site"
    feed = feedparser.parse((site / "insights.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    index = json.loads((repo / "reports" / "index.json").read_text())
    current = [e for e in index["insights"] if e["current"]]
    assert 0 < len(current) < len(index["insights"])  # the superseded one is left out
    assert [entry.id for entry in feed.entries] == [e["id"] for e in current]
    for entry in feed.entries:
        page, anchor = urldefrag(entry.link)
        target = site / urlparse(page).path
        assert target.is_file(), entry.link
        assert anchor and f'id="{anchor}"' in target.read_text("utf-8"), entry.link
    assert feed.entries[0].published_parsed[:3] == (2026, 10, 20)  # the day its study found it


def test_participant_text_is_escaped_by_the_xml_library(repo: Path):
    raw = (repo / "_site" / "insights.xml").read_text("utf-8")
    assert "<script>" not in raw and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in raw
    feed = feedparser.parse(raw)
    assert feed.entries[0].title.startswith("Payment errors confuse people")


def test_links_are_absolute_under_the_site_url_and_only_current_insights_count():
    index = {
        "insights": [
            {"id": "a/I1", "study": "a", "insight": "I1", "statement": f"One {HOSTILE}", "href": "studies/a/x#i"},
            {
                "id": "a/I2",
                "study": "a",
                "insight": "I2",
                "statement": "Two",
                "href": "studies/a/x#j",
                "current": False,
            },
        ]
    }
    xml = insights_feed(index, "Research", "https://research.example.com/site/", today=dt.date(2026, 12, 3))
    feed = feedparser.parse(xml)
    assert not feed.bozo and [e.link for e in feed.entries] == ["https://research.example.com/site/studies/a/x#i"]
    assert feed.feed.link == "https://research.example.com/site/insights.html"
