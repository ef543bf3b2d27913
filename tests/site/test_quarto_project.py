"""_quarto.yml, the .qmd pages and the publishing workflow follow Quarto's and GitHub's documented shapes.

References: https://quarto.org/docs/websites/website-navigation.html,
https://quarto.org/docs/websites/website-listings.html,
https://quarto.org/docs/websites/website-listings-custom.html (metadata file listings),
https://quarto.org/docs/projects/quarto-projects.html (render targets, metadata-files),
https://quarto.org/docs/publishing/github-pages.html#github-action.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kit.site import pages as publish
from kit.site.build import prepare
from site_fixture import seed_site_repo

ROOT = Path(__file__).resolve().parents[2]


def _front_matter(path: Path) -> dict:
    text = path.read_text("utf-8")
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert m, f"{path.name}: no YAML front matter"
    return yaml.safe_load(m.group(1))


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load((ROOT / "_quarto.yml").read_text("utf-8"))


def test_website_project_with_an_explicit_render_list(config):
    project = config["project"]
    assert project["type"] == "website" and project["output-dir"] == "_site"
    assert project["render"] == [
        "index.qmd",
        "insights.qmd",
        "decisions.qmd",
        "codebook.qmd",
        "playbook.qmd",
        "panel.qmd",
    ]
    for target in project["render"]:
        assert (ROOT / target).is_file()
        assert not target.startswith(("templates/", "notebooks/", "tests/", "reports/"))
    assert config["metadata-files"] == [f"{publish.STUDIES_DIR}/{publish.NAVIGATION}"]


def test_quarto_never_executes(config):
    assert config["execute"]["enabled"] is False


def test_navbar_search_title_footer_and_themes(config):
    website = config["website"]
    assert website["title"] and website["page-footer"]
    navbar = website["navbar"]
    assert navbar["search"] is True
    assert [(i["text"], i["href"]) for i in navbar["left"]] == [
        ("Studies", "index.qmd"),
        ("Insights", "insights.qmd"),
        ("Decisions", "decisions.qmd"),
        ("Codebook", "codebook.qmd"),
        ("Playbook", "playbook.qmd"),
        ("Panel", "panel.qmd"),
    ]
    html = config["format"]["html"]
    assert set(html["theme"]) == {"light", "dark"}
    assert html["code-fold"] is True


def test_listing_pages_read_the_files_kit_site_generates(tmp_path: Path):
    studies = _front_matter(ROOT / "index.qmd")["listing"]
    insights = _front_matter(ROOT / "insights.qmd")["listing"]
    decisions = _front_matter(ROOT / "decisions.qmd")["listing"]
    assert studies["contents"] == f"{publish.STUDIES_DIR}/{publish.STUDY_LISTING}"
    assert insights["contents"] == f"{publish.STUDIES_DIR}/{publish.INSIGHT_LISTING}"
    assert decisions["contents"] == f"{publish.STUDIES_DIR}/{publish.DECISION_LISTING}"
    for listing in (studies, insights, decisions):
        # Quarto leaves _* and .* files out of listing contents.
        assert not any(part.startswith(("_", ".")) for part in Path(listing["contents"]).parts)
        assert listing["type"] in ("default", "table", "grid")
        assert listing["categories"]
    repo = seed_site_repo(tmp_path / "repo")
    prepare(repo)
    for listing in (studies, insights, decisions):
        items = yaml.safe_load((repo / listing["contents"]).read_text("utf-8"))
        shown = [f for f in listing["fields"] if f != "categories"]
        assert items and all(f in item for item in items for f in shown if f != "date"), listing["contents"]
        assert set(listing["field-display-names"]) <= set(listing["fields"])
        assert set(listing["sort-ui"]) <= set(listing["fields"])  # Quarto drops sort keys not shown


def test_themes_load_no_web_fonts(config):
    for mode, layers in config["format"]["html"]["theme"].items():
        assert isinstance(layers, list) and layers[0] in ("flatly", "darkly"), mode
        for custom in layers[1:]:
            scss = (ROOT / custom).read_text("utf-8")
            assert scss.startswith("/*-- scss:defaults --*/") and "$web-font-path: false;" in scss


def test_project_files_are_all_there_and_named_by_the_site_module():
    from kit.site.build import PROJECT_FILES

    assert all((ROOT / name).is_file() for name in PROJECT_FILES)
    config_text = (ROOT / "_quarto.yml").read_text("utf-8")
    assert all(name in config_text for name in PROJECT_FILES if name.endswith(".scss"))


def test_a_one_study_site_keeps_its_sidebar_off_the_other_pages():
    studies = [publish.StudyPages("solo", "Solo study", {}, [("01-plan", "Plan")])]
    sidebars = publish.navigation(studies)["website"]["sidebar"]
    # Quarto applies a lone sidebar to every page: a second, empty one prevents that
    assert [s["id"] for s in sidebars] == ["solo", publish.NO_SIDEBAR]
    assert sidebars[1]["contents"] == []


def test_playbook_includes_the_editable_and_the_generated_text(tmp_path: Path):
    text = (ROOT / "playbook.qmd").read_text("utf-8")
    includes = re.findall(r"\{\{< include (\S+) >\}\}", text)
    assert includes == ["_playbook-intro.md", f"{publish.STUDIES_DIR}/{publish.PLAYBOOK_PART}"]
    assert (ROOT / includes[0]).is_file()
    repo = seed_site_repo(tmp_path / "repo")
    prepare(repo)
    assert "## Who does what" in (repo / includes[1]).read_text("utf-8")


def test_generated_navigation_points_at_published_copies(tmp_path: Path):
    repo = seed_site_repo(tmp_path / "repo")
    prepare(repo)
    nav = yaml.safe_load((repo / publish.STUDIES_DIR / publish.NAVIGATION).read_text("utf-8"))
    for target in nav["project"]["render"]:
        assert target.startswith(f"{publish.STUDIES_DIR}/") and target.endswith(".ipynb")
    for sidebar in nav["website"]["sidebar"]:
        assert sidebar["id"] and sidebar["title"]  # hybrid navigation: only on its own pages
        for item in sidebar["contents"]:
            assert (repo / item["href"]).is_file()


def test_studies_folder_is_git_ignored():
    assert "/studies/" in (ROOT / ".gitignore").read_text().split()


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text("utf-8"))


def test_workflow_builds_on_push_and_pull_request_and_deploys_only_main(workflow):
    on = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert on["push"]["branches"] == ["main"] and "pull_request" in on
    deploy = workflow["jobs"]["deploy"]
    assert "pull_request" in deploy["if"] and "refs/heads/main" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][-1]["uses"].startswith("actions/deploy-pages@")
    assert set(deploy["needs"]) == {"merge", "site-tests"}
    assert deploy["concurrency"]["cancel-in-progress"] is False  # never cancel a deployment half-way


def test_workflow_runs_the_browser_tests_with_quarto(workflow):
    job = workflow["jobs"]["site-tests"]
    runs = " ".join(s.get("run", "") for s in job["steps"])
    assert "apt-get install" in runs and "chromium" in runs
    assert "'.[dev,quarto]'" in runs
    tests = runs.split("pytest", 1)[1].split()
    for name in ("tests/site/test_quarto_project.py", "tests/e2e/test_site_browser.py"):
        assert name in tests and (ROOT / name).is_file(), name  # the files the job names exist
    step = next(s for s in job["steps"] if "test_site_browser.py" in s.get("run", ""))
    assert step["env"]["KIT_REQUIRE_QUARTO"] == "1"  # CI never skips the Quarto half


def test_pages_load_nothing_from_outside_and_show_money_as_text(config):
    html = config["format"]["html"]
    # No MathJax (CDN) and "$20 ... $35" stays text: https://pandoc.org/MANUAL.html#extension-tex_math_dollars
    assert html["html-math-method"] == "plain" and "-tex_math_dollars" in html["from"]
    # Resource globs anchored at the project root (an unanchored glob also matches inside an old _site/).
    resources = config["project"]["resources"]
    assert resources and all(r.startswith("/") for r in resources)
    assert f"/{publish.STUDIES_DIR}/{publish.SITE_ASSETS_DIR}/*" in resources


def test_workflow_steps_in_order(workflow):
    def steps_of(job: str) -> tuple[list[dict], callable]:
        steps = workflow["jobs"][job]["steps"]
        text = [s.get("run", "") or s.get("uses", "") for s in steps]
        return steps, lambda fragment: next(i for i, t in enumerate(text) if fragment in t)

    assert workflow["env"]["PYTHON_VERSION"] == "3.11"
    steps, at = steps_of("run")  # each shard
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "${{ env.PYTHON_VERSION }}"
    assert (
        at("pip install .")
        <= at("ipykernel install")
        < at("actions/cache@")
        < at("kit run")
        < at("actions/upload-artifact@")
    )
    cache = steps[at("actions/cache@")]
    assert cache["with"]["path"] == "reports"  # holds reports/<slug>/.manifest.json
    assert "hashFiles(" in cache["with"]["key"] and cache["with"]["restore-keys"].strip()
    steps, at = steps_of("merge")
    assert (
        at("pip install .")
        < at("actions/download-artifact@")
        < at("kit merge")
        < at("kit check --privacy")
        < at("quarto-dev/quarto-actions/setup@")
        < at("kit site --quarto")
        < at("actions/configure-pages@")
        < at("actions/upload-pages-artifact@")
    )
    upload = steps[at("actions/upload-pages-artifact@")]
    assert upload["with"]["path"] == "_site" and "pull_request" in upload["if"]


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not on PATH")
def test_quarto_renders_the_fixture_project(tmp_path: Path):
    from kit.site.build import build_site

    repo = seed_site_repo(tmp_path / "repo")
    out = build_site(repo, use_quarto=True, echo=lambda m: None)
    for page in ("index.html", "insights.html", "playbook.html", "panel.html", "studies/alpha/03-insights.html"):
        assert (out / page).is_file(), page
    assert not (out / "templates").exists() and not (out / "notebooks").exists()
    html = (out / "studies/alpha/01-plan.html").read_text("utf-8")
    assert "Secret plan title" not in html
    subprocess.run(["quarto", "check"], capture_output=True)  # diagnostic only
