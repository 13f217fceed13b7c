"""Sphinx extension: serve anywidget's front end from the book's own ``_static/``.

The live widgets (:mod:`storeops.widgets.live`) are anywidget models. In the built book
the ipywidgets embedder loads their front end with require.js under the name
``anywidget``; ``book/_js/live-widgets.js`` maps that name to ``_static/anywidget/index``
and this extension puts the file there, taken from the pinned anywidget package itself
(its classic-notebook AMD module), so nothing is fetched from a CDN.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any


def anywidget_amd() -> Path:
    import anywidget

    return Path(anywidget.__file__).parent / "nbextension" / "index.js"


def _copy_front_end(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "anywidget"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(anywidget_amd(), target / "index.js")


def setup(app) -> dict[str, Any]:
    app.connect("build-finished", _copy_front_end)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
