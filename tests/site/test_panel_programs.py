"""The Panel page's beta programs (counts only) in both engines, and the Impact page rendered by Quarto."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from kit.panel.purge import purge
from kit.site.build import build_site
from kit.site.panel_page import panel_data, panel_markdown
from panel_fixture import person, write_csv, write_panel, write_study
from site_fixture import seed_site_repo

DAY = dt.date(2026, 6, 15)
PRIVATE = ("Maria", "Lopez", "Tom Berg", "Una", "Vic Vale", "example.com", "PN-", "Acme", "met at a fair", "F1")
PROGRAMS = {
    "programs": [
        {
            "id": "beta-checkout",
            "name": "Checkout beta",
            "owner": "PM",
            "start": dt.date(2026, 1, 1),
            "end": dt.date(2026, 12, 31),
            "members": ["PN-1", "PN-2", "PN-3", "PN-4"],
            "feedback": "panel/beta-feedback.csv",
            "withdrawals": 2,
        },
        {
            "id": "pilot",
            "name": "Loyalty <b>pilot</b>",
            "owner": "Sales",
            "start": dt.date(2026, 7, 1),
            "members": ["PN-6"],
        },  # fmt: skip
    ]
}


def seed_programs(repo: Path) -> Path:
    """PN-1 withdrew; PN-2 took part on 06-01 (cooldown 30 days); PN-3 eligible; PN-4 not opted in (all beta).

    PN-5 (eligible) is in no program; PN-6 (eligible) is in the pilot, which starts in July.
    """
    write_panel(
        repo,
        [
            person("PN-1", "Maria Lopez", withdrawn="2026-05-02"),
            person("PN-2", "Tom Berg"),
            person("PN-3", "Una Other", segment="Returning buyer"),
            person("PN-4", "Vic Vale", segment="Returning buyer", opted_in=""),
            person("PN-5", "Wes Free"),
            person("PN-6", "Xan Pilot", segment="Returning buyer", owner="Sales"),
        ],
    )
    write_study(
        repo,
        "s",
        [["R-2", "Tom Berg", "t@x.org", "First-time buyer", "yes", "yes", "PN-2"]],
        [["S1", "R-2", "2026-06-01", "Sam", "", "", ""]],
        program="beta-checkout",
    )
    for slug, program in (("t", "beta-checkout"), ("u", "pilot"), ("v", None)):
        write_study(repo, slug, [], [], **({"program": program} if program else {}))
    write_csv(
        repo / "panel" / "beta-feedback.csv",
        ["request_id", "date", "person_id", "text", "tags"],
        [
            ["F1", "2026-03-01", "PN-1", "Maria wants the cost earlier", "shipping-cost"],
            ["F2", "2026-03-02", "PN-3", "Show postage first", "delivery-charge"],
            ["F3", "2026-03-03", "PN-3", "Pay by bank", "payment;trust"],
            ["F4", "2026-03-04", "", "Pay faster", "payment"],
        ],
    )
    (repo / "codebook.yml").write_text(
        yaml.safe_dump(
            {
                "codes": [
                    {"name": "shipping-cost", "definition": "d", "synonyms": ["delivery-charge"]},
                    {"name": "payment", "definition": "d"},
                    {"name": "trust", "definition": "d"},
                ]
            }
        ),
        encoding="utf-8",
    )
    (repo / "panel" / "programs.yml").write_text(yaml.safe_dump(PROGRAMS, sort_keys=False), encoding="utf-8")
    return repo


def test_program_counts(tmp_path: Path):
    beta, pilot = panel_data(seed_programs(tmp_path), DAY)["programs"]
    # beta: members PN-2, PN-3, PN-4 (PN-1 withdrew); eligible PN-3 only (PN-2 cooldown, PN-4 not opted in);
    # studies s and t; feedback without PN-1's row: delivery-charge is shipping-cost 1, payment 2 (F3, F4),
    # trust 1; withdrawals 2 recorded by earlier purges + PN-1.
    assert {k: beta[k] for k in ("members", "eligible", "studies", "withdrawals", "running")} == {
        "members": 3,
        "eligible": 1,
        "studies": 2,
        "withdrawals": 3,
        "running": True,
    }
    assert beta["feedback"] == {"payment": 2, "shipping-cost": 1, "trust": 1}
    assert (pilot["members"], pilot["eligible"], pilot["studies"], pilot["running"]) == (1, 1, 1, False)
    text = panel_markdown(panel_data(tmp_path, DAY))
    assert (
        "| Checkout beta (beta-checkout) | PM | 2026-01-01 to 2026-12-31 | 3 | 1 | 2 "
        "| payment 2, shipping-cost 1, trust 1 | 3 |" in text
    )
    assert (
        "Loyalty \\<b\\>pilot\\</b\\> (pilot) | Sales | 2026-07-01 to open end (not running) | 1 | 1 | 1 | none | 0 |"
        in (text)
    )
    assert not any(p in text for p in PRIVATE)


def test_a_purged_member_stays_out_of_the_counts(tmp_path: Path):
    repo = seed_programs(tmp_path)
    before = panel_data(repo, DAY)["programs"][0]
    purge(repo, DAY, withdrawn=True, expired=False)
    assert "PN-1" not in (repo / "panel" / "programs.yml").read_text("utf-8")
    after = panel_data(repo, DAY)["programs"][0]
    assert after == before  # withdrawn before the purge, counted as a withdrawal after it: the same figures


def test_an_unreadable_programs_file_does_not_fail_the_page(tmp_path: Path):
    repo = seed_programs(tmp_path)
    (repo / "panel" / "programs.yml").write_text("programs:\n  - id: x\n    members: [PN-404]\n", encoding="utf-8")
    text = panel_markdown(panel_data(repo, DAY))
    assert "`panel/programs.yml` could not be read" in text and "PN-404" not in text


def _page_text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text("utf-8")))


def test_the_preview_shows_the_programs_with_counts_only(tmp_path: Path):
    repo = seed_programs(seed_site_repo(tmp_path / "repo"))
    out = build_site(repo, use_quarto=False, echo=lambda m: None)
    html = (out / "panel.html").read_text("utf-8")
    text = _page_text(out / "panel.html")
    assert "Beta programs" in text and "Checkout beta (beta-checkout)" in text
    assert "payment 2, shipping-cost 1, trust 1" in text
    assert "<b>pilot</b>" not in html and "&lt;b&gt;pilot&lt;/b&gt;" in html
    assert not any(p in text for p in PRIVATE)


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not on PATH")
def test_quarto_renders_the_programs_and_the_impact_page(tmp_path: Path):
    repo = seed_programs(seed_site_repo(tmp_path / "repo"))
    out = build_site(repo, use_quarto=True, echo=lambda m: None)
    html = (out / "panel.html").read_text("utf-8")
    text = _page_text(out / "panel.html")
    assert "Checkout beta (beta-checkout)" in text and "payment 2, shipping-cost 1, trust 1" in text
    assert "<b>pilot</b>" not in html
    assert not any(p in text for p in PRIVATE)
    impact = _page_text(out / "impact.html")
    assert "Per quarter" in impact and "What the figures mean" in impact and "Overall" in impact
    assert "impact.html" in (out / "index.html").read_text("utf-8")  # in the navbar
