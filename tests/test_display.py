"""Participant text shown in notebooks is escaped, never interpreted."""
import pandas as pd
import plotly.graph_objects as go
import pytest

from kit import display


@pytest.fixture
def shown(monkeypatch):
    out = []
    monkeypatch.setattr(display, "_display", lambda obj: out.append(obj))
    monkeypatch.setattr(display, "_plotly_js_sent", False)
    return out


def test_table_escapes_html(shown):
    display.table(pd.DataFrame({"quote": ["<script>alert(1)</script>"]}), caption="<b>x</b>")
    html = shown[0].data
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_note_escapes(shown):
    display.note('<img src=x onerror="alert(1)">', "warning")
    assert "<img" not in shown[0].data


def test_chart_inlines_plotly_once(shown):
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    display.chart(fig)
    display.chart(fig)
    first, second = shown[0].data, shown[1].data
    assert "window.define = undefined" in first and len(first) > 1_000_000
    assert "window.define = undefined" not in second and 'class="kit-chart"' in second
    assert '"displayModeBar": false' in second  # no mode bar over the chart's title on phones


def test_heading_text_cannot_become_a_link_or_html(shown):
    # Markdown turns "[t](javascript:...)" into a live link even after HTML escaping;
    # rendered by nbconvert (as the preview does), the heading must be plain text.
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from kit.site.preview import _exporter

    title = "Study <script>x()</script> [click](javascript:alert(1)) ![i](javascript:alert(2)) &amp; a_b *c* #"
    display.heading(title)
    md = shown[0].data
    nb = new_notebook(cells=[new_code_cell("", outputs=[new_output(
        "display_data", data={"text/markdown": md, "text/plain": ""})])])
    body, _ = _exporter().from_notebook_node(nb)
    h2 = body[body.index("<h2"):body.index("</h2>")]
    assert "<a href=\"javascript" not in h2 and "<img" not in h2 and "<script" not in h2
    assert ("Study &lt;script&gt;x()&lt;/script&gt; [click](javascript:alert(1)) ![i](javascript:alert(2)) "
            "&amp;amp; a_b *c* #") in h2
