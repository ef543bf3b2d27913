"""kit.site.cells and kit.site.published: how published cells are shown (raw HTML blocks, shared plotly.js,
kit calls without code)."""

from __future__ import annotations

import json

import pytest

from kit.site import cells, published


@pytest.mark.parametrize(
    "source",
    [
        "import kit.plan, kit.study",
        "plan = kit.plan.run_plan_stage(study_dir, reports_dir, kit.study.parameters_from(globals()))",
        "# a comment\nkit.plan.report.show_overview(plan)\nkit.plan.report.show_raci(plan)",
        "import kit.forms\nstudy_dir = kit.forms.resolve_study_dir(study_dir)\nkit.forms.plan_editor(study_dir)",
        "from kit.display import table",
    ],
)
def test_cells_that_only_call_the_kit(source):
    assert cells.only_calls_the_kit(source)


@pytest.mark.parametrize(
    "source",
    [
        "",
        "# only a comment",
        "import pandas as pd",
        "df = pd.read_csv('x.csv')\nkit.display.table(df)",  # the team's own analysis
        "for p in plans:\n    kit.plan.report.show_overview(p)",
        "%matplotlib inline",
        "kitten.show()",
        "x = kit.plan",  # not a call
    ],
)
def test_cells_with_other_code_keep_it(source):
    assert not cells.only_calls_the_kit(source)


def test_raw_html_block_fence_outlasts_any_backtick_line_in_participant_text():
    html = "<td>first\n```\n<script>alert(1)</script> in markdown?\n`````\n</td>"
    md = cells.raw_html_markdown(html)
    fence = md.split("{=html}")[0]
    assert fence == "`" * 6 and md.endswith("\n" + fence + "\n")
    out = {"output_type": "display_data", "metadata": {}, "data": {"text/html": html, "text/plain": "x"}}
    cells.wrap_html(out)
    assert "text/html" not in out["data"] and out["data"]["text/markdown"] == md
    cells.unwrap_html(out)
    assert out["data"]["text/html"] == html and "text/markdown" not in out["data"]


def test_unwrap_leaves_markdown_the_kit_did_not_wrap():
    out = {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": "```{=html}\n<b>x</b>\n```\n"}}
    cells.unwrap_html(out)
    assert out["data"] == {"text/markdown": "```{=html}\n<b>x</b>\n```\n"}


def test_inlined_plotly_becomes_one_link_to_the_shared_file():
    from plotly.offline import get_plotlyjs

    html = (
        f"<script>window.define = undefined;</script><script>{get_plotlyjs()}</script>"
        '<div class="kit-chart"><div id="c1"></div><script>Plotly.newPlot("c1", [])</script></div>'
    )
    linked = cells.link_plotly(html, "../kit-assets/plotly.min.js")
    assert linked.count('<script src="../kit-assets/plotly.min.js"></script>') == 1
    assert len(linked) < 1_000 and 'Plotly.newPlot("c1", [])' in linked
    assert cells.link_plotly(linked, "x.js") == linked


def _chart_page(bundles: list[dict]) -> dict:
    return {
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
        "cells": [
            {
                "cell_type": "code",
                "id": f"c{i}",
                "metadata": {},
                "execution_count": i,
                "source": "kit.synthesis.report.show_metrics(s)",
                "outputs": [{"output_type": "display_data", "metadata": {}, "data": b}],
            }
            for i, b in enumerate(bundles)
        ],
    }


def test_a_page_loads_the_shared_plotly_js_once_before_its_first_chart():
    import plotly.graph_objects as go

    from kit import display

    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    table = {"text/html": "<table><tr><td>1</td></tr></table>"}
    page = published.published_notebook(
        _chart_page([table, display.chart_bundle(fig), display.chart_bundle(fig)]), stem="02-sessions"
    )
    shown = [cells.unwrap_html(o) or o["data"] for c in page["cells"] for o in c.get("outputs", [])]
    assert [display.PLOTLY_MIME in d for d in shown] == [False, False, False]  # the page draws HTML
    loader = '<script src="../kit-assets/plotly.min.js"></script>'
    assert [d["text/html"].count(loader) for d in shown] == [0, 1, 0]
    # plotly.js is loaded (with require.js's define hidden) before the chart's own script runs
    first = shown[1]["text/html"]
    assert first.index("window.define = undefined") < first.index(loader) < first.index("Plotly.newPlot")


def test_a_chart_stored_only_as_plotly_json_gets_its_html_on_the_site():
    # plotly's own "plotly_mimetype" renderer (a team's fig.show()) stores the JSON alone
    spec = {"data": [{"type": "bar", "x": ["a"], "y": [3]}], "layout": {}, "config": {"displayModeBar": False}}
    data = {"application/vnd.plotly.v1+json": spec}
    assert cells.share_plotly(data, "p.js", False) is True
    assert set(data) == {"text/html"} and "plotly-graph-div" in data["text/html"]
    assert data["text/html"].count('<script src="p.js"></script>') == 1
    assert '"displayModeBar": false' in data["text/html"]


def _executed() -> dict:
    return {
        "metadata": {"papermill": {"input_path": "/ci/work/repo/templates/02-sessions.ipynb"}},
        "nbformat": 4,
        "nbformat_minor": 5,
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Sessions\n\nIntro."},
            {
                "cell_type": "code",
                "id": "b",
                "metadata": {},
                "execution_count": 3,
                "source": "kit.synthesis.report.show_observers(s)",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/html": "<table><tr><td>P01</td></tr></table>", "text/plain": "<HTML>"},
                    }
                ],
            },
            {
                "cell_type": "code",
                "id": "c",
                "metadata": {},
                "execution_count": 4,
                "source": "len(s)",
                "outputs": [
                    {"output_type": "execute_result", "metadata": {}, "execution_count": 4, "data": {"text/plain": "5"}}
                ],
            },
        ],
    }


def test_a_site_page_has_no_html_output_quarto_would_take_for_a_widget(tmp_path):
    pub = published.published_notebook(_executed(), title="Study: Synthesis", stem="02-sessions")
    outputs = [o for c in pub["cells"] for o in c.get("outputs", [])]
    assert not any("text/html" in o.get("data", {}) for o in outputs)
    assert outputs[0]["data"]["text/markdown"].startswith("```{=html}\n<table>")
    code = {c["id"]: c["metadata"].get("tags", []) for c in pub["cells"] if c["cell_type"] == "code"}
    assert code == {"b": ["hide-code"], "c": []}
    link = pub["cells"][-1]["source"]
    assert "[02-sessions.ipynb](source/02-sessions.ipynb)" in link and "`templates/02-sessions.ipynb`" in link
    published.write_notebook(tmp_path / "p.ipynb", pub)
    # Quarto reads a raw front-matter cell only when its source is a list of lines.
    assert json.loads((tmp_path / "p.ipynb").read_text())["cells"][0]["source"] == [
        "---\n",
        "title: 'Study: Synthesis'\n",
        "---\n",
    ]


def test_the_source_copy_has_the_code_and_no_outputs():
    src = published.source_notebook(_executed())
    assert [c["cell_type"] for c in src["cells"]] == ["markdown", "code", "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in src["cells"] if c["cell_type"] == "code")
    assert "papermill" not in src["metadata"]


def test_form_cells_leave_the_site_and_kit_cells_write_their_markdown_into_the_page():
    nb = _executed()
    nb["cells"].insert(
        1,
        {
            "cell_type": "code",
            "id": "f",
            "metadata": {},
            "execution_count": 1,
            "outputs": [],
            "source": "import kit.forms\nstudy_dir = kit.forms.resolve_study_dir(study_dir)\n"
            "kit.forms.plan_editor(study_dir)",
        },
    )
    assert cells.opens_a_form(nb["cells"][1]["source"])
    assert not cells.opens_a_form("kit.plan.report.show_overview(plan)")
    assert not cells.opens_a_form("x = 1\nkit.forms.plan_editor(d)")  # not kit-only: shown, folded
    pub = published.published_notebook(nb, title="S: Plan", stem="01-plan")
    ids = [c["id"] for c in pub["cells"]]
    assert "f" not in ids and "b" in ids
    b = next(c for c in pub["cells"] if c["id"] == "b")
    assert b["source"].startswith("#| output: asis\n")
    assert "f" in [c["id"] for c in published.source_notebook(nb)["cells"]]  # the code copy keeps it


def test_printed_text_of_an_asis_cell_stays_text():
    nb = _executed()
    nb["cells"][1]["outputs"] += [
        {
            "output_type": "stream",
            "name": "stdout",
            "text": ["P02 said <script>window.__xss=1</script>\n", "# not a heading\n"],
        },
        {
            "output_type": "execute_result",
            "metadata": {},
            "execution_count": 3,
            "data": {"text/plain": "[x](javascript:y)"},
        },
    ]
    pub = published.published_notebook(nb, title="S: Synthesis", stem="02-sessions")
    outs = next(c for c in pub["cells"] if c["id"] == "b")["outputs"]
    assert [o["output_type"] for o in outs] == ["display_data"] * 3
    md = outs[1]["data"]["text/markdown"]
    assert md.startswith('```{=html}\n<pre class="kit-output">P02 said &lt;script&gt;') and "# not a heading" in md
    assert "javascript:y" in outs[2]["data"]["text/markdown"] and "<a" not in outs[2]["data"]["text/markdown"]
    cells.unwrap_html(outs[1])  # the preview shows the same <pre>
    assert outs[1]["data"]["text/html"].startswith('<pre class="kit-output">P02 said &lt;script&gt;')


def _tooling_cell(cell_id: str, outputs: list[dict]) -> dict:
    return {
        "cell_type": "code",
        "id": cell_id,
        "metadata": {"tags": [published.RESEARCHER_TAG]},
        "execution_count": 2,
        "outputs": outputs,
        "source": "kit.insights.report.show_warnings(result)",
    }


def test_tooling_cells_move_to_the_end_in_one_closed_section():
    nb = _executed()
    warning = '<p class="kit-warning">insights.yml: insight I6: rests only on feature requests</p>'
    nb["cells"].insert(
        1,
        _tooling_cell(
            "w",
            [
                {"output_type": "display_data", "metadata": {}, "data": {"text/html": warning, "text/plain": "x"}},
                {"output_type": "stream", "name": "stdout", "text": "data/notes.csv:7: <b>odd</b>\n"},
            ],
        ),
    )
    nb["cells"].insert(2, _tooling_cell("quiet", []))
    pub = published.published_notebook(nb, title="S: Insights", stem="03-insights")
    ids = [c["id"] for c in pub["cells"]]
    assert "w" not in ids and "quiet" not in ids
    # Everything a reader reads comes first; the researcher's part just before the link to the code.
    assert ids[-2:] == ["kit-researcher", "kit-source-link"] and ids.index("b") < ids.index("kit-researcher")
    section = pub["cells"][-2]
    assert cells.HIDE_CODE_TAG in section["metadata"]["tags"]
    md = section["outputs"][0]["data"]["text/markdown"]
    assert md.count("<details") == 1 and "<details open" not in md
    assert f"<summary>{published.RESEARCHER_SUMMARY}</summary>" in md
    assert warning in md and "data/notes.csv:7: &lt;b&gt;odd&lt;/b&gt;" in md
    # The code copy keeps the cells where the template has them.
    assert "w" in [c["id"] for c in published.source_notebook(nb)["cells"]]


def test_no_tooling_output_no_researcher_section():
    nb = _executed()
    nb["cells"].insert(1, _tooling_cell("quiet", []))
    pub = published.published_notebook(nb, title="S: Insights", stem="03-insights")
    assert "kit-researcher" not in [c["id"] for c in pub["cells"]]
