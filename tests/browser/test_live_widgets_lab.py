"""The same live widget class works in JupyterLab: the browser recomputes, Python sees the move.

Starts JupyterLab (the venv's, with the anywidget extension the set-up installs) on a
loopback port in a temporary folder, runs a notebook cell showing a KpiTree, moves a
slider in the page and asks the kernel for the widget's value and figures.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser_harness import open_offline
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from storeops.widgets.kpi_tree import KpiTree\nw = KpiTree()\nw"
            ),
            nbformat.v4.new_code_cell("import json\nprint(json.dumps([w.visitors, w.figures()]))"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, root / "live.ipynb")
    port, token = _free_port(), secrets.token_hex(8)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(root / "runtime")}
    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         f"--LabApp.workspaces_dir={root / 'workspaces'}",
         f"--LabApp.user_settings_dir={root / 'settings'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        yield f"{base}/lab/tree/live.ipynb?token={token}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_live_widget_in_jupyterlab(lab, browser):
    # JupyterLab's own console and 404 noise (translations, workspaces) is not the widget's
    context, page, outside, errors = open_offline(
        browser, None, console_errors=False, http_errors=False
    )
    try:
        page.goto(lab)
        cells = page.locator(".jp-Notebook .jp-Cell .cm-content")
        cells.first.wait_for(timeout=60_000)
        # run the first cell; a run sent while the kernel session is still connecting is
        # dropped by JupyterLab, so try again until the widget appears
        for attempt in range(4):
            cells.first.click()
            page.keyboard.press("Shift+Enter")
            try:
                page.wait_for_selector("[data-live-widget][data-ready]", timeout=15_000)
                break
            except PlaywrightTimeout:
                if attempt == 3:
                    raise
        sales = page.locator('[data-figure="sales"]')
        before = sales.inner_text()
        slider = page.locator('[data-control="visitors"]')
        slider.focus()
        page.keyboard.press("End")
        assert sales.inner_text() != before, "the figure did not follow the slider"
        shown = page.evaluate(
            "() => Object.fromEntries([...document.querySelectorAll('[data-figure]')]"
            ".map(f => [f.dataset.figure, f.textContent]))"
        )
        cells.nth(1).click()
        page.keyboard.press("Shift+Enter")
        output = page.locator(".jp-Cell").nth(1).locator(".jp-OutputArea-output")
        output.wait_for(timeout=60_000)
        visitors, figures = json.loads(output.inner_text())
        assert visitors == 100_000  # the slider's end, synced back to the kernel
        assert figures == shown  # the browser's figures are Python's for the moved value
        assert not outside, outside[:3]
        assert not errors, errors[:3]
    finally:
        context.close()
