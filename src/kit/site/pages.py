"""What the site publishes: study pages, listing files and navigation, from reports/.

``kit site`` first refreshes ``reports/index.json`` (:func:`kit.site.index.build_index`),
then writes the generated folder ``studies/`` (git-ignored) that both engines read:

- ``studies/<slug>/01-plan.ipynb`` ... : the *published copies* of the executed
  notebooks. Papermill's ``injected-parameters`` cell and the template's
  ``parameters`` cell are removed (they carry no tags or ``#|`` options, so
  Quarto would show them), and, for Quarto, a raw front-matter cell gives each
  page a title naming its study (Quarto reads front matter from a first raw
  cell: https://quarto.org/docs/tools/jupyter-lab.html). Cells are shown as
  :mod:`kit.site.cells` says (kit-only code hidden, HTML outputs as raw blocks,
  plotly.js shared); a last cell links to the page's code.
- ``studies/<slug>/source/<stem>.ipynb``: that code (cells without outputs).
- ``studies/kit-assets/plotly.min.js``: plotly.js, once for the whole site.
- ``studies/listing-studies.yml`` / ``studies/listing-insights.yml``: the items of
  the Quarto listings on ``index.qmd`` and ``insights.qmd`` ("Metadata File
  Listings": https://quarto.org/docs/websites/website-listings-custom.html).
  Their names must not start with ``_``: Quarto skips ``_*`` files in listing contents.
- ``studies/_navigation.yml``: merged into ``_quarto.yml`` through
  ``metadata-files`` (arrays concatenate): the render list of the study pages and
  one sidebar per study (hybrid navigation:
  https://quarto.org/docs/websites/website-navigation.html#hybrid-navigation).
- ``studies/_playbook.md``: the generated part of the playbook (:mod:`kit.site.playbook`).
- ``studies/_panel.md``: the counts of the Panel page (:mod:`kit.site.panel_page`).
- ``studies/_codebook.md``: the generated part of the Codebook page (:mod:`kit.site.codebook_page`).

Site pages live at ``studies/<slug>/<stage>.html`` in both engines, so the
repository index's links (``<slug>/03-insights.html#insight-I1``) get one prefix.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kit.display import markdown_text
from kit.errors import KitError, StageOrderError
from kit.iorw import read_json, staged_dir
from kit.layout import (
    NOTEBOOK_SOURCE_DIR,
    NOTEBOOKS_DIR,
    PANEL_PAGE_PART,
    PLAN_JSON,
    SITE_ASSETS_DIR,
    STUDIES_DIR,
    TEMPLATES_DIR,
    reports_root,
)
from kit.outputs.plan import read_plan
from kit.site import cells as cells_mod

STAGE_PAGES = {"01-plan": "Plan", "02-sessions": "Synthesis", "03-insights": "Insights"}
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters"})
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STUDY_LISTING = "listing-studies.yml"
INSIGHT_LISTING = "listing-insights.yml"
NAVIGATION = "_navigation.yml"
PLAYBOOK_PART = "_playbook.md"
PUBLISHED_RECORD = ".published.json"  # what each published copy was made from (".": not a Quarto input)
_OWN_CODE = hashlib.sha256(Path(__file__).read_bytes() + Path(cells_mod.__file__).read_bytes()).digest()
CODEBOOK_PART = "_codebook.md"  # the generated part of codebook.qmd (kit.site.codebook_page)
NO_SIDEBAR = "kit-site-pages"  # the empty sidebar of a one-study site (see navigation)


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
        return self.href("03-insights" if "03-insights" in stems else stems[-1])


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


def collect_studies(repo_root: Path, index: dict) -> list[StudyPages]:
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


def quarto_title(text: str) -> str:
    """A page title as literal text in Quarto's front matter.

    Quarto reads the title as Markdown (``<script>`` would be live HTML) and
    expands shortcodes in it even when escaped (``{{< env GH_TOKEN >}}`` would
    print the build's secrets); tripled braces are Quarto's documented literal
    form (https://quarto.org/docs/extensions/shortcodes.html#escaping).
    """
    out = markdown_text(text)
    return out.replace("{{", "{{{").replace("}}", "}}}") if "{{" in out or "}}" in out else out


LITERAL_LISTING_FIELDS = frozenset({"path", "date"})


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


def _source_path(nb: dict) -> str | None:
    """The repository path of the notebook papermill ran (``templates/01-plan.ipynb``), if known."""
    parts = Path(str(nb.get("metadata", {}).get("papermill", {}).get("input_path") or "")).parts
    for i, part in enumerate(parts):
        if part in (TEMPLATES_DIR, NOTEBOOKS_DIR) and i < len(parts) - 1:
            return "/".join(parts[i:])
    return None


def source_link_markdown(stem: str, nb: dict) -> str:
    """The note at the end of a study page pointing to its code (inputs are hidden on the page)."""
    ran = _source_path(nb)
    origin = f" It ran from `{ran}` in the repository." if ran else ""
    return (
        f"The code behind this page: [{stem}.ipynb]({NOTEBOOK_SOURCE_DIR}/{stem}.ipynb) "
        f"(the notebook's cells, without outputs).{origin}"
    )


def published_notebook(nb: dict, title: str | None = None, *, stem: str | None = None) -> dict:
    """A copy of an executed notebook fit to publish.

    Drops the ``parameters``/``injected-parameters`` cells and any saved widget
    state (no kernel on the site). With ``title``, removes the notebook's own
    leading ``# heading`` and puts a raw YAML front-matter cell first (Quarto).
    With ``stem`` (a site page), shows each cell as :mod:`kit.site.cells` says:
    HTML outputs as raw blocks, plotly.js linked once per site, code that only
    calls the kit hidden, and a link to the code at the end.
    """
    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)
    cells = [c for c in nb.get("cells", []) if not HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    if title is not None:
        for cell in cells:
            if cell.get("cell_type") == "markdown":
                src = cells_mod.cell_text(cell["source"])
                if src.startswith("# "):
                    cell["source"] = src.split("\n", 1)[1].lstrip("\n") if "\n" in src else ""
                break
        front = "---\n" + yaml.safe_dump({"title": quarto_title(title)}, allow_unicode=True, sort_keys=False) + "---\n"
        cells.insert(0, {"cell_type": "raw", "id": "kit-front-matter", "metadata": {}, "source": front})
    for cell in cells:  # a widget view needs a kernel (and a CDN manager): keep its static fallback
        for out in cell.get("outputs", []):
            data = out.get("data")
            if isinstance(data, dict) and WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
        cell.get("metadata", {}).pop("widgets", None)
    if stem is not None:
        plotly_href = cells_mod.plotly_asset_href(1)  # pages are studies/<slug>/<stem>.html
        page_loads_plotly = False
        cells = [
            c
            for c in cells
            if c.get("cell_type") != "code" or not cells_mod.opens_a_form(cells_mod.cell_text(c.get("source")))
        ]
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cells_mod.cell_text(cell.get("source"))
            if cells_mod.only_calls_the_kit(source):
                tags = cell.setdefault("metadata", {}).setdefault("tags", [])
                if cells_mod.HIDE_CODE_TAG not in tags:
                    tags.append(cells_mod.HIDE_CODE_TAG)
                cell["source"] = cells_mod.ASIS_OPTION + source
                cell["outputs"] = [cells_mod.plain_as_html(o) for o in cell.get("outputs", [])]
            for out in cell.get("outputs", []):
                data = out.get("data")
                if isinstance(data, dict):
                    page_loads_plotly = cells_mod.share_plotly(data, plotly_href, page_loads_plotly)
                    cells_mod.wrap_html(out)
        cells.append(
            {"cell_type": "markdown", "id": "kit-source-link", "metadata": {}, "source": source_link_markdown(stem, nb)}
        )
    nb["cells"] = cells
    return nb


def source_notebook(nb: dict) -> dict:
    """The code of a page for readers who want it: the published cells, no outputs, no front matter."""
    nb = published_notebook(nb)
    nb["cells"] = [c for c in nb["cells"] if c.get("cell_type") != "raw"]
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    nb.get("metadata", {}).pop("papermill", None)
    return nb


def write_notebook(path: Path, nb: dict) -> None:
    """Write with nbformat: multi-line sources as lists of lines, which Quarto needs to see
    a raw front-matter cell as front matter (a single string shows as text on the page)."""
    import nbformat

    path.write_text(nbformat.writes(nbformat.from_dict(nb)), encoding="utf-8")


def _date_range(info: dict) -> str:
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


def insight_categories(entry: dict) -> list[str]:
    """An insight's filter categories: tags, product area, confidence, recommendation status."""
    cats = list(entry.get("tags", []))
    if entry.get("product_area"):
        cats.append(entry["product_area"])
    if entry.get("confidence"):
        cats.append(f"confidence: {entry['confidence']}")
    cats += [f"recommendation: {s}" for s in entry.get("recommendation_statuses", [])]
    return list(dict.fromkeys(cats))


def insight_listing_items(index: dict) -> list[dict[str, Any]]:
    """Items of the insights listing (insights.qmd): one per insight, linking to its card."""
    return [
        _present(
            {
                "title": e["statement"],
                "path": e["href"],
                "date": e.get("date") or None,
                "study": e.get("study_title", e.get("study", "")),
                "insight": e.get("insight", ""),
                "product-area": e.get("product_area", ""),
                "confidence": e.get("confidence", ""),
                "recommendations": ", ".join(e.get("recommendation_statuses", [])),
                "categories": insight_categories(e),
            }
        )
        for e in index.get("insights", [])
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
    index: dict,
    playbook_md: str,
    panel_md: str = "",
    codebook_md: str = "",
    *,
    reuse: bool = True,
    keep: dict[str, Any] | None = None,
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
                # This module's code too: a change in what a published copy drops rewrites every copy.
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
                write_notebook(staging / rel, published_notebook(nb, title=title, stem=stem))
                write_notebook(staging / source_rel, source_notebook(nb))
        cells_mod.write_plotly_asset(staging)
        (staging / STUDY_LISTING).write_text(
            _dump(quarto_listing_items(study_listing_items(studies))), encoding="utf-8"
        )
        (staging / INSIGHT_LISTING).write_text(
            _dump(quarto_listing_items(insight_listing_items(index))), encoding="utf-8"
        )
        (staging / NAVIGATION).write_text(_dump(navigation(studies)), encoding="utf-8")
        (staging / PLAYBOOK_PART).write_text(playbook_md, encoding="utf-8")
        (staging / PUBLISHED_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        (staging / PANEL_PAGE_PART).write_text(panel_md, encoding="utf-8")
        (staging / CODEBOOK_PART).write_text(codebook_md, encoding="utf-8")
        for name, data in (keep or {}).items():
            (staging / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return studies
