"""The published copy of an executed notebook: what a study page shows, and its code.

:mod:`kit.site.pages` writes one of each per stage a study ran, into
``studies/<slug>/``:

- the page (``<stem>.ipynb``): papermill's ``injected-parameters`` cell and the
  template's ``parameters`` cell removed (they carry no tags or ``#|``
  options, so Quarto would show them); for Quarto, a raw front-matter cell
  giving the page a title naming its study (Quarto reads front matter from a
  first raw cell: https://quarto.org/docs/tools/jupyter-lab.html); cells shown
  as :mod:`kit.site.cells` says (kit-only code hidden, HTML outputs as raw
  blocks, plotly.js shared); cells tagged ``kit-researcher`` (tooling text:
  which module checked what, file names, warnings) moved to the end in one
  closed section "For the researcher" (readers meet findings first; JupyterLab
  shows those cells in place); a last cell linking to the page's code;
- the code (``source/<stem>.ipynb``): the same cells without outputs.

Saved widget state is dropped: the site has no kernel.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from kit.display import details_html, markdown_text, pre_html
from kit.layout import NOTEBOOK_SOURCE_DIR, NOTEBOOKS_DIR, TEMPLATES_DIR
from kit.site import cells as cells_mod

HIDDEN_TAGS = frozenset({"parameters", "injected-parameters"})
RESEARCHER_TAG = "kit-researcher"  # a template's tooling cells: at the page's end, collapsed
RESEARCHER_SUMMARY = "For the researcher: files, checks and warnings behind this page"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def quarto_title(text: str) -> str:
    """A page title as literal text in Quarto's front matter.

    Quarto reads the title as Markdown (``<script>`` would be live HTML) and
    expands shortcodes in it even when escaped (``{{< env GH_TOKEN >}}`` would
    print the build's secrets); tripled braces are Quarto's documented literal
    form (https://quarto.org/docs/extensions/shortcodes.html#escaping).
    """
    out = markdown_text(text)
    return out.replace("{{", "{{{").replace("}}", "}}}") if "{{" in out or "}}" in out else out


def _source_path(nb: dict[str, Any]) -> str | None:
    """The repository path of the notebook papermill ran (``templates/01-plan.ipynb``), if known."""
    parts = Path(str(nb.get("metadata", {}).get("papermill", {}).get("input_path") or "")).parts
    for i, part in enumerate(parts):
        if part in (TEMPLATES_DIR, NOTEBOOKS_DIR) and i < len(parts) - 1:
            return "/".join(parts[i:])
    return None


def source_link_markdown(stem: str, nb: dict[str, Any]) -> str:
    """The note at the end of a study page pointing to its code (inputs are hidden on the page)."""
    ran = _source_path(nb)
    origin = f" It ran from `{ran}` in the repository." if ran else ""
    return (
        f"The code behind this page: [{stem}.ipynb]({NOTEBOOK_SOURCE_DIR}/{stem}.ipynb) "
        f"(the notebook's cells, without outputs).{origin}"
    )


def _output_html(output: dict[str, Any]) -> str:
    """One output of a code cell as HTML: its own HTML, else its text escaped; nothing for other kinds."""
    data = output.get("data")
    if isinstance(data, dict) and "text/html" in data:
        return cells_mod.cell_text(data["text/html"])
    if output.get("output_type") == "stream":
        return pre_html(cells_mod.cell_text(output.get("text")))
    if isinstance(data, dict) and "text/plain" in data:
        return pre_html(cells_mod.cell_text(data["text/plain"]))
    return ""


def researcher_section(cells: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The cells without the code cells tagged ``kit-researcher``, and one cell showing their outputs collapsed.

    The new cell only calls the kit (so its code is hidden like theirs); it is
    None when no tagged cell showed anything.
    """
    tagged = [
        c for c in cells if c.get("cell_type") == "code" and RESEARCHER_TAG in c.get("metadata", {}).get("tags", [])
    ]
    fragments = [f for c in tagged for o in c.get("outputs", []) if (f := _output_html(o))]
    kept = [c for c in cells if not any(c is t for t in tagged)]
    if not fragments:
        return kept, None
    section: dict[str, Any] = {
        "cell_type": "code",
        "id": "kit-researcher",
        "execution_count": None,
        "metadata": {},
        "source": "kit.display.details_html(...)",
        "outputs": [
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"text/html": details_html(RESEARCHER_SUMMARY, fragments, "kit-researcher")},
            }
        ],
    }
    return kept, section


def published_notebook(nb: dict[str, Any], title: str | None = None, *, stem: str | None = None) -> dict[str, Any]:
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
        cells, tooling = researcher_section(cells)
        if tooling is not None:
            cells.append(tooling)
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


def source_notebook(nb: dict[str, Any]) -> dict[str, Any]:
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


def write_notebook(path: Path, nb: dict[str, Any]) -> None:
    """Write with nbformat: multi-line sources as lists of lines, which Quarto needs to see
    a raw front-matter cell as front matter (a single string shows as text on the page)."""
    import nbformat

    path.write_text(nbformat.writes(nbformat.from_dict(nb)), encoding="utf-8")
