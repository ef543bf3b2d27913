"""What the site publishes: study pages, listing files and navigation, from reports/.

``kit site`` first refreshes ``reports/index.json`` (:func:`kit.site.index.build_index`),
then writes the generated folder ``studies/`` (git-ignored) that both engines read:

- ``studies/<slug>/<stem>.ipynb``, one per stage the study ran (the stage
  table ``data/stages.yml`` names each page): the *published copies* of the
  executed notebooks, and ``studies/<slug>/source/<stem>.ipynb`` their code
  (:mod:`kit.site.published`).
- ``studies/kit-assets/plotly.min.js``: plotly.js, once for the whole site.
- ``studies/listing-studies.yml`` / ``studies/listing-insights.yml`` /
  ``studies/listing-decisions.yml``: the items of the Quarto listings on
  ``index.qmd``, ``insights.qmd`` and ``decisions.qmd`` (:mod:`kit.site.decisions`) ("Metadata File
  Listings": https://quarto.org/docs/websites/website-listings-custom.html).
  Their names must not start with ``_``: Quarto skips ``_*`` files in listing contents.
- ``studies/_navigation.yml``: merged into ``_quarto.yml`` through
  ``metadata-files`` (arrays concatenate): the render list of the study pages and
  one sidebar per study (hybrid navigation:
  https://quarto.org/docs/websites/website-navigation.html#hybrid-navigation).
- ``studies/_playbook.md``: the generated part of the playbook (:mod:`kit.site.playbook`).
- ``studies/_panel.md``: the counts of the Panel page (:mod:`kit.site.panel_page`).
- ``studies/_impact.md``: the figures of the Impact page (:mod:`kit.site.impact`).
- ``studies/_codebook.md``: the generated part of the Codebook page (:mod:`kit.site.codebook_page`).
- ``studies/_home.md``: the home page's word to a repository with no study yet (how to start one), else empty.
- ``studies/listing-insights-past.yml`` and ``studies/_due-for-review.md``: the
  insights that are not current, and those due for review (:mod:`kit.site.lifecycle_pages`).

Site pages live at ``studies/<slug>/<stage>.html`` in both engines, so the
repository index's links (``<slug>/03-insights.html#insight-I1``) get one prefix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kit.display import markdown_text, reader_word
from kit.errors import KitError, StageOrderError
from kit.iorw import read_json, staged_dir
from kit.layout import (
    HOME_PAGE_PART,
    IMPACT_PAGE_PART,
    INSIGHTS_PAGE,
    NOTEBOOK_SOURCE_DIR,
    PANEL_PAGE_PART,
    PLAN_JSON,
    SITE_ASSETS_DIR,
    STUDIES_DIR,
    kit_data,
    reports_root,
    stage_pages,
)
from kit.outputs.plan import read_plan
from kit.site import cells as cells_mod
from kit.site import decisions, lifecycle_pages, published
from kit.site.categories import one_spelling

STAGE_PAGES: dict[str, str] = stage_pages()  # notebook stem -> page title, in run order
INSIGHTS_STEM = Path(INSIGHTS_PAGE).stem
STUDY_LISTING = "listing-studies.yml"
INSIGHT_LISTING = "listing-insights.yml"
DECISION_LISTING = "listing-decisions.yml"
NAVIGATION = "_navigation.yml"
PLAYBOOK_PART = "_playbook.md"
PUBLISHED_RECORD = ".published.json"  # what each published copy was made from (".": not a Quarto input)
# The code that makes a published copy: a change to it rewrites every copy (see write_studies_dir).
_OWN_CODE = hashlib.sha256(
    b"".join(Path(code).read_bytes() for code in (__file__, published.__file__, cells_mod.__file__))
).digest()
CODEBOOK_PART = "_codebook.md"  # the generated part of codebook.qmd (kit.site.codebook_page)
NO_SIDEBAR = "kit-site-pages"  # the empty sidebar of a one-study site (see navigation)


def home_markdown(studies: list[Any]) -> str:
    """The home page's generated part: how to start a study (``data/no_studies.md``) while there is none."""
    return "" if studies else kit_data("no_studies.md")


@dataclass
class StudyPages:
    """One study as the site shows it."""

    slug: str
    title: str
    info: dict[str, Any]  # the index's study entry (or what plan.json gives)
    pages: list[tuple[str, str]] = field(default_factory=list)  # (stem, label)

    def href(self, stem: str) -> str:
        return f"{STUDIES_DIR}/{self.slug}/{stem}.html"

    @property
    def main_page(self) -> str:
        """Insights first (what a PM came for), else the last stage that ran."""
        stems = [s for s, _ in self.pages]
        return self.href(INSIGHTS_STEM if INSIGHTS_STEM in stems else stems[-1])


def _plan_info(reports: Path, slug: str) -> dict[str, Any]:
    try:
        plan = read_plan(reports / slug / PLAN_JSON).plan
    except StageOrderError:  # no usable plan.json: the slug stands in for the title
        return {
            "slug": slug,
            "title": slug,
            "product_area": "",
            "status": "",
            "start_date": None,
            "date": "",
            "owners": [],
            "participant_count": 0,
            "insight_count": 0,
        }
    owners = [o for o in (plan.pm_owner, plan.uxr_owner) if o]
    return {
        "slug": slug,
        "title": plan.title,
        "product_area": plan.product_area,
        "status": plan.status,
        "start_date": plan.start_date.isoformat(),
        "date": plan.deadline.isoformat() if plan.deadline else "",
        "owners": owners,
        "participant_count": 0,
        "insight_count": 0,
    }


def collect_studies(repo_root: Path, index: dict[str, Any]) -> list[StudyPages]:
    """Every study with at least one executed stage notebook, index order first."""
    reports = reports_root(repo_root)
    by_slug = {s["slug"]: s for s in index.get("studies", [])}
    slugs = list(by_slug) + sorted(
        p.name for p in reports.glob("*") if p.is_dir() and not p.name.startswith((".", "_")) and p.name not in by_slug
    )
    if SITE_ASSETS_DIR in slugs:  # the shared assets' folder lies beside the study folders
        raise KitError(
            f"{reports / SITE_ASSETS_DIR}: the study slug {SITE_ASSETS_DIR!r} is reserved for "
            "the site's shared files; rename the study (notebooks/<slug>/ and reports/<slug>/)"
        )
    studies = []
    for slug in slugs:
        pages = [(stem, label) for stem, label in STAGE_PAGES.items() if (reports / slug / f"{stem}.ipynb").is_file()]
        if not pages:
            continue
        info = by_slug.get(slug) or _plan_info(reports, slug)
        studies.append(StudyPages(slug, str(info.get("title") or slug), info, pages))
    return studies


LITERAL_LISTING_FIELDS = frozenset({"path", "date", "replaced-by"})


def quarto_listing_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Listing items as Quarto shows them literally.

    Quarto renders a listing's text fields as Markdown (``<b>`` stays HTML,
    ``{{< env HOME >}}`` is expanded): each gets Markdown escapes. Categories are
    put into the page as HTML without escaping: each is HTML-escaped. The preview
    escapes on its own and uses the plain items.
    """

    def one(key: str, value: Any) -> Any:
        if key == "categories":
            return [html.escape(str(c), quote=True) for c in value]
        if key in LITERAL_LISTING_FIELDS or not isinstance(value, str):
            return value
        return markdown_text(value)

    return [{k: one(k, v) for k, v in item.items()} for item in items]


def _date_range(info: dict[str, Any]) -> str:
    start, end = info.get("start_date"), info.get("date")
    return f"{start} – {end}" if start and end else str(end or start or "")


def _present(item: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values: a listing field Quarto would show as "null"."""
    return {k: v for k, v in item.items() if v is not None}


def study_listing_items(studies: list[StudyPages]) -> list[dict[str, Any]]:
    """Items of the studies listing (index.qmd)."""
    return [
        _present(
            {
                "title": s.title,
                "path": s.main_page,
                "date": s.info.get("date") or None,
                "product-area": s.info.get("product_area", ""),
                "status": s.info.get("status", ""),
                "dates": _date_range(s.info),
                "owners": ", ".join(s.info.get("owners", [])),
                "participants": int(s.info.get("participant_count") or 0),
                "insights": int(s.info.get("insight_count") or 0),
                "categories": [c for c in (s.info.get("product_area"), s.info.get("status")) if c],
            }
        )
        for s in studies
    ]


def category_spellings(index: dict[str, Any]) -> dict[str, str]:
    """Every tag and product area of the index -> the one spelling shown (case aside, one category)."""
    entries = index.get("insights", [])
    return one_spelling(
        [t for e in entries for t in e.get("tags", [])] + [e.get("product_area") or "" for e in entries]
    )


def insight_tags(entry: dict[str, Any], spellings: dict[str, str]) -> list[str]:
    """An insight's tags in their shown spelling, once each."""
    return list(dict.fromkeys(spellings.get(t, t) for t in entry.get("tags", [])))


def insight_categories(entry: dict[str, Any], spellings: dict[str, str] | None = None) -> list[str]:
    """An insight's filter categories: tags, product area, confidence, recommendation status.

    ``spellings`` (:func:`category_spellings`): a tag and a product area that
    differ only by case are one category.
    """
    spellings = spellings or {}
    cats = insight_tags(entry, spellings)
    if entry.get("product_area"):
        cats.append(spellings.get(entry["product_area"], entry["product_area"]))
    if entry.get("confidence"):
        cats.append(f"confidence: {entry['confidence']}")
    cats += [f"recommendation: {s}" for s in entry.get("recommendation_statuses", [])]
    return list(dict.fromkeys(cats))


def confidence_text(level: str) -> str:
    """A confidence level in words with the level after it: ``moderate evidence (medium)``."""
    return f"{reader_word(f'confidence.{level}', level)[0]} ({level})" if level else ""


def recommendations_text(entry: dict[str, Any]) -> str:
    """An insight's recommendations as text for its listing row: each action with its status in words."""
    return "; ".join(
        f"{r.get('action', '')} ({reader_word('status.' + str(r.get('status')), str(r.get('status')))[0]})"
        for r in entry.get("recommendations", [])
    )


def insight_listing_items(index: dict[str, Any], today: dt.date | None = None) -> list[dict[str, Any]]:
    """Items of the insights listing (insights.qmd): one per current insight, linking to its card.

    Superseded, archived and draft insights are the second listing's
    (:func:`kit.site.lifecycle_pages.past_listing_items`); ``review`` is the
    review date in words as of ``today``.
    """
    today = today or dt.date.today()
    spellings = category_spellings(index)
    return [
        _present(
            {
                "title": e["statement"],
                "path": e["href"],
                "date": e.get("date") or None,
                "study": e.get("study_title", e.get("study", "")),
                "insight": e.get("insight", ""),
                "product-area": spellings.get(e.get("product_area", ""), e.get("product_area", "")),
                "confidence": confidence_text(e.get("confidence", "")),
                "recommendations": recommendations_text(e),
                "review": lifecycle_pages.review_text(e, today) or None,
                "categories": insight_categories(e, spellings),
            }
        )
        for e in index.get("insights", [])
        if lifecycle_pages.is_listed(e)
    ]


def navigation(studies: list[StudyPages]) -> dict[str, Any]:
    """The ``metadata-files`` part of ``_quarto.yml``: study pages to render, one sidebar each."""
    render = [f"{STUDIES_DIR}/{s.slug}/{stem}.ipynb" for s in studies for stem, _ in s.pages]
    sidebars = [
        {
            "id": s.slug,
            "title": s.title,
            "style": "docked",
            "contents": [{"text": label, "href": f"{STUDIES_DIR}/{s.slug}/{stem}.ipynb"} for stem, label in s.pages],
        }
        for s in studies
    ]
    if len(sidebars) == 1:
        # Quarto shows a lone sidebar on every page (home, insights, playbook too);
        # a second, empty one makes each sidebar apply only to the pages it lists.
        sidebars.append({"id": NO_SIDEBAR, "contents": []})
    out: dict[str, Any] = {"project": {"render": render}} if render else {}
    if sidebars:
        out["website"] = {"sidebar": sidebars}
    return out


def _dump(data: Any) -> str:
    return "# Generated by `kit site` from reports/: do not edit.\n" + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=120
    )


def published_digests(repo_root: Path) -> dict[str, str]:
    """``<slug>/<stem>.ipynb`` -> digest of what its published copy was made from (``studies/.published.json``)."""
    try:
        data = read_json(Path(repo_root) / STUDIES_DIR / PUBLISHED_RECORD)
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _reuse(old: Path, new: Path) -> None:
    try:
        os.link(old, new)
    except OSError:
        shutil.copy2(old, new)


def write_studies_dir(
    repo_root: Path,
    index: dict[str, Any],
    playbook_md: str,
    panel_md: str = "",
    codebook_md: str = "",
    due_md: str = "",
    *,
    reuse: bool = True,
    keep: dict[str, Any] | None = None,
    impact_md: str = "",
) -> list[StudyPages]:
    """(Re)write ``studies/`` completely, beside the old one, then swap it in.

    A published copy whose executed notebook and title are unchanged (same
    SHA-256 as recorded in ``studies/.published.json``) is carried over from
    the old folder instead of being parsed and written again: at hundreds of
    studies that is gigabytes of notebook JSON per build. The digests are also
    what the incremental site build keys each page on (:mod:`kit.site.incremental`).
    ``reuse=False`` (``kit site --full``) writes every copy again. ``keep``:
    other records for the next build, file name -> JSON (such as
    :mod:`kit.site.synthesis_facts`'s), written into the new folder.
    """
    repo_root = Path(repo_root)
    studies = collect_studies(repo_root, index)
    old_dir = repo_root / STUDIES_DIR
    old = published_digests(repo_root) if reuse else {}
    record: dict[str, str] = {}
    with staged_dir(old_dir) as staging:
        for s in studies:
            (staging / s.slug).mkdir()
            for stem, label in s.pages:
                raw = (reports_root(repo_root) / s.slug / f"{stem}.ipynb").read_bytes()
                title = f"{s.title}: {label}"
                rel = f"{s.slug}/{stem}.ipynb"
                source_rel = f"{s.slug}/{NOTEBOOK_SOURCE_DIR}/{stem}.ipynb"
                (staging / s.slug / NOTEBOOK_SOURCE_DIR).mkdir(exist_ok=True)
                # The publishing code too (_OWN_CODE): a change in what a published copy drops rewrites every copy.
                # (fed in parts: joining them first copies every 5 MB notebook once more)
                h = hashlib.sha256(_OWN_CODE)
                for part in (raw, b"\0", title.encode()):
                    h.update(part)
                record[rel] = h.hexdigest()
                if old.get(rel) == record[rel] and (old_dir / rel).is_file() and (old_dir / source_rel).is_file():
                    _reuse(old_dir / rel, staging / rel)
                    _reuse(old_dir / source_rel, staging / source_rel)
                    continue
                nb = json.loads(raw.decode("utf-8"))
                published.write_notebook(staging / rel, published.published_notebook(nb, title=title, stem=stem))
                published.write_notebook(staging / source_rel, published.source_notebook(nb))
        cells_mod.write_site_assets(staging)
        (staging / STUDY_LISTING).write_text(
            _dump(quarto_listing_items(study_listing_items(studies))), encoding="utf-8"
        )
        (staging / INSIGHT_LISTING).write_text(
            _dump(quarto_listing_items(insight_listing_items(index))), encoding="utf-8"
        )
        (staging / lifecycle_pages.PAST_LISTING).write_text(
            _dump(quarto_listing_items(lifecycle_pages.past_listing_items(index))), encoding="utf-8"
        )
        (staging / lifecycle_pages.DUE_PART).write_text(due_md, encoding="utf-8")
        (staging / DECISION_LISTING).write_text(
            _dump(quarto_listing_items(decisions.decision_listing_items(decisions.decision_rows(index)))),
            encoding="utf-8",
        )
        (staging / NAVIGATION).write_text(_dump(navigation(studies)), encoding="utf-8")
        (staging / PLAYBOOK_PART).write_text(playbook_md, encoding="utf-8")
        (staging / PUBLISHED_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        (staging / PANEL_PAGE_PART).write_text(panel_md, encoding="utf-8")
        (staging / CODEBOOK_PART).write_text(codebook_md, encoding="utf-8")
        (staging / HOME_PAGE_PART).write_text(home_markdown(studies), encoding="utf-8")
        (staging / IMPACT_PAGE_PART).write_text(impact_md, encoding="utf-8")
        for name, data in (keep or {}).items():
            (staging / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return studies
