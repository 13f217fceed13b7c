"""The shared explorer widget: controls -> student's function -> a view of the result."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NOT_IMPLEMENTED = (
    "Not implemented yet: write the function above (replace `raise NotImplementedError()`), "
    "run its cell, then run this cell again."
)


@dataclass
class Outcome:
    """What calling a student's function gave: a value, or a message to show instead."""

    value: Any = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.message is None


def safe_call(func: Callable, *args: Any, **kwargs: Any) -> Outcome:
    """Call ``func``; turn a stub or an error into a short message instead of a traceback."""
    try:
        return Outcome(value=func(*args, **kwargs))
    except NotImplementedError:
        return Outcome(message=NOT_IMPLEMENTED)
    except Exception as exc:  # noqa: BLE001 - a view must never crash on student code
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        return Outcome(message=f"Your function raised {type(exc).__name__}: {text}".rstrip(": "))


def message_html(text: str) -> str:
    return (
        '<div style="padding:.5em;border-left:4px solid #e5a50a;background:#fdf6e3">'
        f"{html.escape(text)}</div>"
    )


def render(value: Any, title: str = "") -> str:
    """A fast HTML view of a result: a small table for Series/DataFrames, text otherwise."""
    import pandas as pd

    head = f"<b>{html.escape(title)}</b>" if title else ""
    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        shown = value.head(12)
        more = f"<div>... {len(value) - 12} more rows</div>" if len(value) > 12 else ""
        return head + shown.to_html(float_format=lambda x: f"{x:,.2f}") + more
    return head + f"<pre>{html.escape(repr(value))}</pre>"


def explorer(
    func: Callable,
    controls: dict[str, Any],
    view: Callable[[Any, dict], str] | None = None,
    title: str = "",
):
    """A widget that calls ``func(**values of controls)`` whenever a control changes.

    ``controls`` maps argument names to ipywidgets controls; ``view(result, kwargs)``
    returns the HTML to show (default: :func:`render`). The result goes into an
    ``HTML`` widget (no Output widget: headless kernels, as in autograde, can
    stall on Output's message capture). Returns a VBox with ``.refresh()``
    (recompute), ``.last`` (the last Outcome) and ``.view`` (the HTML widget).
    """
    import ipywidgets as w

    shown = w.HTML()
    box = w.VBox([w.HBox(list(controls.values())), shown])

    def refresh(*_: Any) -> Outcome:
        kwargs = {name: c.value for name, c in controls.items()}
        outcome = safe_call(func, **kwargs)
        if outcome.ok:
            try:
                html_text = view(outcome.value, kwargs) if view else render(outcome.value, title)
            except Exception as exc:  # noqa: BLE001 - a view never crashes on odd results
                outcome = Outcome(message=f"Cannot show this result ({type(exc).__name__}).")
        box.last = outcome
        shown.value = message_html(outcome.message) if not outcome.ok else html_text
        return outcome

    for c in controls.values():
        c.observe(refresh, names="value")
    box.refresh = refresh
    box.view = shown
    refresh()
    return box
