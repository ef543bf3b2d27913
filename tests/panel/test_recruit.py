"""kit.panel.recruit and `kit recruit`: balanced, deterministic proposals; a shortfall says why."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.errors import RecruitShortfallError, UsageError
from kit.panel.recruit import recruit, split_evenly
from panel_fixture import FIRST, RETURNING, recruiting_people, write_recruiting_repo

DAY = dt.date(2026, 6, 1)


@pytest.fixture
def panel_repo(tmp_path: Path) -> Path:
    people = recruiting_people(owner_of_first=lambda i: "Sales" if i % 2 else "PM", beta_below=3)
    # besides PN-01 in cooldown and PN-11's two no-shows: PN-12 twice in 12 months, long ago enough
    return write_recruiting_repo(
        tmp_path,
        people,
        [["R-3", "Back Person12", "c@x.org", RETURNING, "yes", "yes", "PN-12"]],
        [["S4", "R-3", "2025-09-01", "Sam", "", "yes", ""], ["S5", "R-3", "2026-03-01", "Sam", "", "yes", ""]],
    )


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_split_evenly_gives_the_first_segments_the_remainder():
    assert split_evenly(5, ["a", "b"]) == {"a": 3, "b": 2}
    assert split_evenly(2, ["a", "b", "c"]) == {"a": 1, "b": 1, "c": 0}


def test_recruit_excludes_exactly_what_the_rules_exclude_and_balances_segments(panel_repo: Path):
    rec = recruit(panel_repo, "new-study", 6, day=DAY)
    got = rows(panel_repo / "notebooks" / "new-study" / "data" / "invites.csv")
    # First-time: PN-01 cooldown, PN-06 already in the study, PN-90 withdrawn -> PN-02..05 eligible
    # Returning: PN-11 no-shows, PN-12 12-month limit, PN-91 not opted in -> PN-13..15 eligible
    assert rec.eligible == {FIRST: 4, RETURNING: 3}
    assert [r["person_id"] for r in got] == ["PN-02", "PN-03", "PN-04", "PN-13", "PN-14", "PN-15"]
    assert rec.excluded == {
        "cooldown": 1,
        "already in this study": 1,
        "withdrawn": 1,
        "no-shows": 1,
        "12-month limit": 1,
        "not opted in": 1,
    }
    by_id = {r["person_id"]: r for r in got}
    # UXR reaches out (R of customer communication); a Sales-owned person's owner is asked first
    assert by_id["PN-03"]["reaches_out"] == "UXR" and by_id["PN-03"]["ask_first"] == "Sales"
    assert by_id["PN-13"]["contact_owner"] == "Support" and by_id["PN-13"]["name"] == "Back Person13"
    first = (panel_repo / "notebooks" / "new-study" / "data" / "invites.csv").read_bytes()
    recruit(panel_repo, "new-study", 6, day=DAY)
    assert (panel_repo / "notebooks" / "new-study" / "data" / "invites.csv").read_bytes() == first


def test_people_contacted_least_come_first(panel_repo: Path):
    # On 2026-07-01 PN-01's cooldown is over, but it took part this year: the others come first.
    rec = recruit(panel_repo, "new-study", 4, segments=("first-time BUYER",), day=dt.date(2026, 7, 1))
    assert rec.picked == {FIRST: ["PN-02", "PN-03", "PN-04", "PN-05"]}


def test_beta_only_and_a_shortfall_names_segments_and_rules_and_writes_nothing(panel_repo: Path):
    with pytest.raises(RecruitShortfallError) as err:
        recruit(panel_repo, "new-study", 4, beta=True, day=DAY)
    text = str(err.value)
    assert err.value.exit_code == 2
    assert "First-time buyer: need 2, 1 eligible (short 1)" in text  # PN-02 (PN-01 is in cooldown)
    assert "Returning buyer: need 2, 0 eligible (short 2)" in text
    assert "cooldown 1" in text and "Nothing written" in text
    assert not (panel_repo / "notebooks" / "new-study" / "data" / "invites.csv").exists()


def test_unknown_segment_and_study_are_usage_errors(panel_repo: Path):
    with pytest.raises(UsageError, match="not a segment of the plan"):
        recruit(panel_repo, "new-study", 2, segments=("Enterprise",), day=DAY)
    with pytest.raises(UsageError, match="unknown study"):
        recruit(panel_repo, "nope", 2, day=DAY)


def test_kit_recruit_command(panel_repo: Path, monkeypatch):
    monkeypatch.setenv("KIT_REPO", str(panel_repo))
    ok = CliRunner().invoke(cli, ["recruit", "new-study", "--n", "2", "--on", "2026-06-01"])
    assert ok.exit_code == 0, ok.output
    assert "First-time buyer: 1 of 4 eligible" in ok.output
    assert "wrote notebooks/new-study/data/invites.csv" in ok.output
    assert "Person" not in ok.output  # no names on the terminal
    short = CliRunner().invoke(cli, ["recruit", "new-study", "--n", "20", "--on", "2026-06-01"])
    assert short.exit_code == 2 and "short 6" in short.output
