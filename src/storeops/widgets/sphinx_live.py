"""Sphinx extension for the live widgets (:mod:`storeops.widgets.live`) in the book.

* It serves anywidget's front end from the book's own ``_static/``. The ipywidgets
  embedder loads it with require.js under the name ``anywidget``;
  ``book/_js/live-widgets.js`` maps that name to ``_static/anywidget/index`` and this
  extension puts the file there, taken from the pinned anywidget package itself (its
  classic-notebook AMD module), so nothing is fetched from a CDN.
* It writes each live widget's current view code (``_esm``, ``_css``) into the page's
  widget state. Pages are executed with a cache keyed on their code cells, so after an
  edit of a widget's JavaScript alone the cached state would still carry the old view;
  and such an edit changes no page source, so the pages are marked outdated when the
  live widgets' JavaScript files change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def anywidget_amd() -> Path:
    import anywidget

    return Path(anywidget.__file__).parent / "nbextension" / "index.js"


def _copy_front_end(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "anywidget"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(anywidget_amd(), target / "index.js")


def refresh_views(state: dict) -> dict:
    """The widget state with each live widget's ``_esm`` and ``_css`` from its class now."""
    from storeops.widgets.live import live_class

    for model in state.get("state", {}).values():
        widget_id = model.get("state", {}).get("_anywidget_id")
        if model.get("model_module") != "anywidget" or not widget_id:
            continue
        try:
            cls = live_class(widget_id)
        except (ImportError, AttributeError, TypeError) as exc:
            if widget_id.startswith("storeops."):
                # A cached execution of a page whose widget class has moved since: its
                # state would carry a stale view. Re-executing the page fixes it.
                raise RuntimeError(
                    f"the page's widget {widget_id} no longer exists ({exc}); the execution "
                    "cache is stale: run `jupyter-book clean --all .` and build again"
                ) from exc
            continue  # not one of ours: leave it as executed
        model["state"]["_esm"] = cls._esm
        model["state"]["_css"] = cls.class_traits()["_css"].default_value
    return state


def _refresh_page_state(app, pagename, templatename, context, doctree) -> None:
    from myst_nb.core.render import sanitize_script_content

    for script in context.get("script_files") or []:
        attributes = getattr(script, "attributes", {})
        if attributes.get("type") == WIDGET_STATE and attributes.get("body"):
            state = refresh_views(json.loads(attributes["body"]))
            attributes["body"] = sanitize_script_content(json.dumps(state))


def _js_fingerprint() -> str:
    import hashlib

    from storeops.widgets.live import view_files

    digest = hashlib.sha256()
    for path in view_files():
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _outdated_when_js_changes(app, env, added, changed, removed) -> list[str]:
    fingerprint = _js_fingerprint()
    if getattr(env, "storeops_live_js", None) == fingerprint:
        return []
    env.storeops_live_js = fingerprint
    return sorted(env.found_docs - added - changed - removed)


def setup(app) -> dict[str, Any]:
    app.connect("build-finished", _copy_front_end)
    app.connect("env-get-outdated", _outdated_when_js_changes)
    app.connect("html-page-context", _refresh_page_state)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
