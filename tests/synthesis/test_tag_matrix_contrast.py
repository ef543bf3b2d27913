"""The tag matrix's digits are readable on every fill of the rainbow palette.

axe-core cannot decide contrast on these cells (it reports them as "incomplete"),
so the test computes it: WCAG 2.2 relative luminance and contrast ratio
(https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio), through kit.display.
"""

from __future__ import annotations

import re

import pandas as pd

from kit import display
from kit.synthesis import report

PEOPLE = ["P01", "P02", "P03"]


def _cell_styles(html: str) -> list[dict[str, str]]:
    """Each CSS rule of a rendered Styler as {property: value}."""
    rules = re.findall(r"#T_\w+ \{([^}]*)\}", html)
    return [dict(p.strip().split(":", 1) for p in r.split(";") if ":" in p) for r in rules]


def test_every_rainbow_fill_carries_ink_of_at_least_4_5_to_1():
    # More tags than colours: the palette wraps around, every colour is used.
    tags = [f"tag-{i}" for i in range(len(report.RAINBOW) + 2)]
    frame = pd.DataFrame(
        [{"participants": 3, "notes": 4, "P01": 1 + i % 3, "P02": 0, "P03": 2} for i in range(len(tags))],
        index=tags,
    )
    html = report._rainbow(frame, PEOPLE).to_html()
    filled = [s for s in _cell_styles(html) if "background-color" in s]
    fills = {s["background-color"].strip() for s in filled}
    assert fills == set(report.RAINBOW)
    for style in filled:
        ink, fill = style["color"].strip(), style["background-color"].strip()
        assert display.contrast_ratio(ink, fill) >= display.MIN_TEXT_CONTRAST, (ink, fill)
