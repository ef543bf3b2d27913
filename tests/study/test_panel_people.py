"""kit.study.panel_people: reading the panel, every problem with its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kit.errors import PanelError
from kit.study.panel_people import load_panel, withdrawn_person_ids
from panel_fixture import PEOPLE_HEADER, person, write_csv, write_panel


def test_no_panel_is_none_and_nobody_withdrawn(tmp_path: Path):
    assert load_panel(tmp_path) is None
    assert withdrawn_person_ids(tmp_path) == frozenset()


def test_people_are_read_with_dates_roles_and_beta(tmp_path: Path):
    write_panel(
        tmp_path,
        [
            person("PN-1", "Maria Lopez", owner="pm", beta="Yes"),
            person("PN-2", "Tom Berg", owner="Sales", withdrawn="2026-03-01 00:00:00"),
        ],
    )
    panel = load_panel(tmp_path)
    maria, tom = panel.people["PN-1"], panel.people["PN-2"]
    assert maria.contact_owner == "PM" and maria.beta and maria.opted_in == dt.date(2025, 1, 1)
    assert tom.withdrawn == dt.date(2026, 3, 1) and panel.withdrawn_ids() == {"PN-2"}
    assert "Maria" not in repr(maria)


def test_every_problem_is_named_with_its_line(tmp_path: Path):
    rows = [
        person("PN-1", "A B", owner="Boss"),
        person("PN-1", "C D"),
        person("PN-3", "E F", opted_in="next week", beta="maybe"),
    ]
    write_csv(tmp_path / "panel" / "people.csv", PEOPLE_HEADER, rows)
    with pytest.raises(PanelError) as err:
        load_panel(tmp_path)
    text = str(err.value)
    assert "panel/people.csv:3: person_id 'PN-1' repeats line 2" in text
    with pytest.raises(PanelError) as err:
        write_csv(tmp_path / "panel" / "people.csv", PEOPLE_HEADER, [rows[0], rows[2]])
        load_panel(tmp_path)
    text = str(err.value)
    assert "panel/people.csv:2: contact_owner 'Boss', expected one of the RACI roles" in text
    assert "panel/people.csv:3: opted_in 'next week', expected a date" in text
    assert "panel/people.csv:3: beta 'maybe', expected yes or no" in text


def test_a_withdrawal_with_an_unreadable_date_still_withdraws(tmp_path: Path):
    write_panel(tmp_path, [person("PN-1", "A B", withdrawn="last tuesday"), person("PN-2", "C D")])
    assert withdrawn_person_ids(tmp_path) == {"PN-1"}
