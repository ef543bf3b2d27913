"""The built site in headless Chromium: the setup the browser tests of tests/e2e share.

It serves test_site_browser.py (the demo studies' site), test_xss_browser.py
(hostile studies) and test_site_a11y_browser.py (WCAG 2.2 AA), and lends the
browser and its skip to test_jupyterlab.py. It holds what they had each
written out: Debian's chromium and its launch flags (never ``playwright
install``: the browser is the system's), the module skip where it is missing
outside CI, the two engines (the preview, and Quarto where ``quarto`` is on
PATH; with ``KIT_REQUIRE_QUARTO=1``, as in CI, a missing Quarto is an error,
not a skip), a repository copy whose studies the real stages run (papermill,
:func:`kit.run.runner.run_studies`), the built site served on a free port of
127.0.0.1 (always shut down), the browser, a page opened with its problems
recorded, and the site's pages.

Plain functions and context managers, and two of them make a module its
fixtures (``site = site_fixture()``, ``browser = browser_fixture()``): each
module keeps its own ``repo`` fixture, whose contents are its own (which
studies, which hostile seeds, how many jobs), and the ``site`` fixture builds
whichever ``repo`` the module has. The server is the standard library's
(https://docs.python.org/3/library/http.server.html); the browser is driven
by Playwright (https://playwright.dev/python/docs/api/class-browsertype#browser-type-launch).
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kit.site.build import PROJECT_FILES, build_site

if TYPE_CHECKING:
    from _pytest.fixtures import FixtureFunctionDefinition
    from playwright.sync_api import Browser, BrowserContext, Page, Route

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
DEMO_STUDIES = ("demo-checkout", "quick-onboarding")
STAGE_TIMEOUT = 300  # seconds a notebook may run


def skip_module_without_chromium() -> None:
    """Skip the importing test module where chromium is missing, except in CI, which must have it."""
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI must have it", allow_module_level=True)


def engines() -> list[object]:
    """The site's engines as fixture params: the preview, and Quarto, skipped where it is not on PATH.

    With ``KIT_REQUIRE_QUARTO=1`` (the workflow's site-tests job) a missing Quarto raises
    instead, so the Quarto half can never go untested by a skip.
    """
    missing = shutil.which("quarto") is None
    if os.environ.get("KIT_REQUIRE_QUARTO") == "1" and missing:
        raise RuntimeError("KIT_REQUIRE_QUARTO=1 but quarto is not on PATH: the Quarto site would go untested")
    reason = "quarto is not on PATH (the Quarto site is tested where it is)"
    return ["preview", pytest.param("quarto", marks=pytest.mark.skipif(missing, reason=reason))]


def repository_copy(dest: Path, studies: Sequence[str]) -> Path:
    """``dest`` made a kit repository: the templates, the Quarto project files, the metric series
    (the demo's R1 is judged by them) and a copy of each study of ``studies`` from notebooks/."""
    shutil.copytree(ROOT / "templates", dest / "templates")
    for slug in studies:
        shutil.copytree(
            ROOT / "notebooks" / slug, dest / "notebooks" / slug, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    for name in PROJECT_FILES:
        shutil.copyfile(ROOT / name, dest / name)
    shutil.copytree(ROOT / "metrics", dest / "metrics")
    return dest


def run_stages(repo: Path, studies: Sequence[str], jobs: int) -> None:
    """Run every stage of ``studies`` in ``repo`` with papermill; fail naming each study that failed."""
    from kit.run.runner import run_studies  # papermill and the kernels only once a fixture needs them

    results = run_studies(repo, list(studies), jobs=jobs, timeout=STAGE_TIMEOUT)
    failures = [str(r.failure) for r in results if not r.ok]
    assert not failures, f"the stages failed on {', '.join(studies)}: {failures}"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest's output readable


@contextmanager
def served(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free port of 127.0.0.1 for the block (always shut down): its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@contextmanager
def built_site(repo: Path, engine: str) -> Iterator[tuple[str, Path, str]]:
    """(engine, site folder, base URL): ``repo``'s site built by ``engine`` and served for the block."""
    out = build_site(repo, use_quarto=engine == "quarto", echo=lambda message: None)
    with served(out) as base:
        yield engine, out, base


def site_fixture() -> FixtureFunctionDefinition:
    """A module-scoped fixture to name ``site``: :func:`built_site` of the module's ``repo``, once per engine.

    Called at the module's import, so :func:`engines` checks ``KIT_REQUIRE_QUARTO`` there.
    """

    @pytest.fixture(scope="module", params=engines())
    def site(request: pytest.FixtureRequest, repo: Path) -> Iterator[tuple[str, Path, str]]:
        """(engine, site folder, base URL): the built site served on a free port, always shut down."""
        with built_site(repo, request.param) as served:
            yield served

    return site


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless, launched by Playwright for the block and always closed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def opened_page(browser: Browser, base: str, rel: str, **context_options: Any) -> Iterator[tuple[Page, list[str]]]:
    """A page of the site at ``base`` with its console errors, failed requests and requests to other hosts
    recorded; its browser context is closed on leaving, also when the page fails to load."""
    context = browser.new_context(**context_options)
    try:
        yield _loaded(context, base, rel)
    finally:
        context.close()


def _loaded(context: BrowserContext, base: str, rel: str) -> tuple[Page, list[str]]:
    problems: list[str] = []

    def only_the_test_server(route: Route) -> None:
        # Nothing may leave the machine: a request to any other host is a failure (and is
        # aborted, so a CDN cannot make the test hang or pass by being reachable).
        url = route.request.url
        if url.startswith(base + "/") or url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request outside the test server: {url}")
            route.abort()

    context.route("**/*", only_the_test_server)
    page = context.new_page()
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(f"{base}/{rel}", wait_until="load", timeout=60_000)
    return page, problems


VISIBLE_ROWS = "() => [...document.querySelectorAll('.quarto-listing tbody tr')].filter(r => r.offsetParent).length"
"""How many rows of a Quarto listing are shown (its category filter hides the others)."""


def site_pages(out: Path) -> list[str]:
    """Every HTML page of the built site ``out`` (Quarto's site_libs aside), relative and sorted."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if "site_libs" not in p.parts)


def browser_fixture() -> FixtureFunctionDefinition:
    """A module-scoped fixture to name ``browser``: one :func:`chromium` for the module's tests."""

    @pytest.fixture(scope="module")
    def browser() -> Iterator[Browser]:
        with chromium() as launched:
            yield launched

    return browser
