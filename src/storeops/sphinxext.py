"""A small Sphinx extension for the book: fixes in the page's HTML that the themes miss.

Jupyter Book 1.x registers sphinx-thebe's inline configuration script twice on pages with
code cells, so the browser reports ``Identifier 'THEBE_JS_URL' has already been declared``.
This keeps the first copy of every inline script with the same body.
"""

from __future__ import annotations

from typing import Any


def _dedupe_inline_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[str] = set()
    kept = []
    for script in scripts:
        body = (
            getattr(script, "attributes", {}).get("body") if hasattr(script, "attributes") else None
        )
        if body:
            if body in seen:
                continue
            seen.add(body)
        kept.append(script)
    context["script_files"] = kept


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", _dedupe_inline_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
