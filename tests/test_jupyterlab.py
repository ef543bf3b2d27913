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

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "notebooks" / "demo-checkout"
JUPYTER = Path(sys.executable).parent / "jupyter"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TOKEN = "kit-test-token-7f3a"
TYPED = "Typed in JupyterLab: checkout v3"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI must have it", allow_module_level=True)


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


@pytest.fixture
def study_repo(tmp_path: Path) -> Path:
    template = ROOT / "templates" / "01-plan.ipynb"
    if not template.is_file():
        pytest.skip("templates/01-plan.ipynb not written yet")
    repo = tmp_path / "repo"
    study = repo / "notebooks" / "demo-checkout"
    shutil.copytree(DEMO, study)
    shutil.copy2(template, study / "01-plan.ipynb")
    return repo


@pytest.fixture
def jupyterlab(study_repo: Path, tmp_path: Path):
    """``jupyter lab`` serving the copy; yields its base URL; always stopped."""
    port = _free_port()
    home = tmp_path / "jupyter-home"
    for sub in ("config", "runtime", "workspaces", "settings"):
        (home / sub).mkdir(parents=True)
    # No news/update toasts over the notebook.
    (home / "config" / "labconfig").mkdir()
    (home / "config" / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    env = {k: v for k, v in os.environ.items() if k not in ("KIT_INTERACTIVE", "JPY_SESSION_NAME")}
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               PYTHONUNBUFFERED="1")
    log = tmp_path / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(JUPYTER), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
             f"--ServerApp.root_dir={study_repo}", "--LabApp.expose_app_in_browser=True",
             f"--LabApp.workspaces_dir={home / 'workspaces'}",
             f"--LabApp.user_settings_dir={home / 'settings'}", "--ServerApp.terminals_enabled=False"]
            + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=study_repo, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{base}/api/status?token={TOKEN}", proc, log)
        yield base
    finally:
        # The server and its kernels run in their own process group: stop exactly that group.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)


def test_type_into_the_plan_form_and_save(jupyterlab: str, study_repo: Path):
    from playwright.sync_api import sync_playwright

    study_yml = study_repo / "notebooks" / "demo-checkout" / "study.yml"
    before = study_yml.read_text()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{jupyterlab}/lab/tree/notebooks/demo-checkout/01-plan.ipynb?token={TOKEN}")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext",
                                   timeout=120_000)
            # Wait for the kernel, then Run > Run All Cells.
            page.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget;"
                                   " return w.sessionContext.session && w.sessionContext.session.kernel"
                                   " && w.sessionContext.kernelDisplayStatus === 'idle'; }",
                                   timeout=120_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

            title = page.locator(".kit-field-title input")
            title.wait_for(state="visible", timeout=120_000)
            assert title.input_value() == "Checkout redesign usability study"
            title.click()
            title.fill("")
            title.type(TYPED, delay=5)
            page.locator("button.kit-save").click()

            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and yaml.safe_load(study_yml.read_text())["title"] != TYPED:
                time.sleep(0.25)
            status = page.locator(".kit-status").inner_text()
            after = study_yml.read_text()
            assert yaml.safe_load(after)["title"] == TYPED, f"status: {status!r}"
            assert "Saved" in status
            # Only the title line changed; the comments at the top are still there.
            changed = [b for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
            assert len(changed) == 1 and changed[0].startswith("title:")
            # The stage cells below the form ran against this study's folder (no error output).
            page.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget;"
                                   " return w.sessionContext.kernelDisplayStatus === 'idle'; }",
                                   timeout=120_000)
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            tracebacks = [t for t in errors.all_inner_texts() if "Error" in t]
            assert not tracebacks, tracebacks[:1]
            assert (study_repo / "reports" / "demo-checkout" / "plan.json").is_file()
        finally:
            browser.close()
