"""The published site in headless Chromium: the demo studies run through the real stages.

Both example studies and a copy of the demo whose text is hostile (money that
looks like math, a shortcode, a fence, a front-matter line, script) are executed
with papermill (kit.run.runner.run_studies) in a copy of the repository,
published with kit.site.build.build_site (the preview engine, and the Quarto
site whenever ``quarto`` is on PATH; with ``KIT_REQUIRE_QUARTO=1``, as in CI,
a missing Quarto fails instead of skipping), served on 127.0.0.1, and every page
is opened: no console error, no failed request and no request to any other host,
no front matter shown as text, every chart inside the main content below the
page title, no HTML page over 1 MB, every internal link (and its #anchor)
resolves, hostile text shows as text and runs nothing, charts are drawn, the
insights page's category filter narrows the list, search finds an insight and
lands on its card (its page's only hit: not the Summary), the Decisions page lists every recommendation, and each
study's insights page opens with its summary (tooling text and machine drafts
closed at the end).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
from browser_site import (
    DEMO_STUDIES,
    ROOT,
    VISIBLE_ROWS,
    browser_fixture,
    opened_page,
    repository_copy,
    run_stages,
    site_fixture,
    site_pages,
    skip_module_without_chromium,
)

from site_fixture import HOSTILE_SLUG, HOSTILE_TEXTS, MONEY, seed_hostile_copy

MAX_PAGE_BYTES = 1_000_000  # no HTML page over 1 MB: shared scripts load once per site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

skip_module_without_chromium()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo studies and a hostile copy of the demo, run once by the real stages."""
    repo = repository_copy(tmp_path_factory.mktemp("site") / "repo", DEMO_STUDIES)
    seed_hostile_copy(repo, ROOT)
    run_stages(repo, [*DEMO_STUDIES, HOSTILE_SLUG], jobs=2)
    return repo


site = site_fixture()  # (engine, site folder, base URL) of this repo, per engine
browser = browser_fixture()


# Run in every page after load: what a reader would trip over.
PAGE_PROBE = r"""() => {
  const main = document.querySelector('main');
  const title = main && main.querySelector('h1');
  const charts = [...document.querySelectorAll('.kit-chart, .plotly-graph-div')];
  const text = main ? main.innerText : document.body.innerText;
  return {
    hasMain: !!main,
    // "---\ntitle: ..." or, after smart punctuation, "—title: ‘...’—"
    frontMatter: /(^|\n)[ \t]*(-{3}|\u2014)[ \t]*\n?[ \t]*title:/.test(text),
    chartsOutsideMain: charts.filter(c => !(main && main.contains(c))).length,
    chartsAboveTitle: title ? charts.filter(c =>
        !(title.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING)).length : 0,
    xss: window.__xss === undefined ? null : String(window.__xss),
    jsLinks: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
        .filter(u => /^\s*javascript:/i.test(u)),
    text: document.body.innerText,
  };
}"""


def test_no_html_page_over_1_mb_and_plotly_js_once_per_site(site):
    engine, out, base = site
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*.html")}
    assert sizes and max(sizes.values()) <= MAX_PAGE_BYTES, (
        f"{engine}: pages over 1 MB: {[(k, v) for k, v in sizes.items() if v > MAX_PAGE_BYTES]}"
    )
    # plotly.js (its licence header) is in exactly one file of the site, which the chart pages load.
    carriers = [
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.suffix in (".html", ".js") and b"* plotly.js v" in p.read_bytes()[:200_000]
    ]
    assert carriers == ["studies/kit-assets/plotly.min.js"], (engine, carriers)


def test_every_page_loads_cleanly_and_every_internal_link_resolves(site, browser):
    engine, out, base = site
    pages = site_pages(out)
    for slug in DEMO_STUDIES:
        for stem in ("01-plan", "02-sessions", "03-insights"):
            assert f"studies/{slug}/{stem}.html" in pages
    assert {"index.html", "insights.html", "playbook.html"} <= set(pages)
    anchors_seen = 0
    shown: list[str] = []
    for rel in pages:
        with opened_page(browser, base, rel) as (page, problems):
            page.wait_for_timeout(300)  # let late scripts (and an injected <img onerror>) run
            links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            found = page.evaluate(PAGE_PROBE)
            assert problems == [], f"{engine} {rel}: {problems}"
            assert found["hasMain"], f"{engine} {rel}: no <main> element"
            assert not found["frontMatter"], f"{engine} {rel}: front matter shown as text"
            assert found["chartsOutsideMain"] == 0 and found["chartsAboveTitle"] == 0, (
                f"{engine} {rel}: charts outside the main content: {found}"
            )
            assert found["xss"] is None and found["jsLinks"] == [], f"{engine} {rel}: hostile text ran: {found}"
            home = os.environ.get("HOME", "")
            assert len(home) < 2 or home not in found["text"], (
                f"{engine} {rel}: a shortcode in study text was expanded ({{{{< env HOME >}}}})"
            )
            shown.append(" ".join(found["text"].split()))
            if engine == "preview":
                assert page.locator(".kit-preview-banner").count() == 1, rel
            for href in links:
                url, fragment = urldefrag(href)
                if not url.startswith(base):
                    continue
                path = urlparse(url).path.lstrip("/") or "index.html"
                target = out / path
                if target.is_dir():
                    target = target / "index.html"
                assert target.is_file(), f"{engine} {rel}: broken link {href}"
                if fragment and target.suffix == ".html":
                    # The id as written (nbconvert keeps ids percent-encoded) or decoded (Quarto's "i1-·-...");
                    # Quarto's anchor.js gives headings without an id one in the browser: look there too.
                    ids = {fragment, unquote(fragment)}
                    in_dom = target == out / rel and page.evaluate(
                        "ids => ids.some(id => document.getElementById(id) !== null)", sorted(ids)
                    )
                    text = target.read_text("utf-8")
                    assert in_dom or any(f'id="{i}"' in text for i in ids), (
                        f"{engine} {rel}: {href}: no element with id {fragment!r}"
                    )
                    anchors_seen += 1
    assert anchors_seen > 0, "no insight link with an #anchor was checked"
    everything = "\n".join(shown)
    for text in HOSTILE_TEXTS:
        assert text in everything, f"{engine}: hostile text not shown as text on any page: {text}"
    assert f"{MONEY}: the delivery charge" in everything


def test_charts_are_drawn(site, browser):
    engine, out, base = site
    with opened_page(browser, base, "studies/demo-checkout/02-sessions.html") as (page, problems):
        page.wait_for_selector(".kit-chart .main-svg", timeout=30_000)
        charts = page.locator(".kit-chart").count()
        drawn = page.locator(".kit-chart .main-svg").count()
        assert charts > 0 and drawn >= charts, (charts, drawn)
        assert problems == []


def test_kit_calls_show_no_code_and_the_page_links_to_its_notebook(site, browser):
    engine, out, base = site
    for stem in ("01-plan", "02-sessions", "03-insights"):
        with opened_page(browser, base, f"studies/demo-checkout/{stem}.html") as (page, problems):
            # The templates' cells only call the kit: no input, folded or not, on the page.
            code = page.locator("details.kit-code, details.code-fold, .cell-code, pre.sourceCode.python")
            assert code.count() == 0, (engine, stem)
            text = page.content()
            assert "kit.plan.report" not in text and "kit.synthesis.report" not in text
            assert "# Parameters" not in text and "reports_dir = None" not in text
            # Quarto's script makes the href absolute; the preview keeps it relative.
            link = page.locator(f"main a[href$='source/{stem}.ipynb']")
            assert link.count() == 1, (engine, stem)
            nb = json.loads((out / "studies" / "demo-checkout" / "source" / f"{stem}.ipynb").read_text("utf-8"))
            sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
            assert any("kit." in src for src in sources) and all(
                c.get("outputs") == [] for c in nb["cells"] if c["cell_type"] == "code"
            )
            assert problems == []


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_quarto_insights_categories_narrow_the_list_on_desktop_and_phone(site, browser, repo: Path, viewport):
    engine, out, base = site
    if engine != "quarto":
        pytest.skip("the preview's filter is tested below")
    index = json.loads((repo / "reports" / "index.json").read_text("utf-8"))
    with_payment = sum("payment" in e["tags"] for e in index["insights"])
    with opened_page(browser, base, "insights.html", viewport=viewport) as (page, problems):
        total = page.evaluate(VISIBLE_ROWS)
        assert total == len(index["insights"]) and 0 < with_payment < total
        category = page.locator(".quarto-listing-category .category", has_text="payment (")
        tags = page.locator(".quarto-listing-category details.kit-category-group", has_text="Tags")
        # Grouped by kind (site_a11y.js): open on a desktop, collapsed on a phone until the reader opens it.
        assert tags.evaluate("d => d.open") == (viewport["width"] > 767)
        if viewport["width"] <= 767:
            tags.locator("summary").click()
        assert category.is_visible()  # on a phone too (Quarto hides the margin there; site-theme.scss shows it)
        category.click()
        page.wait_for_function(f"n => ({VISIBLE_ROWS})() === n", arg=with_payment)
        assert page.evaluate(VISIBLE_ROWS) == with_payment
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
        assert problems == []


def test_insights_category_filter_narrows_the_list(site, browser):
    engine, out, base = site
    if engine != "preview":
        pytest.skip("Quarto's categories are tested above")
    with opened_page(browser, base, "insights.html") as (page, problems):
        cards = page.locator(".kit-insight")
        total = cards.count()
        assert total >= 4
        page.locator(".kit-filter button[data-category='payment']").click()
        visible = page.locator(".kit-insight:not([hidden])")
        shown = visible.count()
        assert 0 < shown < total
        for i in range(shown):
            assert "payment" in visible.nth(i).get_attribute("data-categories")
        assert page.locator("#insight-count").inner_text() == f"{shown} of {total} insights"
        page.locator(".kit-filter button[data-category='Onboarding']").click()
        assert page.locator(".kit-insight:not([hidden])").count() == 0  # payment AND Onboarding: none
        page.locator("#insight-clear").click()
        assert page.locator(".kit-insight:not([hidden])").count() == total
        assert problems == []


def test_quarto_search_finds_an_insight_by_words_of_its_statement(site, browser, repo: Path):
    engine, out, base = site
    if engine != "quarto":
        pytest.skip("the preview's search is tested below")
    index = json.loads((repo / "reports" / "index.json").read_text("utf-8"))
    known = next(e for e in index["insights"] if e["study"] == "quick-onboarding")
    words = " ".join(known["statement"].split()[:6])
    with opened_page(browser, base, "index.html") as (page, problems):
        page.locator("#quarto-search").click()
        page.keyboard.type(words)
        hit = page.locator(".aa-Item a[href*='quick-onboarding/03-insights.html']").first
        hit.wait_for(timeout=10_000)
        assert page.locator(".aa-Item a[href*='insights.html']", has_text=words).count() >= 1
        # The best hit of the study page is the insight's card, and its snippet reads as text.
        assert hit.get_attribute("href").endswith(f"#insight-{known['insight']}")
        snippet = " ".join(hit.inner_text().split())
        assert f"{known['insight']}Answers" not in snippet and words in snippet
        # The card is the page's only hit: not its Summary, nor its Insights section holding every card.
        page_hits = page.locator(".aa-Item a[href*='quick-onboarding/03-insights.html']")
        hrefs = [page_hits.nth(i).get_attribute("href") for i in range(page_hits.count())]
        assert hrefs and all(h.endswith(f"#insight-{known['insight']}") for h in hrefs), hrefs
        study_items = page.locator(".aa-Item", has=page.locator("a[href*='quick-onboarding/03-insights.html']"))
        sections = study_items.locator(".search-result-section").all_inner_texts()
        assert not {"Summary", "Insights"} & {s.strip() for s in sections}, sections
        assert problems == []
    # In the index itself (kit.site.search_index rewrote Quarto's search.json).
    entries = json.loads((out / "search.json").read_text("utf-8"))
    anchors = {e["href"].split("#")[-1] for e in entries if "quick-onboarding/03-insights.html#" in e["href"]}
    assert f"insight-{known['insight']}" in anchors and not {"summary", "insights"} & anchors, anchors


def test_search_finds_a_known_insight_and_leads_to_its_card(site, browser, repo: Path):
    engine, out, base = site
    if engine != "preview":
        pytest.skip("Quarto's search is tested above")
    index = json.loads((repo / "reports" / "index.json").read_text("utf-8"))
    known = next(e for e in index["insights"] if e["study"] == "quick-onboarding")
    words = " ".join(known["statement"].split()[:6])
    with opened_page(browser, base, "index.html") as (page, problems):
        page.locator("#kit-search").fill(words)
        hit = page.locator("#kit-search-results a", has_text=words).first
        hit.wait_for(timeout=5_000)
        hit.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"studies/quick-onboarding/03-insights.html#insight-{known['insight']}")
        assert page.locator(f"#insight-{known['insight']}").count() == 1
        assert problems == []


def test_built_site_passes_the_privacy_check(site, repo: Path):
    from kit.privacy.leak_check import scan_for_leaks

    leaks = scan_for_leaks(repo)
    assert leaks == [], "\n".join(map(str, leaks))


def test_a_superseded_insight_shows_a_banner_linking_across_studies_to_the_one_that_replaced_it(site, browser):
    # The demo: demo-checkout's I2 was replaced by quick-onboarding's I3 (issue 28).
    engine, out, base = site
    with opened_page(browser, base, "studies/demo-checkout/03-insights.html") as (page, problems):
        banner = page.locator("#insight-I2 .kit-superseded")
        assert banner.count() == 1 and banner.is_visible(), engine
        assert page.locator(".kit-superseded").count() == 1  # only the replaced insight has one
        banner.locator("a").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("studies/quick-onboarding/03-insights.html#insight-I3"), (engine, page.url)
        assert page.locator("#insight-I3").count() == 1
        assert problems == []


def test_the_insights_page_lists_current_insights_reviews_due_and_the_replaced_one_apart(site, browser, repo: Path):
    engine, out, base = site
    index = json.loads((repo / "reports" / "index.json").read_text("utf-8"))
    replaced = next(e for e in index["insights"] if e["id"] == "demo-checkout/I2")
    due = next(e for e in index["insights"] if e["id"] == "demo-checkout/I6")
    with opened_page(browser, base, "insights.html") as (page, problems):
        text = " ".join(page.locator("main").inner_text().split())
        assert "Due for review" in text and "Review due since 1 December 2026" in text, engine
        assert " ".join(due["statement"].split())[:60] in text
        assert "Superseded, archived and draft insights" in text
        assert "Superseded by Team invite flow quick test I3" in text
        assert replaced["status"] == "superseded" and not replaced["current"]
        assert problems == []


def test_the_insights_feed_has_one_entry_per_current_insight_each_opening_its_card(site, repo: Path):
    import feedparser

    engine, out, base = site
    index = json.loads((repo / "reports" / "index.json").read_text("utf-8"))
    feed = feedparser.parse((out / "insights.xml").read_bytes())
    assert not feed.bozo, (engine, feed.get("bozo_exception"))
    current = [e["id"] for e in index["insights"] if e["current"]]
    replaced = {e["id"] for e in index["insights"] if e["status"] == "superseded"}
    assert replaced == {"demo-checkout/I2", f"{HOSTILE_SLUG}/I2"} and len(current) == len(index["insights"]) - 2
    assert [entry.id for entry in feed.entries] == current, engine
    for entry in feed.entries:
        page, anchor = urldefrag(entry.link)
        target = out / urlparse(page).path
        assert target.is_file(), (engine, entry.link)
        assert f'id="{anchor}"' in target.read_text("utf-8"), (engine, entry.link)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _recommendations(repo: Path) -> list[dict]:
    index = json.loads((repo / "reports" / "index.json").read_text("utf-8"))
    return [r for e in index["insights"] for r in e["recommendations"]]


def test_decisions_page_lists_every_recommendation_and_filters_by_status(site, browser, repo: Path):
    engine, out, base = site
    recs = _recommendations(repo)
    accepted = sum(r["status"] == "accepted" for r in recs)
    assert len(recs) >= 10 and 0 < accepted < len(recs)
    with opened_page(browser, base, "decisions.html") as (page, problems):
        if engine == "quarto":
            rows, pick = ".quarto-listing tbody tr", ".quarto-listing-category .category"
            page.locator(pick, has_text="Status: accepted (").click()
        else:
            rows, pick = ".kit-decision", ".kit-filter button[data-category='Status: accepted']"
            assert page.locator(rows).count() == len(recs)
            page.locator(pick).click()
        shown = "sel => [...document.querySelectorAll(sel)].filter(r => r.offsetParent).length"
        page.wait_for_function(f"([sel, n]) => ({shown})(sel) === n", arg=[rows, accepted])
        visible = page.evaluate(shown, rows)
        assert visible == accepted, (engine, visible, accepted)
        # Words only: Quarto turns straight quotes into curly ones.
        text = _words(page.locator("main").inner_text())
        for rec in recs:
            if rec["status"] == "accepted":
                assert _words(rec["action"]) in text, (engine, rec["action"])
        assert problems == []
    # Unfiltered, every recommendation of every study is a row (the same count in both engines).
    with opened_page(browser, base, "decisions.html") as (page, problems):
        rows = ".quarto-listing tbody tr" if engine == "quarto" else ".kit-decision"
        assert page.locator(rows).count() == len(recs), engine
        assert page.locator("nav a[href$='decisions.html'], .navbar a[href$='decisions.html']").count() >= 1


def test_insights_page_opens_with_the_summary_and_keeps_tooling_and_drafts_closed(site, browser):
    engine, out, base = site
    with opened_page(browser, base, "studies/demo-checkout/03-insights.html") as (page, problems):
        first_h2 = page.locator("main h2").first.inner_text()
        assert first_h2.strip().startswith("Summary"), (engine, first_h2)
        shown = page.locator("main").inner_text()  # closed <details> content is not rendered
        summary_at = shown.index("What we found")
        assert shown.index("What was decided") > summary_at and shown.index("Still open") > summary_at
        for tooling in ("kit.insights.stage", "insights.json", "insights.yml: insight"):
            assert tooling not in shown[: shown.index("For the researcher")], (engine, tooling)
        researcher = page.locator("details.kit-researcher")
        assert researcher.count() == 1 and researcher.get_attribute("open") is None
        drafts = page.locator("details.kit-drafts")
        assert drafts.count() == 1 and drafts.get_attribute("open") is None
        assert page.locator("details[open] .kit-candidate").count() == 0
        assert page.locator(".kit-candidate").first.is_visible() is False
        assert "Machine-proposed drafts, not findings" in drafts.locator("summary").inner_text()
        # The researcher's part comes after every card.
        last_card = page.locator(".kit-insight-card").last
        assert last_card.evaluate(
            "(card, det) => !!(card.compareDocumentPosition(det) & Node.DOCUMENT_POSITION_FOLLOWING)",
            researcher.element_handle(),
        )
        assert problems == []
