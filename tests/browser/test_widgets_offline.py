"""The built book's widgets render in a real browser with the outside network blocked."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_harness import open_offline

pytestmark = pytest.mark.browser

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def widget_pages(html_root: Path) -> list[Path]:
    """Built pages that embed widget state (so the page must load the widget JavaScript)."""
    return sorted(p for p in html_root.rglob("*.html") if WIDGET_STATE in p.read_text("utf-8"))


def _content_pages(built_book):
    """The book's own pages: intro, appendices and exercise pages (book/), chapters (chapters/)."""
    return sorted(p for top in ("book", "chapters") for p in built_book.glob(f"{top}/**/*.html"))


def test_book_has_widget_pages(built_book):
    assert widget_pages(built_book), "no built page embeds widget state"


def test_widgets_render_offline_and_nothing_goes_to_a_cdn(built_book, site, browser):
    pages = widget_pages(built_book)
    for path in pages:
        rel = path.relative_to(built_book).as_posix()
        context, page, outside, errors = open_offline(browser, f"{site}/{rel}")
        try:
            # The embed manager replaces each widget-view script with live controls.
            page.wait_for_selector(".jupyter-widgets, [data-live-widget]", timeout=20_000)
            page.wait_for_load_state("networkidle")
            controls = page.locator(
                ".widget-slider, .widget-dropdown, .widget-button, .widget-toggle-buttons,"
                " .widget-text, .widget-checkbox, .widget-select, .widget-html,"
                " [data-live-widget] [data-control]"
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
        context, page, outside, errors = open_offline(browser, f"{site}/{rel}")
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
    context, page, outside, _ = open_offline(browser, f"{site}/{rel}")
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
    context, page, outside, _ = open_offline(browser, f"{site}/{rel}")
    try:
        slider = page.locator("[data-live-widget] input[type=range]").first
        slider.wait_for(timeout=20_000)
        readout = page.locator("[data-live-widget] .live-readout").first
        before = readout.inner_text()
        slider.focus()
        page.keyboard.press("End")
        assert readout.inner_text() != before
        assert not outside
    finally:
        context.close()
