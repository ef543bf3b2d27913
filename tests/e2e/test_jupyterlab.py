"""The plan form in a real JupyterLab, driven by headless Chromium.

A copy of the demo study (with the 01-plan template copied in, as ``kit new``
does) is served by ``jupyter lab`` on 127.0.0.1 with a token and a free port;
Chromium opens notebooks/demo-checkout/01-plan.ipynb, runs all cells, types a
new title into the form and clicks Save; study.yml on disk must then hold the
typed title, and the plan stage cells below the form must have run against
the study's own folder. Server and browser are shut down even on failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from browser_site import browser_fixture, skip_module_without_chromium

from demo_copy import copy_demo_study

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "notebooks" / "demo-checkout"
JUPYTER = Path(sys.executable).parent / "jupyter"
TOKEN = "kit-test-token-7f3a"
TYPED = "Typed in JupyterLab: checkout v3"

# A hang must fail the test (and run the fixtures' shutdown), not stall the suite.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

skip_module_without_chromium()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"jupyter lab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


NOTEBOOKS = ("01-plan.ipynb", "03-insights.ipynb")


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("jupyterlab")


@pytest.fixture(scope="module")
def study_repo(tmp_module: Path) -> Path:
    """A repository holding the demo study with the templates copied in, as ``kit new`` does."""
    repo = tmp_module / "repo"
    study = repo / "notebooks" / "demo-checkout"
    copy_demo_study(study)
    shutil.copytree(ROOT / "metrics", repo / "metrics")  # the demo's R1 is judged by its series
    for name in NOTEBOOKS:
        shutil.copy2(ROOT / "templates" / name, study / name)
    return repo


@pytest.fixture(scope="module")
def jupyterlab(study_repo: Path, tmp_module: Path):
    """``jupyter lab`` serving the copy; yields its base URL; always stopped."""
    port = _free_port()
    home = tmp_module / "jupyter-home"
    for sub in ("config", "runtime", "workspaces", "settings"):
        (home / sub).mkdir(parents=True)
    # No news/update toasts over the notebook.
    (home / "config" / "labconfig").mkdir()
    (home / "config" / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = {k: v for k, v in os.environ.items() if k not in ("KIT_INTERACTIVE", "JPY_SESSION_NAME")}
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"), PYTHONUNBUFFERED="1")
    log = tmp_module / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                str(JUPYTER),
                "lab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={TOKEN}",
                f"--ServerApp.root_dir={study_repo}",
                "--LabApp.expose_app_in_browser=True",
                f"--LabApp.workspaces_dir={home / 'workspaces'}",
                f"--LabApp.user_settings_dir={home / 'settings'}",
                "--ServerApp.terminals_enabled=False",
            ]
            + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=study_repo,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{base}/api/status?token={TOKEN}", proc, log)
        yield base
    finally:
        _stop_server(proc, base)


def _stop_server(proc: subprocess.Popen, base: str) -> None:
    """Shut the kernels down through the API, then stop the server's process group.

    Kernels run in sessions of their own; if the server must be killed, they are
    killed by pid too, so nothing outlives the test.
    """
    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    try:
        with urllib.request.urlopen(f"{base}/api/kernels?token={TOKEN}", timeout=5) as resp:
            kernels = json.load(resp)
        for kernel in kernels:
            req = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={TOKEN}", method="DELETE")
            urllib.request.urlopen(req, timeout=15).close()
    except OSError:
        pass  # the server is gone or stuck: the signals below still apply
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


browser = browser_fixture()


def _open_and_run_all(browser, base: str, notebook: str):
    """Open ``notebook`` in a fresh JupyterLab workspace, wait for its kernel, Run All Cells.

    Returns the page and a locator scoped to this notebook's panel (another
    notebook's form must not answer for it).
    """
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    workspace = Path(notebook).stem
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={TOKEN}")
    page.wait_for_function(
        "(name) => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.context.path.endsWith(name)",
        arg=Path(notebook).name,
        timeout=120_000,
    )
    _wait_idle(page)
    panel_id = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    return page, page.locator(f"[id='{panel_id}']")


def _wait_idle(page) -> None:
    page.wait_for_function(
        "() => { const c = window.jupyterapp.shell.currentWidget.sessionContext;"
        " return c.session && c.session.kernel && c.kernelDisplayStatus === 'idle'; }",
        timeout=120_000,
    )


def _wait_for_file(path: Path, check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check(yaml.safe_load(path.read_text())):
        time.sleep(0.25)


def test_type_into_the_plan_form_and_save(jupyterlab: str, browser, study_repo: Path):
    study_yml = study_repo / "notebooks" / "demo-checkout" / "study.yml"
    before = study_yml.read_text()
    page, panel = _open_and_run_all(browser, jupyterlab, "notebooks/demo-checkout/01-plan.ipynb")
    try:
        title = panel.locator(".kit-field-title input")
        title.wait_for(state="visible", timeout=120_000)
        assert title.input_value() == "Checkout redesign usability study"
        title.click()
        title.fill("")
        title.type(TYPED, delay=5)
        panel.locator("button.kit-save").click()

        _wait_for_file(study_yml, lambda data: data["title"] == TYPED)
        status = panel.locator(".kit-status").inner_text()
        after = study_yml.read_text()
        assert yaml.safe_load(after)["title"] == TYPED, f"status: {status!r}"
        assert "Saved" in status
        # Only the title line changed; the comments at the top are still there.
        changed = [b for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
        assert len(changed) == 1 and changed[0].startswith("title:")
        # The stage cells below the form ran against this study's folder (no error output).
        _wait_idle(page)
        errors = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        tracebacks = [t for t in errors.all_inner_texts() if "Error" in t]
        assert not tracebacks, tracebacks[:1]
        assert (study_repo / "reports" / "demo-checkout" / "plan.json").is_file()
        # The plan's timeline chart is drawn by JupyterLab's plotly renderer (no plotly.js in the notebook).
        panel.locator(".jp-RenderedPlotly .main-svg").first.wait_for(state="attached", timeout=60_000)
    finally:
        page.close()


def test_a_chart_in_an_executed_notebook_draws_without_trust_or_network(jupyterlab: str, browser, study_repo: Path):
    # An executed report as `kit run` stores it, opened as a UXR would: never run here, so not
    # trusted (JupyterLab runs no script of an untrusted notebook's HTML output).
    import nbformat
    import plotly.graph_objects as go

    from kit import display

    fig = go.Figure(go.Bar(x=["Find delivery date", "Pay"], y=[0.8, 0.6]), layout={"title": {"text": "Tasks"}})
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell(
            "kit.synthesis.report.show_metrics(s)",
            outputs=[nbformat.v4.new_output("display_data", data=display.chart_bundle(fig))],
        )
    ]
    report = study_repo / "reports" / "charts" / "02-sessions.ipynb"
    report.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, report)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(f"{jupyterlab}/lab/workspaces/charts/tree/reports/charts/02-sessions.ipynb?reset&token={TOKEN}")
        drawn = page.locator(".jp-RenderedPlotly .main-svg")
        drawn.first.wait_for(state="attached", timeout=120_000)
        assert page.locator(".jp-RenderedPlotly .xtick").count() == 2  # both bars' labels
        assert "Find delivery date" in page.locator(".jp-RenderedPlotly").first.inner_text()
        outside = [u for u in requests if u.startswith(("http:", "https:")) and not u.startswith(jupyterlab)]
        assert not outside, outside  # blob: and data: URLs are the page's own
    finally:
        page.close()


def test_edit_an_insight_statement_and_save(jupyterlab: str, browser, study_repo: Path):
    insights_yml = study_repo / "notebooks" / "demo-checkout" / "insights.yml"
    new_statement = "Edited in JupyterLab: delivery charges shown late make customers stop."
    page, panel = _open_and_run_all(browser, jupyterlab, "notebooks/demo-checkout/03-insights.ipynb")
    try:
        first = yaml.safe_load(insights_yml.read_text())["insights"][0]
        words = " ".join(first["statement"].split())[:30]
        header = panel.get_by_text(f"{first['id']}: {words}", exact=False).first
        header.wait_for(state="visible", timeout=120_000)
        header.click()  # insights are folded to one line each
        statement = panel.locator(".kit-field-insights .kit-field-statement textarea").first
        statement.wait_for(state="visible", timeout=30_000)
        statement.fill(new_statement)
        panel.locator("button.kit-save").click()
        _wait_for_file(insights_yml, lambda data: data["insights"][0]["statement"] == new_statement)
        data = yaml.safe_load(insights_yml.read_text())
        status = panel.locator(".kit-status").inner_text()
        assert data["insights"][0]["statement"] == new_statement, f"status: {status!r}"
        assert insights_yml.read_text().startswith("# Insights of the checkout redesign study")
        assert data["insights"][1]["id"] == "I2" and len(data["insights"]) == 6
    finally:
        page.close()
