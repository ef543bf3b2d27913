"""One source for the files a research repository receives: this repository (the kit's development home and
demo) holds the same ones as the package data ``kit init`` copies, so the two cannot drift apart.

When a test here fails after a change to a page, a template or a demo study in this repository, copy
the changed file to ``src/kit/data/repository/`` (or ``repository-demo/``), and add a row to
``src/kit/data/repository.yml`` for a new page or template (a new demo folder, such as ``metrics``, goes
in its ``demo:`` list). From the repository root, every ``here: same`` file at once::

    python -c "from kit.repository.kit_files import kit_files
    for f in kit_files():
        if f.here == 'same': print(f.path)" | while read f; do cp "$f" "src/kit/data/repository/$f"; done
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kit.layout import kit_data_dir
from kit.repository.kit_files import DEFAULT_TITLE, demo_files, demo_roots, kit_files, owned_by_kit
from kit.site.build import PROJECT_FILES

ROOT = Path(__file__).resolve().parents[2]
TEAM_WORKFLOW = kit_data_dir() / "repository" / "github" / "workflows" / "publish.yml"
KIT_WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
BIN = Path(sys.executable).parent


def drifted(package: Path, here: Path, paths: list[str]) -> list[str]:
    """The paths whose packaged copy is missing or differs from this repository's file."""
    return [p for p in paths if not (here / p).is_file() or (package / p).read_bytes() != (here / p).read_bytes()]


def test_kit_files_marked_same_are_identical_here():
    same = [f for f in kit_files() if f.here == "same"]
    assert len(same) >= 10
    assert drifted(kit_data_dir() / "repository", ROOT, [f.source for f in same]) == []
    assert all(f.source == f.path for f in same)


def test_drift_is_found(tmp_path: Path):
    (tmp_path / "package").mkdir()
    (tmp_path / "here").mkdir()
    for side, text in (("package", "a\n"), ("here", "b\n")):
        (tmp_path / side / "index.qmd").write_text(text)
    (tmp_path / "package" / "gone.qmd").write_text("x")
    assert drifted(tmp_path / "package", tmp_path / "here", ["index.qmd", "gone.qmd"]) == ["index.qmd", "gone.qmd"]


def test_every_site_page_and_template_here_is_a_kit_file():
    owned = {f.path for f in owned_by_kit()}
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text("utf-8"))
    pages = {p for p in config["project"]["render"] if "*" not in p}  # a glob names generated pages (topics/)
    templates = {p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").glob("*.ipynb")}
    # _playbook-intro.md is the team's text (written once): every other file of the Quarto project is the kit's
    assert (pages | templates | set(PROJECT_FILES)) - {"_playbook-intro.md"} <= owned
    assert config["website"]["title"] == DEFAULT_TITLE


def _tracked(paths: tuple[str, ...]) -> list[str]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the demo's tracked files cannot be listed")
    out = subprocess.run([git, "ls-files", "--", *paths], cwd=ROOT, capture_output=True, text=True, check=True)
    return sorted(out.stdout.split())


def test_the_demo_kit_init_gives_is_this_repositorys_demo():
    packaged = demo_files()
    assert sorted(packaged) == _tracked(demo_roots())
    assert drifted(kit_data_dir() / "repository-demo", ROOT, sorted(packaged)) == []


def _uses_by_job(path: Path) -> dict[str, list[str]]:
    workflow = yaml.safe_load(path.read_text("utf-8"))
    return {name: [s["uses"] for s in job.get("steps", []) if "uses" in s] for name, job in workflow["jobs"].items()}


def test_the_teams_workflow_runs_this_repositorys_jobs_with_the_same_actions():
    team, here = _uses_by_job(TEAM_WORKFLOW), _uses_by_job(KIT_WORKFLOW)
    assert set(team) == set(here) - {"site-tests"}  # the kit's own browser tests stay here
    assert {job: here[job] for job in team} == team


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def test_the_teams_workflow_passes_githubs_schema_and_actionlint():
    schema = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(TEAM_WORKFLOW)],
        capture_output=True,
        text=True,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    lint = subprocess.run(
        [_tool("actionlint"), "-no-color", "-shellcheck=", "-pyflakes=", str(TEAM_WORKFLOW)],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
