"""The static preview site, built when Quarto is absent.

Same pages and navigation as the Quarto site, from the same generated
``studies/`` folder (:mod:`kit.site.pages`): ``index.html`` (studies),
``insights.html`` (every insight, category filter and text filter),
``decisions.html`` (every recommendation: filters, sort by date; :mod:`kit.site.decisions`),
``playbook.html``, ``panel.html``, ``impact.html``, ``glossary.html`` (:mod:`kit.site.glossary`),
and ``studies/<slug>/<stage>.html`` per executed notebook
with a sidebar for the study. Every page has a navbar with a search box and a
banner saying it is a preview.

Offline by construction: the notebook pages use nbconvert's body-only
``basic`` template (the ``lab``/``classic`` templates load require.js and
MathJax from CDNs), code that only calls the kit is hidden and other code
inputs fold into ``<details>`` (:mod:`kit.site.cells`), and search data is a
script file, so pages also work from ``file://``. Plotly charts load the
site's one copy of plotly.js (``studies/kit-assets/plotly.min.js``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from kit.display import ABBR_MARKDOWN, reader_word
from kit.iorw import staged_dir
from kit.layout import (
    GLOSSARY_PAGE_PART,
    HOME_PAGE_PART,
    IMPACT_PAGE_PART,
    NOTEBOOK_SOURCE_DIR,
    PANEL_PAGE_PART,
    SITE_ASSETS_DIR,
    STUDIES_DIR,
    TOPICS_DIR,
    kit_data_dir,
)
from kit.site import cells, decisions, lifecycle_pages, pages, search_index, topics
from kit.site.feed import write_insights_feed
from kit.site.incremental import (
    SiteRecord,
    link_tree,
    remove_stale,
    shared_key,
    study_page_keys,
    write_fresh,
)
from kit.site.pages import StudyPages
from kit.site.playbook import intro_text

if TYPE_CHECKING:
    from nbconvert import HTMLExporter  # imported when a notebook is rendered (seconds to import)

DATA = kit_data_dir()
NAV = (
    ("index.html", "Studies"),
    ("insights.html", "Insights"),
    ("decisions.html", "Decisions"),
    ("codebook.html", "Codebook"),
    ("playbook.html", "Playbook"),
    ("panel.html", "Panel"),
    ("impact.html", "Impact"),
    ("topics.html", "Topics"),
    ("glossary.html", "Glossary"),
)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(DATA)), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
    )


def _markdown(text: str) -> Markup:
    """Markdown the kit generated (values already escaped) or the team wrote, as HTML.

    mistune escapes raw HTML in the Markdown (``escape=True``): a value the
    generator failed to escape is shown as text, not run. The team's own
    Markdown (``_playbook-intro.md``, the footer) is Markdown only in the preview.
    Tables and definition lists (the Glossary), as Pandoc reads them for Quarto.
    The one exception is the ``<abbr title>`` around a plain word that
    :func:`kit.display.reader_term_markdown` writes (:data:`kit.display.ABBR_MARKDOWN`,
    the whole tag or nothing), which Pandoc keeps too.
    """
    import mistune

    class Renderer(mistune.HTMLRenderer):
        def inline_html(self, html: str) -> str:
            return html if ABBR_MARKDOWN.fullmatch(html) else str(super().inline_html(html))

    # mistune's renderer escapes text and raw HTML itself: what it returns is markup.
    return Markup(mistune.create_markdown(renderer=Renderer(escape=True), plugins=["table", "def_list"])(text))


def _inline_markdown(text: str) -> Markup:
    """One line of Markdown as inline HTML (a footer part): the paragraph mistune puts around it removed."""
    html = str(_markdown(text)).strip()
    inner = html[len("<p>") : -len("</p>")] if html.startswith("<p>") and html.endswith("</p>") else html
    return Markup(inner)  # a slice of mistune's escaped output


def _parts() -> Any:
    """The macros of ``preview_parts.html`` (autoescaped page bodies)."""
    return _env().get_template("preview_parts.html").module


def site_settings(repo_root: Path) -> dict[str, Any]:
    """Title and footer from ``_quarto.yml`` (one place for both engines)."""
    path = Path(repo_root) / "_quarto.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    website = (config or {}).get("website", {}) or {}
    footer = website.get("page-footer") or {}
    if isinstance(footer, str):
        footer = {"center": footer}
    parts = [str(footer[k]) for k in ("left", "center", "right") if isinstance(footer.get(k), str)]
    return {"title": str(website.get("title") or "Research"), "footer": parts}


def _exporter() -> HTMLExporter:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    return HTMLExporter(config=c, template_name="basic", template_file=str(DATA / "preview_notebook.html"))


class _Site:
    """Writes pages into a staging folder."""

    def __init__(self, out: Path, settings: dict[str, Any]) -> None:
        self.out = out
        self.settings = settings
        self.layout = _env().get_template("preview_page.html")
        self.footer = _parts().footer([_inline_markdown(p) for p in settings["footer"]])
        self.search: list[dict[str, str]] = []  # one entry per page
        self.cards: list[dict[str, str]] = []  # one per insight card: listed first, the most precise hits

    def page(
        self,
        rel: str,
        title: str,
        body: Markup,
        *,
        active: str = "",
        sidebar: StudyPages | None = None,
        current: str = "",
        kind: str = "page",
        text: str | None = None,
        indexed: bool = True,
    ) -> None:
        depth = rel.count("/")
        html = self.layout.render(
            site_title=self.settings["title"],
            page_title=title,
            root="../" * depth,
            nav=NAV,
            active=active,
            sidebar=sidebar,
            current=current,
            body=body,
            footer=self.footer,
            site_script=cells.site_script_path(),
        )
        write_fresh(self.out / rel, html)
        if indexed:  # else the caller indexes it (a study page, by section)
            found = text if text is not None else search_index.page_text(body)
            self.search.append({"t": title, "u": rel, "k": kind, "x": found})


def _category_groups(entries: list[dict[str, Any]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's groups: (group name, [(category, its label without the kind's prefix)])."""
    groups: dict[str, set[str]] = {
        "Product area": set(),
        "Confidence": set(),
        "Recommendation status": set(),
        "Tags": set(),
    }
    for e in entries:
        groups["Tags"].update(e["tags"])
        if e["product-area"]:
            groups["Product area"].add(e["product-area"])
        groups["Confidence"].update(c for c in e["categories"] if c.startswith("confidence: "))
        groups["Recommendation status"].update(c for c in e["categories"] if c.startswith("recommendation: "))
    groups["Tags"] -= groups["Product area"]  # one button for a name that is both (kit.site.categories)
    # The group names the kind: a button shows "high", not "confidence: high".
    return [
        (name, [(c, c.split(": ", 1)[-1] if name in _PREFIXED else c) for c in sorted(cats)])
        for name, cats in groups.items()
        if cats
    ]


_PREFIXED = ("Confidence", "Recommendation status")


def build_preview(
    repo_root: Path,
    index: dict[str, Any],
    studies: list[StudyPages],
    site_dir: Path,
    before_publish: Callable[[Path], None] | None = None,
    *,
    full: bool = False,
    echo: Callable[[str], None] | None = None,
) -> Path:
    """Write the preview into a staging folder, check it (``before_publish``), swap it in as ``site_dir``.

    Incremental unless ``full``: the staging folder starts as a hard-linked
    copy of the previous site, and only the study pages whose key changed
    (:mod:`kit.site.incremental`) are rendered again; pages of studies that are
    gone are removed. Listings, playbook and search index are always rebuilt.
    """
    repo_root = Path(repo_root)
    shared = shared_key(repo_root, "preview", [repo_root / "_quarto.yml"])
    record = SiteRecord("preview", shared) if full else SiteRecord.load(site_dir, "preview", shared)
    built = SiteRecord("preview", shared)
    rendered = 0
    with staged_dir(site_dir, prefix=f"{site_dir.name}.") as staging:
        if record.pages and site_dir.is_dir():
            link_tree(site_dir, staging)
        site = _Site(staging, site_settings(repo_root))
        parts = _parts()  # its macros, looked up by name
        (staging / "assets").mkdir(exist_ok=True)
        from pygments.formatters import HtmlFormatter

        css = (DATA / "preview.css").read_text("utf-8")
        write_fresh(
            staging / "assets" / "preview.css",
            css + "\n" + HtmlFormatter(style="default").get_style_defs(".highlight") + "\n",
        )
        write_fresh(staging / "assets" / "preview.js", (DATA / "preview.js").read_text("utf-8"))

        items = pages.study_listing_items(studies)
        for item, s in zip(items, studies):  # every page of the study, beside its title
            item["pages"] = [(label, s.href(stem)) for stem, label in s.pages]
        home_md = repo_root / STUDIES_DIR / HOME_PAGE_PART
        none_yet = _markdown(home_md.read_text("utf-8") if home_md.is_file() else "")
        site.page("index.html", "Studies", parts.studies(items, none_yet), active="index.html")
        entries = pages.insight_listing_items(index)
        spellings = pages.category_spellings(index)
        # the listing's items are the listed (current) insights, in index order
        listed = [e for e in index.get("insights", []) if lifecycle_pages.is_listed(e)]
        for entry, raw in zip(entries, listed, strict=True):
            entry["tags"] = pages.insight_tags(raw, spellings)
            entry["id"] = f"insight-{raw['study']}-{raw['insight']}"
            entry["recs"] = [
                (r.get("action", ""), reader_word(f"status.{r.get('status')}", str(r.get("status")))[0])
                for r in raw.get("recommendations", [])
            ]
        due_md = repo_root / STUDIES_DIR / lifecycle_pages.DUE_PART
        site.page(
            "insights.html",
            "Insights",
            parts.insights(
                entries,
                _category_groups(entries),
                _markdown(due_md.read_text("utf-8") if due_md.is_file() else ""),
                lifecycle_pages.past_listing_items(index),
            ),
            active="insights.html",
            text="",
        )
        write_insights_feed(staging, repo_root, index, site.settings["title"])
        rows = decisions.decision_rows(index)
        for row in rows:
            row["categories"] = decisions.row_categories(row)
        site.page(
            "decisions.html",
            "Decisions",
            parts.decisions(rows, decisions.filter_groups(rows)),
            active="decisions.html",
        )
        playbook_md = repo_root / STUDIES_DIR / pages.PLAYBOOK_PART
        intro = _markdown(intro_text(repo_root))
        generated = _markdown(playbook_md.read_text("utf-8") if playbook_md.is_file() else "")
        site.page(
            "playbook.html", "Playbook", parts.markdown_page("Playbook", [intro, generated]), active="playbook.html"
        )
        for rel, title, part in (
            ("panel.html", "Panel", PANEL_PAGE_PART),
            ("impact.html", "Impact", IMPACT_PAGE_PART),
            ("glossary.html", "Glossary", GLOSSARY_PAGE_PART),
        ):
            found = repo_root / STUDIES_DIR / part
            generated_part = _markdown(found.read_text("utf-8") if found.is_file() else "")
            site.page(rel, title, parts.markdown_page(title, [generated_part]), active=rel)

        codebook_md = repo_root / STUDIES_DIR / pages.CODEBOOK_PART
        site.page(
            "codebook.html",
            "Codebook",
            parts.markdown_page(
                "Codebook",
                [_markdown(codebook_md.read_text("utf-8") if codebook_md.is_file() else "")],
                parts.codebook_lead(),
            ),
            active="codebook.html",
        )
        # Topic pages ("what we know about ..."): the same fragments Quarto publishes, and their feeds.
        shutil.rmtree(staging / TOPICS_DIR, ignore_errors=True)
        topic_list = topics.repository_topics(repo_root, index)
        for t in topic_list:
            site.page(t.href, t.title, parts.markdown_page(t.title, [topics.topic_fragment(t)]), active="topics.html")
        index_body = parts.markdown_page("Topics", [topics.index_fragment(topic_list)])
        site.page("topics.html", "Topics", index_body, active="topics.html")
        topics.publish_feeds(repo_root, staging)

        # Files the study pages link to: plotly.js once, and each page's code. The staging folder
        # holds hard links to the previous site's files: remove before copying, never write through them.
        studies_src = repo_root / STUDIES_DIR
        shutil.rmtree(staging / STUDIES_DIR / SITE_ASSETS_DIR, ignore_errors=True)
        shutil.copytree(studies_src / SITE_ASSETS_DIR, staging / STUDIES_DIR / SITE_ASSETS_DIR)
        for old_source in (staging / STUDIES_DIR).glob(f"*/{NOTEBOOK_SOURCE_DIR}"):
            shutil.rmtree(old_source)
        for s in studies:
            source = studies_src / s.slug / NOTEBOOK_SOURCE_DIR
            if source.is_dir():
                shutil.copytree(source, staging / STUDIES_DIR / s.slug / NOTEBOOK_SOURCE_DIR)

        exporter = None
        keys = study_page_keys(shared, studies, pages.published_digests(repo_root))
        for s in studies:
            for stem, label in s.pages:
                rel = s.href(stem)
                key = keys[rel]
                if record.unchanged(rel, key, staging):
                    page_search, page_cards = record.pages[rel]["search"], record.pages[rel]["cards"]
                else:
                    import nbformat  # with nbconvert, only when a page is rendered (seconds to import)

                    exporter = exporter or _exporter()
                    nb = nbformat.reads(
                        (repo_root / STUDIES_DIR / s.slug / f"{stem}.ipynb").read_text("utf-8"), as_version=4
                    )
                    nb.cells = [c for c in nb.cells if c.cell_type != "raw"]  # Quarto's front matter
                    for cell in nb.cells:  # HTML outputs were wrapped for Quarto (kit.site.cells)
                        for out in cell.get("outputs", []):
                            cells.unwrap_html(out)
                    body, _ = exporter.from_notebook_node(nb)
                    # The notebook's own "# heading" gave way to Quarto's front-matter title.
                    # nbconvert escapes text outputs; HTML outputs are the kit's (kit.display): its body is markup.
                    page = parts.study_page(s.title, label, Markup(body))
                    # A section, and each card, is an entry of its own, as in Quarto's index (kit.site.search_index).
                    title, kind = f"{s.title}: {label}", f"{label} · {s.title}"
                    page_search, page_cards = search_index.study_page_entries(body, rel, title, kind, s.title)
                    site.page(rel, title, page, sidebar=s, current=stem, indexed=False)
                    rendered += 1
                site.search += page_search
                site.cards += page_cards
                built.pages[rel] = {"key": key, "search": page_search, "cards": page_cards}
        remove_stale(staging, set(record.pages) - set(built.pages))
        write_fresh(
            staging / "assets" / "search-index.js",
            "window.KIT_SEARCH = "
            + json.dumps(site.cards + site.search, ensure_ascii=True).replace("</", "<\\/")
            + ";\n",
        )
        built.save(staging)
        if before_publish:
            before_publish(staging)
    if echo:
        echo(
            f"preview: rendered {rendered} of {len(built.pages)} study pages"
            + (" (full build)" if full or not record.pages else ", the others unchanged")
        )
    return site_dir
