"""The panel's "done when", from the command line, through papermill and the site build.

A participant of the demo study is in the panel; an insight cites her quote.
She withdraws: the next `kit build` is green, the quote reads "quote withheld
(no consent)" and the stage warns. `kit purge --withdrawn` then leaves no
word of her in data/, reports/ or _site/, the purge log holds no personal
data, and the Panel page shows counts only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.iorw import read_json
from kit.site.build import PROJECT_FILES
from panel_fixture import ROOT, person, write_panel

pytestmark = pytest.mark.slow
QUOTE = "I wish I'd known that before I put everything in the basket"
HER = ("Maria Gonzalez", "Gonzalez", "maria.gonzalez84@example.com", "R-1041", "PN-0001")


def _texts(*folders: Path) -> str:
    return "\n".join(
        p.read_text("utf-8", errors="replace")
        for f in folders
        for p in f.rglob("*")
        if p.is_file() and p.suffix not in (".png", ".woff", ".woff2", ".ico")
    )


def _invoke(repo: Path, *args: str):
    result = CliRunner().invoke(cli, list(args), env={"KIT_REPO": str(repo)})
    assert result.exit_code == 0, result.output
    return result


def test_withdrawal_then_purge_from_the_command_line(demo_repo: Path):
    repo = demo_repo
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, repo / name)
    roster = repo / "notebooks" / "demo-checkout" / "data" / "participants.csv"
    lines = roster.read_text("utf-8").splitlines()
    roster.write_text(
        "\n".join(
            [lines[0] + ",person_id"]
            + [line + (",PN-0001" if line.startswith("R-1041,") else ",") for line in lines[1:]]
        )
        + "\n",
        encoding="utf-8",
    )
    people = [person("PN-0001", "Maria Gonzalez", opted_in="2026-01-01"), person("PN-0002", "Tom Berg")]
    write_panel(repo, people)
    _invoke(repo, "build", "--no-quarto", "--jobs", "1")
    assert QUOTE in _texts(repo / "reports")

    people[0] = person("PN-0001", "Maria Gonzalez", opted_in="2026-01-01", withdrawn="2026-11-20")
    write_panel(repo, people)
    _invoke(repo, "build", "--no-quarto", "--jobs", "1")  # green: exit 0
    insights = read_json(repo / "reports" / "demo-checkout" / "insights.json")
    cited = {e["id"]: e for i in insights["insights"] for e in i["evidence_items"]}
    assert cited["Q-N004"]["text"] == "quote withheld (no consent)"
    assert any("'Q-N004' is a quote withheld" in w for w in insights["warnings"])
    assert QUOTE not in _texts(repo / "reports", repo / "_site")

    counts = read_json(repo / "reports" / "demo-checkout" / "synthesis.json")["counts"]
    purged = _invoke(repo, "purge", "--withdrawn", "--on", "2026-12-01", "--jobs", "1")
    assert read_json(repo / "reports" / "demo-checkout" / "synthesis.json")["counts"]["notes"] == counts["notes"]
    assert "panel/purge-log.csv" in purged.output
    everything = _texts(repo / "notebooks" / "demo-checkout" / "data", repo / "reports", repo / "_site")
    assert not any(word in everything for word in (*HER[:3], QUOTE))
    log = (repo / "panel" / "purge-log.csv").read_text("utf-8")
    assert "PN-0001" in log and not any(word in log for word in HER[:3])
    assert "Maria" not in (repo / "_site" / "panel.html").read_text("utf-8")
    _invoke(repo, "check", "--privacy")
    again = _invoke(repo, "purge", "--withdrawn", "--on", "2026-12-01")
    assert "nothing to purge" in again.output
