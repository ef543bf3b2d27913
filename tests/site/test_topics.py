"""Topic pages: exactly the current insights of each code and product area, in both engines, with a feed each."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import feedparser
import pytest
import yaml

from demo_reports import ROOT, seed_demo_reports
from kit.site.build import build_site, listing_pages, quarto_path
from kit.site.topics import collect_topics, confidence_order, topic_feed, topic_slug
from kit.study.codebook import load_codebook
from kit.study.lifecycle import lifecycle_status
from site_fixture import HOSTILE, seed_site_repo

# The demo's lifecycle for these tests, besides its own (demo-checkout/I2 replaced by quick-onboarding/I3):
# one insight replaced by one of the other study, one archived, one draft;
# a synonym (postage) and a retired code (checkout-errors) as tags of the onboarding study.
LIFECYCLE = {
    ("demo-checkout", "I6"): {"status": "superseded", "superseded_by": "quick-onboarding/I1"},
    ("demo-checkout", "I5"): {"status": "archived"},
    ("demo-checkout", "I4"): {"status": "draft"},
}
EXTRA_TAGS = {("quick-onboarding", "I2"): ["postage"], ("quick-onboarding", "I1"): ["checkout-errors"]}


def _with_lifecycle(repo: Path) -> Path:
    for slug in ("demo-checkout", "quick-onboarding"):
        (repo / "notebooks" / slug).mkdir(parents=True)
        shutil.copytree(ROOT / "notebooks" / slug, repo / "notebooks" / slug, dirs_exist_ok=True)
        path = repo / "notebooks" / slug / "insights.yml"
        data = yaml.safe_load(path.read_text("utf-8"))
        for ins in data["insights"]:
            ins.update(LIFECYCLE.get((slug, ins["id"]), {}))
            ins["tags"] += EXTRA_TAGS.get((slug, ins["id"]), [])
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return repo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("topics") / "repo"
    _with_lifecycle(repo)
    seed_demo_reports(repo, copy_studies=False)
    shutil.copyfile(ROOT / "_quarto.yml", repo / "_quarto.yml")
    build_site(repo, use_quarto=False, echo=lambda m: None)
    return repo


def _insights_yml(repo: Path) -> dict[str, dict]:
    """Every insight of the test repository as written in insights.yml, by study/id."""
    out = {}
    for path in sorted((repo / "notebooks").glob("*/insights.yml")):
        for ins in yaml.safe_load(path.read_text("utf-8"))["insights"]:
            out[f"{path.parent.name}/{ins['id']}"] = ins
    return out


def _expected(repo: Path, tags: set[str], area_study: str | None = None) -> tuple[set[str], set[str]]:
    """(current, superseded) insight ids whose tags meet ``tags`` or whose study is ``area_study``."""
    current, superseded = set(), set()
    for ident, ins in _insights_yml(repo).items():
        if not (set(ins["tags"]) & tags or ident.split("/")[0] == area_study):
            continue
        status = lifecycle_status(ins.get("status"), ins.get("superseded_by"))
        if status == "superseded":
            superseded.add(ident)
        elif status not in ("draft", "archived"):
            current.add(ident)
    return current, superseded


class _TopicPage(HTMLParser):
    """The insights a topic page lists: in its main list and inside the <details> of superseded ones."""

    def __init__(self) -> None:
        super().__init__()
        self.current: list[str] = []
        self.superseded: list[str] = []
        self.links: list[str] = []
        self.details_open: list[bool] = []
        self._in_details = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "details":
            self._in_details += 1
            self.details_open.append("open" in a)
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if a.get("data-insight"):
            (self.superseded if self._in_details else self.current).append(str(a["data-insight"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self._in_details -= 1


def _page(path: Path) -> _TopicPage:
    parser = _TopicPage()
    parser.feed(path.read_text("utf-8"))
    return parser


def test_shipping_cost_lists_exactly_its_current_insights_synonyms_included(demo: Path):
    page = _page(demo / "_site" / "topics" / "shipping-cost.html")
    current, superseded = _expected(demo, {"shipping-cost", "delivery-charge", "delivery-cost", "postage"})
    assert set(page.current) == current == {"demo-checkout/I1", "quick-onboarding/I2"}
    assert page.superseded == [] and superseded == set()


def test_checkout_joins_the_code_family_and_the_product_area(demo: Path):
    page = _page(demo / "_site" / "topics" / "checkout.html")
    family = {"checkout", "check-out", "guest-checkout", "address", "shipping-cost", "postage", "delivery-charge"}
    current, superseded = _expected(demo, family, area_study="demo-checkout")
    assert set(page.current) == current
    assert len(page.current) == len(current)  # each insight once, also when code and area both bring it
    # I6 here; I2 in the demo itself (replaced by quick-onboarding/I3)
    assert page.superseded == sorted(superseded) == ["demo-checkout/I2", "demo-checkout/I6"]
    assert page.details_open == [False]  # folded
    assert "demo-checkout/I4" not in page.current + page.superseded  # a draft
    assert "demo-checkout/I5" not in page.current + page.superseded  # archived


def test_strongest_then_most_recent_first(demo: Path):
    index = json.loads((demo / "reports" / "index.json").read_text("utf-8"))
    by_id = {e["id"]: e for e in index["insights"]}
    listed = _page(demo / "_site" / "topics" / "error.html").current
    rank = confidence_order()
    keys = [(rank[by_id[i]["confidence"]], [-ord(c) for c in by_id[i]["date"]]) for i in listed]
    assert keys == sorted(keys) and len(listed) >= 2


def test_a_retired_code_counts_for_the_code_it_merged_into(demo: Path):
    current, _ = _expected(demo, {"error", "error-messages", "checkout-errors"})
    assert "quick-onboarding/I1" in current
    assert set(_page(demo / "_site" / "topics" / "error.html").current) == current


def test_superseded_insight_links_to_its_replacement(demo: Path):
    html = (demo / "_site" / "topics" / "checkout.html").read_text("utf-8")
    assert 'href="../studies/quick-onboarding/03-insights.html#insight-I1"' in html
    assert "Replaced by" in html


def test_topics_page_and_navbar_reach_every_topic(demo: Path):
    site = demo / "_site"
    topic_pages = {p.relative_to(site).as_posix() for p in (site / "topics").glob("*.html")}
    assert {"topics/shipping-cost.html", "topics/checkout.html"} <= topic_pages
    assert set(_page(site / "topics.html").links) >= topic_pages
    assert 'href="topics.html"' in (site / "index.html").read_text("utf-8")
    # a code no insight carries has no page
    assert not (site / "topics" / "guest-checkout.html").exists()


def test_each_topic_feed_parses_with_one_entry_per_current_insight(demo: Path):
    for page in (demo / "_site" / "topics").glob("*.html"):
        feed = feedparser.parse((page.with_suffix(".xml")).read_bytes())
        assert feed.bozo == 0, (page.name, feed.get("bozo_exception"))
        assert feed.version == "rss20"
        assert [e.id for e in feed.entries] == _page(page).current, page.name


def test_feed_links_resolve_to_insight_cards(tmp_path: Path):
    repo = seed_site_repo(tmp_path / "repo")
    shutil.copyfile(ROOT / "codebook.yml", repo / "codebook.yml")
    site = build_site(repo, use_quarto=False, echo=lambda m: None)
    feed_path = site / "topics" / "shipping-cost.xml"
    feed = feedparser.parse(feed_path.read_bytes())
    assert feed.bozo == 0 and [e.id for e in feed.entries] == ["alpha/I2"]
    for entry in feed.entries:
        target, anchor = urldefrag(urljoin(feed_path.as_uri(), entry.link))
        page = Path(target.removeprefix("file://"))
        assert page.is_file(), entry.link
        assert f'id="{anchor}"' in page.read_text("utf-8")


def test_participant_text_stays_text_on_topic_pages(tmp_path: Path):
    repo = seed_site_repo(tmp_path / "repo")
    site = build_site(repo, use_quarto=False, echo=lambda m: None)
    html = (site / "topics" / "checkout.html").read_text("utf-8")  # alpha's product area; I1 carries HOSTILE
    assert "<script>window.__xss" not in html and "&lt;script&gt;window.__xss" in html
    assert "<b>bold</b>" not in html
    qmd = (repo / "topics" / "checkout.qmd").read_text("utf-8")
    assert "{{" not in qmd.split("---", 2)[2]  # no shortcode can reach Quarto
    assert HOSTILE.split(">")[0] not in qmd.split("---", 2)[2]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("shipping-cost", "shipping-cost"),
        ("Checkout", "checkout"),
        ("Zahlung & Versand", "zahlung-versand"),
        ("../../etc/passwd", "etc-passwd"),
        ("Café", "cafe"),
    ],
)
def test_topic_slugs_are_safe_file_names(name: str, slug: str):
    assert topic_slug(name) == slug


def test_a_name_with_nothing_to_keep_gets_a_stable_slug():
    assert re.fullmatch(r"topic-[0-9a-f]{10}", topic_slug("!!!"))
    assert topic_slug("!!!") == topic_slug("!!!") != topic_slug("???")


def test_collect_topics_without_a_codebook_gives_product_areas_only():
    index = {
        "insights": [
            {"id": "s/I1", "study": "s", "insight": "I1", "tags": ["x"], "product_area": "Search", "date": "2026-01-02"}
        ]
    }
    topics = collect_topics(index, None)
    assert [(t.slug, t.kinds, [e["id"] for e in t.current]) for t in topics] == [("search", ["product area"], ["s/I1"])]
    assert collect_topics(index, load_codebook(ROOT))[0].slug == "search"  # tag x is no code: no page


@pytest.mark.slow
@pytest.mark.skipif(quarto_path() is None, reason="Quarto is not on PATH")
def test_quarto_topic_pages_list_the_same_insights_as_the_preview(demo: Path, tmp_path: Path):
    repo = tmp_path / "repo"
    shutil.copytree(demo, repo, ignore=shutil.ignore_patterns("_site", "_site.*"))
    for name in ("index.qmd", "insights.qmd", "codebook.qmd", "playbook.qmd", "panel.qmd", "topics.qmd"):
        shutil.copyfile(ROOT / name, repo / name)
    for name in ("_playbook-intro.md", "site-theme.scss"):
        shutil.copyfile(ROOT / name, repo / name)
    site = build_site(repo, use_quarto=True, echo=lambda m: None)
    for name in ("shipping-cost", "checkout", "error"):
        quarto, preview = _page(site / "topics" / f"{name}.html"), _page(demo / "_site" / "topics" / f"{name}.html")
        assert (quarto.current, quarto.superseded) == (preview.current, preview.superseded), name
        assert feedparser.parse((site / "topics" / f"{name}.xml").read_bytes()).bozo == 0
    assert "What we know about shipping-cost" in (site / "topics" / "shipping-cost.html").read_text("utf-8")
    assert "topics/checkout.html" in (site / "topics.html").read_text("utf-8")


def test_feed_links_are_absolute_with_a_site_url():
    index = {
        "insights": [
            {
                "id": "s/I1",
                "study": "s",
                "insight": "I1",
                "statement": "Search results hide the filters",
                "tags": [],
                "product_area": "Search",
                "date": "2026-01-02",
                "confidence": "high",
                "href": "studies/s/03-insights.html#insight-I1",
            }
        ]
    }
    (topic,) = collect_topics(index, None)
    feed = feedparser.parse(topic_feed(topic, "https://research.example.com/"))
    assert feed.bozo == 0
    assert feed.feed.link == "https://research.example.com/topics/search.html"
    assert [e.link for e in feed.entries] == ["https://research.example.com/studies/s/03-insights.html#insight-I1"]


def test_quarto_is_given_every_generated_topic_page(tmp_path: Path):
    shutil.copyfile(ROOT / "_quarto.yml", tmp_path / "_quarto.yml")
    (tmp_path / "topics").mkdir()
    for name in ("checkout.qmd", "address.qmd", "_index.md", "checkout.xml"):
        (tmp_path / "topics" / name).write_text("x", encoding="utf-8")
    pages = listing_pages(tmp_path)
    assert pages[-3:] == ["topics.qmd", "topics/address.qmd", "topics/checkout.qmd"]
    assert not any("*" in p for p in pages)
