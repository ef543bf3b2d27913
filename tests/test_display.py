"""Participant text shown in notebooks is escaped, never interpreted."""

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
