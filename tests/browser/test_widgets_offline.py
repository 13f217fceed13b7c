"""The built book's widgets render in a real browser with the outside network blocked."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def widget_pages(html_root: Path) -> list[Path]:
    """Built pages that embed widget state (so the page must load the widget JavaScript)."""
    return sorted(p for p in html_root.rglob("*.html") if WIDGET_STATE in p.read_text("utf-8"))


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
        pytest.fail("Debian chromium is not installed: run `make browser-deps` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _content_pages(built_book):
    """The book's own pages: intro, appendices and exercise pages (book/), chapters (chapters/)."""
    return sorted(p for top in ("book", "chapters") for p in built_book.glob(f"{top}/**/*.html"))


def test_book_has_widget_pages(built_book):
    assert widget_pages(built_book), "no built page embeds widget state"


def open_blocking_outside(browser, url: str):
    """Open url with every non-loopback request aborted; return (page, outside requests)."""
    context = browser.new_context()
    outside: list[str] = []

    def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # a missing file on the site itself (for example the widgets' fonts) is an error too
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and errors.append(f"HTTP {r.status} {r.url}")
        ),
    )
    page.goto(url, wait_until="load")
    return context, page, outside, errors


def test_widgets_render_offline_and_nothing_goes_to_a_cdn(built_book, site, browser):
    pages = widget_pages(built_book)
    for path in pages:
        rel = path.relative_to(built_book).as_posix()
        context, page, outside, errors = open_blocking_outside(browser, f"{site}/{rel}")
        try:
            # The embed manager replaces each widget-view script with live controls.
            page.wait_for_selector(".jupyter-widgets", timeout=20_000)
            page.wait_for_load_state("networkidle")
            controls = page.locator(
                ".widget-slider, .widget-dropdown, .widget-button, .widget-toggle-buttons,"
                " .widget-text, .widget-checkbox, .widget-select, .widget-html"
            )
            assert controls.count() > 0, f"{rel}: no widget control in the DOM"
            assert not outside, f"{rel}: requests left the site: {outside[:5]}"
            assert not errors, f"{rel}: JavaScript errors: {errors[:3]}"
        finally:
            context.close()


def test_no_page_requests_anything_outside_the_site(built_book, site, browser):
    """Math, fonts and scripts of every page come from the site itself (offline by default)."""
    pages = _content_pages(built_book)
    assert pages
    for path in pages:
        rel = path.relative_to(built_book).as_posix()
        context, page, outside, errors = open_blocking_outside(browser, f"{site}/{rel}")
        try:
            page.wait_for_load_state("networkidle")
            assert not outside, f"{rel}: requests left the site: {outside[:5]}"
            assert not [e for e in errors if e.startswith("HTTP")], f"{rel}: {errors[:3]}"
        finally:
            context.close()


def test_math_is_typeset_offline(built_book, site, browser):
    """Pages with LaTeX get it typeset by the locally served MathJax."""
    pages = [p for p in _content_pages(built_book) if 'class="math' in p.read_text()]
    if not pages:
        pytest.skip("no page uses math")
    rel = pages[0].relative_to(built_book).as_posix()
    context, page, outside, _ = open_blocking_outside(browser, f"{site}/{rel}")
    try:
        page.wait_for_selector("mjx-container", timeout=20_000)
        assert not outside
    finally:
        context.close()


def test_demo_slider_is_interactive(built_book, site, browser):
    """The KPI-tree page's slider is a real control: the browser can move it."""
    rel = "book/widgets_demo.html"
    if not (built_book / rel).exists():
        pytest.skip("the demonstration page has been replaced by the chapters")
    context, page, outside, _ = open_blocking_outside(browser, f"{site}/{rel}")
    try:
        slider = page.locator(".widget-slider").first
        slider.wait_for(timeout=20_000)
        readout = page.locator(".widget-readout").first
        before = readout.inner_text()
        handle = slider.locator(".noUi-handle, .slider-handle, .ui-slider-handle").first
        handle.focus()
        page.keyboard.press("End")
        assert readout.inner_text() != before
        assert not outside
    finally:
        context.close()
