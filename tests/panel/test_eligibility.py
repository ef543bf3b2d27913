"""kit.panel.eligibility and kit.panel.history: every contact rule, on the day it starts and ends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kit.errors import PanelError
from kit.panel.eligibility import evaluate, window_start
from kit.panel.history import by_person, load_history
from kit.panel.rules import load_rules
from kit.study.panel_people import load_panel
from panel_fixture import person, write_panel, write_study

D = dt.date.fromisoformat


def reasons(repo: Path, day: str) -> dict[str, str | None]:
    panel, rules = load_panel(repo), load_rules(repo)
    return evaluate(panel, by_person(load_history(repo)), rules, D(day)).reason


def one_person_with_sessions(repo: Path, sessions: list[tuple[str, str]], **person_kw) -> None:
    """PN-1 took part in one study per session ((date, attended))."""
    write_panel(repo, [person("PN-1", "Maria Lopez", **person_kw)])
    for i, (date, attended) in enumerate(sessions):
        write_study(
            repo,
            f"s{i}",
            [["R-1", "Maria Lopez", "m@x.org", "First-time buyer", "yes", "yes", "PN-1"]],
            [[f"S{i}", "R-1", date, "Sam Okafor", "", attended, ""]],
        )


def test_the_cooldown_ends_on_the_day_last_session_plus_cooldown_days(tmp_path: Path):
    one_person_with_sessions(tmp_path, [("2026-03-01", "yes")])  # cooldown_days: 30
    assert reasons(tmp_path, "2026-03-30")["PN-1"] == "cooldown"  # day 29
    assert reasons(tmp_path, "2026-03-31")["PN-1"] is None  # day 30: the cooldown has ended
    # A session already booked 30 days ahead leaves the person free; 29 days ahead does not.
    assert reasons(tmp_path, "2026-01-30")["PN-1"] is None
    assert reasons(tmp_path, "2026-01-31")["PN-1"] == "cooldown"


def test_the_twelve_month_window_counts_attended_sessions_after_day_minus_12_months(tmp_path: Path):
    one_person_with_sessions(tmp_path, [("2025-06-10", "yes"), ("2026-01-05", "yes"), ("2026-02-01", "cancelled")])
    # max_sessions_per_12_months: 2; the cancelled session counts for nothing
    assert reasons(tmp_path, "2026-06-09")["PN-1"] == "12-month limit"  # 2025-06-10 still inside
    assert reasons(tmp_path, "2026-06-10")["PN-1"] is None  # 2025-06-10 = day - 12 months: out
    assert window_start(D("2024-02-29")) == D("2023-02-28")  # a leap day steps back to month end


def test_no_shows_count_in_the_window_and_do_not_start_a_cooldown(tmp_path: Path):
    one_person_with_sessions(tmp_path, [("2026-01-10", "no-show"), ("2026-02-10", "No show")])
    assert reasons(tmp_path, "2026-02-11")["PN-1"] == "no-shows"  # no_show_limit: 2
    assert reasons(tmp_path, "2027-02-10")["PN-1"] is None  # both fell out of the 12 months


def test_withdrawn_not_opted_in_and_old_consent_are_excluded_first(tmp_path: Path):
    write_panel(
        tmp_path,
        [
            person("PN-1", "A B", withdrawn="2026-01-01"),
            person("PN-2", "C D", opted_in=""),
            person("PN-3", "E F", opted_in="2026-05-01"),
            person("PN-4", "G H", version="v1"),
            person("PN-5", "I J"),
        ],
    )
    got = reasons(tmp_path, "2026-04-01")
    assert got == {
        "PN-1": "withdrawn",
        "PN-2": "not opted in",
        "PN-3": "not opted in",
        "PN-4": "consent version",
        "PN-5": None,
    }


def test_a_panel_person_who_is_also_staff_counts_only_their_own_sessions(tmp_path: Path):
    # Sam moderates every session and is in the panel as PN-9: moderating is not taking part.
    write_panel(tmp_path, [person("PN-1", "Maria Lopez"), person("PN-9", "Sam Okafor", owner="UXR")])
    write_study(
        tmp_path,
        "a",
        [["R-1", "Maria Lopez", "m@x.org", "First-time buyer", "yes", "yes", "PN-1"]],
        [["S1", "R-1", "2026-03-01", "Sam Okafor", "Sam Okafor;Dana Whitfield", "", ""]],
    )
    got = reasons(tmp_path, "2026-03-10")
    assert got == {"PN-1": "cooldown", "PN-9": None}


def test_a_misspelt_attended_value_or_date_is_an_error_with_its_line(tmp_path: Path):
    one_person_with_sessions(tmp_path, [("2026-03-01", "came late")])
    with pytest.raises(PanelError, match=r"notebooks/s0/data/sessions.csv:2: attended 'came late'"):
        load_history(tmp_path)
    one_person_with_sessions(tmp_path, [("1 March", "yes")])
    with pytest.raises(PanelError, match=r"sessions.csv:2: date '1 March', expected a date"):
        load_history(tmp_path)


def test_studies_without_person_ids_add_no_history(tmp_path: Path):
    write_study(
        tmp_path,
        "plain",
        [["R-1", "A B", "a@x.org", "First-time buyer", "yes", "yes", ""]],
        [["S1", "R-1", "not even a date", "Sam", "", "", ""]],
    )
    assert load_history(tmp_path) == []


def test_history_reads_sessions_kept_as_excel_and_padded_csv(tmp_path: Path):
    import pandas as pd

    one_person_with_sessions(tmp_path, [("2026-03-01", "no-show")])
    data = tmp_path / "notebooks" / "s0" / "data"
    pd.read_csv(data / "sessions.csv", dtype=str, keep_default_na=False).to_excel(data / "sessions.xlsx", index=False)
    (data / "sessions.csv").unlink()
    (data / "participants.csv").write_text(
        " participant_id , Name,email,segment,consent_quotes,consent_recording,Person ID\r\n"
        "R-1,  Maria  Lopez ,m@x.org,First-time buyer,yes,yes, PN-1 \r\n,,,,,,\r\n"
    )
    (history,) = load_history(tmp_path)
    assert (history.person_id, history.date, history.attended) == ("PN-1", D("2026-03-01"), "no-show")
