"""kit.site.glossary: the Glossary page (both engines include the same Markdown, from data/reader_words.csv)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from hostile_inputs import payload, planted_markup
from kit.display import markdown_text, reader_word_rows
from kit.errors import KitError
from kit.layout import GLOSSARY_PAGE_PART, STUDIES_DIR, kit_data
from kit.site.build import PROJECT_FILES, prepare
from kit.site.glossary import glossary_entries, glossary_markdown
from kit.site.preview import NAV, _markdown
from site_fixture import seed_site_repo

ROOT = Path(__file__).resolve().parents[2]


def _terms(markdown: str) -> list[str]:
    """The term lines of the definition list: each line followed by a definition (":   ")."""
    lines = markdown.splitlines()
    return [line for line, after in zip(lines, lines[1:]) if after.startswith(":   ")]


def _table_with(*extra: dict[str, str]) -> list[dict[str, str]]:
    """The kit's table as a team's copy of it would be read, with rows added to the file."""
    text = io.StringIO(kit_data("reader_words.csv"))
    text.seek(0, io.SEEK_END)
    writer = csv.DictWriter(text, fieldnames=["key", "words", "precise", "meaning"], lineterminator="\n")
    writer.writerows(extra)
    return list(csv.DictReader(io.StringIO(text.getvalue())))


def test_every_term_with_a_meaning_appears_once_in_alphabetical_order():
    rows = reader_word_rows()
    with_meaning = [r for r in rows if r["meaning"].strip()]
    assert len(with_meaning) >= 30  # confidence, statuses, agreement, outcomes, lifecycle ...
    terms = _terms(glossary_markdown(glossary_entries()))
    assert sorted(terms) == sorted(markdown_text(r["words"]) for r in with_meaning)  # each once, nothing else
    assert terms == sorted(terms, key=str.casefold)
    # the terms the brief names (confidence, likely range, agreement, statuses, verdicts, the caveat, lifecycle)
    for word in ("strong evidence", "likely range", "agreement between coders", "tentative", "evidence id"):
        assert word in terms
    for word in ("awaiting a decision", "shipped", "moved", "inconclusive", "not an experiment"):
        assert word in terms
    assert {"superseded", "review due"} <= set(terms)


def test_column_headers_without_a_meaning_are_left_out():
    listed = {e.key for e in glossary_entries()}
    headers_only = [r["key"] for r in reader_word_rows() if r["key"].startswith("header.") and not r["meaning"]]
    assert "header.decided_on" in headers_only
    assert not set(headers_only) & listed
    # "Decided" heads a table of recommendations (no meaning of its own) and counts decisions on the Impact
    # page: the glossary's one entry says both.
    decided = next(e for e in glossary_entries() if e.words == "Decided")
    assert decided.key == "impact.decided" and "who decided and when" in decided.meaning


def test_the_impact_page_s_figures_are_in_the_glossary_with_the_formula_behind_each():
    from kit.site.impact import FIGURE_TERMS

    entries = {e.key: e for e in glossary_entries()}
    for key in ("impact.quarter", *FIGURE_TERMS, "check_on"):
        assert key in entries and entries[key].meaning and entries[key].precise, key
    terms = _terms(glossary_markdown(glossary_entries()))
    assert {"Quarter", "Insights", "Decided", "Tracked", "Measurable", "Days to decision", "Overdue"} <= set(terms)
    assert {"moved", "not moved", "inconclusive", "check date"} <= set(terms)
    assert "statistics.median" in entries["impact.days_to_decision"].precise


def test_each_term_reads_its_meaning_then_the_precise_term_for_researchers():
    md = glossary_markdown(glossary_entries())
    meaning, precise = md.split("\nlikely range\n:   ", 1)[1].split("\n")[:2]
    assert meaning.startswith("The values a measured figure most likely lies between") and meaning.endswith("\\")
    assert precise == "    *For researchers:* 95% confidence interval"
    assert md.startswith("The words this site uses, A to Z")


def test_a_hostile_value_in_a_copied_table_shows_as_text_in_the_preview():
    hostile = {"key": "x.evil", "words": payload("words"), "precise": payload("precise"), "meaning": payload("meaning")}
    listy = {"key": "x.list", "words": "- 1. item", "precise": "", "meaning": ": another term\n\n1) a list"}
    entries = glossary_entries(_table_with(hostile, listy))
    html = str(_markdown(glossary_markdown(entries)))
    assert planted_markup(html) == []
    assert "&lt;script&gt;window.__xss='meaning'&lt;/script&gt;" in html
    assert "[click](javascript:window.__xss=" in html  # the link's text, not a link
    # every term is one <dt>, every meaning one <dd>: no value opened a list or ended its entry
    assert html.count("<dt>") == html.count("<dd>") == len(entries)
    assert "<ul>" not in html and "<ol>" not in html and "<dt>- 1. item</dt>" in html


@pytest.mark.skipif(shutil.which("quarto") is None, reason="Quarto (and its pandoc) not on PATH")
def test_pandoc_reads_the_same_definition_list_and_keeps_hostile_values_text():
    hostile = {"key": "x.evil", "words": payload("words"), "precise": "", "meaning": payload("meaning") + " ~ : -"}
    listy = {"key": "x.list", "words": "1. item", "precise": "", "meaning": "- a list"}
    entries = glossary_entries(_table_with(hostile, listy))
    # Quarto's own pandoc, with the reader Quarto uses for the site (_quarto.yml: markdown-tex_math_dollars)
    proc = subprocess.run(
        ["quarto", "pandoc", "--from", "markdown-tex_math_dollars", "--to", "html"],
        input=glossary_markdown(entries),
        capture_output=True,
        text=True,
        check=True,
    )
    assert planted_markup(proc.stdout) == []
    assert "&lt;script&gt;window.__xss=‘meaning’&lt;/script&gt;" in proc.stdout  # pandoc's smart quotes
    assert proc.stdout.count("<dt>") == proc.stdout.count("<dd>") == len(entries)
    assert "<ul>" not in proc.stdout and "<ol>" not in proc.stdout and "<a " not in proc.stdout


def test_a_meaning_without_words_or_two_terms_reading_alike_are_refused():
    with pytest.raises(KitError, match=r"reader_words.csv: row 'x.blank' has a meaning but no words"):
        glossary_entries(_table_with({"key": "x.blank", "words": " ", "precise": "", "meaning": "Something."}))
    with pytest.raises(KitError, match=r"rows 'likely_range' and 'x.again' both read 'Likely Range'"):
        glossary_entries(_table_with({"key": "x.again", "words": "Likely Range", "precise": "", "meaning": "Again."}))
    # the same words as a header row without a meaning are fine: only glossary terms must differ
    assert glossary_entries(_table_with({"key": "x.hdr", "words": "likely range", "precise": "", "meaning": ""}))


def test_both_engines_list_the_glossary_last_in_the_navbar():
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text("utf-8"))
    assert config["website"]["navbar"]["left"][-1] == {"text": "Glossary", "href": "glossary.qmd"}
    assert "glossary.qmd" in config["project"]["render"] and "glossary.qmd" in PROJECT_FILES
    assert NAV[-1] == ("glossary.html", "Glossary")
    assert f"{{{{< include {STUDIES_DIR}/{GLOSSARY_PAGE_PART} >}}}}" in (ROOT / "glossary.qmd").read_text("utf-8")


def test_kit_site_writes_the_part_glossary_qmd_includes(tmp_path: Path):
    repo = seed_site_repo(tmp_path / "repo")
    prepare(repo)
    written = (repo / STUDIES_DIR / GLOSSARY_PAGE_PART).read_text("utf-8")
    assert written == glossary_markdown(glossary_entries())
    assert re.search(r"^strong evidence\n:   Many participants", written, re.M)
