"""Showing results in a notebook: escaped tables, headings, callouts, charts.

The executed notebooks become the published report pages, so everything
shown here is escaped: participant text may contain HTML or script, and it
must appear as text on every page. Report HTML has one source: Jinja
templates under ``kit/data/templates`` (autoescaped), rendered by
:func:`render` and shown by :func:`html`; tables come from pandas (escaped)
and charts from plotly. A chart is stored twice, with no plotly.js: as
plotly's own JSON (``application/vnd.plotly.v1+json``), which JupyterLab
draws through the plotly extension that the plotly package installs (also in a
notebook nobody has trusted, and without network), and as the HTML of its div,
which the site pages draw with their one shared copy of plotly.js
(:mod:`kit.site.cells`). An executed notebook thus weighs kilobytes, not the
4.6 MB of plotly.js per notebook it would with plotly.js inlined.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from functools import cache
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from kit.layout import kit_data_dir

PLOTLY_MIME = "application/vnd.plotly.v1+json"  # plotly's mimetype renderer (plotly.io renderers)
# No mode bar: on the site it covers the chart's title on phones, and readers
# do not zoom or export (https://plotly.com/python/configuration-options/).
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


@cache
def templates() -> Environment:
    """The kit's one Jinja environment: templates in ``kit/data``, HTML autoescaped."""
    return Environment(
        loader=FileSystemLoader(str(kit_data_dir())), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
    )


def render(template: str, macro: str, *args: Any, **kwargs: Any) -> Markup:
    """Call one macro of a report template (``templates/<template>``) and return its HTML."""
    module = templates().get_template(f"templates/{template}").module
    return Markup(getattr(module, macro)(*args, **kwargs))


def html(markup: str) -> None:
    """Show HTML that :func:`render`, pandas or plotly produced (never hand-built strings)."""
    from IPython.display import HTML

    _display(HTML(str(markup)))


def _display(obj: Any, raw: bool = False) -> None:
    from IPython.display import display

    display(obj, raw=raw)


def heading(text: str, level: int = 2) -> None:
    """A Markdown heading, so Quarto and nbconvert build a table of contents."""
    from IPython.display import Markdown

    _display(Markdown(f"{'#' * level} {markdown_text(text)}"))


# Markdown punctuation that could turn text into a link, an image, raw HTML or
# an entity. HTML-escaping alone is not enough in Markdown:
# "[click](javascript:alert(1))" has no HTML character and renders as a live
# javascript: link in nbconvert. A backslash makes each one literal (CommonMark
# and pandoc both allow escaping any ASCII punctuation).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&!#])")


def markdown_text(text: Any) -> str:
    """Untrusted text as literal Markdown on one line: no links, images, HTML or entities."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(("" if text is None else str(text)).split()))


def escape(text: Any) -> str:
    """HTML-escape any value (participant text is never trusted)."""
    return html_lib.escape("" if text is None else str(text), quote=True)


def note(text: str, kind: str = "info") -> None:
    """A short callout line (info / warning / error), escaped."""
    colours = {"info": "#0b5394", "warning": "#b45f06", "error": "#990000", "ok": "#38761d"}
    kind = kind if kind in colours else "info"
    html(render("report.html", "note", text, kind, colours[kind]))


def info(text: str) -> None:
    """A plain line of information (no callout bar)."""
    html(render("report.html", "info", text))


def bullets(title: str, items: list[str]) -> None:
    """A bold title and a bulleted list (``none`` when empty), escaped."""
    html(render("report.html", "bullets", title, items))


def table(df: pd.DataFrame, caption: str | None = None, index: bool = False) -> None:
    """Show a DataFrame as an escaped HTML table."""
    from IPython.display import HTML

    cap = render("report.html", "caption", caption) if caption else ""
    body = df.to_html(index=index, escape=True, border=0, classes="kit-table table table-sm", na_rep="")
    if cap:
        body = body.replace(">", f">{cap}", 1) if body.startswith("<table") else body
    _display(HTML(body))


def links(items: list[tuple[str, str]]) -> None:
    """A bulleted list of links; labels and targets escaped, only http(s) targets kept."""
    safe = [(label, url) for label, url in items if str(url).strip().lower().startswith(("http://", "https://"))]
    if safe:
        html(render("report.html", "links", safe))


def styled(styler: "pd.io.formats.style.Styler") -> None:
    """Show a pandas Styler (colour tables); its cell text must already be escaped."""
    from IPython.display import HTML

    _display(HTML(styler.format(escape="html").to_html()))


def chart_bundle(fig: Any) -> dict[str, Any]:
    """A plotly figure as a display bundle: plotly's JSON for JupyterLab, its div for the site.

    The ``text/html`` part has no plotly.js: the site loads one shared copy
    before a page's first chart (:func:`kit.site.cells.share_plotly`). The
    chart's div carries class ``kit-chart`` (the site's CSS and tests use it).
    """
    import plotly.io as pio

    # to_json turns numpy arrays and dates into JSON; the notebook stores plain JSON values.
    spec = json.loads(pio.to_json(fig, validate=False))
    spec["config"] = dict(CHART_CONFIG)
    body = pio.to_html(fig, full_html=False, include_plotlyjs=False, config=CHART_CONFIG)
    title = (spec.get("layout", {}).get("title") or {}).get("text") or "chart"
    return {PLOTLY_MIME: spec, "text/html": f'<div class="kit-chart">{body}</div>', "text/plain": f"[chart: {title}]"}


def chart(fig: Any) -> None:
    """Show a plotly figure (see :func:`chart_bundle`); it needs no network anywhere."""
    _display(chart_bundle(fig), raw=True)
