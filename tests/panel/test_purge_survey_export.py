"""kit purge in a survey tool's export kept as data/sus.csv: the respondent's e-mail, name and IP go, the answers stay.

A Qualtrics export of a survey sent to a contact list carries, per response,
RecipientLastName, RecipientFirstName, RecipientEmail, ExternalReference,
IPAddress and the location; whose response it is comes from the participant
id question, as the stage reads it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from kit.panel.purge import purge
from kit.study.survey_exports import read_survey_export
from panel_fixture import person, write_panel, write_study
from survey_fixture import QUALTRICS_META, qualtrics_rows

DAY = dt.date(2026, 6, 1)
CONTACTS = ["RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference"]
PLACE = ["LocationLatitude", "LocationLongitude"]
RECIPIENTS = {
    "R-1": ["Lopez", "Maria", "m.lopez@mail.example", "CRM-0042", "51.5072", "-0.1276"],
    "R-2": ["Berg", "Tom", "tom@mail.example", "CRM-0043", "59.3293", "18.0686"],
}


def contact_list_export() -> list[list[str]]:
    """Qualtrics' export of R-1's and R-2's responses (after a preview and a test), with the contact columns."""
    at = [m[0] for m in QUALTRICS_META].index("ResponseId") + 1
    rows = []
    for n, row in enumerate(qualtrics_rows()):
        pid = row[len(QUALTRICS_META)]
        if n == 0:
            extra = CONTACTS + PLACE
        elif n == 1:
            extra = ["Recipient Last Name", "Recipient First Name", "Recipient Email", "External Data Reference"]
            extra += ["Location Latitude", "Location Longitude"]
        elif n == 2:
            ids = ["recipientLastName", "recipientFirstName", "recipientEmail", "externalDataReference"]
            extra = [f'{{"ImportId":"{i}"}}' for i in [*ids, "locationLatitude", "locationLongitude"]]
        elif n < 5:  # the preview and the test response: the researcher's, no contact
            extra = [""] * 6
        elif pid in RECIPIENTS:
            extra = RECIPIENTS[pid]
        else:
            continue
        rows.append(row[:at] + extra + row[at:])
    return rows


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_panel(tmp_path, [person("PN-1", "Maria Lopez", withdrawn="2026-05-01"), person("PN-2", "Tom Berg")])
    study = write_study(
        tmp_path,
        "checkout",
        [
            ["R-1", "Maria Lopez", "m.lopez@mail.example", "First-time buyer", "yes", "yes", "PN-1"],
            ["R-2", "Tom Berg", "tom@mail.example", "First-time buyer", "yes", "yes", "PN-2"],
        ],
        [
            ["S1", "R-1", "2026-03-10", "Sam Okafor", "", "yes", ""],
            ["S2", "R-2", "2026-03-10", "Sam Okafor", "", "yes", ""],
        ],
        start_date="2026-03-02",
        deadline="2026-03-31",
    )
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(contact_list_export())
    (study / "data" / "sus.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    return tmp_path


def responses(repo: Path) -> list[dict[str, str]]:
    text = (repo / "notebooks" / "checkout" / "data" / "sus.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))[2:]  # after the question texts and the ImportIds


def scores(repo: Path) -> list[list[object]]:
    table = read_survey_export(repo / "notebooks" / "checkout" / "data" / "sus.csv", [])
    assert table is not None
    return table.frame.drop(columns=["line"], errors="ignore").values.tolist()


def test_a_withdrawn_persons_survey_response_loses_contact_and_ip_and_keeps_its_answers(repo: Path):
    before, answers = responses(repo), scores(repo)
    path = repo / "notebooks" / "checkout" / "data" / "sus.csv"
    lines = path.read_text("utf-8").splitlines()
    purge(repo, DAY, withdrawn=True, expired=False)
    after = responses(repo)
    maria = after[2]  # after the preview and the test response
    assert [maria[c] for c in [*CONTACTS, *PLACE, "IPAddress"]] == [""] * 7
    assert {k: v for k, v in maria.items() if k not in [*CONTACTS, *PLACE, "IPAddress"]} == {
        k: v for k, v in before[2].items() if k not in [*CONTACTS, *PLACE, "IPAddress"]
    }
    assert "Lopez" not in path.read_text("utf-8") and "m.lopez" not in path.read_text("utf-8")
    assert path.read_text("utf-8").splitlines()[-1] == lines[-1]  # Tom's response: the same bytes
    assert scores(repo) == answers  # the SUS scores and NPS keep their n
    log = list(csv.DictReader(io.StringIO((repo / "panel" / "purge-log.csv").read_text("utf-8"))))
    assert [r["survey_responses"] for r in log if r["study"] == "checkout"] == ["1"]


def test_an_expired_study_loses_every_respondents_contact(repo: Path):
    purge(repo, dt.date(2027, 6, 1), withdrawn=False, expired=True)
    text = (repo / "notebooks" / "checkout" / "data" / "sus.csv").read_text("utf-8")
    assert not any(word in text for cells in RECIPIENTS.values() for word in cells[:4])
    assert "203.0.113.7" in text  # the preview and the test response are the researcher's, not read as answers
    assert all(r["IPAddress"] == "" for r in responses(repo)[2:])
