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
from panel_fixture import person, write_panel, write_study

DAY = dt.date(2026, 6, 1)
FIRST, RETURNING = "First-time buyer", "Returning buyer"


@pytest.fixture
def panel_repo(tmp_path: Path) -> Path:
    people = [
        person(
            f"PN-{i:02d}", f"First Person{i}", FIRST, owner="Sales" if i % 2 else "PM", beta="yes" if i < 3 else "no"
        )
        for i in range(1, 7)
    ]
    people += [person(f"PN-{i:02d}", f"Back Person{i}", RETURNING, owner="Support") for i in range(11, 16)]
    people += [
        person("PN-90", "Will Drawn", FIRST, withdrawn="2026-01-01"),
        person("PN-91", "Not Yet", RETURNING, opted_in=""),
    ]
    write_panel(tmp_path, people)
    # PN-01 took part 10 days ago (cooldown); PN-11 no-showed twice; PN-12 twice in 12 months, long ago enough
    write_study(
        tmp_path,
        "past",
        [
            ["R-1", "First Person1", "f1@x.org", FIRST, "yes", "yes", "PN-01"],
            ["R-2", "Back Person11", "b@x.org", RETURNING, "yes", "yes", "PN-11"],
            ["R-3", "Back Person12", "c@x.org", RETURNING, "yes", "yes", "PN-12"],
        ],
        [
            ["S1", "R-1", "2026-05-22", "Sam", "", "yes", ""],
            ["S2", "R-2", "2026-01-10", "Sam", "", "no-show", ""],
            ["S3", "R-2", "2026-02-10", "Sam", "", "no-show", ""],
            ["S4", "R-3", "2025-09-01", "Sam", "", "yes", ""],
            ["S5", "R-3", "2026-03-01", "Sam", "", "yes", ""],
        ],
    )
    write_study(
        tmp_path,
        "new-study",
        [["R-9", "First Person6", "f6@x.org", FIRST, "yes", "yes", "PN-06"]],
        [],
        segments=[FIRST, RETURNING],
        raci={"planning": {"UXR": "A", "PM": "R"}, "customer communication": {"PM": "A", "UXR": "R"}},
    )
    return tmp_path


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
