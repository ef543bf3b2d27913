"""Colours of the insights page reach 4.5:1 (WCAG 2.2 SC 1.4.3) in light and in dark.

Computed with the WCAG formula (kit.display.contrast_ratio): the light colours
the page carries (confidence labels on white and on the draft cards' #fafafa,
the evidence matrix's inked fills), and the dark theme's replacements in both
engines (site-theme-dark.scss on darkly's #222, preview.css on its #0d1117).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kit import display
from kit.insights import report
from kit.layout import kit_data_dir

ROOT = Path(__file__).resolve().parents[2]
LIGHT_BACKGROUNDS = ("#ffffff", "#fafafa")  # page, draft card
DARK = {ROOT / "site-theme-dark.scss": "#222222", kit_data_dir() / "preview.css": "#0d1117"}


@pytest.mark.parametrize("level", sorted(report.CONFIDENCE_COLOURS))
def test_confidence_labels_in_light(level: str):
    for background in LIGHT_BACKGROUNDS:
        assert display.contrast_ratio(report.CONFIDENCE_COLOURS[level], background) >= display.MIN_TEXT_CONTRAST


@pytest.mark.parametrize("sheet", sorted(DARK), ids=lambda p: p.name)
def test_confidence_labels_and_drafts_in_dark(sheet: Path):
    css = sheet.read_text("utf-8")
    overrides = dict(re.findall(r"\.kit-confidence-(\w+) > strong \{ ?color: ?(#[0-9a-f]{6})", css))
    assert set(overrides) == set(report.CONFIDENCE_COLOURS), sheet
    draft = re.search(r"\.kit-candidate > p:first-child > strong \{ ?color: ?(#[0-9a-f]{6})", css)
    assert draft, f"{sheet}: the draft label keeps its light colour in dark"
    assert re.search(r"\.kit-candidate \{ ?background: ?transparent", css), f"{sheet}: draft cards stay pale"
    for colour in [*overrides.values(), draft.group(1)]:
        assert display.contrast_ratio(colour, DARK[sheet]) >= display.MIN_TEXT_CONTRAST, (sheet.name, colour)


def test_evidence_matrix_cells_carry_their_ink():
    for symbol in report.MATRIX_SYMBOLS.values():
        style = dict(p.split(":", 1) for p in report._colour(symbol).split(";"))
        assert display.contrast_ratio(style["color"], style["background-color"]) >= display.MIN_TEXT_CONTRAST
