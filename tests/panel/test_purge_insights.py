"""kit.panel.insights_text: a withdrawn person's name in what researchers wrote in insights.yml, purged in place."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest

from kit.errors import PanelError
from kit.panel.purge import check_retention_command, purge
from kit.panel.purge_plan import names_redactor
from kit.panel.retention import plan_retention
from kit.study.insights_file import load_insights
from panel_fixture import person, write_panel, write_study

DAY = dt.date(2026, 6, 1)
NAMES = ("María", "Maria", "MARÍA", "maría", "López", "Lopez")
# Typed as researchers type: accents or none, any case, a possessive, a name across a folded line,
# plain, single- and double-quoted and block scalars; "Tomorrow" holds a withdrawn person's "Tom".
CHECKOUT_INSIGHTS = """\
# Insights of the checkout study: evidence ids come from reports/checkout/synthesis.json.

insights:
  - id: I1
    statement: María could not find the postage option   # seen in S1
    answers: [RQ1]
    evidence: [N1]
    recommendations:
      - id: R1
        action: "Call MARIA back about \\"postage\\""
        owner: Design
        metric: Completed transactions per checkout started
        note: 'Maria''s basket was empty; Tomorrow we ask again'
        outcome_note: |
          Agreed with maría's manager.
          Lopez asked twice; Ola did not.
        decided_by: Dana Whitfield (PM)

  - id: I2
    statement: >-
      The postage step confused María
      López and two others; Tom agreed.
    evidence: [N2]   # a comment
open_questions: [RQ2]
"""
CHECKOUT_PURGED = """\
# Insights of the checkout study: evidence ids come from reports/checkout/synthesis.json.

insights:
  - id: I1
    statement: '[withdrawn] could not find the postage option'   # seen in S1
    answers: [RQ1]
    evidence: [N1]
    recommendations:
      - id: R1
        action: "Call [withdrawn] back about \\"postage\\""
        owner: Design
        metric: Completed transactions per checkout started
        note: '[withdrawn]''s basket was empty; Tomorrow we ask again'
        outcome_note: |
          Agreed with [withdrawn]'s manager.
          [withdrawn] asked twice; Ola did not.
        decided_by: Dana Whitfield (PM)

  - id: I2
    statement: >-
      The postage step confused [withdrawn] and two others; [withdrawn] agreed.
    evidence: [N2]   # a comment
open_questions: [RQ2]
"""
OTHER_INSIGHTS = "insights:\n  - id: I1\n    statement: As Maria Lopez said in the checkout study, postage confuses.\n"
ARCHIVE_INSIGHTS = "insights:\n  - id: I1\n    statement: Kari Holm wanted the postage cost first.\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """María López (PN-1) and Tom Berg (PN-2) withdrew; Ola (PN-3) did not. Study ``archive`` is past retention."""
    write_panel(
        tmp_path,
        [
            person("PN-1", "María López", withdrawn="2026-05-01"),
            person("PN-2", "Tom Berg", withdrawn="2026-05-02"),
            person("PN-3", "Ola Nordmann"),
        ],
    )
    checkout = write_study(
        tmp_path,
        "checkout",
        [
            ["R-1", "María López", "m@mail.example", "First-time buyer", "yes", "yes", "PN-1"],
            ["R-2", "Tom Berg", "t@mail.example", "First-time buyer", "yes", "yes", "PN-2"],
            ["R-3", "Ola Nordmann", "o@mail.example", "First-time buyer", "yes", "yes", "PN-3"],
        ],
        [["S1", "R-1", "2026-04-01", "Sam Okafor", "", "", ""], ["S2", "R-2", "2026-04-02", "Sam Okafor", "", "", ""]],
        start_date="2026-03-02",
        deadline="2026-04-30",
    )
    (checkout / "insights.yml").write_text(CHECKOUT_INSIGHTS, encoding="utf-8")
    other = write_study(
        tmp_path,
        "onboarding",
        [["X-1", "Ola Nordmann", "o@mail.example", "First-time buyer", "yes", "yes", "PN-3"]],
        [["S1", "X-1", "2026-04-10", "Sam Okafor", "", "", ""]],
        start_date="2026-04-01",
        deadline="2026-04-30",
    )
    (other / "insights.yml").write_text(OTHER_INSIGHTS, encoding="utf-8")
    archive = write_study(
        tmp_path,
        "archive",
        [["A-1", "Kari Holm", "k@mail.example", "Returning buyer", "yes", "yes", ""]],
        [["S1", "A-1", "2024-01-10", "Sam Okafor", "", "", ""]],
        start_date="2024-01-02",
        deadline="2024-01-31",
    )
    (archive / "insights.yml").write_text(ARCHIVE_INSIGHTS, encoding="utf-8")
    return tmp_path


def insights_text(repo: Path, slug: str) -> str:
    return (repo / "notebooks" / slug / "insights.yml").read_text("utf-8")


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and p.name != ".kit-run.lock"
    }


def test_names_in_insights_become_withdrawn_and_everything_else_stays_byte_identical(repo: Path):
    purge(repo, DAY, withdrawn=True, expired=False)
    assert insights_text(repo, "checkout") == CHECKOUT_PURGED
    spec = load_insights(repo / "notebooks" / "checkout")  # the kit's own model: still valid
    assert spec.insights[0].statement == "[withdrawn] could not find the postage option"  # a string, not a list
    assert spec.insights[0].recommendations[0].note == "[withdrawn]'s basket was empty; Tomorrow we ask again"
    assert spec.insights[1].statement == "The postage step confused [withdrawn] and two others; [withdrawn] agreed."


def test_check_retention_lists_the_mentions_per_person_without_a_name(repo: Path, capsys):
    before = snapshot(repo)
    assert check_retention_command(repo, DAY) == 1
    out = capsys.readouterr().out
    assert "notebooks/checkout/insights.yml: 6 insight mentions: withdrawn person PN-1" in out
    assert "notebooks/checkout/insights.yml: 1 insight mentions: withdrawn person PN-2" in out
    assert "notebooks/onboarding/insights.yml: 1 insight mentions: withdrawn person PN-1" in out
    assert not any(name in out for name in (*NAMES, "Tom B"))
    assert snapshot(repo) == before


def test_any_study_naming_the_person_loses_the_name_and_an_expired_study_keeps_its_insights(repo: Path):
    plan = purge(repo, DAY, withdrawn=True, expired=True)
    assert {"checkout", "onboarding", "archive"} <= plan.studies  # each runs again (archive: it expired)
    assert insights_text(repo, "onboarding") == OTHER_INSIGHTS.replace("Maria Lopez", "[withdrawn]")
    assert insights_text(repo, "archive") == ARCHIVE_INSIGHTS  # the study's findings: expiry keeps them


def test_a_study_whose_only_change_is_its_insights_runs_again_without_pinning_its_themes(repo: Path):
    from kit.study.theme_pins import pins_path

    for slug in ("checkout", "onboarding"):
        synthesis = repo / "reports" / slug / "synthesis.json"
        synthesis.parent.mkdir(parents=True)
        synthesis.write_text(json.dumps({"themes": [{"id": "T1", "notes": ["N1"]}]}), encoding="utf-8")
    plan = purge(repo, DAY, withdrawn=True, expired=False)
    assert plan.studies == {"checkout", "onboarding"} and plan.data_studies == {"checkout"}
    assert pins_path(repo / "notebooks" / "checkout").is_file()  # its roster changed
    assert not pins_path(repo / "notebooks" / "onboarding").exists()  # future notes cluster freely


def test_a_second_purge_changes_nothing(repo: Path):
    purge(repo, DAY, withdrawn=True, expired=True)
    assert not any(name in insights_text(repo, "checkout") for name in NAMES)
    before = snapshot(repo)
    assert not purge(repo, DAY, withdrawn=True, expired=True).due()
    assert snapshot(repo) == before
    assert check_retention_command(repo, DAY) == 0


def test_the_purge_log_counts_insight_mentions(repo: Path):
    purge(repo, DAY, withdrawn=True, expired=False)
    log = list(csv.DictReader(io.StringIO((repo / "panel" / "purge-log.csv").read_text("utf-8"))))
    counts = {(r["subject"], r["study"]): r["insight_mentions"] for r in log}
    assert counts[("PN-1", "checkout")] == "6" and counts[("PN-2", "checkout")] == "1"
    assert counts[("PN-1", "onboarding")] == "1" and counts[("PN-1", "panel")] == "0"


def test_a_name_left_in_a_comment_is_a_warning_with_its_line_and_never_the_name(repo: Path):
    path = repo / "notebooks" / "onboarding" / "insights.yml"
    path.write_text("# asked by María López\n" + OTHER_INSIGHTS, encoding="utf-8")
    plan = plan_retention(repo, DAY, expired=False)
    assert plan.rewrites[path] == "# asked by María López\n" + OTHER_INSIGHTS.replace("Maria Lopez", "[withdrawn]")
    warning = [n for n in plan.notes if "onboarding" in n]
    assert warning and warning[0].startswith("notebooks/onboarding/insights.yml:1: a withdrawn person's name is left")
    assert not any(name in warning[0] for name in NAMES)


def test_kit_purge_prints_that_warning_too(repo: Path, monkeypatch: pytest.MonkeyPatch):
    from click.testing import CliRunner

    from kit.cli import cli

    monkeypatch.setenv("KIT_REPO", str(repo))
    monkeypatch.setattr("kit.cli.panel.run_and_report", lambda *args: 0)  # the studies' notebooks: not here
    (repo / "notebooks" / "onboarding" / "insights.yml").write_text("# by María López\n" + OTHER_INSIGHTS, "utf-8")
    warning = "kit: warning: notebooks/onboarding/insights.yml:1: a withdrawn person's name is left"
    for dry_run in (["--dry-run"], []):
        result = CliRunner().invoke(cli, ["purge", "--withdrawn", "--on", DAY.isoformat(), *dry_run])
        assert result.exit_code == 0 and warning in result.stderr, result.output
        assert not any(name in result.output for name in NAMES)


def test_an_insights_file_that_names_the_person_but_does_not_parse_stops_the_purge(repo: Path):
    (repo / "notebooks" / "onboarding" / "insights.yml").write_text(
        "insights:\n  - id: I1\n    statement: [Maria López said\n", encoding="utf-8"
    )
    before = snapshot(repo)
    with pytest.raises(PanelError, match=r"notebooks/onboarding/insights.yml:\d+: not valid YAML"):
        purge(repo, DAY, withdrawn=True, expired=False)
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("written", "purged"),
    [
        # a name the source spells differently from its value: quoted afresh (a double-quoted string)
        ("note: 'Called Sean O''Brien twice'\n", 'note: "Called [withdrawn] twice"\n'),
        ('note: "Ask Se\\u00e1n"\n', 'note: "Ask [withdrawn]"\n'),
        # a plain scalar that would start with "[" is single-quoted; one that would not stays plain
        ("note: O'Brien's cart, then Tom's\n", "note: '[withdrawn]''s cart, then Tom''s'\n"),
        ("note: then O'Brien's cart\n", "note: then [withdrawn]'s cart\n"),
        ("decided_by: Seán\n", "decided_by: '[withdrawn]'\n"),
        # a folded plain scalar keeps its lines
        ("note: Tom met\n  Seán at noon\n", "note: Tom met\n  [withdrawn] at noon\n"),
        # an anchor and a tag stay where they were (the alias shares the new text)
        (
            "note: &n Seán said\nb: *n\ndecided_by: !!str Seán\n",
            "note: &n '[withdrawn] said'\nb: *n\ndecided_by: !!str '[withdrawn]'\n",
        ),
        # characters of two to four bytes before and in the value: the spans count characters
        ("# ünïcödé 👩\u200d💻\nnote: 'Seán 😀 said'\n", "# ünïcödé 👩\u200d💻\nnote: '[withdrawn] 😀 said'\n"),
        # a flow mapping: still a string, the mapping intact
        ("x: {note: Seán said, tracker: SHOP-1}\n", "x: {note: '[withdrawn] said', tracker: SHOP-1}\n"),
        # keys that are not researchers' text keep their words (an URL, a tag)
        ("tracker: https://t.example/Sean\ntags: [sean]\n", "tracker: https://t.example/Sean\ntags: [sean]\n"),
    ],
)
def test_each_value_is_rewritten_so_that_it_reads_back_as_the_same_text(written: str, purged: str):
    from kit.panel.insights_text import redact_insights_text

    redactor = names_redactor(["Seán O'Brien"])
    assert redactor is not None
    new, counts = redact_insights_text(written, "s/insights.yml", [redactor])
    assert new == purged and counts == [purged.count("[withdrawn]")]


def test_a_byte_order_mark_and_windows_line_ends_are_kept(repo: Path):
    path = repo / "notebooks" / "checkout" / "insights.yml"
    path.write_bytes(b"\xef\xbb\xbf" + CHECKOUT_INSIGHTS.replace("\n", "\r\n").encode("utf-8"))
    purge(repo, DAY, withdrawn=True, expired=False)
    assert path.read_bytes() == b"\xef\xbb\xbf" + CHECKOUT_PURGED.replace("\n", "\r\n").encode("utf-8")


def test_a_purge_interrupted_after_any_write_leaves_the_insights_as_an_uninterrupted_one(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
):
    from kit.layout import purge_journal_path
    from kit.panel.journal import Journal
    from kit.panel.purge import begin

    def files(root: Path) -> dict[str, bytes]:
        return {k: v for k, v in snapshot(root).items() if not k.endswith("purged-names.json")}  # a random salt

    reference = tmp_path_factory.mktemp("reference")
    shutil.copytree(repo, reference, dirs_exist_ok=True)
    purge(reference, DAY, withdrawn=True, expired=False)
    expected = files(reference)
    assert expected["notebooks/checkout/insights.yml"] == CHECKOUT_PURGED.encode("utf-8")
    _, journal = begin(repo, DAY, withdrawn=True, expired=False)
    assert journal is not None and "notebooks/checkout/insights.yml" in journal.writes
    steps = len(journal.writes)
    purge_journal_path(repo).unlink()
    for done in range(steps + 1):
        crashed = tmp_path_factory.mktemp(f"crash{done}")
        shutil.copytree(repo, crashed, dirs_exist_ok=True)
        _, journal = begin(crashed, DAY, withdrawn=True, expired=False)
        assert journal is not None
        Journal(journal.day, dict(list(journal.writes.items())[:done])).apply(crashed)  # killed after `done` writes
        purge(crashed, DAY, withdrawn=True, expired=False)
        assert files(crashed) == expected, done
        assert (crashed / "panel" / "purge-log.csv").read_text().count("withdrawn,PN-1,checkout,") == 1, done
