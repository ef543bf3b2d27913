"""The published site is accessible (WCAG 2.2 AA) in both engines: axe-core, keyboard, phone, dark.

Both demo studies run through the real stages (papermill), the site is built
once per engine (the preview, and Quarto where ``quarto`` is on PATH; with
``KIT_REQUIRE_QUARTO=1`` a missing Quarto fails, see browser_site.py),
served on 127.0.0.1 and read in Debian's chromium:

- axe-core (bundled by axe-playwright-python) with the WCAG 2.0-2.2 A and AA
  tags finds no violation on any HTML page of ``_site`` (every page found, so
  pages added later are covered too) in three views: light desktop, dark
  desktop (the system's setting, ``prefers-color-scheme``) and a 390 px phone;
- in the dark view each page's background is dark (dark mode follows the
  system), and Quarto's toggle still switches back to light;
- on the phone no page scrolls sideways as a whole;
- the keyboard path: the skip link is the first tab stop and moves to the main
  content; every tab stop is visible and shows a focus outline, the navbar's
  links included; the insights listing's category filter works with the keyboard.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_site import (
    DEMO_STUDIES,
    VISIBLE_ROWS,
    browser_fixture,
    opened_page,
    repository_copy,
    run_stages,
    site_fixture,
    site_pages,
    skip_module_without_chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

skip_module_without_chromium()

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
VIEWS = {
    "light": {"viewport": DESKTOP, "color_scheme": "light"},
    "dark": {"viewport": DESKTOP, "color_scheme": "dark"},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
READY = "html[data-kit-a11y=ready]"  # site_a11y.js has run (tables wrapped, categories are buttons)
MAX_TAB_STOPS = 400

# The page's background as WCAG relative luminance (the same formula as kit.display).
BACKGROUND_LUMINANCE = r"""() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number)
      .slice(0, 3).map(v => v / 255).map(c => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""

# What the keyboard's current stop is, and whether a sighted reader can see it and its focus.
FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return {
    tag: el.tagName, cls: String(el.className), text: (el.innerText || el.value || "").trim().slice(0, 60),
    category: el.getAttribute("data-category"), inNav: !!el.closest("nav, header"),
    visible: box.width > 0 && box.height > 0 && el.checkVisibility({visibilityProperty: true, opacityProperty: true}),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    top: box.top,
  };
}"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo studies run once by the real stages."""
    repo = repository_copy(tmp_path_factory.mktemp("a11y") / "repo", DEMO_STUDIES)
    run_stages(repo, DEMO_STUDIES, jobs=2)
    return repo


site = site_fixture()  # (engine, site folder, base URL) of this repo, per engine
browser = browser_fixture()


@pytest.fixture(scope="module")
def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def _violations(page, axe_script: str) -> list[str]:
    page.evaluate(axe_script)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [
        f"{v['id']}: {node['target']} {' '.join(node['failureSummary'].split())[:200]}"
        for v in result["violations"]
        for node in v["nodes"]
    ]


def test_axe_finds_no_violation_on_any_page_in_light_dark_and_phone(site, browser, axe_script):
    engine, out, base = site
    pages = site_pages(out)
    assert {"index.html", "insights.html", "studies/demo-checkout/03-insights.html"} <= set(pages)
    failures: list[str] = []
    for view, options in VIEWS.items():
        context = browser.new_context(**options)
        page = context.new_page()
        try:
            for rel in pages:
                page.goto(f"{base}/{rel}", wait_until="load", timeout=60_000)
                page.wait_for_selector(READY, state="attached", timeout=30_000)
                failures += [f"{engine} {view} {rel}: {v}" for v in _violations(page, axe_script)]
                if view == "dark" and page.evaluate(BACKGROUND_LUMINANCE) > 0.05:
                    failures.append(f"{engine} dark {rel}: the page is light although the system is dark")
                if view == "phone":
                    wide, screen = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
                    if wide > screen:
                        failures.append(f"{engine} phone {rel}: the page scrolls sideways ({wide} px > {screen} px)")
        finally:
            context.close()
    assert failures == [], "\n".join(failures)


def test_quarto_toggle_still_switches_a_dark_system_to_light(site, browser):
    engine, out, base = site
    if engine != "quarto":
        pytest.skip("the preview has no toggle: it follows the system")
    with opened_page(browser, base, "index.html", **VIEWS["dark"]) as (page, problems):
        assert page.evaluate(BACKGROUND_LUMINANCE) < 0.05
        page.locator(".quarto-color-scheme-toggle").first.click()
        page.wait_for_function(f"() => ({BACKGROUND_LUMINANCE})() > 0.5")
        assert problems == []


def _tab_stops(page, until=lambda stop: False) -> list[dict]:
    """Press Tab from the top of the page and record each stop, until ``until`` or the page's end."""
    stops: list[dict] = []
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None or (stops and stop == stops[0]):
            break
        stops.append(stop)
        if until(stop):
            break
    return stops


def test_skip_link_comes_first_and_every_tab_stop_is_visible_with_focus(site, browser):
    engine, out, base = site
    for rel in ("index.html", "studies/demo-checkout/03-insights.html"):
        with opened_page(browser, base, rel, viewport=DESKTOP) as (page, problems):
            page.wait_for_selector(READY, state="attached", timeout=30_000)
            stops = _tab_stops(page)
            first = stops[0]
            assert "kit-skip-link" in first["cls"] and first["text"] == "Skip to main content", (engine, rel, first)
            assert first["visible"] and first["top"] >= 0, (engine, rel, first)
            hidden = [s for s in stops if not s["visible"]]
            assert hidden == [], f"{engine} {rel}: invisible tab stops {hidden[:5]}"
            unmarked = [s for s in stops if not s["outline"]]
            assert unmarked == [], f"{engine} {rel}: no visible focus on {unmarked[:5]}"
            assert any(s["inNav"] and s["tag"] == "A" for s in stops[1:]), (engine, rel, "no navbar link reached")
            # Enter on the skip link moves the keyboard to the main content.
            page.focus(".kit-skip-link")
            page.keyboard.press("Enter")
            page.keyboard.press("Tab")
            in_main = "() => !!(document.activeElement && document.activeElement.closest('main'))"
            assert page.evaluate(in_main), (engine, rel, page.evaluate(FOCUSED))
            assert problems == []


def test_insights_category_filter_works_with_the_keyboard(site, browser, repo: Path):
    engine, out, base = site
    index = json.loads((repo / "reports" / "index.json").read_text("utf-8"))
    with_payment = sum("payment" in e["tags"] for e in index["insights"])
    visible = {
        "quarto": VISIBLE_ROWS,
        "preview": "() => document.querySelectorAll('.kit-insight:not([hidden])').length",
    }[engine]
    with opened_page(browser, base, "insights.html", viewport=DESKTOP) as (page, problems):
        if engine == "preview":  # the preview lists current insights only: count payment among those shown
            with_payment = page.evaluate(
                "() => [...document.querySelectorAll('.kit-insight:not([hidden])')]"
                ".filter(c => JSON.parse(c.dataset.categories).includes('payment')).length"
            )
        page.wait_for_selector(READY, state="attached", timeout=30_000)
        total = page.evaluate(visible)
        assert 0 < with_payment < total
        stops = _tab_stops(page, until=lambda s: s["text"].startswith("payment"))
        assert stops and stops[-1]["text"].startswith("payment"), f"{engine}: the category is not a tab stop"
        assert stops[-1]["visible"] and stops[-1]["outline"], stops[-1]
        page.keyboard.press("Enter")
        page.wait_for_function(f"n => ({visible})() === n", arg=with_payment)
        assert page.evaluate("() => document.activeElement.getAttribute('aria-pressed')") == "true"
        page.keyboard.press(" ")  # Space works too: the preview's buttons toggle off; Quarto stays on its category
        expected = total if engine == "preview" else with_payment
        page.wait_for_function(f"n => ({visible})() === n", arg=expected)
        assert problems == []
