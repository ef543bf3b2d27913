from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kit.cli import cli
from kit.errors import StudyExistsError, UsageError
from kit.run.new_study import new_study
from kit.run.runner import STAGES
from kit.study.study_file import PLAN_KEYS


def test_new_creates_the_study_folder(repo: Path):
    path = new_study(repo, "pricing-2027", "Pricing page test")
    data = yaml.safe_load((path / "study.yml").read_text())
    assert list(data) == list(PLAN_KEYS)  # every plan key, in schema order
    assert data["title"] == "Pricing page test"
    # The contract's header rows, as a researcher would type them from the README.
    expected = {
        "participants.csv": "participant_id,name,email,segment,consent_quotes,consent_recording",
        "sessions.csv": "session_id,participant_id,date,moderator,observers",
        "notes.csv": "note_id,session_id,participant_id,task,text,tags,kind",
        "tasks.csv": "participant_id,task,success,time_s,seq",
        "sus.csv": "participant_id," + ",".join(f"q{i}" for i in range(1, 11)),
    }
    for name, header in expected.items():
        assert (path / "data" / name).read_text().strip() == header
    assert (path / "data" / "transcripts").is_dir()
    for stage in STAGES:
        assert (path / stage).read_bytes() == (repo / "templates" / stage).read_bytes()
    assert (path / "insights.yml").is_file()


@pytest.mark.slow
def test_a_new_study_runs_green_before_anything_is_filled_in(repo: Path):
    from kit.run.runner import run_studies

    new_study(repo, "fresh-study", "Fresh study")
    [result] = run_studies(repo, ["fresh-study"], jobs=1, timeout=300)
    assert result.ok, str(result.failure)
    plan = (repo / "reports" / "fresh-study" / "plan.json").read_text()
    assert "TODO" in plan  # the plan page shows what is still to write


def test_new_study_yml_is_quoted_safely(repo: Path):
    path = new_study(repo, "quotes", 'Say "hi" \\ there')
    assert yaml.safe_load((path / "study.yml").read_text())["title"] == 'Say "hi" \\ there'


@pytest.mark.parametrize("slug", ["Bad Slug", "x", "-lead", "a/b", "ünï", "UPPER"])
def test_new_refuses_invalid_slugs(repo: Path, slug: str):
    with pytest.raises(UsageError, match="invalid slug"):
        new_study(repo, slug)
    assert list((repo / "notebooks").iterdir()) == []


def test_new_never_overwrites(repo: Path):
    path = new_study(repo, "pricing")
    (path / "study.yml").write_text("title: mine\n")
    with pytest.raises(StudyExistsError):
        new_study(repo, "pricing")
    assert (path / "study.yml").read_text() == "title: mine\n"


def test_cli_new_exit_codes(repo: Path, monkeypatch):
    monkeypatch.setenv("KIT_REPO", str(repo))
    runner = CliRunner()
    ok = runner.invoke(cli, ["new", "onboarding", "--title", "Onboarding"])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(cli, ["new", "onboarding"])
    assert again.exit_code == 2
    assert "already exists" in again.output
    assert len(again.output.strip().splitlines()) == 1
    bad = runner.invoke(cli, ["new", "No Good"])
    assert bad.exit_code == 2 and "invalid slug" in bad.output
    assert sorted(p.name for p in (repo / "notebooks").iterdir()) == ["onboarding"]
