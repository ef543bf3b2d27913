"""The Decisions page: every recommendation of every study, filterable and sorted by decision date."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from kit.site import decisions, pages
from kit.site.build import build_site, prepare
from kit.site.index import build_index
from site_fixture import seed_site_repo


def _add_study(repo: Path, slug: str, area: str, tag: str, recs: list[dict]) -> None:
    """A second study with insights.json: its recommendations decided on other days, one awaiting."""
    alpha = json.loads((repo / "reports" / "alpha" / "insights.json").read_text("utf-8"))
    data = json.loads(json.dumps(alpha))
    data["study"].update(slug=slug, title=f"Study {slug}", product_area=area)
    ins = data["insights"][0]
    ins.update(id="I1", statement=f"Statement of {slug}", tags=[tag])
    ins["recommendations"] = [{**r, "insight": "I1"} for r in recs]
    data["insights"] = [ins]
    data["recommendations"] = ins["recommendations"]
    (repo / "reports" / slug).mkdir()
    (repo / "reports" / slug / "insights.json").write_text(json.dumps(data), encoding="utf-8")


def _rec(rid: str, status: str, on: str | None, by: str | None, owner: str = "Design") -> dict:
    return {
        "id": rid,
        "action": f"Action {rid}",
        "owner": owner,
        "metric": "Completed transactions per checkout started",
        "priority": "high",
        "status": status,
        "decided_on": on,
        "decided_by": by,
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = seed_site_repo(tmp_path / "repo")
    _add_study(
        repo,
        "gamma",
        "checkout",  # the same product area as alpha's "Checkout", spelt otherwise
        "Payment",
        [_rec("R1", "shipped", "2026-11-20", "Dana (PM)"), _rec("R2", "rejected", "2026-09-01", "Lee (PM)", "PM")],
    )
    return repo


def test_every_recommendation_is_a_row_newest_decision_first_awaiting_last(repo: Path):
    index = build_index(repo / "reports")
    rows = decisions.decision_rows(index)
    every = [(e["study"], r["id"]) for e in index["insights"] for r in e["recommendations"]]
    assert sorted((r["study"], r["id"]) for r in rows) == sorted(every) and len(rows) == 4
    dated = [r["decided_on"] for r in rows if r["decided_on"]]
    assert dated == sorted(dated, reverse=True) and dated[0] == "2026-11-20"
    assert [bool(r["decided_on"]) for r in rows] == sorted((bool(r["decided_on"]) for r in rows), reverse=True)
    shipped = next(r for r in rows if r["study"] == "gamma" and r["id"] == "R1")
    assert shipped["decided_by"] == "Dana (PM)" and shipped["statement"] == "Statement of gamma"
    assert shipped["href"] == "studies/gamma/03-insights.html#insight-I1"
    awaiting = [r for r in rows if r["status"] == "proposed"]
    assert awaiting and all(r["status_words"] == "awaiting a decision" for r in awaiting)


def test_filters_by_status_owner_and_product_area_with_one_spelling_per_area(repo: Path):
    rows = decisions.decision_rows(build_index(repo / "reports"))
    groups = dict(decisions.filter_groups(rows))
    assert set(groups) == {"Status", "Owner", "Product area"}
    assert groups["Product area"] == ["Product area: Checkout"]  # "checkout" of gamma is the same area
    assert "Owner: PM" in groups["Owner"] and "Status: rejected" in groups["Status"]
    rejected = next(r for r in rows if r["status"] == "rejected")
    assert decisions.row_categories(rejected) == ["Status: rejected", "Owner: PM", "Product area: Checkout"]


def test_the_quarto_listing_has_every_row_escaped_for_quarto(repo: Path):
    prepare(repo)
    items = yaml.safe_load((repo / "studies" / pages.DECISION_LISTING).read_text("utf-8"))
    assert len(items) == 4
    alpha = next(i for i in items if i["path"].endswith("alpha/03-insights.html#insight-I1"))
    # The statement carries markup: Markdown escapes keep it text for Quarto.
    assert "<script>" not in alpha["insight"] and "\\<script\\>" in alpha["insight"]
    assert all("date" not in i for i in items if i["status"] == "awaiting a decision")
    assert {i["decided-by"] for i in items} >= {"Dana (PM)", ""}


def test_a_long_insight_is_cut_at_a_word(repo: Path):
    text = "word " * 40
    short = decisions.short_text(text.strip())
    assert short.endswith("…") and len(short) <= decisions.SHORT_STATEMENT and "wor…" not in short
    assert decisions.short_text("short") == "short"


def test_the_preview_page_lists_every_recommendation_with_its_filters(repo: Path):
    build_site(repo, use_quarto=False, echo=lambda m: None)
    html = (repo / "_site" / "decisions.html").read_text("utf-8")
    assert html.count('<tr class="kit-decision"') == 4
    assert 'href="studies/gamma/03-insights.html#insight-I1"' in html
    assert "<script>window.__xss" not in html and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    for cat in ("Status: shipped", "Owner: Design", "Product area: Checkout"):
        assert f'data-category="{cat}"' in html
    assert 'id="decision-sort"' in html and '<a href="decisions.html" class="active" aria-current="page">' in html
    dates = re.findall(r'<tr class="kit-decision" data-date="([^"]*)"', html)
    assert dates == ["2026-11-20", "2026-09-01", "", ""]  # alpha's two await a decision


def test_the_insights_listing_shows_each_recommendation_and_confidence_in_words(repo: Path):
    index = build_index(repo / "reports")
    items = pages.insight_listing_items(index)
    gamma = next(i for i in items if i["path"].startswith("studies/gamma/"))
    assert gamma["recommendations"] == "Action R1 (shipped); Action R2 (rejected)"
    alpha = next(i for i in items if i["path"].endswith("alpha/03-insights.html#insight-I2"))
    assert alpha["recommendations"] == "Do it (awaiting a decision)"
    assert alpha["confidence"] == "moderate evidence (medium)"
