"""The repository layout: every folder, stage notebook and output file name, in one place.

A research repository is files in git (see README.md, "The study folder"):

```
notebooks/<slug>/     a study: study.yml, insights.yml, data/
templates/            the stage notebooks papermill executes
reports/<slug>/       generated: executed notebooks and each stage's JSON
reports/index.json    every study and insight (written by kit.site.index only)
studies/              generated: the published copies the site renders
_site/                the built website
panel/                private: people.csv (the participant panel), rules.yml, programs.yml, purge-log.csv
.kit/                 kit init's record: template.json (kit version, file digests), base/ (the kit's files as written)
metrics/              PM metric series, one <metric_id>.csv per metric (recommendation outcomes)
```

No other module spells these names; they import them from here. The stage
list comes from the stage table ``data/stages.yml`` (what each stage reads
and writes), so it too is written once.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kit.errors import UsageError

NOTEBOOKS_DIR = "notebooks"
TEMPLATES_DIR = "templates"
REPORTS_DIR = "reports"
STUDIES_DIR = "studies"  # the published copies of each study's pages
SITE_ASSETS_DIR = "kit-assets"  # under studies/: files every study page shares (plotly.js), once per site
PLOTLY_JS = "plotly.min.js"
SITE_A11Y_JS = "site-a11y.js"  # beside it: the accessibility script every page of both engines loads
NOTEBOOK_SOURCE_DIR = "source"  # under studies/<slug>/: the published notebooks, for readers who want the code
SITE_DIR = "_site"
DATA_DIR = "data"  # inside a study folder
TRANSCRIPTS_DIR = "transcripts"  # inside data/
CODING_DIR = "coding"  # inside data/: one <coder>.csv per coder (double coding)
REQUESTS_DIR = "requests"  # repository-level feature requests exported from a tracker (requests/*.csv)
CODEBOOK_FILE = "codebook.yml"  # the shared codebook at the repository root (and per-study additions)
METRICS_DIR = "metrics"  # repository-level metric series (metrics/<metric_id>.csv)
KIT_RECORD_DIR = ".kit"  # kit init's and kit upgrade's record of the kit's files (kit.repository)
TEMPLATE_RECORD_FILE = "template.json"  # in .kit/: kit version, title, digest of each kit file as written
TEMPLATE_BASE_DIR = "base"  # in .kit/: each kit file as the kit last wrote it (the base of a three-way merge)
KIT_NEW_SUFFIX = ".kit-new"  # beside a kit file the team changed: the kit's new version, to merge by hand
HOME_PAGE_PART = "_home.md"  # in studies/: the generated part of the home page (no studies yet: how to start)
LIFECYCLE_FILE = "lifecycle.yml"  # optional, at the repository root: insights' review periods (kit.study.lifecycle)
INSIGHTS_FEED = "insights.xml"  # in _site/: the RSS feed of the current insights (kit.site.feed)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
"""A study's folder name: lower-case letters, digits and '-' (no '/', '.', '..': it cannot climb out)."""
SLUG_EXPECTED = "2-63 lower-case letters, digits and '-', starting with a letter or digit"

STUDY_FILE = "study.yml"
INSIGHTS_FILE = "insights.yml"
PLAN_JSON = "plan.json"
SYNTHESIS_JSON = "synthesis.json"
INSIGHTS_JSON = "insights.json"
INDEX_JSON = "index.json"
LOCK_FILE = ".kit-run.lock"
SHARD_JSON = ".shard.json"  # in reports/: which shard of how many ran it (kit run --shard)
COSTS_JSON = ".costs.json"  # in reports/: slug -> last run seconds, for shard assignment
PANEL_DIR = "panel"  # private, at the repository root: never published
PEOPLE_FILE = "people.csv"  # the participant panel
PANEL_RULES_FILE = "rules.yml"  # contact limits, retention, consent versions in force
PROGRAMS_FILE = "programs.yml"  # beta programs: owner, dates, members (person_ids), feedback table
PURGE_LOG_FILE = "purge-log.csv"  # what `kit purge` deleted (counts and ids, no personal data)
INVITES_FILE = "invites.csv"  # `kit recruit`'s proposal, in the study's private data/
THEME_PINS_FILE = "themes.csv"  # in data/: theme ids kept with their notes (written by `kit purge`)
PURGE_JOURNAL_FILE = ".purge-journal.json"  # in panel/: a purge's edits, written before any (resumable)
PURGED_NAMES_FILE = "purged-names.json"  # in panel/: salted hashes of the names purges removed
PANEL_PAGE_PART = "_panel.md"  # the generated part of the Panel page, in studies/
IMPACT_PAGE_PART = "_impact.md"  # the generated part of the Impact page (impact.qmd), in studies/
GLOSSARY_PAGE_PART = "_glossary.md"  # the Glossary page's terms (glossary.qmd includes it), in studies/
INSIGHTS_PAGE = "03-insights.html"  # the published insights page of a study
TOPICS_DIR = "topics"  # generated at the root (git-ignored) and in _site/: one page and one RSS feed per topic
TOPICS_INDEX_PART = "_index.md"  # in topics/: the list of topics that topics.qmd includes
ASK_INDEX_DIR = ".ask-index"  # in reports/: `kit ask`'s search index, keyed by the insights' digests
INSIGHTS_EXPORTS = ("insights.csv", "recommendations.csv", "recommendations.json")
"""Spreadsheet and tracker exports the insights stage writes beside insights.json."""


def kit_data(name: str) -> str:
    """The text of one of the kit's packaged data files (``kit/data/<name>``)."""
    return resources.files("kit").joinpath("data", name).read_text(encoding="utf-8")


def kit_data_dir() -> Path:
    """The folder of the kit's packaged data files (rule tables, page templates, assets)."""
    return Path(str(resources.files("kit").joinpath("data")))


@functools.cache
def stage_table() -> tuple[dict[str, Any], ...]:
    """The rows of ``data/stages.yml`` in run order (see :mod:`kit.run.manifest`)."""
    return tuple(yaml.safe_load(kit_data("stages.yml")))


def stages() -> tuple[str, ...]:
    """The stage notebooks in run order: ``01-plan.ipynb``, ``02-sessions.ipynb`` ..."""
    return tuple(row["notebook"] for row in stage_table())


STAGES: tuple[str, ...] = stages()


def stage_pages() -> dict[str, str]:
    """Each stage's page on the site, in run order: notebook stem (``01-plan``) -> title (``Plan``)."""
    return {Path(row["notebook"]).stem: row["page"] for row in stage_table()}


def study_folder(repo_root: str | Path, slug: str, *, must_exist: bool = True, argument: str = "SLUG") -> Path:
    """``<repo>/notebooks/<slug>``, refused (:class:`UsageError`, exit 2) unless it is a study folder there.

    Every command that takes a slug comes through here, so no slug reaches
    the file system unchecked (issue 26, point 7: ``kit export --qdpx
    ../../victim`` wrote ``/tmp/victim.qdpx``). The slug must match
    :data:`SLUG_RE`, which leaves no way to spell a parent or a separator;
    and the folder, resolved (symbolic links followed), must be a child of
    ``notebooks/``, so a link to a folder elsewhere is refused too.
    ``must_exist=False`` is for ``kit new``, which creates it.
    """
    if not SLUG_RE.fullmatch(slug):
        raise UsageError(f"{argument} {slug!r}: invalid slug, expected {SLUG_EXPECTED}")
    base = notebooks_root(repo_root).resolve()
    folder = base / slug
    if folder.resolve().parent != base:
        raise UsageError(f"{argument} {slug!r}: {NOTEBOOKS_DIR}/{slug} leads outside {NOTEBOOKS_DIR}/ (a link?)")
    if must_exist and not folder.is_dir():
        raise UsageError(f"unknown study '{slug}': no folder {NOTEBOOKS_DIR}/{slug}/")
    return folder


def inside_repository(repo_root: str | Path, path: str | Path, argument: str) -> Path:
    """``path`` (relative to the current folder, as typed) resolved, refused unless it is inside the repository.

    For file-name arguments a command writes to (``kit export -o FILE``): the
    kit writes nothing outside the repository it was asked to work on.
    """
    root = Path(repo_root).resolve()
    target = Path(path).resolve()
    if target != root and root not in target.parents:
        raise UsageError(f"{argument} {str(path)!r}: resolves to {target}, outside the repository {root}")
    return target


def study_slug(study_dir: str | Path) -> str:
    """The study's slug is its folder name."""
    return Path(study_dir).resolve().name


def repo_root_for(study_dir: str | Path) -> Path:
    """The repository holding ``notebooks/<slug>`` (two levels up)."""
    return Path(study_dir).resolve().parent.parent


def reports_root(repo_root: str | Path) -> Path:
    """``<repo>/reports``."""
    return Path(repo_root) / REPORTS_DIR


def notebooks_root(repo_root: str | Path) -> Path:
    """``<repo>/notebooks``, the study folders."""
    return Path(repo_root) / NOTEBOOKS_DIR


def lifecycle_path(repo_root: str | Path) -> Path:
    """``<repo>/lifecycle.yml``: the repository's review periods for insights (optional)."""
    return Path(repo_root) / LIFECYCLE_FILE


def templates_root(repo_root: str | Path) -> Path:
    """``<repo>/templates``, the stage notebooks."""
    return Path(repo_root) / TEMPLATES_DIR


def metrics_root(repo_root: str | Path) -> Path:
    """``<repo>/metrics``, the PM metric series recommendations are judged by."""
    return Path(repo_root) / METRICS_DIR


def panel_root(repo_root: str | Path) -> Path:
    """``<repo>/panel``, the participant panel (private like ``data/``)."""
    return Path(repo_root) / PANEL_DIR


def people_path(repo_root: str | Path) -> Path:
    """``<repo>/panel/people.csv``."""
    return panel_root(repo_root) / PEOPLE_FILE


def panel_rules_path(repo_root: str | Path) -> Path:
    """``<repo>/panel/rules.yml``."""
    return panel_root(repo_root) / PANEL_RULES_FILE


def programs_path(repo_root: str | Path) -> Path:
    """``<repo>/panel/programs.yml``: the beta programs."""
    return panel_root(repo_root) / PROGRAMS_FILE


def purge_log_path(repo_root: str | Path) -> Path:
    """``<repo>/panel/purge-log.csv``."""
    return panel_root(repo_root) / PURGE_LOG_FILE


def purge_journal_path(repo_root: str | Path) -> Path:
    """``<repo>/panel/.purge-journal.json``: a purge not yet complete."""
    return panel_root(repo_root) / PURGE_JOURNAL_FILE


def purged_names_path(repo_root: str | Path) -> Path:
    """``<repo>/panel/purged-names.json``."""
    return panel_root(repo_root) / PURGED_NAMES_FILE


def study_reports(repo_root: str | Path, slug: str) -> Path:
    """``<repo>/reports/<slug>``."""
    return reports_root(repo_root) / slug


def reports_dir_for(study_dir: str | Path, reports_dir: str | Path | None = None) -> Path:
    """Where a study's stage outputs go: ``reports/<slug>`` unless given (papermill's ``reports_dir``)."""
    if reports_dir:
        return Path(reports_dir)
    return study_reports(repo_root_for(study_dir), study_slug(study_dir))


def insight_href(slug: str, insight_id: str) -> str:
    """Link to an insight's card, relative to the site root (``studies/<slug>/03-insights.html#insight-I1``)."""
    return f"{STUDIES_DIR}/{slug}/{INSIGHTS_PAGE}#insight-{insight_id}"


def topic_href(slug: str) -> str:
    """A topic page, relative to the site root (``topics/shipping-cost.html``); its feed is ``.xml`` beside it."""
    return f"{TOPICS_DIR}/{slug}.html"


def scratch_folders(repo_root: str | Path) -> list[Path]:
    """Every folder the kit writes into through a temporary file or a staging folder (:mod:`kit.iorw`).

    Where a killed command can leave them: the root (staging of ``_site/``,
    ``studies/``, ``reports/``), ``reports/`` and each study's reports, the
    study folders (``kit new``, forms, ``--apply-synonyms``) and the panel.
    """
    root = Path(repo_root)
    studies = sorted(p for p in notebooks_root(root).glob("*") if p.is_dir())
    return [
        root,
        reports_root(root),
        *sorted(p for p in reports_root(root).glob("*") if p.is_dir()),
        notebooks_root(root),
        *studies,
        *(s / DATA_DIR for s in studies),
        *(s / DATA_DIR / CODING_DIR for s in studies),
        panel_root(root),
        root / STUDIES_DIR,
    ]


def template_record_path(repo_root: str | Path) -> Path:
    """``<repo>/.kit/template.json``: which kit version wrote the repository's kit files, and their digests."""
    return Path(repo_root) / KIT_RECORD_DIR / TEMPLATE_RECORD_FILE


def template_base_root(repo_root: str | Path) -> Path:
    """``<repo>/.kit/base``: the kit's files as the kit last wrote them (paths as in the repository)."""
    return Path(repo_root) / KIT_RECORD_DIR / TEMPLATE_BASE_DIR


def team_owned_paths() -> tuple[str, ...]:
    """What ``kit upgrade`` never touches: the studies, the codebook, the panel, requests and metrics.

    (``insights.yml`` lives in the study folders, under ``notebooks/``.)
    """
    return (NOTEBOOKS_DIR, CODEBOOK_FILE, INSIGHTS_FILE, PANEL_DIR, REQUESTS_DIR, METRICS_DIR)


def is_study_report_dir(path: Path) -> bool:
    """A folder of ``reports/`` that holds a study (``.`` and ``_`` folders never do)."""
    return path.is_dir() and not path.name.startswith((".", "_"))
