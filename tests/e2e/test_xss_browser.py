"""Hostile participant text is shown as text on every page, never executed (headless Chromium).

A study whose plan, notes, quotes, transcript and insights carry
``<script>``, ``<img onerror>`` and ``[click](javascript:...)`` payloads is run
through the real stages (papermill) and the preview site; every page is opened
in Chromium: no dialog may open, ``window.__xss`` must stay unset, no link may
point to ``javascript:``, and each payload must be readable as text somewhere.
The same build must pass the privacy check.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from pii_study import XSS_PAYLOADS, XSS_SLUG, seed_xss_study

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI must have it", allow_module_level=True)

# Run in every page after load: what a successful injection would leave behind.
PROBE = """() => ({
  xss: window.__xss === undefined ? null : String(window.__xss),
  jsLinks: [...document.querySelectorAll('[href],[src],[action],[formaction]')]
    .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action')
              || e.getAttribute('formaction') || '')
    .filter(u => /^\\s*(javascript|vbscript|data:text\\/html)/i.test(u)),
  handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
    .filter(a => a.name.toLowerCase().startsWith('on') && a.value.includes('__xss'))
    .map(a => e.tagName + ' ' + a.name)),
  scripts: [...document.scripts].filter(s => s.text.includes('__xss')).length,
  text: document.body ? document.body.innerText : '',
})"""


def _normalise(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A repository with the XSS study run by the real stages and published as the preview."""
    from kit.run.runner import run_studies
    from kit.site.build import build_site

    repo = tmp_path_factory.mktemp("xss-repo")
    shutil.copytree(ROOT / "templates", repo / "templates")
    seed_xss_study(repo, ROOT)
    results = run_studies(repo, [XSS_SLUG], jobs=1, timeout=300)
    failures = [str(r.failure) for r in results if not r.ok]
    assert not failures, f"the stages failed on the hostile study: {failures}"
    build_site(repo, use_quarto=False, echo=lambda message: None)
    return repo


@pytest.fixture(scope="module")
def server(site: Path):
    """The built _site/ served on 127.0.0.1 (a free port), shut down after the tests."""
    handler = functools.partial(_QuietHandler, directory=str(site / "_site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output readable
        pass


def test_every_page_shows_payloads_as_text_and_runs_none(site: Path, server: str):
    from playwright.sync_api import sync_playwright

    pages = sorted(p.relative_to(site / "_site").as_posix() for p in (site / "_site").rglob("*.html"))
    assert any(XSS_SLUG in p for p in pages), pages
    seen_text = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            # No network beyond the test server: CDN scripts fail fast instead of hanging.
            context.route(
                "**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort()
            )
            for rel in pages:
                page = context.new_page()
                dialogs: list[str] = []
                page.on("dialog", lambda d, seen=dialogs: (seen.append(f"{d.type}: {d.message}"), d.dismiss()))
                page.goto(f"{server}/{rel}", wait_until="load", timeout=60_000)
                page.wait_for_timeout(300)  # let <img onerror> fire if it is going to
                found = page.evaluate(PROBE)
                for link in page.locator("a", has_text="click").all():
                    href = link.get_attribute("href") or ""
                    if href.split("#")[0].endswith(".html") or href.startswith("#"):
                        continue  # an ordinary link (the study's title in the sidebar): clicking only navigates
                    link.click(timeout=2_000, no_wait_after=True)  # a javascript: link would run now
                page.wait_for_timeout(100)
                page.wait_for_load_state("load")
                found["xss_after_click"] = page.evaluate("() => window.__xss === undefined ? null : 1")
                page.close()
                assert dialogs == [], f"{rel}: a dialog opened: {dialogs}"
                assert found["xss"] is None and found["xss_after_click"] is None, f"{rel}: a payload ran"
                assert found["jsLinks"] == [], f"{rel}: javascript: URLs: {found['jsLinks']}"
                assert found["handlers"] == [], f"{rel}: injected event handlers: {found['handlers']}"
                assert found["scripts"] == 0, f"{rel}: an injected <script> element"
                seen_text.append(_normalise(found["text"]))
        finally:
            browser.close()
    everything = "\n".join(seen_text)
    for payload in XSS_PAYLOADS:
        assert _normalise(payload) in everything, f"payload not shown as text on any page: {payload}"


def test_hostile_study_build_passes_the_privacy_check(site: Path):
    from kit.privacy.leak_check import scan_for_leaks

    leaks = scan_for_leaks(site)
    assert leaks == [], "\n".join(map(str, leaks))
