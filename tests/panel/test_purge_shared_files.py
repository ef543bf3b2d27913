"""kit purge in files no single study owns: beta-program feedback, requests/*.csv, and a study's requests.csv.

The person (PN-1, Maria Lopez) has rows in the program's feedback table, in a
tracker export under requests/ (with the extra columns a real export keeps:
a reporter and a customer note), and in a study's data/requests.csv; other
people's rows mention her. After the purge no word of hers is left, other
people's rows are byte for byte what they were, and the Panel page counts
the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kit.errors import PanelError
from kit.panel.purge import check_retention_command, purge
from kit.panel.retention import plan_retention
from kit.site.panel_page import panel_data
from panel_fixture import person, write_csv, write_panel, write_study

DAY = dt.date(2026, 6, 1)
MARIA = ("Maria Lopez", "Maria", "Lopez", "maria.lopez@example.com", "m.lopez@mail.example", "Lopez Bikes")
TRACKER_HEADER = [
    "request_id",
    "date",
    "account",
    "person_id",
    "text",
    "votes",
    "status",
    "source",
    "tags",
    "reporter",
    "customer_note",
]
TRACKER_ROWS = [
    # Maria's own request, as a Productboard export renamed to the kit's columns keeps it
    [
        "PB-101",
        "2026-02-03",
        "Lopez Bikes",
        "PN-1",
        "Maria: let me split the payment between two cards",
        "4",
        "planned",
        "sales call",
        "payment",
        "Maria Lopez",
        "call m.lopez@mail.example before the beta",
    ],
    # Tom's request, mentioning Maria in its text and its note
    [
        "PB-102",
        "2026-02-10",
        "Acme",
        "PN-2",
        "Same as Maria Lopez asked: show delivery cost up front",
        "7",
        "open",
        "support",
        "shipping-cost",
        "Tom Berg",
        "Maria's colleague",
    ],
    # rows of nobody in the panel: untouched
    ["PB-103", "2026-02-11", "Globex", "", "Dark mode for the order page", "12", "open", "feedback form", "ui", "", ""],
    ["PB-104", "2026-03-01", "Initech", "", "Pay by invoice", "3", "shipped", "support", "payment", "", ""],
]
FEEDBACK_HEADER = ["request_id", "date", "person_id", "text", "tags"]
FEEDBACK_ROWS = [
    ["F1", "2026-03-01", "PN-1", "Remember my address, I am Maria from Lopez Bikes", "address"],
    ["F2", "2026-03-02", "PN-2", "Show the delivery cost earlier", "shipping-cost"],
    ["F3", "2026-03-03", "PN-3", "Maria told me about express pay; I want it too", "payment;express-pay"],
    ["F4", "2026-03-04", "", "Faster page", ""],
]
PROGRAMS = """\
programs:
  - id: beta-checkout
    name: One-page checkout beta
    owner: PM
    start: 2026-01-01
    members: [PN-1, PN-2, PN-3]
    feedback: panel/beta-checkout-feedback.csv
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_panel(
        tmp_path,
        [
            person("PN-1", "Maria Lopez", withdrawn="2026-05-01", beta="yes", account="Lopez Bikes"),
            person("PN-2", "Tom Berg", beta="yes"),
            person("PN-3", "Ana Silva", beta="yes"),
        ],
    )
    (tmp_path / "panel" / "programs.yml").write_text(PROGRAMS, encoding="utf-8")
    write_csv(tmp_path / "panel" / "beta-checkout-feedback.csv", FEEDBACK_HEADER, FEEDBACK_ROWS)
    write_csv(tmp_path / "requests" / "productboard.csv", TRACKER_HEADER, TRACKER_ROWS)
    study = write_study(
        tmp_path,
        "checkout",
        [
            ["R-1", "Maria Lopez", "m.lopez@mail.example", "First-time buyer", "yes", "yes", "PN-1"],
            ["R-2", "Tom Berg", "tom@mail.example", "First-time buyer", "yes", "yes", "PN-2"],
        ],
        [
            ["S1", "R-1", "2026-04-01", "Sam Okafor", "", "yes", ""],
            ["S2", "R-2", "2026-04-02", "Sam Okafor", "", "yes", ""],
        ],
        start_date="2026-03-02",
        deadline="2026-04-30",
    )
    write_csv(
        study / "data" / "requests.csv",
        ["request_id", "date", "account", "person_id", "text", "votes", "tags"],
        [
            ["Q1", "2026-04-01", "Lopez Bikes", "R-1", "Maria wants a guest checkout", "1", "guest"],
            ["Q2", "2026-04-01", "Lopez Bikes", "PN-1", "Save my card", "1", "payment"],
            ["Q3", "2026-04-02", "Acme", "R-2", "A bigger pay button", "2", "ui"],
        ],
    )
    write_study(
        tmp_path,
        "search",
        [["X-1", "Ana Silva", "ana@mail.example", "Returning buyer", "yes", "yes", "PN-3"]],
        [["S1", "X-1", "2026-05-10", "Sam Okafor", "", "yes", ""]],
        start_date="2026-05-01",
        deadline="2026-05-30",
    )
    (tmp_path / "reports" / "search").mkdir(parents=True)  # it ran: its synthesis holds every request
    return tmp_path


def lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def counts(repo: Path) -> dict[str, object]:
    """What the Panel page shows, but the purges per quarter (a purge is counted there by design)."""
    data = panel_data(repo, DAY)
    assert data is not None and not data.get("error")
    quarters = [{k: v for k, v in q.items() if k != "purges"} for q in data.pop("quarters")]
    return {**data, "quarters": quarters}


def test_check_lists_the_shared_files_without_changing_them(repo: Path, capsys):
    before = {p: p.read_bytes() for p in repo.rglob("*.csv")}
    assert check_retention_command(repo, DAY) == 1
    out = capsys.readouterr().out
    assert "panel/beta-checkout-feedback.csv: 1 requests, 1 mentions: withdrawn person PN-1" in out
    assert "requests/productboard.csv: 1 requests, 2 mentions: withdrawn person PN-1" in out
    assert "notebooks/checkout/data/requests.csv: 2 requests: withdrawn person PN-1" in out
    assert not any(word in out for word in MARIA)
    assert {p: p.read_bytes() for p in repo.rglob("*.csv")} == before


def test_purge_removes_the_person_from_feedback_and_requests_and_leaves_others_byte_for_byte(repo: Path):
    feedback, tracker = repo / "panel" / "beta-checkout-feedback.csv", repo / "requests" / "productboard.csv"
    own = repo / "notebooks" / "checkout" / "data" / "requests.csv"
    before = {p: lines(p) for p in (feedback, tracker, own)}
    page = counts(repo)
    plan = purge(repo, DAY, withdrawn=True, expired=False)

    text = "\n".join(p.read_text("utf-8") for p in (feedback, tracker, own))
    assert not any(word in text for word in MARIA)
    # the person's rows keep their ids, dates, votes and tags (citable, counted) and lose every other cell
    assert rows(tracker)[0] == {
        **dict(zip(TRACKER_HEADER, TRACKER_ROWS[0])),
        "account": "",
        "text": "",
        "reporter": "",
        "customer_note": "",
    }
    assert rows(feedback)[0] == {**dict(zip(FEEDBACK_HEADER, FEEDBACK_ROWS[0])), "text": ""}
    assert [r["text"] for r in rows(own)] == ["", "", "A bigger pay button"]
    # others' mentions of her are replaced; rows that never named her are the same bytes
    assert rows(tracker)[1]["text"] == "Same as [withdrawn] asked: show delivery cost up front"
    assert rows(tracker)[1]["customer_note"] == "[withdrawn]'s colleague"
    assert rows(feedback)[2]["text"] == "[withdrawn] told me about express pay; I want it too"
    assert lines(tracker)[3:] == before[tracker][3:] and lines(tracker)[0] == before[tracker][0]
    assert [lines(feedback)[i] for i in (0, 2, 4)] == [before[feedback][i] for i in (0, 2, 4)]
    assert lines(own)[3] == before[own][3]
    # the Panel page counts the same: her feedback was left out before the purge and is after it
    assert counts(repo) == page
    # every study with reports runs again (its synthesis holds every request); only purged data gets pins
    assert plan.studies == {"checkout"} and plan.reruns == {"search"}
    log = rows(repo / "panel" / "purge-log.csv")
    by_study = {r["study"]: r for r in log if r["subject"] == "PN-1"}
    assert by_study["requests"]["requests"] == "1" and by_study["requests"]["mentions"] == "2"
    assert by_study["panel"]["requests"] == "1" and by_study["checkout"]["requests"] == "2"
    assert not any(word in (repo / "panel" / "purge-log.csv").read_text() for word in MARIA)


def test_the_cli_reruns_every_study_with_reports_when_requests_change(repo: Path):
    from kit.panel.purge import begin

    (repo / "reports" / "search" / "synthesis.json").write_text('{"themes": [{"id": "T1", "notes": ["N1"]}]}')
    _, journal = begin(repo, DAY, withdrawn=True, expired=False)
    assert journal is not None and journal.studies == ["checkout", "search"]
    assert "notebooks/search/data/themes.csv" not in journal.writes  # its notes keep their words: no pins


def test_a_second_purge_changes_nothing(repo: Path):
    purge(repo, DAY, withdrawn=True, expired=True)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and p.name != ".kit-run.lock"}
    assert not purge(repo, DAY, withdrawn=True, expired=True).due()
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and p.name != ".kit-run.lock"} == before


def test_semicolon_and_excel_exports_are_purged_in_their_own_format(repo: Path):
    tracker = repo / "requests" / "productboard.csv"
    frame = pd.read_csv(tracker, dtype=str, keep_default_na=False)
    frame.to_csv(tracker, sep=";", index=False)  # Excel's CSV in a European locale
    feedback = repo / "panel" / "beta-checkout-feedback.csv"
    pd.read_csv(feedback, dtype=str, keep_default_na=False).to_excel(feedback.with_suffix(".xlsx"), index=False)
    feedback.unlink()
    programs = repo / "panel" / "programs.yml"
    programs.write_text(PROGRAMS.replace("feedback.csv", "feedback.xlsx"), encoding="utf-8")
    purge(repo, DAY, withdrawn=True, expired=False)
    assert lines(tracker)[0] == ";".join(TRACKER_HEADER)
    again = pd.read_csv(tracker, sep=";", dtype=str, keep_default_na=False)
    assert list(again["text"])[:2] == ["", "Same as [withdrawn] asked: show delivery cost up front"]
    assert list(again["reporter"]) == ["", "Tom Berg", "", ""] and list(again["votes"]) == ["4", "7", "12", "3"]
    book = pd.read_excel(feedback.with_suffix(".xlsx"), dtype=str).fillna("")
    assert list(book["text"])[:2] == ["", "Show the delivery cost earlier"] and list(book["person_id"])[0] == "PN-1"


def test_bad_input_stops_the_purge_before_anything_is_written_naming_file_and_line(repo: Path):
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    feedback = repo / "panel" / "beta-checkout-feedback.csv"
    write_csv(feedback, FEEDBACK_HEADER, [*FEEDBACK_ROWS, ["F5", "2026-03-05", "PN-404", "Hi", ""]])
    with pytest.raises(PanelError, match=r"panel/beta-checkout-feedback.csv:6: unknown person_id 'PN-404'"):
        purge(repo, DAY, withdrawn=True, expired=False)
    write_csv(feedback, FEEDBACK_HEADER, FEEDBACK_ROWS)
    (repo / "requests" / "jira.xlsx").write_bytes(b"PK\x03\x04 truncated download")
    with pytest.raises(PanelError, match=r"requests/jira.xlsx: cannot read the workbook"):
        purge(repo, DAY, withdrawn=True, expired=False)
    (repo / "requests" / "jira.xlsx").unlink()
    (repo / "requests" / "canny.csv").write_text('request_id,text\nC1,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    with pytest.raises(PanelError, match=r"requests/canny.csv:2: field larger than field limit"):
        purge(repo, DAY, withdrawn=True, expired=False)
    (repo / "requests" / "canny.csv").unlink()
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and p.name != ".kit-run.lock"} == before


def test_a_purge_killed_after_any_edit_finishes_the_shared_files_once(repo: Path, tmp_path_factory):
    from kit.layout import purge_journal_path
    from kit.panel.journal import Journal
    from kit.panel.purge import begin

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and p.name not in (".kit-run.lock", "purged-names.json")  # a random salt each
        }

    reference = tmp_path_factory.mktemp("reference")
    shutil.copytree(repo, reference, dirs_exist_ok=True)
    purge(reference, DAY, withdrawn=True, expired=False)
    expected = files(reference)
    _, journal = begin(repo, DAY, withdrawn=True, expired=False)
    assert journal is not None
    steps = list(journal.writes)
    purge_journal_path(repo).unlink()
    assert {"panel/beta-checkout-feedback.csv", "requests/productboard.csv"} <= set(steps)
    for done in range(len(steps) + 1):
        crashed = tmp_path_factory.mktemp(f"crash{done}")
        shutil.copytree(repo, crashed, dirs_exist_ok=True)
        _, journal = begin(crashed, DAY, withdrawn=True, expired=False)
        assert journal is not None
        Journal(journal.day, dict(list(journal.writes.items())[:done])).apply(crashed)  # killed after `done` edits
        purge(crashed, DAY, withdrawn=True, expired=False)
        assert files(crashed) == expected, done
        log = (crashed / "panel" / "purge-log.csv").read_text()
        assert log.count("withdrawn,PN-1,requests,") == 1, done


def test_an_older_purge_log_is_rewritten_under_the_new_columns(repo: Path):
    old_header = "date,reason,subject,study,participant_rows,note_texts,recording_links,transcripts,mentions,"
    old_header += "invitations,panel_rows,kept_until"
    log = repo / "panel" / "purge-log.csv"
    log.write_text(f"{old_header}\n2025-02-01,expired,old,old,1,1,1,1,0,0,0,2025-01-31\n", encoding="utf-8")
    purge(repo, DAY, withdrawn=True, expired=False)
    first = rows(log)[0]
    assert first["kept_until"] == "2025-01-31" and first["panel_rows"] == "0"
    assert first["requests"] == first["survey_responses"] == first["insight_mentions"] == "0"
    assert all(len(r) == len(first) for r in csv.reader(io.StringIO(log.read_text("utf-8"))))
    assert plan_retention(repo, DAY).due() == []


def test_speaker_labels_naming_the_person_are_replaced_and_an_expired_study_loses_its_speaker_table(repo: Path):
    speakers = repo / "notebooks" / "checkout" / "data" / "speakers.csv"
    write_csv(
        speakers,
        ["session_id", "speaker", "role", "participant_id"],
        [
            ["S1", "Maria Lopez (Guest)", "", "R-1"],
            ["S2", "Tom's iPhone", "", "R-2"],
            ["", "Sam Okafor", "moderator", ""],
        ],
    )
    purge(repo, DAY, withdrawn=True, expired=False)
    assert [r["speaker"] for r in rows(speakers)] == ["[withdrawn] (Guest)", "Tom's iPhone", "Sam Okafor"]
    purge(repo, dt.date(2027, 6, 1), withdrawn=False, expired=True)  # the study ended 2026-04-30
    assert not speakers.exists()
