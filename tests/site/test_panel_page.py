"""kit.site.panel_page: the Panel page, counts only, in the preview and in Quarto."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from kit.site.build import build_site
from kit.site.panel_page import panel_data, panel_markdown, quarter
from panel_fixture import person, write_csv, write_panel, write_study
from site_fixture import seed_site_repo

DAY = dt.date(2026, 6, 15)
PRIVATE = ("Maria", "Lopez", "Tom Berg", "Una", "example.com", "PN-", "R-", "Acme", "met at a fair")


def seed_panel(repo: Path) -> Path:
    write_panel(
        repo,
        [
            person("PN-1", "Maria Lopez", withdrawn="2026-05-02"),
            person("PN-2", "Tom Berg", owner="Sales"),
            person("PN-3", "Una Other", segment="Returning buyer", owner="Support"),
            person("PN-4", "Vic Vale", segment="Returning buyer", opted_in=""),
        ],
    )
    write_study(
        repo,
        "s",
        [
            ["R-1", "Maria Lopez", "m@x.org", "First-time buyer", "yes", "yes", "PN-1"],
            ["R-2", "Tom Berg", "t@x.org", "First-time buyer", "yes", "yes", "PN-2"],
            ["R-3", "Una Other", "u@x.org", "Returning buyer", "yes", "yes", "PN-3"],
        ],
        [
            ["S1", "R-1", "2026-01-10", "Sam", "", "", ""],
            ["S2", "R-2", "2026-06-01", "Sam", "", "", ""],
            ["S3", "R-3", "2026-01-20", "Sam", "", "no-show", ""],
        ],
    )
    write_csv(
        repo / "panel" / "purge-log.csv",
        ["date", "reason", "subject", "study"],
        [["2026-05-03", "withdrawn", "PN-1", "s"], ["2026-05-03", "withdrawn", "PN-1", "panel"]],
    )
    return repo


def test_quarters():
    assert [quarter(dt.date(2026, m, 1)) for m in (1, 3, 4, 12)] == ["2026-Q1", "2026-Q1", "2026-Q2", "2026-Q4"]


def test_counts_per_segment_month_owner_and_quarter(tmp_path: Path):
    data = panel_data(seed_panel(tmp_path), DAY)
    assert data["segments"]["First-time buyer"] == {"people": 2, "withdrawn": 1, "cooldown": 1}
    assert data["segments"]["Returning buyer"] == {"people": 2, "eligible": 1, "not opted in": 1}
    assert data["months"] == {"2026-01": {"yes": 1, "no-show": 1}, "2026-06": {"yes": 1}}
    assert data["load"] == {
        "PM": {"people": 2, "sessions": 1},
        "Sales": {"people": 1, "sessions": 1},
        "Support": {"people": 1},
    }
    assert data["quarters"] == [{"quarter": "2026-Q2", "withdrawals": 1, "purges": 2}]
    md = panel_markdown(data)
    assert "| First-time buyer | 2 | 0 | 1 | 0 | 0 | 1 | 0 | 0 |" in md
    assert not any(p in md for p in PRIVATE)


def test_without_a_panel_the_page_says_how_to_start_one(tmp_path: Path):
    assert panel_data(tmp_path, DAY) is None
    assert "panel/people.csv" in panel_markdown(None)


def _page_text(path: Path) -> str:
    return re.sub(r"<[^>]+>", " ", path.read_text("utf-8"))


def test_the_preview_shows_the_panel_page_with_counts_only(tmp_path: Path):
    repo = seed_panel(seed_site_repo(tmp_path / "repo"))
    out = build_site(repo, use_quarto=False, echo=lambda m: None)
    text = _page_text(out / "panel.html")
    assert "Eligible people per segment" in text and "Contact load per owner role" in text
    assert "Withdrawals and purges per quarter" in text and "2026-Q2" in text
    assert not any(p in text for p in PRIVATE)
    assert 'href="panel.html"' in (out / "index.html").read_text("utf-8")


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not on PATH")
def test_quarto_renders_the_panel_page_with_counts_only(tmp_path: Path):
    repo = seed_panel(seed_site_repo(tmp_path / "repo"))
    out = build_site(repo, use_quarto=True, echo=lambda m: None)
    text = _page_text(out / "panel.html")
    assert "Eligible people per segment" in text and "Sessions per month" in text
    assert not any(p in text for p in PRIVATE)
    assert "panel.html" in (out / "index.html").read_text("utf-8")
