"""kit.site.build / kit.site.pages / kit.site.playbook: what `kit site` generates, and how a build fails safely."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import nbformat
import pytest
import yaml

from kit.site import pages as publish
from kit.site import published
from kit.site.build import QUARTO_HINT, SiteBuildError, build_site, prepare
from kit.site.playbook import playbook_data, playbook_markdown
from site_fixture import HOSTILE, seed_site_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return seed_site_repo(tmp_path / "repo")


def _yaml(path: Path):
    return yaml.safe_load(path.read_text("utf-8"))


def test_prepare_rebuilds_the_index_and_writes_listing_files(repo: Path):
    index, studies = prepare(repo)
    assert (repo / "reports" / "index.json").is_file()
    assert [s.slug for s in studies] == ["alpha", "beta"]  # beta has no insights.json but has pages
    items = _yaml(repo / "studies" / publish.STUDY_LISTING)
    alpha = next(i for i in items if i["title"] == "Alpha checkout study")
    assert alpha["path"] == "studies/alpha/03-insights.html"
    assert (alpha["product-area"], alpha["status"], alpha["participants"], alpha["insights"]) == (
        "Checkout",
        "synthesis",
        5,
        2,
    )
    assert alpha["owners"] == "Pat PM (PM), Uma UXR (UXR)"
    assert alpha["dates"] == "2026-10-01 – 2026-11-01"
    beta = next(i for i in items if i["title"] == "Beta onboarding test")
    assert beta["path"] == "studies/beta/02-sessions.html"  # no insights page: its last stage

    insights = _yaml(repo / "studies" / publish.INSIGHT_LISTING)
    assert [i["path"] for i in insights] == [
        "studies/alpha/03-insights.html#insight-I1",
        "studies/alpha/03-insights.html#insight-I2",
    ]
    first = insights[0]
    assert {"payment", "error", "Checkout", "confidence: high", "recommendation: accepted"} == set(first["categories"])
    # Quarto renders listing fields as Markdown and categories as raw HTML: both arrive escaped.
    assert first["title"] == (
        'Payment errors confuse people \\<script\\>window.\\_\\_xss=1\\</script\\> "P02" \\& \\<b\\>bold\\</b\\>'
    )
    index = json.loads((repo / "reports" / "index.json").read_text("utf-8"))
    assert HOSTILE in publish.insight_listing_items(index)[0]["title"]  # the preview's plain items
    assert all(v is not None for item in items + insights for v in item.values())


def test_quarto_text_is_literal_markdown_and_shortcodes_stay_text():
    assert (
        published.quarto_title("Checkout $20 <b>x</b> {{< env GH_TOKEN >}}")
        == "Checkout $20 \\<b\\>x\\</b\\> {{{\\< env GH\\_TOKEN \\>}}}"
    )
    assert published.quarto_title("Alpha checkout study: Plan") == "Alpha checkout study: Plan"
    [item] = publish.quarto_listing_items(
        [
            {
                "title": "[a](javascript:x)",
                "path": "studies/a_b/x.html",
                "date": "2026-01-01",
                "insights": 3,
                "categories": ["<img src=x onerror=alert(1)>", "a & b"],
            }
        ]
    )
    assert item == {
        "title": "\\[a\\](javascript:x)",
        "path": "studies/a_b/x.html",
        "date": "2026-01-01",
        "insights": 3,
        "categories": ["&lt;img src=x onerror=alert(1)&gt;", "a &amp; b"],
    }


def test_navigation_lists_only_the_pages_that_exist(repo: Path):
    prepare(repo)
    nav = _yaml(repo / "studies" / publish.NAVIGATION)
    assert nav["project"]["render"] == [
        "studies/alpha/01-plan.ipynb",
        "studies/alpha/02-sessions.ipynb",
        "studies/alpha/03-insights.ipynb",
        "studies/beta/01-plan.ipynb",
        "studies/beta/02-sessions.ipynb",
    ]
    for path in nav["project"]["render"]:
        assert (repo / path).is_file()
    sidebars = {s["id"]: s for s in nav["website"]["sidebar"]}
    assert sidebars["beta"]["title"] == "Beta onboarding test"
    assert [c["text"] for c in sidebars["alpha"]["contents"]] == ["Plan", "Synthesis", "Insights"]


def test_published_copy_drops_parameter_cells_and_widget_state(repo: Path):
    prepare(repo)
    nb = nbformat.read(repo / "studies" / "alpha" / "01-plan.ipynb", as_version=4)
    nbformat.validate(nb)
    tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
    assert "parameters" not in tags and "injected-parameters" not in tags
    text = json.dumps(nb)
    assert "Secret plan title" not in text and "reports_dir = None" not in text
    assert "widgets" not in nb.metadata
    front = nb.cells[0]
    assert front.cell_type == "raw"
    assert yaml.safe_load(front.source.strip().strip("-")) == {"title": "Alpha checkout study: Plan"}
    assert nb.cells[1].source == "What this page shows."  # the notebook's own H1 gave way to the title
    # the executed notebook itself is untouched
    original = nbformat.read(repo / "reports" / "alpha" / "01-plan.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in original.cells)


def test_stale_study_pages_are_removed(repo: Path):
    prepare(repo)
    import shutil

    shutil.rmtree(repo / "reports" / "beta")
    prepare(repo)
    assert not (repo / "studies" / "beta").exists()
    assert "beta" not in (repo / "studies" / publish.NAVIGATION).read_text()


def test_playbook_takes_the_majority_accountable_and_names_studies_that_differ(repo: Path):
    data = playbook_data(repo, ["alpha", "beta"])
    rows = {r["activity"]: r for r in data["activities"]}
    # planning: alpha says UXR, beta says PM; tie -> the activity table's usual role (UXR)
    assert rows["planning"]["accountable"] == "UXR"
    assert rows["planning"]["exceptions"] == {"beta": "PM"}
    assert rows["customer communication"]["accountable"] == "PM"
    assert rows["customer communication"]["responsible"] == ["Support"]
    md = playbook_markdown(data)
    assert "| planning |" in md and "beta: PM" in md
    assert "## How PMs observe sessions" in md and "| alpha | 5 | 4 | 3 | PM 3 |" in md
    assert "| Pat PM (PM) | 1 |" in md


def test_without_quarto_one_line_says_so(repo: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(repo))  # no quarto anywhere
    said: list[str] = []
    out = build_site(repo, echo=said.append)
    assert out == repo / "_site" and (out / "index.html").is_file()
    assert said[0] == QUARTO_HINT and "\n" not in QUARTO_HINT
    assert not any("Quarto" in m for m in said[1:])  # the rest: what the preview rendered
    with pytest.raises(SiteBuildError, match="quarto requested but not found"):
        build_site(repo, use_quarto=True, echo=said.append)


def test_a_failed_preview_build_keeps_the_previous_site(repo: Path, monkeypatch):
    build_site(repo, use_quarto=False, echo=lambda m: None)
    before = (repo / "_site" / "index.html").read_text()
    (repo / "reports" / "alpha" / "02-sessions.ipynb").write_text("{ not json")
    with pytest.raises(ValueError):
        build_site(repo, use_quarto=False, echo=lambda m: None)
    assert (repo / "_site" / "index.html").read_text() == before
    assert sorted(p.name for p in repo.iterdir() if p.name.startswith(("_site", ".studies"))) == ["_site"]


def _fake_quarto(bin_dir: Path, exit_code: int) -> None:
    """A stand-in `quarto` that writes a page into --output-dir (or fails)."""
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "quarto"
    script.write_text(
        "#!/bin/sh\n"
        f'[ "{exit_code}" = 0 ] || {{ echo "ERROR: listing broke" >&2; exit {exit_code}; }}\n'
        'out=; prev=; for a in "$@"; do [ "$prev" = --output-dir ] && out=$a; prev=$a; done\n'
        'mkdir -p "$out" && echo "<html>quarto $1</html>" > "$out/index.html"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_quarto_renders_into_staging_and_a_failure_keeps_the_previous_site(repo: Path, monkeypatch):
    bin_dir = repo.parent / "bin"
    _fake_quarto(bin_dir, 0)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    said: list[str] = []
    out = build_site(repo, echo=said.append)
    assert said == ["quarto: rendered 5 of 5 study pages (full build)"]  # no hint about the preview
    assert (out / "index.html").read_text().strip() == "<html>quarto render</html>"
    assert (repo / "studies" / publish.STUDY_LISTING).is_file()  # generated before rendering
    _fake_quarto(bin_dir, 1)
    with pytest.raises(SiteBuildError, match="(?s)previous site kept.*listing broke"):
        build_site(repo, echo=lambda m: None)
    assert (out / "index.html").read_text().strip() == "<html>quarto render</html>"
    assert not list(repo.glob("_site.*"))  # the failed staging folder is gone


def test_widget_views_keep_only_their_static_fallback():
    nb = {
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": "form()",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                            "text/plain": "VBox(...)",
                        },
                    }
                ],
            }
        ],
    }
    pub = published.published_notebook(nb)
    assert pub["cells"][0]["outputs"][0]["data"] == {"text/plain": "VBox(...)"}
    assert "widget-view" in json.dumps(nb)  # the input is not changed


def test_site_build_waits_for_no_one_while_a_run_holds_the_lock(repo: Path):
    from filelock import FileLock

    from kit.errors import RunLockedError
    from kit.layout import LOCK_FILE

    with FileLock(str(repo / LOCK_FILE)):
        with pytest.raises(RunLockedError, match="another 'kit run' is running .*, or 'kit site'"):
            build_site(repo, use_quarto=False, echo=lambda m: None)
    assert build_site(repo, use_quarto=False, echo=lambda m: None).is_dir()
