"""kit.site.preview: the static site without Quarto (pages, navigation, banner, escaping, offline)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest

from kit.site.build import build_site
from kit.site.preview import site_settings
from site_fixture import seed_site_repo

PAGES = [
    "index.html",
    "insights.html",
    "decisions.html",
    "codebook.html",
    "playbook.html",
    "panel.html",
    "impact.html",
    "glossary.html",
    "studies/alpha/01-plan.html",
    "studies/alpha/02-sessions.html",
    "studies/alpha/03-insights.html",
    "studies/beta/01-plan.html",
    "studies/beta/02-sessions.html",
]
# The Topics page and the page of study alpha's product area (the fixture has no codebook): see test_topics.py.
TOPIC_PAGES = ["topics.html", "topics/checkout.html"]


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key):
                self.refs.append(a[key])


def _parse(path: Path) -> _Refs:
    p = _Refs()
    p.feed(path.read_text("utf-8"))
    return p


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    repo = seed_site_repo(tmp_path_factory.mktemp("preview") / "repo")
    build_site(repo, use_quarto=False, echo=lambda m: None)
    return repo / "_site"


def test_the_same_pages_as_the_quarto_site(site: Path):
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert found == sorted(PAGES + TOPIC_PAGES)


def test_every_page_has_the_banner_navbar_and_search(site: Path):
    for rel in PAGES:
        html = (site / rel).read_text("utf-8")
        assert html.count('class="kit-preview-banner"') == 1, rel
        assert 'id="kit-search"' in html, rel
        for label in ("Studies", "Insights", "Playbook"):
            assert f">{label}</a>" in html, (rel, label)


def test_every_link_and_anchor_resolves_inside_the_site(site: Path):
    base = "http://site/"
    for rel in PAGES:
        for ref in _parse(site / rel).refs:
            if ref.startswith("data:"):
                continue
            url, fragment = urldefrag(urljoin(base + rel, ref))
            assert url.startswith(base), f"{rel}: external reference {ref}"  # offline: nothing fetched
            target = site / url[len(base) :]
            assert target.is_file(), f"{rel}: broken link {ref}"
            if fragment:
                assert fragment in _parse(target).ids, f"{rel}: {ref}: no id {fragment!r}"


def test_study_pages_have_a_sidebar_for_their_study(site: Path):
    html = (site / "studies/beta/02-sessions.html").read_text("utf-8")
    sidebar = html[html.index('<aside class="kit-sidebar"') : html.index("</aside>")]
    assert "Beta onboarding test" in sidebar
    assert 'href="../../studies/beta/01-plan.html"' in sidebar
    assert 'aria-current="page"' in sidebar and "03-insights" not in sidebar  # beta has no insights page


def test_participant_text_stays_escaped(site: Path):
    for rel in PAGES:
        html = (site / rel).read_text("utf-8")
        assert "<script>window.__xss" not in html, rel
        assert "<b>bold</b>" not in html, rel
    insights = (site / "insights.html").read_text("utf-8")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in insights
    page = (site / "studies/alpha/02-sessions.html").read_text("utf-8")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
    index = (site / "assets" / "search-index.js").read_text("utf-8")
    assert "</script" not in index  # cannot close the script element that loads it


def test_kit_calls_hide_their_code_other_code_is_folded_and_parameters_are_gone(site: Path):
    html = (site / "studies/alpha/01-plan.html").read_text("utf-8")
    assert html.count('<details class="kit-code">') == 1  # the team's own cell; not `import kit`, `kit.report...`
    assert "a team&#39;s own analysis" in html or "a team's own analysis" in html
    assert "kit.report.show" not in html and "import kit" not in html
    assert "<details open" not in html
    assert "Secret plan title" not in html and "reports_dir" not in html
    assert "<h1>Plan</h1>" in html


def test_insights_page_offers_every_category_group(site: Path):
    html = (site / "insights.html").read_text("utf-8")
    for group in ("Tags", "Product area", "Confidence", "Recommendation status"):
        assert f'<summary>{group}</summary><div role="group" aria-label="{group}">' in html
    cats = [json.loads(m.replace("&#34;", '"')) for m in re.findall(r'data-categories="([^"]*)"', html)]
    assert ["confidence: high" in c for c in cats] == [True, False]
    assert 'data-category="recommendation: proposed"' in html


def test_search_index_covers_insights_studies_and_pages(site: Path):
    text = (site / "assets" / "search-index.js").read_text("utf-8")
    entries = json.loads(text[text.index("[") : text.rindex("]") + 1])
    urls = {e["u"] for e in entries}
    assert "studies/alpha/03-insights.html#insight-I2" in urls
    assert "studies/beta/01-plan.html" in urls
    hit = next(e for e in entries if e["t"] == "Delivery cost surprises first-time buyers I2")
    assert hit["k"] == "Insight · Alpha checkout study" and "evidence from P01" in hit["x"]


def test_a_finding_s_words_find_its_card_on_its_page_not_the_page_or_its_summary(site: Path):
    # As preview.js matches: every word of the query in an entry's title and text, case aside.
    text = (site / "assets" / "search-index.js").read_text("utf-8")
    entries = json.loads(text[text.index("[") : text.rindex("]") + 1])
    words = "delivery cost surprises first-time".split()
    hits = [e["u"] for e in entries if all(w in f"{e['t']} {e['x']}".lower() for w in words)]
    assert [u for u in hits if u.startswith("studies/alpha/")] == ["studies/alpha/03-insights.html#insight-I2"]
    assert hits[0] == "studies/alpha/03-insights.html#insight-I2"  # the cards come first in the index


def test_title_and_footer_come_from_quarto_yml(tmp_path: Path):
    (tmp_path / "_quarto.yml").write_text(
        "website:\n  title: Team research\n  page-footer:\n    left: Left *text*\n    right: Right\n"
    )
    assert site_settings(tmp_path) == {"title": "Team research", "footer": ["Left *text*", "Right"]}
    repo = seed_site_repo(tmp_path / "repo")
    (repo / "_quarto.yml").write_text((tmp_path / "_quarto.yml").read_text())
    build_site(repo, use_quarto=False, echo=lambda m: None)
    html = (repo / "_site" / "index.html").read_text("utf-8")
    assert "<title>Studies – Team research</title>" in html and "<em>text</em>" in html


def test_home_page_links_every_page_of_every_study(site: Path):
    refs = set(_parse(site / "index.html").refs)
    for page in PAGES[PAGES.index("glossary.html") + 1 :]:
        assert page in refs, page


def test_the_glossary_page_lists_every_term_and_is_last_in_every_navbar(site: Path):
    from kit.site.glossary import glossary_entries

    html = (site / "glossary.html").read_text("utf-8")
    terms = re.findall(r"<dt>(.*?)</dt>", html)
    entries = glossary_entries()
    assert len(terms) == len(entries) and terms[0] == "A/B test"  # the definition list, A to Z
    assert "<dt>likely range</dt>\n<dd>The values a measured figure" in html
    assert "<br />\n<em>For researchers:</em> 95% confidence interval</dd>" in html
    for rel in PAGES:
        page = (site / rel).read_text("utf-8")
        nav = page[page.index('<nav aria-label="Site">') : page.index("</nav>")]
        links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
        assert [label for _, label in links[-2:]] == ["Topics", "Glossary"], rel
        assert links[-1][0] == "../" * rel.count("/") + "glossary.html", rel
