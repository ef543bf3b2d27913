"""``kit site``: publish every study as one website.

First the repository index (``reports/index.json``) and the generated
``studies/`` folder (:mod:`kit.site.pages`) are refreshed. With Quarto on PATH,
``quarto render`` builds ``_site/`` from ``_quarto.yml``. Without it,
:mod:`kit.site.preview` builds a static preview of the same pages with
nbconvert. Either way the new site is built beside the old one and swapped
in only when complete, so a failed build leaves the previous ``_site/`` in place;
the swap is one atomic exchange (:func:`kit.iorw.swap_in`), so ``_site/`` is a
real folder that is never missing, also for a killed build, and what killed
builds left (staging folders, temporary files) is removed first.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from kit.errors import KitError
from kit.iorw import atomic_write_text, read_json, remove_leftovers, staged_dir
from kit.layout import (
    GLOSSARY_PAGE_PART,
    INDEX_JSON,
    NOTEBOOK_SOURCE_DIR,
    SITE_ASSETS_DIR,
    SITE_DIR,
    STUDIES_DIR,
    TOPICS_DIR,
    reports_root,
    scratch_folders,
)
from kit.lock import repository_lock
from kit.site import pages, preview, search_index, topics
from kit.site.codebook_page import codebook_data, codebook_markdown
from kit.site.feed import write_insights_feed
from kit.site.glossary import glossary_entries, glossary_markdown
from kit.site.impact import impact_data, impact_markdown
from kit.site.incremental import (
    SiteRecord,
    copy_previous,
    digest,
    remove_stale,
    shared_key,
    study_page_keys,
)
from kit.site.index import build_index
from kit.site.lifecycle_pages import due_for_review_markdown
from kit.site.panel_page import panel_data, panel_markdown
from kit.site.playbook import playbook_data, playbook_markdown
from kit.site.synthesis_facts import FACTS_RECORD, read_synthesis_facts
from kit.study.lifecycle import load_settings

# The Quarto project's own files at the repository root (everything else of
# the site is generated into studies/ by `kit site`).
PROJECT_FILES = (
    "_quarto.yml",
    "index.qmd",
    "insights.qmd",
    "decisions.qmd",
    "playbook.qmd",
    "codebook.qmd",
    "_playbook-intro.md",
    "panel.qmd",
    "impact.qmd",
    "topics.qmd",
    "glossary.qmd",
    "site-theme.scss",
    "site-theme-light.scss",
    "site-theme-dark.scss",
)
QUARTO_HINT = (
    "Quarto was not found on PATH: built a static preview instead. "
    "For the full site install Quarto (https://quarto.org/docs/get-started/) "
    "or `pip install '.[quarto]'`."
)


class SiteBuildError(KitError):
    """Rendering the site failed; the previous site is still in place."""


def quarto_path() -> str | None:
    """The ``quarto`` CLI, if installed (the Python package ``quarto`` is stale)."""
    return shutil.which("quarto")


BeforePublish = Callable[[Path], None]
"""Called with the staged site before it replaces _site/; raising a KitError discards it."""


def listing_pages(repo_root: Path) -> list[str]:
    """The project's own pages (``project: render:`` of ``_quarto.yml``): home, insights, playbook, topics.

    A glob there (``topics/*.qmd``) is expanded: ``quarto render`` is given files.
    """
    path = Path(repo_root) / "_quarto.yml"
    config = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None) or {}
    out: list[str] = []
    for target in (config.get("project", {}) or {}).get("render", []) or []:
        if any(c in str(target) for c in "*?["):
            out += sorted(p.relative_to(repo_root).as_posix() for p in Path(repo_root).glob(str(target)))
        else:
            out.append(str(target))
    return out


def render_quarto(
    repo_root: Path,
    quarto: str,
    before_publish: BeforePublish | None = None,
    studies: list[pages.StudyPages] | None = None,
    *,
    full: bool = False,
    echo: Callable[[str], None] | None = None,
    index: dict[str, Any] | None = None,
) -> Path:
    """Render with Quarto into a staging folder, then swap it in.

    With the previous site's record (:mod:`kit.site.incremental`) and not
    ``full``: the staging folder starts as a copy of the previous site and
    ``quarto render`` gets only the project's own pages (listings, playbook)
    and the study pages whose key changed; pages of removed studies are deleted.
    """
    site_dir = repo_root / SITE_DIR
    studies = studies if studies is not None else pages.collect_studies(repo_root, {})
    # A lone study's sidebar comes with an empty second one (pages.navigation): when that
    # changes, Quarto's navigation of every page may change with it.
    shared = digest(shared_key(repo_root, "quarto", [repo_root / name for name in PROJECT_FILES]), len(studies) == 1)
    keys = study_page_keys(shared, studies, pages.published_digests(repo_root))
    record = SiteRecord("quarto", shared) if full else SiteRecord.load(site_dir, "quarto", shared)
    partial = bool(record.pages) and site_dir.is_dir()
    kept = {rel for rel, key in keys.items() if partial and record.unchanged(rel, key, site_dir)}
    changed = [str(Path(rel).with_suffix(".ipynb")) for rel in keys if rel not in kept]
    # "_site.*": starts with "_", so never a Quarto input itself.
    with staged_dir(site_dir, prefix=f"{SITE_DIR}.") as staging:
        targets: list[str] = []
        if partial:
            copy_previous(site_dir, staging, kept)
            for rel in set(keys) - kept:  # rendered again: never written through a shared file
                remove_stale(staging, [rel])
            remove_stale(staging, set(record.pages) - set(keys))
            # The files `resources:` names are copied again below, as a full render copies them.
            published = staging / STUDIES_DIR
            for old in [*published.glob(f"*/{NOTEBOOK_SOURCE_DIR}"), published / SITE_ASSETS_DIR]:
                shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(staging / TOPICS_DIR, ignore_errors=True)  # every topic page is rendered again
            targets = listing_pages(repo_root) + changed
        proc = subprocess.run(
            [quarto, "render", *targets, "--output-dir", staging.name], cwd=repo_root, capture_output=True, text=True
        )
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise SiteBuildError(f"quarto render failed (exit {proc.returncode}); previous site kept:\n{tail}")
        if partial:
            copy_study_resources(repo_root, staging)
        topics.publish_feeds(repo_root, staging)
        search_index.tidy_quarto_index(staging)  # pages gone, cards as the hits (kit.site.search_index)
        if index is None:  # called on its own: the index kit site wrote
            found = reports_root(repo_root) / INDEX_JSON
            index = read_json(found) if found.is_file() else {}
        write_insights_feed(staging, repo_root, index or {}, preview.site_settings(repo_root)["title"])
        SiteRecord("quarto", shared, {rel: {"key": key} for rel, key in keys.items()}).save(staging)
        if before_publish:
            before_publish(staging)
    if echo:
        echo(
            f"quarto: rendered {len(changed)} of {len(keys)} study pages"
            + (", the others unchanged" if partial else " (full build)")
        )
    return site_dir


def copy_study_resources(repo_root: Path, site_dir: Path) -> None:
    """Copy what ``_quarto.yml``'s ``resources:`` publishes (plotly.js once, each page's code) into ``site_dir``.

    Quarto copies them on a full render; a render of chosen pages leaves the
    previous site's copies, which may belong to a renamed or deleted study.
    """
    studies = repo_root / STUDIES_DIR
    for src in [*studies.glob(f"{SITE_ASSETS_DIR}/*"), *studies.glob(f"*/{NOTEBOOK_SOURCE_DIR}/*.ipynb")]:
        target = site_dir / src.relative_to(repo_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # never write through a link to the previous site
        shutil.copy2(src, target)


def prepare(repo_root: Path, *, full: bool = False) -> tuple[dict[str, Any], list[pages.StudyPages]]:
    """Refresh ``reports/index.json`` and write ``studies/`` (pages, listings, navigation, glossary).

    Every published copy is written again when ``full``.
    """
    reports = reports_root(repo_root)
    index = build_index(reports) if reports.is_dir() else {"studies": [], "insights": []}
    slugs = [s.slug for s in pages.collect_studies(repo_root, index)]
    facts, facts_record = read_synthesis_facts(repo_root, slugs, reuse=not full)
    playbook_md = playbook_markdown(playbook_data(repo_root, slugs, facts))
    codebook_md = codebook_markdown(codebook_data(repo_root, slugs, facts))
    # The panel's counts as of the day the site is built (eligibility changes with the date).
    today = dt.date.today()
    panel_md = panel_markdown(panel_data(repo_root, today))
    # Outcomes are overdue, and review dates in words, as of the day the site is built
    # (no notebook needs to run again).
    impact_md = impact_markdown(impact_data(index, today))
    due_md = due_for_review_markdown(index, today, load_settings(repo_root).due_soon_days)
    studies = pages.write_studies_dir(
        repo_root,
        index,
        playbook_md,
        panel_md,
        codebook_md,
        due_md,
        reuse=not full,
        keep={FACTS_RECORD: facts_record},
        impact_md=impact_md,
    )
    topics.write_topics_dir(repo_root, topics.repository_topics(repo_root, index))
    # The kit's own table (data/reader_words.csv), the same for every repository: into the new studies/.
    atomic_write_text(repo_root / STUDIES_DIR / GLOSSARY_PAGE_PART, glossary_markdown(glossary_entries()))
    return index, studies


def build_site(
    repo_root: Path,
    *,
    use_quarto: bool | None = None,
    echo: Callable[[str], None] = print,
    before_publish: BeforePublish | None = None,
    full: bool = False,
) -> Path:
    """Build ``_site/``: Quarto when available (or asked), else the preview.

    Either way ``reports/index.json`` and ``studies/`` are refreshed first, and
    the new site replaces the old one only once it is complete and, when
    ``before_publish`` is given (``kit build``'s privacy check), once it has
    passed it. Only the pages whose inputs changed are rendered again
    (:mod:`kit.site.incremental`) unless ``full``.
    """
    repo_root = Path(repo_root).resolve()
    with repository_lock(repo_root):
        return _build_site(repo_root, use_quarto, echo, before_publish, full)


def _build_site(
    repo_root: Path,
    use_quarto: bool | None,
    echo: Callable[[str], None],
    before_publish: BeforePublish | None,
    full: bool,
) -> Path:
    quarto = quarto_path()
    if use_quarto and not quarto:
        raise SiteBuildError(
            "quarto requested but not found on PATH (https://quarto.org/docs/get-started/ or `pip install '.[quarto]'`)"
        )
    remove_leftovers(scratch_folders(repo_root))  # of killed commands; none of a live run: we hold the lock
    index, studies = prepare(repo_root, full=full)
    if quarto and use_quarto is not False:
        return render_quarto(repo_root, quarto, before_publish, studies, full=full, echo=echo, index=index)
    if use_quarto is None:
        echo(QUARTO_HINT)
    return preview.build_preview(repo_root, index, studies, repo_root / SITE_DIR, before_publish, full=full, echo=echo)
