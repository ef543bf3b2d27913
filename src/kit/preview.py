"""The static preview site, built with nbconvert when Quarto is absent.

One HTML page per executed notebook (input cells hidden, papermill's
injected-parameters cell removed) and an ``index.html`` linking every
study's pages, with a banner saying it is a preview.
"""
from __future__ import annotations

import html
import shutil
import tempfile
from pathlib import Path

from .iorw import read_json
from .runner import STAGES
from .site import SITE_DIR, swap_in

STAGE_TITLES = {"01-plan": "Plan", "02-sessions": "Synthesis", "03-insights": "Insights"}
BANNER = ('<div class="kit-preview-banner" style="background:#fff3cd;padding:.5em 1em;'
          'border-bottom:1px solid #e0c36c">Preview built without Quarto: '
          'install Quarto for the full site.</div>')


def _exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = ("injected-parameters",)
    c.TagRemovePreprocessor.enabled = True
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    return HTMLExporter(config=c, template_name="lab")


def executed_notebooks(repo_root: Path) -> dict[str, list[Path]]:
    """Executed stage notebooks per study slug, in stage order."""
    found: dict[str, list[Path]] = {}
    reports = repo_root / "reports"
    for study in sorted(p for p in reports.glob("*") if p.is_dir()):
        pages = [study / s for s in STAGES if (study / s).is_file()]
        if pages:
            found[study.name] = pages
    return found


def _study_title(repo_root: Path, slug: str) -> str:
    plan = repo_root / "reports" / slug / "plan.json"
    if plan.is_file():
        data = read_json(plan)
        return str(data.get("title") or data.get("study", {}).get("title") or slug)
    return slug


def build_preview(repo_root: Path) -> Path:
    """Build the preview into a staging folder and swap it in as ``_site/``."""
    import nbformat

    repo_root = Path(repo_root)
    staging = Path(tempfile.mkdtemp(prefix=f"{SITE_DIR}.", dir=repo_root))
    try:
        exporter = _exporter()
        items = []
        for slug, pages in executed_notebooks(repo_root).items():
            links = []
            for nb_path in pages:
                nb = nbformat.read(nb_path, as_version=4)
                body, _ = exporter.from_notebook_node(nb)
                body = _insert_banner(body)
                out = staging / slug / f"{nb_path.stem}.html"
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(body, encoding="utf-8")
                links.append(f'<a href="{slug}/{nb_path.stem}.html">'
                             f'{STAGE_TITLES.get(nb_path.stem, nb_path.stem)}</a>')
            title = html.escape(_study_title(repo_root, slug))
            items.append(f"<li><strong>{title}</strong>: {' · '.join(links)}</li>")
        index = ("<!doctype html><html><head><meta charset='utf-8'><title>Research studies</title>"
                 f"</head><body>{BANNER}<h1>Research studies</h1><ul>{''.join(items)}</ul>"
                 "</body></html>")
        (staging / "index.html").write_text(index, encoding="utf-8")
        swap_in(staging, repo_root / SITE_DIR)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return repo_root / SITE_DIR


def _insert_banner(page: str) -> str:
    i = page.find("<body")
    if i < 0:
        return BANNER + page
    j = page.find(">", i) + 1
    return page[:j] + BANNER + page[j:]
