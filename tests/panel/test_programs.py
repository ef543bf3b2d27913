"""kit.panel.programs: panel/programs.yml read and checked, `kit recruit --program`, and purged members removed."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kit.cli import cli
from kit.errors import PanelError, RecruitShortfallError, UsageError
from kit.panel.eligibility import evaluate
from kit.panel.history import by_person, load_history
from kit.panel.programs import feedback_codes, load_programs, read_feedback, study_program
from kit.panel.purge import check_retention_command, purge
from kit.panel.recruit import recruit
from kit.panel.rules import load_rules
from kit.study.panel_people import load_panel
from panel_fixture import (
    FIRST,
    RETURNING,
    recruiting_people,
    write_csv,
    write_recruiting_repo,
)

DAY = dt.date(2026, 6, 1)
# Members of "beta": PN-01 (cooldown), PN-02, PN-03, PN-06 (already in new-study), PN-90 (withdrawn),
# PN-11 (no-shows), PN-13, PN-91 (not opted in). Everyone else is not a member.
MEMBERS = ["PN-01", "PN-02", "PN-03", "PN-06", "PN-90", "PN-11", "PN-13", "PN-91"]
PROGRAMS = """\
# Beta programs: the PM owns contact with their members.
programs:
  - id: beta
    name: One-page checkout beta
    owner: pm
    start: 2026-01-01
    end: 2026-12-31
    members: [{members}]
    feedback: panel/beta-feedback.csv
  - id: loyalty
    name: Loyalty pilot
    owner: Sales
    start: 2026-07-01
    members: [PN-04]
"""


def write_programs(repo: Path, text: str = PROGRAMS, members: list[str] = MEMBERS) -> Path:
    path = repo / "panel" / "programs.yml"
    path.write_text(text.format(members=", ".join(members)), encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_recruiting_repo(tmp_path, recruiting_people())
    write_csv(
        tmp_path / "panel" / "beta-feedback.csv",
        ["request_id", "date", "person_id", "text", "tags"],
        [
            ["F1", "2026-03-01", "PN-02", "Show the delivery cost earlier", "shipping-cost"],
            ["F2", "2026-03-02", "PN-13", "Let me pay with my bank app", "payment;express-pay"],
            ["F3", "2026-03-03", "PN-90", "Remember my address", "address"],
            ["F4", "2026-03-04", "", "Faster page", ""],
        ],
    )
    write_programs(tmp_path)
    return tmp_path


def invited(repo: Path, slug: str = "new-study") -> list[str]:
    text = (repo / "notebooks" / slug / "data" / "invites.csv").read_text("utf-8").splitlines()
    return [line.split(",")[0] for line in text[1:]]


def test_programs_are_read_with_their_members_and_owner_role(repo: Path):
    programs = load_programs(repo, load_panel(repo))
    assert programs is not None and list(programs.programs) == ["beta", "loyalty"]
    beta = programs.programs["beta"]
    assert beta.owner == "PM" and beta.members == MEMBERS  # the role in its RACI spelling
    assert beta.runs_on(dt.date(2026, 12, 31)) and not beta.runs_on(dt.date(2027, 1, 1))
    assert programs.programs["loyalty"].end is None and load_programs(repo.parent / "none", None) is None


def test_recruit_program_proposes_only_members_no_rule_excludes(repo: Path):
    """On many days and sizes: every proposal is members only, each eligible on that day, none already in the study."""
    panel = load_panel(repo)
    rules, history = load_rules(repo), by_person(load_history(repo))
    proposals = 0
    for day in (DAY, dt.date(2026, 2, 1), dt.date(2026, 6, 20), dt.date(2026, 9, 1)):
        eligible = set(evaluate(panel, history, rules, day).eligible())
        for n in range(1, 5):
            try:
                rec = recruit(repo, "new-study", n, day=day, program="beta")
            except RecruitShortfallError as exc:
                assert "among the members of program beta" in str(exc)
                continue
            proposals += 1
            picked = {p for ids in rec.picked.values() for p in ids}
            assert picked == set(invited(repo))
            assert picked <= set(MEMBERS) & eligible - {"PN-06"}, (day, n, picked)
    assert proposals >= 4


def test_recruit_program_on_the_fixture_day(repo: Path):
    # First-time members: PN-01 cooldown, PN-06 in the study, PN-90 withdrawn -> PN-02, PN-03.
    # Returning members: PN-11 no-shows, PN-91 not opted in -> PN-13. Non-members PN-04, PN-05, PN-12.. never.
    rec = recruit(repo, "new-study", 3, day=DAY, program="beta")
    assert invited(repo) == ["PN-02", "PN-03", "PN-13"] and rec.program == "beta"
    assert rec.eligible == {FIRST: 2, RETURNING: 1}
    with pytest.raises(RecruitShortfallError, match=r"Returning buyer: need 2, 1 eligible"):
        recruit(repo, "new-study", 4, day=DAY, program="beta")
    without = recruit(repo, "new-study", 4, day=DAY)  # the whole panel: non-members too
    assert set(invited(repo)) - set(MEMBERS)
    assert without.program == ""


def test_the_study_yml_names_its_program(repo: Path):
    study = repo / "notebooks" / "new-study" / "study.yml"
    plan = yaml.safe_load(study.read_text())
    study.write_text(yaml.safe_dump({**plan, "program": "beta"}, sort_keys=False))
    assert study_program(study.parent) == "beta"
    assert recruit(repo, "new-study", 3, day=DAY).program == "beta"
    assert invited(repo) == ["PN-02", "PN-03", "PN-13"]
    study.write_text(yaml.safe_dump({**plan, "program": "nope"}, sort_keys=False))
    with pytest.raises(PanelError, match=r"study.yml: key 'program': unknown program 'nope', expected one of: beta"):
        recruit(repo, "new-study", 3, day=DAY)


def test_unknown_program_or_a_day_outside_it_is_refused(repo: Path):
    with pytest.raises(PanelError, match=r"--program: unknown program 'gamma', expected one of: beta, loyalty"):
        recruit(repo, "new-study", 1, day=DAY, program="gamma")
    with pytest.raises(UsageError, match=r"program 'loyalty' runs 2026-07-01 to open end, not on 2026-06-01"):
        recruit(repo, "new-study", 1, day=DAY, program="loyalty")
    assert not (repo / "notebooks" / "new-study" / "data" / "invites.csv").exists()


def test_kit_recruit_program_from_the_command_line(repo: Path):
    result = CliRunner().invoke(
        cli,
        ["recruit", "new-study", "--n", "3", "--program", "beta", "--on", "2026-06-01"],
        env={"KIT_REPO": str(repo)},
    )
    assert result.exit_code == 0, result.output
    assert "program beta: only its members" in result.output
    assert invited(repo) == ["PN-02", "PN-03", "PN-13"]


BAD = [
    ("    members: [{members}]", "    members: [PN-01, PN-77, PN-01]", [
        "panel/programs.yml:8: program 'beta': key 'members[1]': unknown person_id 'PN-77', expected a person_id",
        "panel/programs.yml:8: program 'beta': key 'members[2]': person_id 'PN-01' is listed twice (also members[0])",
    ]),
    ("    start: 2026-01-01", "    start: 2026-13-01", [
        "panel/programs.yml:6: program 'beta': key 'start': expected a date",
    ]),
    ("    end: 2026-12-31", "    end: 2025-12-31", [
        "panel/programs.yml:7: program 'beta': key 'end': expected a date on or after start 2026-01-01, got 2025-12-31",
    ]),
    ("    owner: pm", "    owner: Marketing", [
        "panel/programs.yml:5: program 'beta': key 'owner': expected one of the RACI roles: PM, UXR, Design, "
        "Engineering, Support, Sales, got 'Marketing'",
    ]),
    ("  - id: loyalty", "  - id: beta", ["panel/programs.yml:10: program 'beta': key 'id': id repeats program #1"]),
    ("  - id: loyalty", "  - id: Loyalty Pilot", [
        "panel/programs.yml:10: program 'Loyalty Pilot': key 'id': expected an id of lower-case letters",
    ]),
    ("    feedback: panel/beta-feedback.csv", "    feedback: panel/missing.csv", [
        "panel/programs.yml:9: program 'beta': key 'feedback': no file 'panel/missing.csv'",
    ]),
    ("    feedback: panel/beta-feedback.csv", "    feedback: ../outside.csv", [
        "key 'feedback': '../outside.csv' leads outside the repository",
    ]),
    ("    name: Loyalty pilot", "    nmae: Loyalty pilot", [
        "panel/programs.yml:11: program 'loyalty': key 'nmae': unknown key (is it misspelt?)",
        "panel/programs.yml:10: program 'loyalty': key 'name': required key is missing",
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "messages"), BAD, ids=[b[1].strip() for b in BAD])
def test_programs_yml_errors_name_the_file_line_and_key(repo: Path, old: str, new: str, messages: list[str]):
    assert old in PROGRAMS
    write_programs(repo, PROGRAMS.replace(old, new))
    with pytest.raises(PanelError) as err:
        load_programs(repo, load_panel(repo))
    for message in messages:
        assert message in str(err.value), str(err.value)


def test_programs_yml_with_its_list_left_empty_has_no_programs(repo: Path):
    # A file started before the first program: the key with nothing under it parses as null.
    write_programs(repo, "# Beta programs: the PM owns contact with their members.\nprograms:\n")
    programs = load_programs(repo, load_panel(repo))
    assert programs is not None and programs.programs == {}


def test_feedback_naming_someone_outside_the_panel_is_an_error_at_its_line(repo: Path):
    write_csv(
        repo / "panel" / "beta-feedback.csv",
        ["request_id", "date", "person_id", "text"],
        [["F1", "2026-03-01", "PN-02", "ok"], ["F2", "2026-03-02", "PN-404", "who?"]],
    )
    with pytest.raises(PanelError, match=r"panel/beta-feedback.csv:3: unknown person_id 'PN-404'"):
        load_programs(repo, load_panel(repo))


def test_feedback_counts_by_code_leave_out_withdrawn_members(repo: Path):
    programs = load_programs(repo, load_panel(repo))
    assert programs is not None
    frame = read_feedback(repo, programs.programs["beta"], [])
    # F3 is PN-90's (withdrawn): left out. F2 carries two codes; F4 none.
    assert feedback_codes(frame, {"PN-90"}) == {
        "(no code)": 1,
        "express-pay": 1,
        "payment": 1,
        "shipping-cost": 1,
    }
    assert feedback_codes(frame, set(), canonical=lambda t: "pay" if t in ("payment", "express-pay") else t)["pay"] == 1


def test_purge_removes_a_withdrawn_member_from_programs_and_counts_the_withdrawal(repo: Path, capsys):
    assert check_retention_command(repo, DAY) == 1
    assert "panel/programs.yml: 1 panel rows: withdrawn person PN-90" in capsys.readouterr().out
    purge(repo, DAY, withdrawn=True, expired=False)
    text = (repo / "panel" / "programs.yml").read_text("utf-8")
    assert "PN-90" not in text and text.startswith("# Beta programs: the PM owns contact")  # comments kept
    beta = load_programs(repo, load_panel(repo)).programs["beta"]
    assert beta.members == [m for m in MEMBERS if m != "PN-90"] and beta.withdrawals == 1
    before = (repo / "panel" / "programs.yml").read_bytes()
    purge(repo, DAY, withdrawn=True, expired=False)
    assert (repo / "panel" / "programs.yml").read_bytes() == before  # a second purge changes nothing


def test_study_program_reads_only_the_top_level_key(tmp_path: Path):
    (tmp_path / "study.yml").write_text(
        textwrap.dedent(
            """\
            title: x
            raci:
              program: {PM: A}
            program: beta-checkout
            """
        )
    )
    assert study_program(tmp_path) == "beta-checkout"
    (tmp_path / "study.yml").write_text("title: x\nprogram: null\n")
    assert study_program(tmp_path) is None


def test_the_demo_recruits_only_from_its_beta_program(tmp_path: Path):
    """`kit recruit demo-checkout --n 4 --program beta-checkout` on the repository's own fictional panel."""
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "panel", tmp_path / "panel")
    for slug in ("demo-checkout", "quick-onboarding"):
        shutil.copytree(root / "notebooks" / slug, tmp_path / "notebooks" / slug)
    (tmp_path / "notebooks" / "demo-checkout" / "data" / "invites.csv").unlink(missing_ok=True)
    members = set(load_programs(tmp_path, load_panel(tmp_path)).programs["beta-checkout"].members)
    result = CliRunner().invoke(
        cli,
        ["recruit", "demo-checkout", "--n", "4", "--program", "beta-checkout", "--on", "2026-12-03"],
        env={"KIT_REPO": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    # First-time members PN-0202..0205 (PN-0205 not opted in); the non-member PN-0201 would come first otherwise.
    assert invited(tmp_path, "demo-checkout") == ["PN-0202", "PN-0203", "PN-0207", "PN-0208"]
    assert set(invited(tmp_path, "demo-checkout")) <= members
    everyone = recruit(tmp_path, "demo-checkout", 4, day=dt.date(2026, 12, 3), program=None)
    assert everyone.program == "beta-checkout"  # the demo's study.yml names its program


def test_a_program_id_in_study_yml_is_checked(tmp_path: Path):
    from kit.errors import StudyError
    from kit.study.study_file import validate_study
    from panel_fixture import study_plan

    assert validate_study(study_plan(program="beta-checkout")).program == "beta-checkout"
    with pytest.raises(StudyError, match=r"key 'program': expected an id of lower-case letters, digits and '-'"):
        validate_study(study_plan(program="Beta Checkout"))


def test_a_purge_killed_after_any_edit_counts_the_withdrawal_once(repo: Path, tmp_path_factory):
    from kit.panel.journal import Journal
    from kit.panel.purge import begin

    _, journal = begin(repo, DAY, withdrawn=True, expired=False)
    assert "panel/programs.yml" in journal.writes
    (repo / "panel" / ".purge-journal.json").unlink()
    for done in range(len(journal.writes) + 1):
        crashed = tmp_path_factory.mktemp(f"crash{done}")
        shutil.copytree(repo, crashed, dirs_exist_ok=True)
        _, pending = begin(crashed, DAY, withdrawn=True, expired=False)
        Journal(pending.day, dict(list(pending.writes.items())[:done])).apply(crashed)  # killed after `done` edits
        purge(crashed, DAY, withdrawn=True, expired=False)
        beta = load_programs(crashed, load_panel(crashed)).programs["beta"]
        assert "PN-90" not in beta.members and beta.withdrawals == 1, done
