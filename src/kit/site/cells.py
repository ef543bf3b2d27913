"""How each cell of a published notebook copy is shown, the same in Quarto and in the preview.

- **HTML outputs as raw-HTML Markdown.** Quarto treats any ``text/html`` output
  of a notebook as a possible "JavaScript widget" and then loads require.js and
  jQuery from a public CDN on that page; it also lifts an output holding
  plotly.js into the page header (the chart then lands above the title,
  outside the main column). Both are documented in Quarto's source,
  ``src/core/jupyter/widgets.ts`` (``extractJupyterWidgetDependencies``). The
  published copy therefore carries each HTML output as ``text/markdown`` holding
  a Pandoc raw block (```` ```{=html} ````, https://pandoc.org/MANUAL.html#extension-raw_attribute),
  which is exactly what Quarto would have written for the HTML output itself
  (``mdFormatOutput("html", ...)``), minus the CDN scripts. The preview turns it
  back into HTML (:func:`unwrap_html`).
- **plotly.js once per site.** :func:`kit.display.chart` stores a chart as
  plotly's JSON (which JupyterLab draws) and as its HTML div, without plotly.js.
  A page loads one shared file (``studies/<PLOTLY_ASSET>``, written by
  :func:`write_plotly_asset`) before its first chart (:func:`share_plotly`);
  plotly.js inlined by plotly's own notebook renderer, or by an older kit, is
  replaced by a link to that file too.
- **Kit calls without their code.** A code cell that only imports and calls
  the kit (``kit.plan.report.show_overview(plan)``) gets the ``hide-code`` tag,
  which Quarto maps to ``echo: false`` (``tagMapping`` in
  ``src/core/jupyter/jupyter.ts``) and the preview's template honours too,
  and ``#| output: asis`` (its headings join the page's table of contents);
  any other code stays on the page, folded. A cell that opens a form
  (``kit.forms``) is for JupyterLab users and is left out of the site.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kit.display import PLOTLY_MIME, chart_html
from kit.layout import PLOTLY_JS, SITE_A11Y_JS, SITE_ASSETS_DIR, STUDIES_DIR, kit_data_dir

HIDE_CODE_TAG = "hide-code"
# Quarto writes a cell's Markdown output into the page itself with `output: asis`, so the
# kit's "## Section" headings are real headings (the page's table of contents lists them)
# rather than text inside an output box (https://quarto.org/docs/computations/execution-options.html).
ASIS_OPTION = "#| output: asis\n"
RAW_HTML_FLAG = "kit-raw-html"  # output metadata key marking a wrapped HTML output
PLOTLY_ASSET = f"{SITE_ASSETS_DIR}/{PLOTLY_JS}"  # under studies/, like every study folder
# plotly.js inlined by plotly's own notebook renderer (or by kit.display.chart before 2026-12):
# plotly.js starts with its licence header ("* plotly.js v3.0.1 ... Plotly, Inc.").
_INLINE_PLOTLY = re.compile(
    r"<script[^>]*>(?:(?!</script>).){0,2000}?\* plotly\.js v\d+\.\d+\.\d+"
    r".*?</script>",
    re.S,
)
_FENCE_RUN = re.compile(r"^\s*(`{3,})", re.M)


def raw_html_markdown(html: str) -> str:
    """``html`` as a Pandoc raw HTML block, with a fence longer than any backtick run at a line start.

    A shorter fence could be closed by participant text holding a line of backticks,
    and what followed would be read as Markdown.
    """
    longest = max((len(m.group(1)) for m in _FENCE_RUN.finditer(html)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{html.rstrip(chr(10))}\n{fence}\n"


def cell_text(value: object) -> str:
    """A notebook's multiline string (a cell's source, an output's text), stored as one string or a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value or "")


def _html_of_raw_block(md: str) -> str | None:
    m = re.match(r"(`{3,})\{=html\}\n(.*)\n\1\n?\Z", md, re.S)
    return m.group(2) if m else None


def wrap_html(output: dict[str, Any]) -> None:
    """Turn an output's ``text/html`` into a raw block in ``text/markdown`` (for Quarto), in place."""
    data = output.get("data")
    if not isinstance(data, dict) or "text/html" not in data:
        return
    html = data.pop("text/html")
    html = cell_text(html)
    data.pop("text/markdown", None)
    data["text/markdown"] = raw_html_markdown(html)
    output.setdefault("metadata", {})[RAW_HTML_FLAG] = True


def plain_as_html(output: dict[str, Any]) -> dict[str, Any]:
    """A stream or a text-only output as escaped ``<pre>`` in a raw HTML block.

    With ``output: asis`` Quarto writes a cell's outputs into the page as Markdown,
    so a printed line (which may quote participant text) would otherwise be read
    as Markdown and raw HTML. Outputs with HTML or Markdown are left alone.
    """
    if output.get("output_type") == "stream":
        text = output.get("text", "")
    elif isinstance(output.get("data"), dict) and not {"text/html", "text/markdown"} & set(output["data"]):
        text = output["data"].get("text/plain", "")
    else:
        return output
    text = cell_text(text)
    pre = Markup('<pre class="kit-output">{}</pre>').format(text)
    return {
        "output_type": "display_data",
        "metadata": {RAW_HTML_FLAG: True},
        "data": {"text/markdown": raw_html_markdown(pre)},
    }


def unwrap_html(output: dict[str, Any]) -> None:
    """Undo :func:`wrap_html` (the preview renders HTML outputs itself), in place."""
    data = output.get("data")
    if not isinstance(data, dict) or not output.get("metadata", {}).get(RAW_HTML_FLAG):
        return
    md = data.get("text/markdown")
    html = _html_of_raw_block(cell_text(md))
    if html is not None:
        del data["text/markdown"]
        data["text/html"] = html


def plotly_asset_href(depth: int) -> str:
    """The shared plotly.js from a page ``depth`` folders below ``studies/``."""
    return "../" * depth + PLOTLY_ASSET


def link_plotly(html: str, href: str) -> str:
    """Replace inlined plotly.js by a script tag loading ``href`` (a no-op without plotly.js)."""
    return _INLINE_PLOTLY.sub(lambda _: str(Markup('<script src="{}"></script>').format(href)), html)


def plotly_loader(href: str) -> str:
    """Script tags loading the shared plotly.js from ``href``.

    nbconvert and Quarto pages load require.js; plotly.js would then register
    as an anonymous AMD module (a console error) instead of the global
    ``Plotly``. ``define`` is hidden while it loads.
    """
    return str(
        Markup(
            "<script>window.__kitDefine = window.define; window.define = undefined;</script>"
            '<script src="{}"></script><script>window.define = window.__kitDefine;</script>'
        ).format(href)
    )


def share_plotly(data: dict[str, Any], href: str, page_loads_plotly: bool) -> bool:
    """Make one output's charts draw with the site's shared plotly.js, in place.

    Drops plotly's JSON (the page shows the chart's HTML; an output holding only
    the JSON gets that HTML from plotly), links inlined plotly.js to ``href``,
    and puts :func:`plotly_loader` before the page's first chart. Returns
    whether the page loads plotly.js once this output is shown.
    """
    spec = data.pop(PLOTLY_MIME, None)
    if spec is not None and "text/html" not in data and isinstance(spec, dict):
        data["text/html"] = chart_html(spec)
    if "text/html" not in data:
        return page_loads_plotly
    html = link_plotly(cell_text(data["text/html"]), href)
    if f'src="{href}"' in html:
        page_loads_plotly = True
    elif not page_loads_plotly and "plotly-graph-div" in html:
        html, page_loads_plotly = plotly_loader(href) + html, True
    data["text/html"] = html
    return page_loads_plotly


def write_plotly_asset(studies_dir: Path) -> Path:
    """Write the plotly.js of the installed plotly (the one the charts were made for) once."""
    from plotly.offline import get_plotlyjs

    path = Path(studies_dir) / PLOTLY_ASSET
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(get_plotlyjs(), encoding="utf-8")
    return path


def write_site_assets(studies_dir: Path) -> None:
    """The files every page shares, once per site: plotly.js and the accessibility script."""
    write_plotly_asset(studies_dir)
    write_site_script(studies_dir)


def write_site_script(studies_dir: Path) -> Path:
    """Write the site's accessibility script (``kit/data/site_a11y.js``) beside plotly.js.

    Both engines load it from there: Quarto through ``_quarto.yml``'s
    include-after-body, the preview through its page layout.
    """
    path = Path(studies_dir) / SITE_ASSETS_DIR / SITE_A11Y_JS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((kit_data_dir() / "site_a11y.js").read_text("utf-8"), encoding="utf-8")
    return path


def site_script_path() -> str:
    """Where the accessibility script lies in the built site (relative to its root)."""
    return f"{STUDIES_DIR}/{SITE_ASSETS_DIR}/{SITE_A11Y_JS}"


def site_plotly_path() -> str:
    """Where the shared plotly.js lies in the built site (relative to its root)."""
    return f"{STUDIES_DIR}/{PLOTLY_ASSET}"


def _is_kit_call(node: ast.AST) -> bool:
    """``kit.x.y(...)`` (arguments free), possibly assigned to a name."""
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        value: ast.AST | None = node.value
    elif isinstance(node, ast.Expr):
        value = node.value
    else:
        return False
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id == "kit"


def _is_kit_import(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return all(a.name == "kit" or a.name.startswith("kit.") for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.module is not None and (node.module == "kit" or node.module.startswith("kit."))
    return False


def _kit_call_roots(node: ast.AST) -> list[str]:
    """``["kit", "forms", ...]`` for each ``kit.x.y(...)`` call in a statement."""
    chains = []
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        parts, func = [], call.func
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if isinstance(func, ast.Name):
            chains.append([func.id, *reversed(parts)])
    return [".".join(c[:2]) for c in chains if c[0] == "kit"]


def opens_a_form(source: str) -> bool:
    """A kit-only cell that calls :mod:`kit.forms` (an editor for JupyterLab, nothing to read on the site)."""
    if not only_calls_the_kit(source):
        return False
    return any(root == "kit.forms" for node in ast.parse(source).body for root in _kit_call_roots(node))


def only_calls_the_kit(source: str) -> bool:
    """True when every statement of a code cell imports the kit or calls it (comments aside).

    Such cells are the templates' plumbing: their output is the page, their
    code only says which kit function made it. A cell with anything else (a
    team's own pandas analysis, a loop, a magic) is not one of them.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and the like: show them
        return False
    return bool(tree.body) and all(_is_kit_import(n) or _is_kit_call(n) for n in tree.body)
