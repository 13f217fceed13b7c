"""The orientation assignment's widget: a channel picker over the student's ``daily_revenue``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storeops.widgets.base import explorer, render


def _summary_view(result: Any, kwargs: dict) -> str:
    """Totals, the best day and the last days of the chosen channel, as fast HTML."""
    import pandas as pd

    if not isinstance(result, pd.Series) or result.empty:
        return render(result, "daily_revenue returned")
    best = result.idxmax()
    head = (
        f"<b>{kwargs['channel']}</b>: {len(result)} days, total {result.sum():,.0f}, "
        f"best day {getattr(best, 'date', lambda: best)()} ({result.max():,.0f})"
    )
    return head + render(result.tail(7), "last 7 days")


def daily_revenue_explorer(daily_revenue: Callable[[str], Any], store: Any):
    """Pick a channel and see what the student's ``daily_revenue(channel)`` returns."""
    import ipywidgets as w

    channels = sorted(store.orders["channel"].dropna().unique())
    picker = w.Dropdown(options=channels, description="channel")
    return explorer(daily_revenue, {"channel": picker}, view=_summary_view)
