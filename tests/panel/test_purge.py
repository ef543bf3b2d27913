"""kit.panel.retention and kit.panel.purge: what is due, deleted in place, logged without personal data, once."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.panel.purge import check_retention_command, purge
from kit.panel.retention import plan_retention
from panel_fixture import person, write_csv, write_panel, write_study

DAY = dt.date(2026, 6, 1)
MARIA = ("Maria Lopez", "maria.lopez@example.com", "m.lopez@mail.example", "+44 20 7946 0958")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_panel(tmp_path, [person("PN-1", "Maria Lopez", withdrawn="2026-05-01"), person("PN-2", "Tom Berg")])
    new = write_study(
        tmp_path,
        "new",
        [
            ["R-1", "Maria Lopez", "m.lopez@mail.example", "First-time buyer", "yes", "yes", "PN-1"],
            ["R-2", "Tom Berg", "tom@mail.example", "First-time buyer", "yes", "yes", "PN-2"],
        ],
        [
            ["S1", "R-1", "2026-04-01", "Sam Okafor", "Dana Whitfield", "", "https://rec.example/1"],
            ["S2", "R-2", "2026-04-02", "Sam Okafor", "", "", "https://rec.example/2"],
        ],
        start_date="2026-03-02",
        deadline="2026-04-30",
    )
    write_csv(
        new / "data" / "notes.csv",
        ["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"],
        [
            [
                "N1",
                "S1",
                "R-1",
                "Pay",
                "I never trust pages that hide the delivery cost until the end",
                "trust",
                "quote",
            ],
            ["N2", "S2", "R-2", "Pay", "Tom said he came because Maria told him about the beta", "beta", "observation"],
            ["N3", "S2", "R-2", "Pay", "Paid with a saved card", "payment", "observation"],
        ],
    )
    write_csv(
        new / "data" / "tasks.csv",
        ["participant_id", "task", "success", "time_s", "seq"],
        [["R-1", "Pay", "1", "60", "6"], ["R-2", "Pay", "0", "90", "3"]],
    )
    (new / "data" / "transcripts").mkdir()
    (new / "data" / "transcripts" / "S1.vtt").write_text(
        "WEBVTT\n\n00:01.000 --> 00:03.000\n<v Maria Lopez>Call me on +44 20 7946 0958.\n"
    )
    (new / "data" / "transcripts" / "S2.txt").write_text("Tom Berg: Maria's idea, not mine.\n")
    write_csv(
        new / "data" / "invites.csv",
        ["person_id", "name", "email", "account"],
        [["PN-1", "Maria Lopez", "maria.lopez@example.com", "Acme"], ["PN-2", "Tom Berg", "t@x", "Acme"]],
    )
    old = write_study(
        tmp_path,
        "old",
        [["X-1", "Ola Nordmann", "ola@mail.example", "Returning buyer", "yes", "yes", ""]],
        [["S1", "X-1", "2024-01-10", "Sam Okafor", "", "", "https://rec.example/old"]],
        start_date="2024-01-02",
        deadline="2024-01-31",
    )
    write_csv(
        old / "data" / "notes.csv",
        ["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"],
        [["N1", "S1", "X-1", "Pay", "Ola could not find the coupon field", "coupon", "problem"]],
    )
    (old / "data" / "transcripts").mkdir()
    (old / "data" / "transcripts" / "S1.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nOla: hello\n")
    return tmp_path


def data_text(repo: Path) -> str:
    files = [p for p in (repo / "notebooks").rglob("*") if p.is_file()]
    return "\n".join(p.read_text("utf-8", errors="replace") for p in files)


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and p.name != ".kit-run.lock"
    }


def test_check_lists_what_is_due_without_changing_anything(repo: Path, capsys):
    before = snapshot(repo)
    assert check_retention_command(repo, DAY) == 1
    out = capsys.readouterr().out
    assert "notebooks/new/data/participants.csv: 1 participant rows: withdrawn person PN-1" in out
    assert "notebooks/new/data/transcripts/S1.vtt: 1 transcripts: withdrawn person PN-1" in out
    assert "notebooks/new/data/notes.csv: 1 note texts, 1 mentions: withdrawn person PN-1" in out
    assert "notebooks/old/data/transcripts/S1.srt: 1 transcripts: past retention (kept until 2025-01-31)" in out
    assert "panel/people.csv: 1 panel rows: withdrawn person PN-1" in out
    assert "Maria" not in out and "Ola" not in out
    assert snapshot(repo) == before


def test_purge_withdrawn_leaves_no_word_of_the_person_and_keeps_the_counts(repo: Path):
    plan = purge(repo, DAY, withdrawn=True, expired=False)
    assert plan.studies == {"new"}
    text = data_text(repo) + (repo / "panel" / "people.csv").read_text()
    assert not any(word in text for word in (*MARIA, "Maria", "trust pages that hide"))
    assert "Tom said he came because [withdrawn] told him" in text and "[withdrawn]'s idea" in text
    notes = pd.read_csv(repo / "notebooks" / "new" / "data" / "notes.csv", dtype=str, keep_default_na=False)
    assert list(notes["note_id"]) == ["N1", "N2", "N3"] and list(notes["tags"]) == ["trust", "beta", "payment"]
    tasks = (repo / "notebooks" / "new" / "data" / "tasks.csv").read_text()
    assert "R-1,Pay,1,60,6" in tasks  # numbers stay: counts and metrics keep their n
    roster = pd.read_csv(repo / "notebooks" / "new" / "data" / "participants.csv", dtype=str, keep_default_na=False)
    assert roster.loc[0].to_dict() == {
        "participant_id": "R-1",
        "name": "",
        "email": "",
        "segment": "First-time buyer",
        "consent_quotes": "no",
        "consent_recording": "no",
        "person_id": "PN-1",
    }
    assert roster.loc[1, "name"] == "Tom Berg"
    assert not (repo / "notebooks" / "new" / "data" / "transcripts" / "S1.vtt").exists()
    sessions = (repo / "notebooks" / "new" / "data" / "sessions.csv").read_text()
    assert "rec.example/1" not in sessions and "rec.example/2" in sessions
    assert (repo / "notebooks" / "old" / "data" / "transcripts" / "S1.srt").exists()  # not asked to expire
    log = (repo / "panel" / "purge-log.csv").read_text()
    assert log.splitlines()[0].startswith("date,reason,subject,study,participant_rows,note_texts")
    assert "2026-06-01,withdrawn,PN-1,new,1,1,1,1,2,1,0," in log and "2026-06-01,withdrawn,PN-1,panel" in log
    assert not any(word in log for word in ("Maria", "Lopez", "@", "Acme", "Tom"))


def test_a_second_purge_changes_nothing(repo: Path):
    purge(repo, DAY, withdrawn=True, expired=True)
    before = snapshot(repo)
    plan = purge(repo, DAY, withdrawn=True, expired=True)
    assert not plan.due() and snapshot(repo) == before
    assert check_retention_command(repo, DAY) == 0


def test_purge_expired_deletes_raw_data_of_studies_past_retention_only(repo: Path):
    assert not plan_retention(repo, dt.date(2025, 1, 31), withdrawn=False).due()  # the last day kept
    plan = purge(repo, dt.date(2025, 2, 1), withdrawn=False, expired=True)
    assert plan.studies == {"old"}
    old = repo / "notebooks" / "old" / "data"
    assert "Ola" not in "".join(p.read_text() for p in old.glob("*.csv"))
    assert "rec.example/old" not in (old / "sessions.csv").read_text()
    assert not any((old / "transcripts").iterdir())
    assert "coupon" in (old / "notes.csv").read_text()  # tags stay
    assert "2025-02-01,expired,old,old,1,1,1,1,0,0,0,0,0,0,2025-01-31" in (repo / "panel" / "purge-log.csv").read_text()
    assert "Maria Lopez" in (repo / "notebooks" / "new" / "data" / "participants.csv").read_text()


def test_a_roster_kept_as_excel_is_purged_in_place(repo: Path):
    study = repo / "notebooks" / "new" / "data"
    frame = pd.read_csv(study / "participants.csv", dtype=str, keep_default_na=False)
    frame.to_excel(study / "participants.xlsx", index=False)
    (study / "participants.csv").unlink()
    purge(repo, DAY, withdrawn=True, expired=False)
    again = pd.read_excel(study / "participants.xlsx", dtype=str).fillna("")
    assert list(again["name"]) == ["", "Tom Berg"] and list(again["consent_quotes"]) == ["no", "yes"]


def test_kit_purge_dry_run_and_kit_check_retention(repo: Path, monkeypatch):
    monkeypatch.setenv("KIT_REPO", str(repo))
    before = snapshot(repo)
    dry = CliRunner().invoke(cli, ["purge", "--withdrawn", "--dry-run", "--on", "2026-06-01"])
    assert dry.exit_code == 0 and "dry run: nothing deleted" in dry.output and snapshot(repo) == before
    check = CliRunner().invoke(cli, ["check", "--retention", "--on", "2026-06-01"])
    assert check.exit_code == 1 and "retention check FAILED" in check.output
    usage = CliRunner().invoke(cli, ["purge"])
    assert usage.exit_code == 2


def test_a_study_ends_on_its_deadline_or_start_plus_weeks_or_its_last_session_if_later(tmp_path: Path):
    from kit.panel.rawtable import RawTable
    from kit.panel.retention import study_end

    study = tmp_path / "s"
    study.mkdir()
    (study / "study.yml").write_text(
        "title: x\nnotes: {deadline: 2020-01-01}\ndeadline: null\nstart_date: 2026-01-05\nweeks_available: 2\n"
    )
    assert study_end(study, None) == dt.date(2026, 1, 19)
    (study / "study.yml").write_text("start_date: 2026-01-05\ndeadline: '2026-02-01'\n")
    assert study_end(study, None) == dt.date(2026, 2, 1)
    sessions = write_csv(tmp_path / "sessions.csv", ["session_id", "date"], [["S1", "2026-03-09"], ["S2", "soon"]])
    assert study_end(study, RawTable.load(sessions)) == dt.date(2026, 3, 9)
    (study / "study.yml").write_text("title: [unclosed\n")
    assert study_end(study, None) is None


def _without_salted(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if not k.endswith("purged-names.json")}  # a random salt per repository


def test_a_purge_interrupted_after_any_edit_is_completed_by_running_it_again(repo: Path, tmp_path_factory):
    from kit.layout import purge_journal_path
    from kit.panel.journal import Journal
    from kit.panel.purge import begin

    reference = tmp_path_factory.mktemp("reference")
    shutil.copytree(repo, reference, dirs_exist_ok=True)
    purge(reference, DAY, withdrawn=True, expired=True)
    expected = _without_salted(snapshot(reference))
    _, journal = begin(reference, DAY, withdrawn=True, expired=True)
    assert journal is None  # nothing left to do
    steps = len(begin(repo, DAY, withdrawn=True, expired=True)[1].writes)
    purge_journal_path(repo).unlink()
    assert steps >= 8  # hashes, tables, transcripts, invitations, panel, log
    for done in range(steps + 1):
        crashed = tmp_path_factory.mktemp(f"crash{done}")
        shutil.copytree(repo, crashed, dirs_exist_ok=True)
        _, journal = begin(crashed, DAY, withdrawn=True, expired=True)
        Journal(journal.day, dict(list(journal.writes.items())[:done])).apply(crashed)  # killed after `done` edits
        purge(crashed, DAY, withdrawn=True, expired=True)
        assert _without_salted(snapshot(crashed)) == expected, done
        assert not purge_journal_path(crashed).exists()
        assert (crashed / "panel" / "purge-log.csv").read_text().count("withdrawn,PN-1,new,") == 1


def test_a_purge_pins_the_themes_of_the_last_synthesis_and_keeps_the_names_as_hashes(repo: Path):
    from kit.layout import purged_names_path
    from kit.privacy.purged_names import PurgedNames
    from kit.study.theme_pins import read_pins

    synthesis = repo / "reports" / "new" / "synthesis.json"
    synthesis.parent.mkdir(parents=True)
    synthesis.write_text(json.dumps({"themes": [{"id": "T1", "notes": ["N1", "N2"]}, {"id": "T2", "notes": ["N3"]}]}))
    purge(repo, DAY, withdrawn=True, expired=False)
    assert read_pins(repo / "notebooks" / "new") == {"T1": ["N1", "N2"], "T2": ["N3"]}
    assert not (repo / "notebooks" / "old" / "data" / "themes.csv").exists()  # not purged, not pinned
    hashes = purged_names_path(repo).read_text("utf-8")
    assert "Maria" not in hashes and "Lopez" not in hashes
    assert list(PurgedNames.load(repo).find("then Lopez called")) == [(5, 10)]
