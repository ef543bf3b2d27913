"""kit.site.lifecycle_pages and the index: current insights listed, the others in their own list, reviews due."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

from kit.site import pages
from kit.site.build import build_site
from kit.site.index import resolve_replacements
from kit.site.lifecycle_pages import (
    PAST_LISTING,
    due_for_review,
    due_for_review_markdown,
    past_listing_items,
)
from site_fixture import seed_site_repo

TODAY = dt.date(2026, 12, 3)


def _entry(ident: str, **keys) -> dict:
    study, insight = ident.split("/")
    return {
        "id": ident,
        "study": study,
        "study_title": f"Study {study}",
        "insight": insight,
        "statement": f"Statement of {ident}",
        "href": f"studies/{study}/03-insights.html#insight-{insight}",
        "tags": ["payment"],
        "status": "confirmed",
        "current": True,
        **keys,
    }


def _index() -> dict:
    insights = [
        _entry("a/I1", review_by="2026-12-01", found_on="2025-12-01"),
        _entry("a/I2", review_by="2026-12-20", reviewed_on="2026-06-03", statement="A *bold* [link](x) claim"),
        _entry("a/I3", review_by="2027-06-01"),
        _entry("b/I1", status="superseded", current=False, superseded_by="a/I3", review_by="2026-01-01"),
        _entry("b/I2", status="archived", current=False),
    ]
    resolve_replacements(insights)
    return {"insights": insights}


def test_a_replaced_insight_gets_the_link_and_statement_of_the_one_that_replaced_it():
    replaced = _index()["insights"][3]
    assert replaced["superseded_by_href"] == "studies/a/03-insights.html#insight-I3"
    assert replaced["superseded_by_statement"] == "Statement of a/I3"


def test_the_listing_shows_current_insights_with_their_review_in_words():
    items = pages.insight_listing_items(_index(), TODAY)
    assert [i["path"].split("#")[1] for i in items] == ["insight-I1", "insight-I2", "insight-I3"]
    assert [i["review"] for i in items] == ["due since 1 December 2026", "due in 2 weeks", "due in 6 months"]


def test_the_other_insights_are_listed_apart_with_what_replaced_them():
    past = past_listing_items(_index())
    assert [(p["status"], p.get("replaced-by")) for p in past] == [
        ("Superseded by Study a I3", "studies/a/03-insights.html#insight-I3"),
        ("Archived", None),
    ]
    assert past[0]["categories"][0] == "status: superseded"


def test_due_for_review_lists_past_and_soon_due_current_insights_oldest_first():
    assert [e["id"] for e in due_for_review(_index(), TODAY, 30)] == ["a/I1", "a/I2"]
    assert [e["id"] for e in due_for_review(_index(), TODAY, 0)] == ["a/I1"]  # the superseded one never
    md = due_for_review_markdown(_index(), TODAY, 30)
    assert "**Review due since 1 December 2026** (found 1 year ago): [Statement of a/I1]" in md
    assert r"A \*bold\* \[link\](x) claim" in md  # study text stays text
    assert "reviewed 6 months ago" in md
    assert "No insight is due" in due_for_review_markdown({"insights": []}, TODAY, 30)


def test_both_parts_are_written_for_the_site_and_the_preview_shows_them(tmp_path: Path):
    repo = seed_site_repo(tmp_path / "repo")
    path = repo / "reports" / "alpha" / "insights.json"
    data = json.loads(path.read_text())
    data["insights"][0] |= {"review_by": "2026-01-15", "found_on": "2025-07-15"}  # due since: any day from now on
    data["insights"][1] |= {"status": "superseded", "superseded_by": "I1"}
    path.write_text(json.dumps(data))
    build_site(repo, use_quarto=False, echo=lambda m: None)
    past = yaml.safe_load((repo / "studies" / PAST_LISTING).read_text())
    assert [p["path"] for p in past] == ["studies/alpha/03-insights.html#insight-I2"]
    listed = yaml.safe_load((repo / "studies" / pages.INSIGHT_LISTING).read_text())
    assert [i["path"] for i in listed] == ["studies/alpha/03-insights.html#insight-I1"]
    html = (repo / "_site" / "insights.html").read_text("utf-8")
    assert "Due for review" in html and "Review due since 15 January 2026" in html
    assert html.count('class="kit-insight"') == 1 and html.count('class="kit-past-insight"') == 1
    assert 'href="studies/alpha/03-insights.html#insight-I1">the insight that replaced it' in html
