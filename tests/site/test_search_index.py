"""kit.site.search_index: a finding's words find its card, once, in Quarto's index and in the preview's.

The pages are built from the kit's own summary and cards
(kit.insights.report on the insights fixture), inside the markup Quarto 1.11
gives a notebook page (a ``section.level2`` per "##" heading, each output in a
``div.cell``); the Quarto entries are made as ``website-search.ts`` makes them:
one per ``section.level2`` with an id, its heading as ``section``, its whole
text (nested sections included) as ``text``, ``<`` and ``>`` encoded.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from insights_fixture import make_study
from kit.errors import KitError
from kit.insights import report
from kit.insights.stage import run_insights_stage
from kit.layout import kit_data_dir
from kit.site import search_index
from kit.site.search_index import page_text, search_parts, study_page_entries, tidy_quarto_index

PAGE = "studies/fixture/03-insights.html"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_insights_stage(make_study(tmp_path_factory.mktemp("search")), exports=False)


def _cell(html: str) -> str:
    return f'<div class="cell"><div class="cell-output cell-output-display">\n{html}\n</div></div>'


def quarto_page(result: dict) -> str:
    """The insights page as Quarto renders the template: Summary, Insights (the cards), Decision log."""
    return (
        '<html><body><main class="content" id="quarto-document-content">'
        '<header id="title-block-header"><h1 class="title">Insights</h1></header>'
        "<p>What this study found, what the team decided and what is still open.</p>"
        f'<section id="summary" class="level2"><h2 data-anchor-id="summary">Summary</h2>'
        f"{_cell(report.summary_html(result))}</section>"
        f'<section id="insights" class="level2"><h2 data-anchor-id="insights">Insights</h2>'
        f"{_cell(report.cards_html(result))}</section>"
        '<section id="decision-log" class="level2"><h2 data-anchor-id="decision-log">Decision log</h2>'
        "<p>Recommendations the team has decided on, with who decided and when.</p></section>"
        "</main></body></html>"
    )


class _QuartoSections(HTMLParser):
    """Each section.level2's id, heading and whole text (textContent), as website-search.ts reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str | None] = []
        self.text: dict[str, list[str]] = {}
        self.heading: dict[str, list[str]] = {}
        self.in_h2: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            sid = a.get("id") if "level2" in (a.get("class") or "").split() else None
            self.open.append(sid)
            if sid:
                self.text[sid], self.heading[sid] = [], []
        if tag == "h2":
            self.in_h2 = next((s for s in reversed(self.open) if s), None)

    def handle_endtag(self, tag):
        if tag == "section":
            self.open.pop()
        if tag == "h2":
            self.in_h2 = None

    def handle_data(self, data):
        for sid in self.open:
            if sid:
                self.text[sid].append(data)
        if self.in_h2 and not "".join(self.heading[self.in_h2]).strip():
            self.heading[self.in_h2].append(data)


def quarto_entries(page_html: str, href: str) -> list[dict]:
    found = _QuartoSections()
    found.feed(page_html)
    entry = {"objectID": href, "href": href, "title": "Fixture: Insights", "section": "", "crumbs": []}
    out = [{**entry, "text": "What this study found, what the team decided and what is still open."}]
    for sid, parts in found.text.items():
        text = "".join(parts).strip().replace("<", "&lt;").replace(">", "&gt;")
        heading = "".join(found.heading[sid])
        out.append({**entry, "objectID": f"{href}#{sid}", "href": f"{href}#{sid}", "section": heading, "text": text})
    return out


def _write_site(site: Path, result: dict, extra: list[dict] = ()) -> str:
    page = quarto_page(result)
    (site / PAGE).parent.mkdir(parents=True)
    (site / PAGE).write_text(page, "utf-8")
    (site / "index.html").write_text("<main><p>Studies</p></main>", "utf-8")
    home = {"objectID": "index.html", "href": "index.html", "title": "Studies", "section": "", "text": "Studies"}
    (site / "search.json").write_text(json.dumps([*quarto_entries(page, PAGE), *extra, home]), "utf-8")
    return page


def _hits(entries: list[dict], words: str) -> list[str]:
    return [
        e["href"]
        for e in entries
        if words.casefold() in " ".join(f"{e['title']} {e['section']} {e['text']}".split()).casefold()
    ]


def test_the_words_of_a_finding_find_its_card_and_not_the_summary_or_the_insights_section(tmp_path, result):
    _write_site(tmp_path, result)
    first = result["insights"][0]
    words = " ".join(first["statement"].split()[:6])
    before = json.loads((tmp_path / "search.json").read_text("utf-8"))
    # What Quarto wrote: the card, the Summary and the Insights section all hold the words.
    assert sorted(_hits(before, words)) == sorted(
        f"{PAGE}#{a}" for a in ("summary", "insights", f"insight-{first['id']}")
    )

    tidy_quarto_index(tmp_path)
    after = json.loads((tmp_path / "search.json").read_text("utf-8"))
    assert _hits(after, words) == [f"{PAGE}#insight-{first['id']}"]
    # The card keeps its whole text (a quote of its evidence finds it); the other sections stay as they were.
    quote = next(e["text"] for e in first["evidence_items"] if len(e["text"].split()) >= 4)
    assert _hits(after, " ".join(quote.split()[:4])) == [f"{PAGE}#insight-{first['id']}"]
    kept = {e["href"]: e for e in after}
    old = {e["href"]: e for e in before}
    for href in (PAGE, f"{PAGE}#decision-log", *(f"{PAGE}#insight-{i['id']}" for i in result["insights"])):
        assert kept[href] == old[href], href
    assert set(kept) == set(old) - {f"{PAGE}#summary", f"{PAGE}#insights"}


def test_an_insights_section_with_text_of_its_own_keeps_that_text_without_the_cards(tmp_path, result):
    page = quarto_page(result).replace(
        '<h2 data-anchor-id="insights">Insights</h2>',
        '<h2 data-anchor-id="insights">Insights</h2>\n<p>Read these first.</p>',
    )
    (tmp_path / PAGE).parent.mkdir(parents=True)
    (tmp_path / PAGE).write_text(page, "utf-8")
    (tmp_path / "search.json").write_text(json.dumps(quarto_entries(page, PAGE)), "utf-8")
    tidy_quarto_index(tmp_path)
    section = next(
        e for e in json.loads((tmp_path / "search.json").read_text("utf-8")) if e["href"].endswith("#insights")
    )
    assert section["text"].split() == ["Insights", "Read", "these", "first."]


def test_gone_pages_are_dropped_entries_ordered_by_page_and_a_second_tidy_changes_nothing(tmp_path, result):
    gone = {"objectID": "studies/old/03-insights.html", "href": "studies/old/03-insights.html", "title": "Old",
            "section": "", "text": "a study since deleted"}  # fmt: skip
    _write_site(tmp_path, result, [gone])
    tidy_quarto_index(tmp_path)
    once = (tmp_path / "search.json").read_text("utf-8")
    pages = [e["href"].split("#")[0] for e in json.loads(once)]
    assert "studies/old/03-insights.html" not in pages and pages == sorted(pages)
    tidy_quarto_index(tmp_path)
    assert (tmp_path / "search.json").read_text("utf-8") == once


def _nbconvert_markdown(html: str) -> str:
    """A Markdown cell as nbconvert's basic template writes it (headings with an id and a pilcrow link)."""
    return f'<div class="jp-Cell jp-MarkdownCell"><div class="jp-RenderedMarkdown">{html}</div></div>'


def _nbconvert_heading(text: str) -> str:
    anchor = text.replace(" ", "-")
    return _nbconvert_markdown(f'<h2 id="{anchor}">{text}<a class="anchor-link" href="#{anchor}">¶</a></h2>')


def test_the_preview_indexes_a_study_page_by_section_and_each_card_on_its_own(result):
    body = (
        _nbconvert_markdown("<h1>Insights</h1><p>What this study found.</p>")
        + _nbconvert_heading("Summary")
        + _cell(report.summary_html(result))
        + _nbconvert_heading("Insights")
        + _cell(report.cards_html(result))
        + _nbconvert_heading("Decision log")
        + _nbconvert_markdown("<p>Recommendations the team has decided on.</p>")
        + _cell("<table><tr><td>Keep the invite step</td></tr></table>")
    )
    sections, cards = study_page_entries(
        body, PAGE, "Fixture study: Insights", "Insights · Fixture study", "Fixture study"
    )
    # The summary and the cards are in no section's text (only in the cards' own entries), so the
    # Summary and Insights sections, left with their headings, are no entries, as in Quarto's index.
    assert [(e["t"], e["u"]) for e in sections] == [
        ("Fixture study: Insights", PAGE),
        ("Fixture study: Insights: Decision log", f"{PAGE}#Decision-log"),
    ]
    assert sections[0]["x"] == "Insights What this study found."
    assert sections[1]["x"] == "Decision log Recommendations the team has decided on. Keep the invite step"
    assert [c["u"] for c in cards] == [f"{PAGE}#insight-{i['id']}" for i in result["insights"]]
    for card, insight in zip(cards, result["insights"]):
        assert card["t"] == f"{' '.join(insight['statement'].split())} {insight['id']}"
        assert card["k"] == "Insight · Fixture study"
        quote = next(" ".join(e["text"].split()) for e in insight["evidence_items"] if e["text"])
        assert quote in card["x"] and "Fixture study" in card["x"]


def test_a_page_s_text_for_the_preview_leaves_the_summary_and_cards_out(result):
    body = "<p>Before.</p>" + str(report.summary_html(result)) + str(report.cards_html(result)) + "<p>After.</p>"
    assert page_text(body) == "Before. After."


def test_every_class_of_the_table_is_one_the_kit_s_templates_give():
    templates = " ".join(p.read_text("utf-8") for p in (kit_data_dir() / "templates").glob("*.html"))
    classes = {c for attr in re.findall(r'class="([^"{]*)', templates) for c in attr.split()}
    assert set(search_parts()) <= classes
    assert {p.entry for p in search_parts().values()} == {"own", "none"}


def test_a_row_of_an_unknown_kind_names_the_table_and_line(monkeypatch):
    monkeypatch.setattr(search_index, "kit_data", lambda name: "class,entry,label,why\nkit-x,own,X,\nkit-y,hide,,\n")
    search_parts.cache_clear()
    try:
        with pytest.raises(
            KitError, match=r"data/search_parts\.csv:3: class 'kit-y', entry 'hide'; expected .*own, none"
        ):
            search_parts()
    finally:
        search_parts.cache_clear()
