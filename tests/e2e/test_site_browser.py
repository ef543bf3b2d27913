"""The published site in headless Chromium: the demo studies run through the real stages.

Both example studies are executed with papermill (kit.run.runner.run_studies) in a
copy of the repository, published with kit.site.build.build_site (the preview
engine; the Quarto site too when ``quarto`` is on PATH), served on 127.0.0.1,
and every page is opened: no console error, no failed request, every internal
link (and its #anchor) resolves, charts are drawn, the insights page's category
filter narrows the list, and the navbar search finds a known insight.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

from kit.site.build import PROJECT_FILES

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STUDIES = ("demo-checkout", "quick-onboarding")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI must have it", allow_module_level=True)


def _repo_copy(tmp: Path) -> Path:
    repo = tmp / "repo"
    shutil.copytree(ROOT / "templates", repo / "templates")
    for slug in STUDIES:
        shutil.copytree(ROOT / "notebooks" / slug, repo / "notebooks" / slug,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in PROJECT_FILES:
        shutil.copyfile(ROOT / name, repo / name)
    return repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    from kit.run.runner import run_studies

    repo = _repo_copy(tmp_path_factory.mktemp("site"))
    results = run_studies(repo, list(STUDIES), jobs=2, timeout=300)
    failures = [str(r.failure) for r in results if not r.ok]
    assert not failures, failures
    return repo


def _serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


ENGINES = ["preview", pytest.param("quarto", marks=pytest.mark.skipif(
    shutil.which("quarto") is None, reason="quarto is not on PATH (the Quarto site is tested where it is)"))]


@pytest.fixture(scope="module", params=ENGINES)
def site(request, repo: Path):
    """(engine, site folder, base URL): the built site served on a free port, always shut down."""
    from kit.site.build import build_site

    out = build_site(repo, use_quarto=request.param == "quarto", echo=lambda m: None)
    httpd, thread = _serve(out)
    try:
        yield request.param, out, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, base: str, rel: str):
    """A page with its console errors and failed requests recorded."""
    context = browser.new_context()
    # Nothing outside the test server: a CDN request fails (and is reported) instead of hanging.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                  else route.abort())
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(f"{base}/{rel}", wait_until="load", timeout=60_000)
    return context, page, problems


def _pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                  if "site_libs" not in p.parts)


def test_every_page_loads_cleanly_and_every_internal_link_resolves(site, browser):
    engine, out, base = site
    pages = _pages(out)
    for slug in STUDIES:
        for stem in ("01-plan", "02-sessions", "03-insights"):
            assert f"studies/{slug}/{stem}.html" in pages
    assert {"index.html", "insights.html", "playbook.html"} <= set(pages)
    anchors_seen = 0
    for rel in pages:
        context, page, problems = _open(browser, base, rel)
        try:
            page.wait_for_timeout(200)
            links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            assert problems == [], f"{engine} {rel}: {problems}"
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
                    assert f'id="{fragment}"' in target.read_text("utf-8"), \
                        f"{engine} {rel}: {href}: no element with id {fragment!r}"
                    anchors_seen += 1
        finally:
            context.close()
    assert anchors_seen > 0, "no insight link with an #anchor was checked"


def test_charts_are_drawn(site, browser):
    engine, out, base = site
    context, page, problems = _open(browser, base, "studies/demo-checkout/02-sessions.html")
    try:
        page.wait_for_selector(".kit-chart .main-svg", timeout=30_000)
        charts = page.locator(".kit-chart").count()
        drawn = page.locator(".kit-chart .main-svg").count()
        assert charts > 0 and drawn >= charts, (charts, drawn)
        assert problems == []
    finally:
        context.close()


def test_inputs_are_folded_and_parameters_are_not_published(site, browser):
    engine, out, base = site
    context, page, problems = _open(browser, base, "studies/demo-checkout/01-plan.html")
    try:
        assert page.locator("details").count() > 0
        assert not page.locator("details[open]").count()
        text = page.content()
        assert "# Parameters" not in text and "reports_dir = None" not in text
    finally:
        context.close()


def test_insights_category_filter_narrows_the_list(site, browser):
    engine, out, base = site
    if engine != "preview":
        pytest.skip("Quarto's listing categories are Quarto's own code")
    context, page, problems = _open(browser, base, "insights.html")
    try:
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
    finally:
        context.close()


def test_search_finds_a_known_insight_and_leads_to_its_card(site, browser, repo: Path):
    import json

    engine, out, base = site
    if engine != "preview":
        pytest.skip("Quarto's search is Quarto's own code")
    index = json.loads((repo / "reports" / "index.json").read_text("utf-8"))
    known = next(e for e in index["insights"] if e["study"] == "quick-onboarding")
    words = " ".join(known["statement"].split()[:6])
    context, page, problems = _open(browser, base, "index.html")
    try:
        page.locator("#kit-search").fill(words)
        hit = page.locator("#kit-search-results a", has_text=words).first
        hit.wait_for(timeout=5_000)
        hit.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"studies/quick-onboarding/03-insights.html#insight-{known['insight']}")
        assert page.locator(f"#insight-{known['insight']}").count() == 1
        assert problems == []
    finally:
        context.close()


def test_built_site_passes_the_privacy_check(site, repo: Path):
    from kit.privacy.leak_check import scan_for_leaks

    leaks = scan_for_leaks(repo)
    assert leaks == [], "\n".join(map(str, leaks))
