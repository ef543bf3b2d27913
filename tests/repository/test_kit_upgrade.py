"""``kit upgrade``: nothing to do on a fresh repository; a team's edit survives, a deleted kit file comes back;
a newer kit's changes are applied, merged three-way or written beside; the team's own files are never touched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kit.repository.kit_files as kit_files
import kit.repository.upgrade as upgrade_mod
from kit.cli import cli
from kit.errors import UsageError
from kit.layout import kit_data_dir, template_record_path
from kit.repository.create import init_repository
from kit.repository.record import TemplateRecordError, load_record
from kit.repository.upgrade import apply_upgrade, plan_upgrade

PLAN = "templates/01-plan.ipynb"
SESSIONS = "templates/02-sessions.ipynb"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _upgrade(repo: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["upgrade", *args])
    return result.exit_code, result.output


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    return init_repository(tmp_path / "acme", "Acme research").root


@pytest.fixture
def newer_kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The packaged files of a "0.2.0" kit: a copy of the installed ones the test then changes."""
    data = tmp_path / "kit-0.2.0" / "data"
    shutil.copytree(kit_data_dir() / kit_files.TEAM_SOURCE, data / kit_files.TEAM_SOURCE)
    monkeypatch.setattr(kit_files, "kit_data_dir", lambda: data)
    monkeypatch.setattr(kit_files, "installed_requirement", lambda: "research-ops-kit==0.2.0")
    monkeypatch.setattr(upgrade_mod, "installed_requirement", lambda: "research-ops-kit==0.2.0")
    monkeypatch.setattr(upgrade_mod, "__version__", "0.2.0")
    return data / kit_files.TEAM_SOURCE


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def test_upgrade_on_a_fresh_repository_changes_nothing(acme: Path, monkeypatch: pytest.MonkeyPatch):
    before = _tree(acme)
    code, out = _upgrade(acme, "--dry-run", monkeypatch=monkeypatch)
    owned = len(kit_files.owned_by_kit())
    assert code == 0 and out.splitlines() == [f"nothing to do: {owned} kit files up to date (kit 0.1.0 -> 0.1.0)"]
    code, out = _upgrade(acme, monkeypatch=monkeypatch)
    assert code == 0 and "nothing to do" in out
    assert _tree(acme) == before


def test_a_team_edit_is_kept_and_reported_and_a_deleted_template_comes_back(
    acme: Path, monkeypatch: pytest.MonkeyPatch
):
    _edit(acme / PLAN, "kit.forms.plan_editor(study_dir)", "kit.forms.plan_editor(study_dir)  # our team's note")
    edited = (acme / PLAN).read_bytes()
    (acme / SESSIONS).unlink()

    code, out = _upgrade(acme, "--dry-run", monkeypatch=monkeypatch)
    assert code == 0
    assert f"would: kept your change: {PLAN} (the kit's version has not changed)" in out
    assert f"would: restored: {SESSIONS} (missing here)" in out
    assert not (acme / SESSIONS).exists()  # a dry run changes nothing

    code, out = _upgrade(acme, monkeypatch=monkeypatch)
    assert code == 0
    assert f"kept your change: {PLAN}" in out and f"restored: {SESSIONS}" in out
    assert (acme / PLAN).read_bytes() == edited
    assert (acme / SESSIONS).read_bytes() == (kit_data_dir() / "repository" / SESSIONS).read_bytes()
    assert plan_upgrade(acme).nothing_to_do()  # the next upgrade has nothing left to do


def test_a_newer_kit_updates_unchanged_files_merges_changed_ones_and_never_touches_the_teams(
    acme: Path, newer_kit: Path, monkeypatch: pytest.MonkeyPatch
):
    # the team: its footer in _quarto.yml, a note in the Makefile, and its own work
    _edit(acme / "_quarto.yml", '    right: "Built with', '    right: "Acme Inc. Built with')
    _edit(acme / "Makefile", "clean:\n", "# our own target below\nclean:\n")
    study = acme / "notebooks" / "first" / "study.yml"
    study.parent.mkdir()
    study.write_text("title: First\n")
    for path in ("panel/people.csv", "requests/tracker.csv", "metrics/conversion.csv"):
        (acme / path).parent.mkdir(exist_ok=True)
        (acme / path).write_text("id\n1\n")
    (acme / "codebook.yml").write_text("codes: []\n")
    team_files = {p: b for p, b in _tree(acme).items() if p.split("/")[0] in {"notebooks", "panel", "requests"}}
    team_files.update({p: (acme / p).read_bytes() for p in ("codebook.yml", "metrics/conversion.csv")})
    # the newer kit: a navbar page (other lines of _quarto.yml), the same Makefile line, an index.qmd change
    _edit(
        newer_kit / "_quarto.yml",
        "      - text: Panel\n",
        "      - text: Decisions\n        href: d.qmd\n      - text: Panel\n",
    )
    _edit(newer_kit / "Makefile", "clean:\n", "# the kit's new line\nclean:\n")
    _edit(newer_kit / "index.qmd", "Every study of the repository", "Every study of this repository")

    before = _tree(acme)
    code, out = _upgrade(acme, "--dry-run", monkeypatch=monkeypatch)
    unchanged = len(kit_files.owned_by_kit()) - 4
    assert code == 0 and f"would: 4 files to write, {unchanged} up to date (kit 0.1.0 -> 0.2.0)" in out
    assert "would: merged: _quarto.yml" in out
    assert _tree(acme) == before  # a dry run lists and changes nothing

    code, out = _upgrade(acme, monkeypatch=monkeypatch)

    assert code == 0, out
    assert "updated: index.qmd (unchanged here, changed in the kit)" in out
    assert "updated: requirements.txt" in out
    assert "merged: _quarto.yml (your change kept, the kit's change merged in)" in out
    assert "kept your change: Makefile; the kit changed the same lines: its version is in Makefile.kit-new" in out
    assert "Every study of this repository" in (acme / "index.qmd").read_text("utf-8")
    quarto = (acme / "_quarto.yml").read_text("utf-8")
    assert "Acme Inc. Built with" in quarto and "text: Decisions" in quarto and 'title: "Acme research"' in quarto
    assert "# our own target below" in (acme / "Makefile").read_text("utf-8")  # the team's file as it was
    assert "# the kit's new line" in (acme / "Makefile.kit-new").read_text("utf-8")
    assert "research-ops-kit==0.2.0" in (acme / "requirements.txt").read_text("utf-8")
    for path, data in team_files.items():
        assert (acme / path).read_bytes() == data, path
    record = load_record(acme)
    assert record.kit_version == "0.2.0" and record.files["index.qmd"].kit_version == "0.2.0"
    assert record.files["Makefile"].kit_version == "0.1.0"  # its merge is pending: offered again next time

    # until the team has merged Makefile.kit-new and deleted it, the Makefile stays as it is
    code, out = _upgrade(acme, monkeypatch=monkeypatch)
    assert "still to merge by hand: Makefile.kit-new into Makefile; delete Makefile.kit-new once done" in out
    _edit(acme / "Makefile", "# our own target below\n", "# our own target below\n# the kit's new line\n")
    merged_by_hand = (acme / "Makefile").read_bytes()
    (acme / "Makefile.kit-new").unlink()
    code, out = _upgrade(acme, monkeypatch=monkeypatch)
    assert "merged by hand: Makefile" in out
    assert (acme / "Makefile").read_bytes() == merged_by_hand
    assert load_record(acme).files["Makefile"].kit_version == "0.2.0"
    assert plan_upgrade(acme).nothing_to_do()


def test_without_a_base_the_kits_version_is_written_beside(acme: Path, newer_kit: Path):
    shutil.rmtree(acme / ".kit" / "base")
    _edit(acme / "index.qmd", "open one for", "open any for")
    _edit(newer_kit / "index.qmd", "Every study of the repository", "Every study of this repository")
    plan = plan_upgrade(acme)
    assert [c.line() for c in plan.changes if c.path == "index.qmd"] == [
        "kept your change: index.qmd; no base to merge against: the kit's version is in index.qmd.kit-new"
    ]
    apply_upgrade(plan)
    assert "open any for" in (acme / "index.qmd").read_text("utf-8")
    assert (acme / "index.qmd.kit-new").read_bytes() == (newer_kit / "index.qmd").read_bytes()


def test_upgrade_outside_a_kit_repository_and_on_a_broken_record(tmp_path: Path, acme: Path):
    with pytest.raises(UsageError, match=r"template.json: not found; kit upgrade works on a repository made by"):
        plan_upgrade(tmp_path)
    record = json.loads(template_record_path(acme).read_text("utf-8"))
    record["files"][PLAN] = {"sha256": 7}
    del record["answers"]["title"]
    template_record_path(acme).write_text(json.dumps(record), "utf-8")
    with pytest.raises(TemplateRecordError) as err:
        plan_upgrade(acme)
    assert "template.json: answers.title: missing or not text" in str(err.value)
    assert f"template.json: files.{PLAN}: found {{'sha256': 7}}" in str(err.value)
