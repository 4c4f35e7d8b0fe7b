"""The widgets in a real JupyterLab: start a server on 127.0.0.1 with a token, open a notebook in
Debian's chromium (Playwright), run every cell, and drive the widgets: typing in the intake form
changes case.yaml on disk; a filter in the item browser changes the item list.

One server for the module; everything it reads and writes (config, data, runtime, settings,
workspaces) is in a temporary folder, and news and update checks are off: no network.
Screenshots are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.widget_case import build
from workbench.case import Case

NOTEBOOK = Path(__file__).parent / "data" / "notebooks" / "widgets.ipynb"
PLANNING = Path(__file__).parent.parent / "templates" / "01_planning.ipynb"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
START_TIMEOUT = 90
#: Lab settings that keep the server and page off the network and render every cell.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none",
                                                                    "autoStartDefaultKernel": True},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_environment(home: Path) -> dict[str, str]:
    """Environment variables that keep the user's Jupyter settings out and ours in ``home``."""
    env = dict(os.environ)
    for name in ("config", "data", "runtime", "settings", "workspaces"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_PLATFORM_DIRS="1", JUPYTER_NO_CONFIG="", PYTHONUNBUFFERED="1")
    for name, settings in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings), encoding="utf-8")
    labconfig = home / "config" / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}), encoding="utf-8")
    return env


def wait_for_server(url: str, token: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    request = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser):
    """A JupyterLab server with the test notebook and a small case in its root folder."""
    top = tmp_path_factory.mktemp("lab")
    root = top / "root"
    root.mkdir()
    build(root / "case", enrich=False).close()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    # A phase template as an analyst opens it: its default case_path, cases/demo, beside it.
    shutil.copytree(root / "case", root / "cases" / "demo")
    shutil.copy(PLANNING, root / PLANNING.name)
    port, token = free_port(), secrets.token_hex(16)
    log = top / "jupyter.log"
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        command.append("--allow-root")
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=root, env=lab_environment(top / "home"), stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, token, process, log)
        yield {"url": url, "token": token, "root": root, "log": log}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def kernel_ready(lab: dict, notebook: str) -> bool:
    """True when the notebook's kernel is started and idle, as the server sees it."""
    request = urllib.request.Request(f"{lab['url']}/api/sessions",
                                     headers={"Authorization": f"token {lab['token']}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        sessions = json.load(response)
    return any(s["path"].endswith(notebook) and s["kernel"]["execution_state"] == "idle"
               for s in sessions)


def run_all(page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells").first.click()


def open_in_own_workspace(page, lab: dict, notebook: str, workspace: str) -> None:
    """Open ``notebook`` in a workspace of its own (another test's notebook stays open in the
    default one) and wait until its kernel is idle."""
    page.goto(f"{lab['url']}/lab/workspaces/{workspace}/tree/{notebook}?token={lab['token']}",
              timeout=60_000)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    wait_until(lambda: kernel_ready(lab, notebook), 60, f"{notebook}'s kernel")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'] >> visible=true",
                           timeout=30_000)
    dialog = page.locator(".jp-Dialog")
    if dialog.count():  # a kernel chooser, should the settings not apply
        dialog.get_by_role("button", name="Select").click()


def shot(page, name: str, show=None) -> None:
    """Keep a screenshot in test-artifacts/, scrolled to ``show`` (a locator) when given."""
    ARTIFACTS.mkdir(exist_ok=True)
    if show is not None:
        show.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"jupyterlab-{name}.png"), full_page=True)


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_widgets_render_and_respond_in_jupyterlab(lab, browser):
    plan_file = lab["root"] / "case" / "case.yaml"
    (ARTIFACTS / "jupyterlab-failure.png").unlink(missing_ok=True)
    page = browser.new_page(viewport={"width": 1300, "height": 1200})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{lab['url']}/lab/tree/{NOTEBOOK.name}?token={lab['token']}", timeout=60_000)
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        wait_until(lambda: kernel_ready(lab, NOTEBOOK.name), 60, "the notebook's kernel")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=30_000)
        dialog = page.locator(".jp-Dialog")
        if dialog.count():  # a kernel chooser, should the setting above not apply
            dialog.get_by_role("button", name="Select").click()
        run_all(page)

        form = page.locator(".wb-intake")
        form.wait_for(timeout=60_000)
        items = page.locator(".jp-Cell").nth(3).locator(".wb-item-browser")
        items.wait_for(timeout=60_000)
        # The timeline (an anywidget) draws with Vega loaded offline.
        page.locator(".jp-Cell").nth(4).locator(".marks").first.wait_for(timeout=60_000)
        assert items.locator(".wb-count").inner_text() == "40 items match"
        shot(page, "1-rendered", page.locator(".jp-Cell").nth(4))

        title = page.locator(".wb-intake-title input")
        title.fill("Typed in the browser")
        title.press("Enter")
        wait_until(lambda: yaml.safe_load(plan_file.read_text())["title"] == "Typed in the browser",
                   30, "case.yaml to take the typed title")
        page.locator(".wb-intake .wb-ok").wait_for(timeout=10_000)
        retention = page.locator(".wb-intake-retention-until input")
        retention.fill("whenever")
        retention.press("Enter")
        page.locator(".wb-intake .wb-error").first.wait_for(timeout=10_000)
        assert yaml.safe_load(plan_file.read_text())["retention_until"] == "2099-01-01"
        shot(page, "2-intake")

        # The hostile post shows as text: no element made from it.
        assert items.locator(".wb-item", has_text='<script>alert("x")</script>').count() == 1
        assert items.locator(".wb-items script, .wb-items img").count() == 0

        items.locator(".wb-filter-platform select").select_option("forum")
        wait_until(lambda: items.locator(".wb-count").inner_text() == "10 items match", 30,
                   "the item list to follow the platform filter")
        rows = items.locator(".wb-items .wb-item")
        wait_until(lambda: rows.count() == 10, 30, "the page of items to show the 10 found")
        # each row: time · the platform's colour swatch and name · author
        assert all("\u25a0 forum ·" in text for text in rows.all_inner_texts())
        shot(page, "3-filtered", items)

        # Brushing a window on the timeline filters the linked item list.
        linked = page.locator(".wb-linked")
        marks = linked.locator(".marks").first
        marks.scroll_into_view_if_needed()
        box = marks.bounding_box()
        y = box["y"] + box["height"] * 0.5
        page.mouse.move(box["x"] + box["width"] * 0.35, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=8)
        page.mouse.up()
        counted = linked.locator(".wb-count")
        wait_until(lambda: counted.inner_text() != "40 items match", 30,
                   "the linked item list to follow the brushed window")
        last: list[str] = []  # the drag sends several windows: wait for the last to be shown

        def settled() -> str | None:
            last.append(counted.inner_text() + linked.locator(".wb-window").inner_text())
            time.sleep(0.5)
            return last[-1] if len(last) > 1 and last[-1] == last[-2] else None

        wait_until(settled, 30, "the brushed window to settle")
        found = counted.inner_text()
        assert 0 < int(found.split()[0]) < 40
        assert "from 2024-03-0" in linked.locator(".wb-window").inner_text()
        shot(page, "4-brushed", marks)
        assert not page.get_by_text("Error displaying widget").count()
        assert not errors, errors
    except Exception:
        shot(page, "failure")
        raise
    finally:
        page.close()


def test_a_phase_template_opens_and_runs_interactively_in_jupyterlab(lab, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1200})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        open_in_own_workspace(page, lab, PLANNING.name, "planning")
        run_all(page)
        # The last cell's intake form shows only when every cell before it ran without error.
        page.locator(".wb-intake").wait_for(timeout=90_000)
        assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
        assert page.locator(".jp-OutputArea-output table").count() >= 3  # the plan's tables
        shot(page, "5-planning-template", page.locator(".wb-intake"))
        assert not errors, errors
    except Exception:
        shot(page, "planning-failure")
        raise
    finally:
        page.close()


def test_the_live_panel_collects_from_a_replayed_instance_in_jupyterlab(lab, browser, instance):
    import nbformat

    name = "live.ipynb"
    shutil.copytree(lab["root"] / "case", lab["root"] / "live-case")  # the other tests' case stays
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import workbench.widgets as ww\nww.live('live-case')")]
    nbformat.write(notebook, lab["root"] / name)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        open_in_own_workspace(page, lab, name, "live")
        run_all(page)
        panel = page.locator(".wb-live")
        panel.wait_for(timeout=60_000)
        panel.locator(".wb-live-source select").select_option("mastodon")
        panel.locator(".wb-live-where input").fill(instance.url)
        panel.locator(".wb-live-what select").select_option("hashtag")
        panel.locator(".wb-live-value input").fill("flood")
        panel.locator(".wb-live-value input").press("Tab")  # the text box sends its value
        panel.locator(".wb-live-run").click()
        summary = panel.locator(".wb-live-summary")
        wait_until(lambda: "imported" in summary.inner_text(), 60, "the collection's summary")
        assert "12 imported" in summary.inner_text(), summary.inner_text()
        shot(page, "6-live", panel)
        with Case.open(lab["root"] / "live-case") as case:
            assert len(case.items(platform="mastodon")) == 12 and case.verify().ok
        assert [r.split("?")[0] for r in instance.requests][:1] == ["/api/v1/timelines/tag/flood"]
        assert not errors, errors
    except Exception:
        shot(page, "failure")
        raise
    finally:
        page.close()
