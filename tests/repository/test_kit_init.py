"""``kit init``: a repository with no demo content that builds an empty site; ``--demo`` gives the demo; a
non-empty folder is refused with nothing written."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kit.cli import cli
from kit.errors import UsageError
from kit.repository.create import init_repository
from kit.repository.kit_files import demo_files
from kit.repository.record import load_record
from kit.site.build import build_site

ROOT = Path(__file__).resolve().parents[2]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _main_text(page: Path) -> str:
    html = page.read_text("utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.find("<main") :]).split())


def _codes(codebook: Path) -> list[str]:
    return [c["name"] for c in yaml.safe_load(codebook.read_text("utf-8"))["codes"]]


def test_init_writes_the_scaffolding_with_the_title_and_no_demo(tmp_path: Path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "acme-research"), "--title", 'Acme "research" ✓'])
    assert result.exit_code == 0, result.output
    repo = tmp_path / "acme-research"
    for path in (
        "_quarto.yml",
        "index.qmd",
        "insights.qmd",
        "playbook.qmd",
        "_playbook-intro.md",
        "site-theme.scss",
        "templates/01-plan.ipynb",
        "templates/02-sessions.ipynb",
        "templates/03-insights.ipynb",
        ".github/workflows/publish.yml",
        "Makefile",
        "README.md",
        ".gitignore",
        "requirements.txt",
        "codebook.yml",
    ):
        assert (repo / path).is_file(), path
    quarto = yaml.safe_load((repo / "_quarto.yml").read_text("utf-8"))
    assert quarto["website"]["title"] == 'Acme "research" ✓'
    assert (repo / "README.md").read_text("utf-8").startswith('# Acme "research" ✓\n')
    # no demo: no study, none of the demo's checkout codes, no panel or requests
    assert [p.name for p in (repo / "notebooks").iterdir()] == [".gitkeep"]
    assert not {"payment", "saved-card", "checkout"} & set(_codes(repo / "codebook.yml"))
    assert len(_codes(repo / "codebook.yml")) >= 3
    assert not (repo / "panel").exists() and not (repo / "requests").exists()
    # the team's Makefile has the two commands; the kit is a pinned package, not vendored
    makefile = (repo / "Makefile").read_text("utf-8")
    assert re.search(r"^site: ", makefile, re.M) and re.search(r"^test: ", makefile, re.M)
    assert not (repo / "src").exists()
    assert re.search(r"^research-ops-kit(==| @ git\+)", (repo / "requirements.txt").read_text("utf-8"), re.M)
    record = load_record(repo)
    assert record.answers.title == 'Acme "research" ✓' and not record.demo
    assert "templates/01-plan.ipynb" in record.files and "codebook.yml" not in record.files


def test_a_fresh_repository_builds_a_site_that_says_how_to_start_a_study(tmp_path: Path):
    repo = init_repository(tmp_path / "acme", "Acme <research>").root
    said: list[str] = []
    build_site(repo, use_quarto=False, echo=said.append)
    home = _main_text(repo / "_site" / "index.html")
    assert "No studies yet" in home and "kit new" in home, home
    page = (repo / "_site" / "index.html").read_text("utf-8")
    assert "Acme &lt;research&gt;" in page and "<research>" not in page  # the title is text, not markup
    assert yaml.safe_load((repo / "studies" / "listing-studies.yml").read_text("utf-8")) == []


def test_the_home_page_drops_the_word_once_there_is_a_study(tmp_path: Path):
    from site_fixture import seed_site_repo

    repo = seed_site_repo(tmp_path / "repo")  # reports of two studies, no kit init needed
    build_site(repo, use_quarto=False, echo=lambda _: None)
    assert "No studies yet" not in _main_text(repo / "_site" / "index.html")
    assert (repo / "studies" / "_home.md").read_text("utf-8") == ""


def test_demo_gives_this_repositorys_demo_studies_and_codebook(tmp_path: Path):
    repo = init_repository(tmp_path / "demo", demo=True).root
    assert sorted(p.name for p in (repo / "notebooks").iterdir() if p.is_dir()) == [
        "demo-checkout",
        "quick-onboarding",
    ]
    assert (repo / "codebook.yml").read_bytes() == (ROOT / "codebook.yml").read_bytes()
    for path in demo_files():
        assert (repo / path).read_bytes() == (ROOT / path).read_bytes(), path
    assert load_record(repo).demo


def test_init_into_a_non_empty_folder_writes_nothing(tmp_path: Path):
    target = tmp_path / "existing"
    target.mkdir()
    (target / "notes.txt").write_text("ours\n")
    before = _tree(tmp_path)

    result = CliRunner().invoke(cli, ["init", str(target)])

    assert result.exit_code == 2
    assert "not empty (found notes.txt)" in result.output and "nothing was written" in result.output
    assert _tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]  # no staging folder left beside it


def test_init_refuses_a_file_and_a_bad_title_and_accepts_an_empty_folder(tmp_path: Path):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        init_repository(tmp_path / "a-file")
    with pytest.raises(UsageError, match="--title"):
        init_repository(tmp_path / "new", "two\nlines")
    assert not (tmp_path / "new").exists()
    (tmp_path / "empty").mkdir()
    created = init_repository(tmp_path / "empty")
    assert (created.root / "_quarto.yml").is_file()
    assert (
        yaml.safe_load((created.root / "_quarto.yml").read_text("utf-8"))["website"]["title"] == "Research repository"
    )


def test_kit_new_works_in_a_fresh_repository_and_git_ignores_what_the_kit_generates(tmp_path: Path):
    from kit.run.new_study import new_study

    repo = init_repository(tmp_path / "acme").root
    study = new_study(repo, "first-study", "First study")
    assert (study / "01-plan.ipynb").read_bytes() == (repo / "templates" / "01-plan.ipynb").read_bytes()

    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    generated = ["reports/first-study/plan.json", "_site/index.html", "studies/_home.md", ".venv/bin/kit"]
    kept = ["templates/01-plan.ipynb", "notebooks/first-study/study.yml", ".kit/template.json", "codebook.yml"]
    ignored = subprocess.run(["git", "check-ignore", *generated, *kept], cwd=repo, capture_output=True, text=True)
    assert ignored.stdout.split() == generated
