"""Showing results in a notebook: escaped tables, headings, charts.

The executed notebooks become the published report pages, so everything
shown here is escaped: participant text may contain HTML or script, and it
must appear as text on every page. Charts are plotly figures rendered as
self-contained HTML (plotly.js inlined once per notebook), so they work in
JupyterLab, in the nbconvert preview and in Quarto without a CDN.
"""
from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

_plotly_js_sent = False


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


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
    return html.escape("" if text is None else str(text), quote=True)


def note(text: str, kind: str = "info") -> None:
    """A short callout line (info / warning / error), escaped."""
    from IPython.display import HTML

    colours = {"info": "#0b5394", "warning": "#b45f06", "error": "#990000", "ok": "#38761d"}
    colour = colours.get(kind, colours["info"])
    _display(HTML(f'<p class="kit-{kind}" style="border-left:4px solid {colour};'
                  f'padding:0.3em 0.7em">{escape(text)}</p>'))


def table(df: pd.DataFrame, caption: str | None = None, index: bool = False) -> None:
    """Show a DataFrame as an escaped HTML table."""
    from IPython.display import HTML

    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    body = df.to_html(index=index, escape=True, border=0, classes="kit-table table table-sm",
                      na_rep="")
    if cap:
        body = body.replace(">", f">{cap}", 1) if body.startswith("<table") else body
    _display(HTML(body))


def links(items: list[tuple[str, str]]) -> None:
    """A bulleted list of links; labels and targets escaped, only http(s) targets kept."""
    from IPython.display import HTML

    safe = [(label, url) for label, url in items
            if str(url).strip().lower().startswith(("http://", "https://"))]
    if safe:
        _display(HTML("<ul>" + "".join(f'<li><a href="{escape(url)}" rel="noopener">{escape(label)}</a></li>'
                                       for label, url in safe) + "</ul>"))


def styled(styler: "pd.io.formats.style.Styler") -> None:
    """Show a pandas Styler (colour tables); its cell text must already be escaped."""
    from IPython.display import HTML

    _display(HTML(styler.format(escape="html").to_html()))


def chart(fig: Any) -> None:
    """Show a plotly figure as static HTML that needs no network.

    plotly.js is embedded in the first chart of the kernel only; later charts
    reuse it. The chart's div carries class ``kit-chart`` (tests look for it).
    """
    global _plotly_js_sent
    from IPython.display import HTML
    from plotly.offline import get_plotlyjs

    loader = ""
    if not _plotly_js_sent:
        # nbconvert and Quarto pages load require.js; plotly.js would then
        # register as an anonymous AMD module (a console error) instead of
        # the global ``Plotly``. Hide ``define`` while it loads.
        loader = ("<script>window.__kitDefine = window.define; window.define = undefined;</script>"
                  f"<script>{get_plotlyjs()}</script>"
                  "<script>window.define = window.__kitDefine;</script>")
        _plotly_js_sent = True
    body = fig.to_html(full_html=False, include_plotlyjs=False,
                       # No mode bar: on the site it covers the chart's title on phones, and readers
                       # do not zoom or export (https://plotly.com/python/configuration-options/).
                       config={"displaylogo": False, "displayModeBar": False, "responsive": True})
    _display(HTML(f'{loader}<div class="kit-chart">{body}</div>'))
