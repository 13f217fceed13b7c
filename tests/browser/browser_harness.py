"""Debian's chromium driven by Playwright with the outside network blocked: shared by the
book's browser tests, the JupyterLab test and the hub's end-to-end test."""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = ("127.0.0.1", "localhost", "")


def open_offline(
    browser, url: str | None, *, console_errors: bool = True, http_errors: bool = True
):
    """A new context and page where every request outside loopback is aborted and recorded.

    Returns ``(context, page, outside, errors)``: ``outside`` the URLs that tried to leave
    the machine, ``errors`` the page's uncaught errors, with ``console_errors`` its console
    errors and with ``http_errors`` every 4xx/5xx answer of the site (a missing file such
    as the widgets' fonts is an error too; the browser's own favicon probe is not).
    ``url`` is opened when given, after the listeners are in place.
    """
    context = browser.new_context()
    outside: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("data:", "blob:")) or (urlparse(url).hostname or "") in LOOPBACK:
            return r.continue_()
        outside.append(url)
        return r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    if console_errors:
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    if http_errors:
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and not r.url.endswith("/favicon.ico")
                and errors.append(f"HTTP {r.status} {r.url}")
            ),
        )
    if url is not None:
        page.goto(url, wait_until="load")
    return context, page, outside, errors
