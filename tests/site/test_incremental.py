"""Incremental site builds: a partial build re-renders only what changed and equals a full build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.site.build import build_site
from kit.site.incremental import RECORD
from site_fixture import seed_site_repo


def _snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _build(repo: Path, **kw) -> list[str]:
    said: list[str] = []
    build_site(repo, use_quarto=False, echo=said.append, **kw)
    return said


def _retitle(reports: Path, slug: str, title: str) -> None:
    plan = json.loads((reports / slug / "plan.json").read_text())
    plan["plan"]["title"] = title
    (reports / slug / "plan.json").write_text(json.dumps(plan))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = seed_site_repo(tmp_path / "repo")
    shutil.copytree(repo / "reports" / "beta", repo / "reports" / "old")  # a study that will be deleted
    _retitle(repo / "reports", "old", "Old survey")
    return repo


def test_nothing_changed_renders_no_study_page(repo: Path):
    assert _build(repo) == ["preview: rendered 7 of 7 study pages (full build)"]
    before = _snapshot(repo / "_site")
    copy = repo / "studies" / "alpha" / "01-plan.ipynb"
    inode = copy.stat().st_ino
    assert _build(repo) == ["preview: rendered 0 of 7 study pages, the others unchanged"]
    assert _snapshot(repo / "_site") == before
    assert copy.stat().st_ino == inode  # the published copy was carried over, not written again
    assert _build(repo, full=True) == ["preview: rendered 7 of 7 study pages (full build)"]
    assert _snapshot(repo / "_site") == before


def test_partial_build_equals_full_build_after_add_rename_delete_and_edit(repo: Path, tmp_path: Path):
    _build(repo)
    old_site = _snapshot(repo / "_site")
    reports = repo / "reports"
    # An edited synthesis page of alpha (its notes changed, 02-sessions re-ran).
    nb = nbformat.read(reports / "alpha" / "02-sessions.ipynb", as_version=4)
    next(c for c in nb.cells if c.get("outputs")).outputs[0]["data"]["text/html"] = "<p>new theme: delivery cost</p>"
    nbformat.write(nb, reports / "alpha" / "02-sessions.ipynb")
    shutil.copytree(reports / "beta", reports / "gamma")  # added
    _retitle(reports, "gamma", "Gamma pricing interviews")
    (reports / "beta").rename(reports / "beta-onboarding")  # renamed (its slug)
    shutil.rmtree(reports / "old")  # deleted

    seen: list[str] = []

    def before_publish(staged: Path) -> None:  # the privacy check's view: the whole site
        seen.extend(p.relative_to(staged).as_posix() for p in staged.rglob("*.html"))

    said = _build(repo, before_publish=before_publish)
    # alpha's synthesis + gamma's 2 pages + beta-onboarding's 2 pages; alpha's plan and insights kept.
    assert said == ["preview: rendered 5 of 7 study pages, the others unchanged"]
    partial = _snapshot(repo / "_site")
    assert partial["studies/alpha/01-plan.html"] == old_site["studies/alpha/01-plan.html"]
    assert "studies/alpha/01-plan.html" in seen and "index.html" in seen
    assert not any(p.startswith(("studies/old/", "studies/beta/")) for p in partial)

    full_repo = tmp_path / "full"
    shutil.copytree(repo, full_repo, ignore=shutil.ignore_patterns("_site", "studies", ".kit-run.lock"))
    assert _build(full_repo, full=True) == ["preview: rendered 7 of 7 study pages (full build)"]
    full = _snapshot(full_repo / "_site")
    assert sorted(partial) == sorted(full)
    for rel in full:  # listings, search index, navigation and every page: byte for byte
        assert partial[rel] == full[rel], rel
    search = partial["assets/search-index.js"].decode()
    assert "Gamma pricing interviews" in search and "Old survey" not in search
    assert "studies/beta-onboarding/01-plan.html" in search and "studies/beta/" not in search


def test_a_retitled_study_re_renders_its_own_pages_only(repo: Path):
    _build(repo)
    _retitle(repo / "reports", "beta", "Beta onboarding, second round")
    assert _build(repo) == ["preview: rendered 2 of 7 study pages, the others unchanged"]
    page = (repo / "_site" / "studies" / "beta" / "01-plan.html").read_text()
    assert "Beta onboarding, second round" in page


def test_a_failed_partial_build_leaves_the_previous_site_untouched(repo: Path):
    _build(repo)
    before = _snapshot(repo / "_site")
    nb = nbformat.read(repo / "reports" / "alpha" / "01-plan.ipynb", as_version=4)
    next(c for c in nb.cells if c.get("outputs")).outputs[0]["data"]["text/html"] = "<p>changed</p>"
    nbformat.write(nb, repo / "reports" / "alpha" / "01-plan.ipynb")

    def refuse(staged: Path) -> None:
        from kit.errors import KitError

        raise KitError("leak found")

    with pytest.raises(Exception, match="leak found"):
        _build(repo, before_publish=refuse)
    # Pages are hard links shared with the staging copy: none was written through.
    assert _snapshot(repo / "_site") == before


def test_a_damaged_record_means_a_full_build(repo: Path):
    _build(repo)
    (repo / "_site" / RECORD).write_text("{ not json")
    assert _build(repo) == ["preview: rendered 7 of 7 study pages (full build)"]
    (repo / "_site" / "studies" / "alpha" / "01-plan.html").unlink()  # a page gone: rendered again
    assert _build(repo) == ["preview: rendered 1 of 7 study pages, the others unchanged"]


def test_cli_site_full(repo: Path, monkeypatch):
    monkeypatch.setenv("KIT_REPO", str(repo))
    first = CliRunner().invoke(cli, ["site", "--no-quarto"])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, ["site", "--no-quarto"])
    assert "rendered 0 of 7" in again.output
    full = CliRunner().invoke(cli, ["site", "--no-quarto", "--full"])
    assert full.exit_code == 0 and "rendered 7 of 7 study pages (full build)" in full.output


def test_the_shared_key_does_not_depend_on_where_the_kit_and_the_repository_are(tmp_path: Path, monkeypatch):
    # The kit installed beside or far from the repository (a CI runner's venv) sorted the
    # files differently, so the same inputs gave another key and every page was rebuilt.
    from kit.site import incremental

    repo = tmp_path / "m-repo"
    repo.mkdir()
    (repo / "_quarto.yml").write_text("project:\n  type: website\n")
    keys = []
    for where in ("a-kit", "z-kit"):
        site_code, data = tmp_path / where / "site", tmp_path / where / "data"
        shutil.copytree(incremental._CODE, site_code, ignore=shutil.ignore_patterns("__pycache__"))
        data.mkdir()
        for p in incremental._DATA.glob("preview*"):
            shutil.copy2(p, data / p.name)
        monkeypatch.setattr(incremental, "_CODE", site_code)
        monkeypatch.setattr(incremental, "_DATA", data)
        keys.append(incremental.shared_key(repo, "preview", [repo / "_quarto.yml"]))
    assert keys[0] == keys[1]
    (repo / "_quarto.yml").write_text("project:\n  type: book\n")
    assert incremental.shared_key(repo, "preview", [repo / "_quarto.yml"]) != keys[1]


def test_the_engine_of_the_last_build_is_read_from_the_site_record(tmp_path: Path):
    from kit.site.incremental import SiteRecord, last_engine

    assert last_engine(tmp_path) is None  # no site, or a site of an older kit: the default engine
    SiteRecord("preview", "shared").save(tmp_path)
    assert last_engine(tmp_path) == "preview"
    SiteRecord("quarto", "shared").save(tmp_path)
    assert last_engine(tmp_path) == "quarto"
