"""Participant text shown in notebooks is escaped, never interpreted."""

import html
import re
import sys
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from kit import display


@pytest.fixture
def shown(monkeypatch):
    out = []
    monkeypatch.setattr(display, "_display", lambda obj, raw=False: out.append(obj))
    return out


def test_table_escapes_html(shown):
    display.table(pd.DataFrame({"quote": ["<script>alert(1)</script>"]}), caption="<b>x</b>")
    html = shown[0].data
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_note_escapes(shown):
    display.note('<img src=x onerror="alert(1)">', "warning")
    assert "<img" not in shown[0].data


def test_chart_is_plotly_json_and_a_div_without_plotly_js(shown):
    import json

    fig = go.Figure(go.Bar(x=["a", "b"], y=[1.5, 2.0]), layout={"title": {"text": "Tasks"}})
    display.chart(fig)
    display.chart(fig)
    first, second = shown
    assert first.keys() == second.keys() == {display.PLOTLY_MIME, "text/html", "text/plain"}
    assert first[display.PLOTLY_MIME] == second[display.PLOTLY_MIME]  # each chart stands alone
    spec = first[display.PLOTLY_MIME]
    assert json.loads(json.dumps(spec)) == spec  # plain JSON, as a notebook stores it
    assert spec["data"][0]["y"] == [1.5, 2.0] and spec["layout"]["title"]["text"] == "Tasks"
    # no mode bar over the chart's title on phones, in JupyterLab and on the site
    assert spec["config"]["displayModeBar"] is False and '"displayModeBar": false' in first["text/html"]
    assert first["text/html"].startswith('<div class="kit-chart">') and "plotly-graph-div" in first["text/html"]
    # plotly.js (about 4.6 MB, its licence header "* plotly.js v") is not in the notebook
    assert "plotly.js v" not in json.dumps(first) and len(json.dumps(first)) < 20_000
    assert first["text/plain"] == "[chart: Tasks]"


def test_heading_text_cannot_become_a_link_or_html(shown):
    # Markdown turns "[t](javascript:...)" into a live link even after HTML escaping;
    # rendered by nbconvert (as the preview does), the heading must be plain text.
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from kit.site.preview import _exporter

    title = "Study <script>x()</script> [click](javascript:alert(1)) ![i](javascript:alert(2)) &amp; a_b *c* #"
    display.heading(title)
    md = shown[0].data
    nb = new_notebook(
        cells=[new_code_cell("", outputs=[new_output("display_data", data={"text/markdown": md, "text/plain": ""})])]
    )
    body, _ = _exporter().from_notebook_node(nb)
    h2 = body[body.index("<h2") : body.index("</h2>")]
    assert '<a href="javascript' not in h2 and "<img" not in h2 and "<script" not in h2
    assert (
        "Study &lt;script&gt;x()&lt;/script&gt; [click](javascript:alert(1)) ![i](javascript:alert(2)) "
        "&amp;amp; a_b *c* #"
    ) in h2


# --- escaping by construction: no other way into HTML than kit.display's ------------------------

SRC = Path(display.__file__).parent
# Ways a value could reach HTML without being escaped, as they would be spelled in src/kit.
UNSAFE_PYTHON = {
    # (a regex's named group, "(?P<name>", is not a tag)
    "HTML built in an f-string": re.compile(r"""\b[rR]?[fF][rR]?(["'])(?:(?!\1).)*(?<!\?P)<[a-z][a-z0-9]*[\s>/]"""),
    "escaping switched off": re.compile(r"\b(?:auto)?escape\s*=\s*False"),
    "IPython HTML or Markdown": re.compile(
        r"IPython\.display import .*\b(?:HTML|Markdown)\b|display_(?:html|markdown)\("
    ),
    # "<b>" + name, "<b>%s</b>" % name, "<b>{}</b>".format(name); Markup("<b>{}</b>").format(name) escapes
    "HTML joined or formatted from a str": re.compile(
        r"""(?<!Markup\()(["'])[^"'\n]*</?[a-z][a-z0-9]*[\s>/][^"'\n]*\1\s*(?:\+|%\s|\.format\()"""
        r"""|\+\s*(["'])[^"'\n]*</?[a-z][a-z0-9]*[\s>/]"""
    ),
    "a pandas or plotly to_html": re.compile(r"\.to_html\("),
    "Markup() of a value": re.compile(r"\bMarkup\((?!\s*[\"')])"),
}
UNSAFE_TEMPLATE = re.compile(r"\|\s*safe\b|autoescape\s+false", re.IGNORECASE)
# The few places that wrap another library's escaped output as Markup, each with its reason.
ALLOWED = {
    ("site/preview.py", "Markup() of a value"): "mistune's output with escape=True, and nbconvert's body of a notebook",
    ("site/topics.py", "Markup() of a value"): "the topic page's own autoescaped HTML with its braces as character "
    "references (so Quarto reads no shortcode)",
    ("repository/kit_files.py", "escaping switched off"): "renders `kit init`'s plain-text files (Makefile, "
    "README.md, requirements.txt), never HTML: HTML escaping would corrupt them",
}


def _unsafe_lines() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == "display.py":
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for what, pattern in UNSAFE_PYTHON.items():
            for m in pattern.finditer(text):
                n = text.count("\n", 0, m.start()) + 1
                if (rel, what) not in ALLOWED:
                    found.append(f"{rel}:{n}: {what}: {lines[n - 1].strip()}")
    for path in sorted((SRC / "data").rglob("*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if UNSAFE_TEMPLATE.search(line):
                found.append(f"data/{path.relative_to(SRC / 'data').as_posix()}:{n}: unescaped template value: {line}")
    return found


def test_only_kit_display_turns_values_into_html():
    assert _unsafe_lines() == []


def test_the_grep_finds_each_unsafe_spelling(tmp_path, monkeypatch):
    # The check above must be able to fail: a copy of kit with one unsafe line of each kind.
    fake = tmp_path / "kit"
    (fake / "data").mkdir(parents=True)
    (fake / "display.py").write_text("x = f'<b>{y}</b>'\n")  # display is where HTML is made
    (fake / "bad.py").write_text(
        "tag_html = f'<th>{tag}</th>'\n"
        "row = '<td>' + cell + '</td>'\n"
        "df.style.format(escape=False)\n"
        "from IPython.display import HTML\n"
        "df.to_html()\n"
        "Markup(text)\n"
    )
    (fake / "data" / "page.html").write_text("{{ body | safe }}\n")
    monkeypatch.setattr(sys.modules[__name__], "SRC", fake)
    found = _unsafe_lines()
    assert {f.split(": ")[1] for f in found} == {*UNSAFE_PYTHON, "unescaped template value"}, found
    assert not any(f.startswith("display.py") for f in found)  # the one module allowed to make HTML


def test_styled_escapes_row_and_column_headings_and_caption(shown):
    # The tag matrix's row headings (tags from notes.csv) were once raw HTML on the 02 page.
    frame = pd.DataFrame({"<b>P01</b>": [1]}, index=['<img src=x onerror="alert(4)">'])
    display.styled(frame.style.set_caption("<script>alert(5)</script>"))
    html = shown[0].data
    assert "<img" not in html and "<b>" not in html and "<script" not in html
    assert (
        "&lt;img src=x onerror=&#34;alert(4)&#34;&gt;" in html
        or "&lt;img src=x onerror=&quot;alert(4)&quot;&gt;" in html
    )
    assert "&lt;b&gt;P01&lt;/b&gt;" in html and "&lt;script&gt;alert(5)&lt;/script&gt;" in html


def test_html_refuses_a_hand_built_string(shown):
    with pytest.raises(TypeError, match="Markup"):
        display.html("<p>" + "<script>alert(1)</script>" + "</p>")
    display.html(display.render("report.html", "info", "<script>alert(1)</script>"))
    assert "&lt;script&gt;" in shown[0].data


def test_chart_text_is_text_for_plotly(shown):
    # Plotly draws labels as a small HTML dialect (<b>, <br>, <a href>): study text must be escaped,
    # while the kit's own Markup (a <br> between a task and its n) and hover templates stay markup.
    from markupsafe import Markup

    task = '<a href="https://evil.example">Pay</a> & <b>go</b>'
    fig = go.Figure(
        go.Bar(x=[Markup("{}<br>n={}").format(task, 5), task], y=[1, 2], hovertemplate="%{x}<extra></extra>"),
        layout={"title": {"text": task}},
    )
    display.chart(fig)
    spec = shown[0][display.PLOTLY_MIME]
    composed, plain = spec["data"][0]["x"]
    assert composed.endswith("<br>n=5") and html.unescape(composed) == f"{task}<br>n=5"
    assert html.unescape(plain) == task and html.unescape(spec["layout"]["title"]["text"]) == task
    for text in (composed[: -len("<br>n=5")], plain, spec["layout"]["title"]["text"]):
        assert "<" not in text and ">" not in text
    assert spec["data"][0]["hovertemplate"] == "%{x}<extra></extra>"
    assert "<a href" not in shown[0]["text/html"] and "\\u003ca href" not in shown[0]["text/html"]
    assert shown[0]["text/plain"] == f"[chart: {task}]"


def test_contrast_ratio_follows_the_wcag_formula():
    # Reference values: black on white is the maximum, 21:1; #777777 on white is 4.48:1, the
    # grey WebAIM's contrast checker cites as just failing AA (WCAG 2.2, "contrast ratio").
    assert display.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert display.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert display.contrast_ratio("#ffffff", "#777777") == display.contrast_ratio("#777777", "#ffffff")
    assert display.contrast_ratio("#4e79a7", "#4e79a7") == pytest.approx(1.0)
    # The linear segment of the sRGB curve (c <= 0.04045): #0a0a0a is 10/255/12.92.
    assert display.relative_luminance("#0a0a0a") == pytest.approx(10 / 255 / 12.92)
    with pytest.raises(ValueError, match="expected #rrggbb"):
        display.relative_luminance("white")


def test_text_colour_on_any_fill_reaches_aa():
    greys = [f"#{v:02x}{v:02x}{v:02x}" for v in range(256)]
    hues = [f"#{r:02x}{g:02x}{b:02x}" for r in range(0, 256, 51) for g in range(0, 256, 51) for b in range(0, 256, 51)]
    worst = min(display.contrast_ratio(display.text_colour_on(c), c) for c in greys + hues)
    assert worst >= display.MIN_TEXT_CONTRAST
