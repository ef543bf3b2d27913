"""Showing results in a notebook: escaped tables, headings, callouts, charts.

The executed notebooks become the published report pages, so everything
shown here is escaped: participant text may contain HTML or script, and it
must appear as text on every page. Escaping is by construction, not per
field: this module is the only one in ``kit`` that turns values into report
HTML or Markdown (``tests/test_display.py`` greps the package for any other),
and each of its ways in escapes whatever it is given:

- HTML from Jinja templates under ``kit/data/templates`` (autoescaped),
  rendered by :func:`render` and shown by :func:`html`, which accepts only
  :class:`markupsafe.Markup` (a hand-built ``str`` is refused);
- tables from pandas: :func:`table` (``to_html(escape=True)``: cells, index and
  columns) and :func:`styled`, which escapes a Styler's cells, row and column
  headings and caption whatever the caller set;
- Markdown headings through :func:`markdown_text` (no links, images, HTML);
- charts through :func:`chart`: plotly draws its strings as a small HTML
  dialect (``<b>``, ``<br>``, ``<a href>``: https://plotly.com/chart-studio-help/adding-HTML-and-links-to-charts/),
  so every string of a figure is HTML-escaped except hover/text templates
  and :class:`~markupsafe.Markup` the kit composed
  (``Markup("{}<br>n={}").format(task, n)`` escapes the task).

A chart is stored twice, with no plotly.js: as
plotly's own JSON (``application/vnd.plotly.v1+json``), which JupyterLab
draws through the plotly extension that the plotly package installs (also in a
notebook nobody has trusted, and without network), and as the HTML of its div,
which the site pages draw with their one shared copy of plotly.js
(:mod:`kit.site.cells`). An executed notebook thus weighs kilobytes, not the
4.6 MB of plotly.js per notebook it would with plotly.js inlined.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
from functools import cache
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pandas.io.formats.style import Styler

from kit.layout import kit_data, kit_data_dir

PLOTLY_MIME = "application/vnd.plotly.v1+json"  # plotly's mimetype renderer (plotly.io renderers)
# No mode bar: on the site it covers the chart's title on phones, and readers
# do not zoom or export (https://plotly.com/python/configuration-options/).
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


# Text colours a coloured cell may carry: black or white, whichever reads better on it.
INK_ON_LIGHT = "#000000"
INK_ON_DARK = "#ffffff"
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.2 success criterion 1.4.3 (AA), text under 18 pt


def relative_luminance(colour: str) -> float:
    """The relative luminance of an sRGB colour ``#rrggbb`` (0 black, 1 white).

    WCAG 2.2, definition "relative luminance"
    (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance): each channel
    c = C/255 is linearised as c/12.92 when c <= 0.04045, else ((c+0.055)/1.055)^2.4;
    L = 0.2126 R + 0.7152 G + 0.0722 B.
    """
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        raise ValueError(f"colour {colour!r}: expected #rrggbb")
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), L1 the lighter: WCAG 2.2 "contrast ratio" (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background``.

    One of the two always reaches 4.58:1 (the worst background has L = 0.229),
    so a cell's text meets :data:`MIN_TEXT_CONTRAST` whatever its fill.
    """
    return max((INK_ON_LIGHT, INK_ON_DARK), key=lambda ink: contrast_ratio(ink, background))


@cache
def templates() -> Environment:
    """The kit's one Jinja environment: templates in ``kit/data``, HTML autoescaped."""
    env = Environment(
        loader=FileSystemLoader(str(kit_data_dir())), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
    )
    env.globals["word"] = reader_word  # plain words for readers, the precise term behind them
    return env


def render(template: str, macro: str, *args: Any, **kwargs: Any) -> Markup:
    """Call one macro of a report template (``templates/<template>``) and return its HTML."""
    module = templates().get_template(f"templates/{template}").module
    return Markup(getattr(module, macro)(*args, **kwargs))


def html(markup: Markup) -> None:
    """Show HTML that :func:`render` produced; a plain ``str`` (hand-built HTML) is refused."""
    from IPython.display import HTML

    if not isinstance(markup, Markup):
        # Markup is what autoescaping returns: anything else may hold unescaped study text.
        raise TypeError(f"kit.display.html takes Markup from kit.display.render, got {type(markup).__name__}")
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
# and pandoc both allow escaping any ASCII punctuation). "|" too: in a pipe-table
# cell (the codebook and panel pages) it would start a new cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&!#|])")


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


def styled(styler: Styler) -> None:
    """Show a pandas Styler (colour tables) with its cells, row and column headings and caption escaped.

    Styler escapes nothing unless asked, and ``format(escape=...)`` covers the
    cells only (https://pandas.pydata.org/docs/reference/api/pandas.io.formats.style.Styler.format_index.html):
    a tag as a row heading was once live HTML on the 02-sessions page. The
    callers' own cell formatters are replaced (the kit sets none).
    """
    from IPython.display import HTML

    shown = styler.format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    caption = getattr(styler, "caption", None)  # set by set_caption (not in pandas' type stubs)
    if isinstance(caption, str):
        shown = shown.set_caption(escape(caption))
    _display(HTML(shown.to_html()))


# Plotly keys whose strings are the kit's own formats (``%{x}<extra></extra>``) or
# plotly's theme, not text to show: kept as they are. The values they insert
# (``%{x}``) come from the escaped data.
_PLOTLY_FORMATS = frozenset({"hovertemplate", "texttemplate", "template"})


def _plotly_text(value: Any, key: str = "") -> Any:
    """A figure's dict with every string HTML-escaped, except formats and kit-composed Markup."""
    if key in _PLOTLY_FORMATS:
        return value
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return html_lib.escape(value, quote=False)  # plotly reads &lt; &gt; &amp; as text
    if isinstance(value, dict):
        return {k: _plotly_text(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plotly_text(v) for v in value]
    if getattr(value, "dtype", None) is not None and value.dtype == object:  # numpy array of labels
        return [_plotly_text(v) for v in value.tolist()]
    return value


def chart_bundle(fig: Any) -> dict[str, Any]:
    """A plotly figure as a display bundle: plotly's JSON for JupyterLab, its div for the site.

    Every string of the figure is escaped (:func:`_plotly_text`). The
    ``text/html`` part has no plotly.js: the site loads one shared copy
    before a page's first chart (:func:`kit.site.cells.share_plotly`). The
    chart's div carries class ``kit-chart`` (the site's CSS and tests use it).
    """
    import plotly.io as pio

    figure = _plotly_text(fig.to_dict() if hasattr(fig, "to_dict") else fig)
    # to_json turns numpy arrays and dates into JSON; the notebook stores plain JSON values.
    spec = json.loads(pio.to_json(figure, validate=False))
    spec["config"] = dict(CHART_CONFIG)
    title = html_lib.unescape((spec.get("layout", {}).get("title") or {}).get("text") or "chart")
    return {PLOTLY_MIME: spec, "text/html": str(_chart_div(figure)), "text/plain": f"[chart: {title}]"}


def _chart_div(figure: dict[str, Any], config: dict[str, Any] | None = None) -> Markup:
    """The div plotly writes for an escaped figure (its JSON is in a script: plotly escapes ``<`` there)."""
    import plotly.io as pio

    body = pio.to_html(figure, full_html=False, include_plotlyjs=False, config=config or CHART_CONFIG, validate=False)
    return Markup('<div class="kit-chart">{}</div>').format(Markup(body))


def chart_html(spec: dict[str, Any]) -> str:
    """The site's div for plotly's JSON of a chart shown without one (a study's own ``fig.show()``).

    Its strings are escaped like the kit's charts; the kit's charts carry their
    div already (:func:`chart_bundle`) and never come here, so nothing is escaped twice.
    """
    config = spec.get("config") if isinstance(spec.get("config"), dict) else None
    return str(_chart_div(_plotly_text(spec), config))


def chart(fig: Any) -> None:
    """Show a plotly figure (see :func:`chart_bundle`); it needs no network anywhere."""
    _display(chart_bundle(fig), raw=True)


@cache
def reader_word_rows() -> tuple[dict[str, str], ...]:
    """The rows of ``data/reader_words.csv``: key, words, precise and meaning (the Glossary page's sentences)."""
    rows = csv.DictReader(io.StringIO(kit_data("reader_words.csv")))
    return tuple({k: row.get(k) or "" for k in ("key", "words", "precise", "meaning")} for row in rows)


@cache
def reader_words() -> dict[str, tuple[str, str]]:
    """Plain words for readers and the precise term behind each (``data/reader_words.csv``).

    The site is read by PMs and leads: a label says what a thing means
    ("likely range"), and the precise term ("95% confidence interval") is one
    hover away, in an ``<abbr title>``. Keys: ``confidence.<level>``,
    ``status.<status>``, ``header.<field>`` and single terms. The table's
    ``meaning`` is the Glossary page's (:mod:`kit.site.glossary`).
    """
    return {row["key"]: (row["words"], row["precise"]) for row in reader_word_rows()}


def reader_word(key: str, fallback: str = "") -> tuple[str, str]:
    """``(words, precise)`` for ``key``; an unknown key reads as ``fallback`` (or the key) with no hover."""
    return reader_words().get(key, (fallback or key, ""))


ABBR_MARKDOWN = re.compile(r'<abbr title="[^"<>]*">|</abbr>')
"""The one raw HTML the kit writes into a page's Markdown (:func:`reader_term_markdown`): Pandoc keeps
inline HTML, and the preview's Markdown, which escapes all other HTML, lets exactly these tags through."""


def reader_term_markdown(key: str, fallback: str = "", *, capitalised: bool = False) -> str:
    """A term of ``data/reader_words.csv`` as Markdown: its plain words, the precise term a hover away.

    The words are literal (:func:`markdown_text`) inside ``<abbr title="precise">``
    when the table has a precise term (else they stand alone). The title is
    HTML-escaped, and ``|`` is a character reference there, so the term may sit
    in a pipe table's cell. ``capitalised``: the first letter upper case (a column header).
    """
    words, precise = reader_word(key, fallback)
    if capitalised:
        words = words[:1].upper() + words[1:]
    if not precise:
        return markdown_text(words)
    title = escape(" ".join(precise.split())).replace("|", "&#124;")
    return f'<abbr title="{title}">{markdown_text(words)}</abbr>'


def details_html(summary: str, fragments: list[str], css_class: str) -> str:
    """HTML outputs of a notebook gathered into one closed ``<details>`` with an escaped ``summary``.

    ``fragments`` are a page's own ``text/html`` outputs (made by this module,
    or a study's own cell), which the site publishes as they are in any case:
    they are moved, not re-escaped. Plain text goes through :func:`pre_html` first.
    """
    return str(render("report.html", "details", summary, [Markup(f) for f in fragments], css_class))


def pre_html(text: str) -> str:
    """Plain output text (a stream, ``text/plain``) as escaped ``<pre>``."""
    return str(Markup('<pre class="kit-output">{}</pre>').format(text))
