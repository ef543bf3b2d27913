"""``kit site``: publish every study as one website.

First the repository index (``reports/index.json``) and the generated
``studies/`` folder (:mod:`kit.site.pages`) are refreshed. With Quarto on PATH,
``quarto render`` builds ``_site/`` from ``_quarto.yml``. Without it,
:mod:`kit.site.preview` builds a static preview of the same pages with
nbconvert. Either way the new site is built beside the old one and swapped
in only when complete, so a failed build leaves the previous ``_site/`` in place.
"""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from kit.errors import KitError
from kit.iorw import staged_dir
from kit.layout import SITE_DIR, reports_root
from kit.lock import repository_lock
from kit.site import pages, preview
from kit.site.codebook_page import codebook_data, codebook_markdown
from kit.site.index import build_index
from kit.site.playbook import playbook_data, playbook_markdown

# The Quarto project's own files at the repository root (everything else of
# the site is generated into studies/ by `kit site`).
PROJECT_FILES = ("_quarto.yml", "index.qmd", "insights.qmd", "playbook.qmd", "codebook.qmd", "_playbook-intro.md",
                 "site-theme.scss")
QUARTO_HINT = ("Quarto was not found on PATH: built a static preview instead. "
               "For the full site install Quarto (https://quarto.org/docs/get-started/) "
               "or `pip install '.[quarto]'`.")


class SiteBuildError(KitError):
    """Rendering the site failed; the previous site is still in place."""


def quarto_path() -> str | None:
    """The ``quarto`` CLI, if installed (the Python package ``quarto`` is stale)."""
    return shutil.which("quarto")


BeforePublish = Callable[[Path], None]
"""Called with the staged site before it replaces _site/; raising a KitError discards it."""


def render_quarto(repo_root: Path, quarto: str, before_publish: BeforePublish | None = None) -> Path:
    """Render with Quarto into a staging folder, then swap it in."""
    site_dir = repo_root / SITE_DIR
    # "_site.*": starts with "_", so never a Quarto input itself.
    with staged_dir(site_dir, prefix=f"{SITE_DIR}.") as staging:
        proc = subprocess.run([quarto, "render", "--output-dir", staging.name], cwd=repo_root,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise SiteBuildError(f"quarto render failed (exit {proc.returncode}); previous site kept:\n{tail}")
        if before_publish:
            before_publish(staging)
    return site_dir


def prepare(repo_root: Path) -> tuple[dict, list]:
    """Refresh ``reports/index.json`` and write ``studies/`` (pages, listings, navigation)."""
    reports = reports_root(repo_root)
    index = build_index(reports) if reports.is_dir() else {"studies": [], "insights": []}
    slugs = [s.slug for s in pages.collect_studies(repo_root, index)]
    playbook_md = playbook_markdown(playbook_data(repo_root, slugs))
    codebook_md = codebook_markdown(codebook_data(repo_root, slugs))
    studies = pages.write_studies_dir(repo_root, index, playbook_md, codebook_md)
    return index, studies


def build_site(repo_root: Path, *, use_quarto: bool | None = None,
               echo=print, before_publish: BeforePublish | None = None) -> Path:
    """Build ``_site/``: Quarto when available (or asked), else the preview.

    Either way ``reports/index.json`` and ``studies/`` are refreshed first, and
    the new site replaces the old one only once it is complete and, when
    ``before_publish`` is given (``kit build``'s privacy check), once it has
    passed it.
    """
    repo_root = Path(repo_root).resolve()
    with repository_lock(repo_root):
        return _build_site(repo_root, use_quarto, echo, before_publish)


def _build_site(repo_root: Path, use_quarto: bool | None, echo, before_publish: BeforePublish | None) -> Path:
    quarto = quarto_path()
    if use_quarto and not quarto:
        raise SiteBuildError("quarto requested but not found on PATH "
                             "(https://quarto.org/docs/get-started/ or `pip install '.[quarto]'`)")
    index, studies = prepare(repo_root)
    if quarto and use_quarto is not False:
        return render_quarto(repo_root, quarto, before_publish)
    if use_quarto is None:
        echo(QUARTO_HINT)
    return preview.build_preview(repo_root, index, studies, repo_root / SITE_DIR, before_publish)
