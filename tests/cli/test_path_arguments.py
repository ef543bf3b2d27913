"""Every slug and file-name argument resolves inside the repository or is refused (issue 26, point 7).

A victim study sits beside the repository (``<tmp>/victim``, which
``notebooks/../../victim`` reaches); each command is given that slug and must
exit 2 with one line naming the argument, leaving every file outside the
repository as it was.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from demo_copy import copy_demo_study
from kit.cli import cli
from kit.errors import UsageError
from kit.layout import inside_repository, study_folder

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "notebooks" / "demo-checkout"
TRAVERSAL = "../../victim"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def two_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(repository, victim): the demo study in both, a codebook at the repository root."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "templates", repo / "templates")
    copy_demo_study(repo / "notebooks" / "demo-checkout")
    shutil.copy(ROOT / "codebook.yml", repo / "codebook.yml")
    shutil.copytree(ROOT / "metrics", repo / "metrics")  # the demo's R1 is judged by its series
    victim = tmp_path / "victim"
    shutil.copytree(DEMO, victim)
    monkeypatch.setenv("KIT_REPO", str(repo))
    monkeypatch.chdir(repo)
    return repo, victim


COMMANDS = {
    "new": ["new", TRAVERSAL],
    "run": ["run", TRAVERSAL],
    "build": ["build", TRAVERSAL],
    "check --privacy": ["check", "--privacy", TRAVERSAL],
    "check --retention": ["check", "--retention", TRAVERSAL],
    "recruit": ["recruit", TRAVERSAL, "--n", "2"],
    "codebook --apply-synonyms": ["codebook", "--apply-synonyms", TRAVERSAL],
    "export --qdpx": ["export", "--qdpx", TRAVERSAL],
}


@pytest.mark.parametrize("args", list(COMMANDS.values()), ids=list(COMMANDS))
def test_a_slug_climbing_out_is_refused_and_nothing_outside_changes(two_folders: tuple[Path, Path], args: list[str]):
    repo, victim = two_folders
    outside = repo.parent
    before = _snapshot(outside / "victim")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert TRAVERSAL in result.output
    assert _snapshot(outside / "victim") == before
    assert sorted(p.name for p in outside.iterdir()) == ["repo", "victim"]  # no victim.qdpx beside them


@pytest.mark.parametrize("command", ["recruit", "codebook --apply-synonyms", "export --qdpx", "new"])
def test_the_refusal_is_one_line_naming_the_argument_and_the_expected_slug(two_folders: tuple[Path, Path], command):
    result = CliRunner().invoke(cli, COMMANDS[command])
    [line] = result.output.strip().splitlines()
    assert "invalid slug" in line and "lower-case letters" in line


def test_import_into_a_study_outside_the_repository_writes_nothing(two_folders: tuple[Path, Path]):
    repo, victim = two_folders
    runner = CliRunner()
    exported = runner.invoke(cli, ["export", "--qdpx", "demo-checkout", "-o", str(repo / "out" / "demo.qdpx")])
    assert exported.exit_code == 0, exported.output
    codebook_before = (repo / "codebook.yml").read_bytes()
    victim_before = _snapshot(victim)
    result = runner.invoke(cli, ["import", "--qdpx", str(repo / "out" / "demo.qdpx"), "--study", TRAVERSAL])
    assert result.exit_code == 2 and "--study" in result.output
    assert _snapshot(victim) == victim_before
    assert (repo / "codebook.yml").read_bytes() == codebook_before  # refused before the codebook merge


def test_an_export_file_outside_the_repository_is_refused(two_folders: tuple[Path, Path]):
    repo, _ = two_folders
    target = repo.parent / "victim.qdpx"
    for given in (str(target), os.path.join("..", "victim.qdpx")):
        result = CliRunner().invoke(cli, ["export", "--qdpx", "demo-checkout", "-o", given])
        assert result.exit_code == 2 and "-o" in result.output and "outside the repository" in result.output
    assert not target.exists()


def test_a_study_folder_that_is_a_link_out_of_notebooks_is_refused(two_folders: tuple[Path, Path]):
    repo, victim = two_folders
    (repo / "notebooks" / "linked").symlink_to(victim, target_is_directory=True)
    with pytest.raises(UsageError, match="outside notebooks/"):
        study_folder(repo, "linked")
    result = CliRunner().invoke(cli, ["codebook", "--apply-synonyms", "linked"])
    assert result.exit_code == 2 and "linked" in result.output


def test_valid_slugs_and_paths_inside_pass(two_folders: tuple[Path, Path]):
    repo, _ = two_folders
    assert study_folder(repo, "demo-checkout") == repo.resolve() / "notebooks" / "demo-checkout"
    assert study_folder(repo, "new-study", must_exist=False).name == "new-study"
    assert inside_repository(repo, repo / "private" / "raw.qdpx", "-o") == repo.resolve() / "private" / "raw.qdpx"
    with pytest.raises(UsageError, match="unknown study 'nope'"):
        study_folder(repo, "nope")
    for bad in ("..", ".", "a/b", "Demo", "-x", "x", "demo\x00"):
        with pytest.raises(UsageError, match="invalid slug"):
            study_folder(repo, bad)


@pytest.mark.parametrize(
    "args",
    [["run", "linked"], ["build", "linked"], ["check", "--privacy", "linked"], ["check", "--retention", "linked"]],
    ids=["run", "build", "check --privacy", "check --retention"],
)
def test_commands_over_existing_studies_refuse_a_study_linked_from_outside(two_folders: tuple[Path, Path], args):
    repo, victim = two_folders
    (repo / "notebooks" / "linked").symlink_to(victim, target_is_directory=True)
    before = _snapshot(victim)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "'linked'" in result.output and "outside notebooks/" in result.output
    assert _snapshot(victim) == before and not (repo / "reports" / "linked").exists()
