"""The browser tests' fixtures: the built book served on loopback, and Debian's chromium."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from browser_harness import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def site(built_book):
    """Serve the built book on a loopback port for the duration of the module."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_book))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: run `make system-deps` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
