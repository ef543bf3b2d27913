"""Listing categories that differ only by case are one category (kit.site.categories)."""

from __future__ import annotations

import json
from pathlib import Path

from kit.site import pages
from kit.site.categories import one_spelling
from kit.site.index import build_index
from site_fixture import seed_site_repo


def test_the_most_used_spelling_wins_and_capitals_win_a_tie():
    assert one_spelling(["onboarding", "Onboarding"]) == {"onboarding": "Onboarding", "Onboarding": "Onboarding"}
    assert one_spelling(["payment", "payment", "Payment"])["Payment"] == "payment"
    assert one_spelling(["a", ""]) == {"a": "a"}


def test_a_tag_and_a_product_area_spelt_apart_are_one_insights_category(tmp_path: Path):
    repo = seed_site_repo(tmp_path / "repo")
    path = repo / "reports" / "alpha" / "insights.json"
    data = json.loads(path.read_text("utf-8"))
    data["insights"][1]["tags"] = ["checkout", "Shipping-Cost"]  # alpha's product area is "Checkout"
    data["insights"][0]["tags"].append("shipping-cost")
    path.write_text(json.dumps(data), encoding="utf-8")
    items = pages.insight_listing_items(build_index(repo / "reports"))
    cats = [c for item in items for c in item["categories"]]
    assert "checkout" not in cats and cats.count("Checkout") == 2
    # Within one insight the merged tag and area appear once.
    assert items[1]["categories"].count("Checkout") == 1
    assert {c for c in cats if c.casefold() == "shipping-cost"} == {"Shipping-Cost"}  # one use each: capitals
