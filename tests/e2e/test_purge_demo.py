"""A purge never fails the build (issue 26, point 2): on the demo, two withdrawals and then expiry.

Removing words re-clusters the themes; the demo's insight I3 cites theme T3.
`kit purge` pins the themes of the last synthesis (data/themes.csv) before it
removes words, so after a purge of two withdrawn people, and after the
expiry of the whole study, the re-run is green and T3 holds the same notes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kit.cli import cli
from kit.iorw import read_json
from panel_fixture import person, write_panel

pytestmark = pytest.mark.slow
WITHDRAWN = {"R-1052": "PN-0003", "R-1058": "PN-0004"}  # Priya Raghunathan, Jonas Lindqvist


def _invoke(repo: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), env={"KIT_REPO": str(repo)})
    assert result.exit_code == 0, result.output
    return result


def _theme(repo: Path, theme_id: str) -> list[str]:
    themes = read_json(repo / "reports" / "demo-checkout" / "synthesis.json")["themes"]
    return next(t["notes"] for t in themes if t["id"] == theme_id)


def test_purges_of_two_withdrawn_people_and_of_expired_data_keep_the_demo_green(demo_repo: Path):
    repo = demo_repo
    roster = repo / "notebooks" / "demo-checkout" / "data" / "participants.csv"
    lines = roster.read_text("utf-8").splitlines()
    linked = [lines[0] + ",person_id"] + [f"{line},{WITHDRAWN.get(line.split(',')[0], '')}" for line in lines[1:]]
    roster.write_text("\n".join(linked) + "\n", encoding="utf-8")
    people = [
        person("PN-0003", "Priya Raghunathan", withdrawn="2026-11-20"),
        person("PN-0004", "Jonas Lindqvist", withdrawn="2026-11-21"),
    ]
    write_panel(repo, people)
    _invoke(repo, "run", "--jobs", "1")
    cited = _theme(repo, "T3")

    purged = _invoke(repo, "purge", "--withdrawn", "--on", "2026-12-01", "--jobs", "1")
    assert "PN-0003" in purged.output and "PN-0004" in purged.output
    assert _theme(repo, "T3") == cited
    insights = read_json(repo / "reports" / "demo-checkout" / "insights.json")
    assert "T3" in {e["id"] for i in insights["insights"] for e in i["evidence_items"]}

    _invoke(repo, "purge", "--expired", "--on", "2029-01-01", "--jobs", "1")
    assert _theme(repo, "T3") == cited
    synthesis = read_json(repo / "reports" / "demo-checkout" / "synthesis.json")
    assert all(not n["text"] or n["text"].startswith("[quote withheld") for n in synthesis["notes"])
    assert synthesis["counts"]["notes"] == 75  # every word gone, the counts kept
    _invoke(repo, "run", "--jobs", "1")  # and the next build is green too
    shutil.rmtree(repo / "reports")
    _invoke(repo, "run", "--jobs", "1")  # also from scratch, as CI's first run after a purge
    assert _theme(repo, "T3") == cited
