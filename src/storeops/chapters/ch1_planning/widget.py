"""The planning chapter's widget: pacing a month against its target with the learner's
``month_to_date_gap(month, day)``."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from storeops.widgets.base import explorer


def _pacing_view(gap: Any, kwargs: dict) -> str:
    value = float(gap)
    word = "behind" if value < 0 else "ahead of"
    return (
        f"<b>{html.escape(str(kwargs['month']))}, day {int(kwargs['day'])}</b>: "
        f"sales to date are ¥{abs(value):,.0f} {word} the target path "
        "(your <code>month_to_date_gap</code>)."
    )


def pacing_explorer(month_to_date_gap: Callable[[str, int], Any], store: Any):
    """Pick a month and a day: how far the month's sales to date are from the target path,
    by the learner's own ``month_to_date_gap(month, day)``."""
    import ipywidgets as w

    months = sorted(store.calendar["date"].dt.to_period("M").astype(str).unique())[1:]
    month = w.Dropdown(options=months, value=months[len(months) // 2], description="month")
    day = w.IntSlider(value=15, min=1, max=28, description="day")
    return explorer(month_to_date_gap, {"month": month, "day": day}, view=_pacing_view)
