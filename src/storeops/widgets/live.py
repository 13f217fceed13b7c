"""Live widgets: the computation runs in the browser, so they work in the static book too.

A live widget is an :class:`anywidget.AnyWidget`: its state (the controls' values and the
data the figures need: daily series, fitted curves, costs) is synced traitlets, and its
view is an ES module (``storeops/widgets/js/`` or beside a chapter's widget) that recomputes the figures in JavaScript
when a control moves. The same object works in JupyterLab (anywidget's extension) and in
the built book (the state embedded in the page, anywidget's AMD module served from the
site's ``_static/``); no kernel is needed to move a control.

Python stays the source of truth for the numbers. Each live widget class has a
``compute(values)`` class method: the pure-Python computation of every figure the view
shows, as the text shown, from a dict of the widget's state. The browser test moves the
controls of each widget in the built page and compares the page's ``data-figure``
elements with ``compute`` for the same state.

To write one (see ``kpi_tree.py`` for the smallest):

* subclass :class:`LiveWidget`, set ``_esm = esm(Path(__file__).with_name("widget.js"))``
  (a chapter's view lives beside its widget module);
* declare the controls and the data as traitlets tagged ``sync=True`` (JSON-friendly
  values only: lists, dicts, numbers, strings; NaN is not JSON, use None);
* implement ``compute(cls, values) -> dict[str, str]``;
* in the JS file, export ``default { render }``; build controls with ``rangeControl`` /
  ``selectControl`` (``data-control`` = the trait name), mark each figure with
  ``data-figure`` = the key ``compute`` returns, and wrap everything in ``liveRoot``.
  The helpers of ``js/live.js`` (Python-identical number formatting among them) are in
  scope: the module is ``live.js`` followed by your file.

Widgets that call a learner's own Python function cannot be live (their logic is the
learner's Python); they stay kernel-backed (:mod:`storeops.widgets.base`).
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import anywidget
import traitlets

JS_DIR = Path(__file__).with_name("js")

# The widgets that call a learner's own function (kernel-backed): an exercise page that
# shows one says, under it, that its controls need a running notebook.
KERNEL_BACKED = (
    "explorer",
    "kpi_dashboard",
    "budget_allocator",
    "daily_revenue_explorer",
    "pacing_explorer",
    "price_explorer",
)
KERNEL_BACKED_CALL = re.compile(r"\b(?:" + "|".join(KERNEL_BACKED) + r")\(")
KERNEL_NOTE = (
    "```{note}\n"
    "This widget calls **your own Python function**, so it needs a running notebook: "
    "download the notebook (or use `make lab`) and run the cells. On this page it shows "
    "the reference solution's result as it was when the book was built; moving its "
    "controls here changes nothing. (The widgets on the chapter pages are different: "
    "they compute in your browser: see *How the interactive parts work* at the start "
    "of the book.)\n"
    "```"
)


@cache
def esm(view: str | Path) -> str:
    """The ES module of a live widget: the shared ``live.js`` helpers, then its view.

    ``view`` is a file of ``js/`` (the general widgets) or a path: a chapter's widget
    keeps its view beside it, ``Path(__file__).with_name("widget.js")``.
    """
    path = view if isinstance(view, Path) else JS_DIR / view
    return (JS_DIR / "live.js").read_text("utf-8") + "\n" + path.read_text("utf-8")


def view_files() -> list[Path]:
    """Every live widget's JavaScript: the shared helpers and each chapter's view."""
    chapters = Path(__file__).parent.parent / "chapters"
    return sorted(JS_DIR.iterdir()) + sorted(chapters.glob("*/*.js"))


def _css() -> str:
    return (JS_DIR / "live.css").read_text("utf-8")


# Python's number formatting, named like the JavaScript helpers of js/live.js.
def fixed(x: float, d: int) -> str:
    return f"{x:.{d}f}"


def grouped(x: float, d: int) -> str:
    return f"{x:,.{d}f}"


def signed(x: float, d: int) -> str:
    return f"{x:+.{d}f}"


def finite_or_none(values: Any) -> list[float | None]:
    """A float sequence as JSON-safe list: NaN and infinities become None (null in JS)."""
    return [float(v) if v is not None and math.isfinite(float(v)) else None for v in values]


class LiveWidget(anywidget.AnyWidget):
    """Base class of the live widgets (see the module docstring)."""

    _css = traitlets.Unicode(_css()).tag(sync=True)

    @classmethod
    def compute(cls, values: dict[str, Any]) -> dict[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def state_values(self) -> dict[str, Any]:
        """The synced state as the browser sees it (JSON round-trip)."""
        names = self.trait_names(sync=lambda v: v)
        return json.loads(json.dumps({n: getattr(self, n) for n in names if n != "layout"}))

    def figures(self) -> dict[str, str]:
        """Every figure the view shows for the current state, computed in Python."""
        return type(self).compute(self.state_values())

    def state_bytes(self) -> int:
        """Size of the widget's state as embedded in a page (JSON, bytes)."""
        return len(json.dumps(self.state_values()).encode("utf-8"))


def live_class(anywidget_id: str) -> type[LiveWidget]:
    """The Python class of a live widget from its ``_anywidget_id`` ("module.Class")."""
    import importlib

    module, _, name = anywidget_id.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, LiveWidget)):
        raise TypeError(f"{anywidget_id} is not a live widget")
    return cls
