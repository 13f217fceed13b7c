"""Self-checks of the orientation assignment (chapters/orientation).

The notebook's first cell is ``from storeops.chapters.orientation.questions import *``.
"""

from __future__ import annotations

from storeops.chapters.orientation.widget import daily_revenue_explorer
from storeops.checks import Function, Number, Question, Series, Text, self_learner_edition

try:  # the data layer; the checks still import without it (type checks only)
    from storeops.data import load_store
except ImportError:  # pragma: no cover - storeops.data is part of every install
    load_store = None

__all__ = ["daily_revenue_explorer", "load_store", "q1", "q2", "q3", "q4", "self_learner_edition"]

A = "orientation"


def _n_months(store) -> int:
    return int(store.orders["order_time"].dt.to_period("M").nunique())


def _channels(store) -> list[tuple]:
    channels = sorted(store.orders["channel"].dropna().unique())
    return [(c,) for c in channels[:2]]


q1 = Question(
    A,
    "q1",
    var="n_orders",
    kind=Number(integer=True, min=1),
    hints=[
        "Each row of `store.orders` is one order; some were cancelled.",
        "Method: keep the orders whose status is completed and count them.",
    ],
)

q2 = Question(
    A,
    "q2",
    var="revenue_by_month",
    kind=Series(length=_n_months, index_type="period", min=0),
    hints=[
        "Only completed orders bring revenue. Group them by calendar month.",
        "`order_time.dt.to_period('M')` turns a timestamp into its month.",
        "Method: keep the completed orders, label each with its calendar month, and total the "
        "revenue per month.",
    ],
)

q3 = Question(
    A,
    "q3",
    var="best_category",
    kind=Text(options=lambda store: store.products["category"].unique()),
    hints=[
        "Units sold are in `store.order_lines.quantity`; categories are in `store.products`.",
        "Merge the order lines with the products on `sku`, and keep completed orders only.",
        "Method: total the units of completed orders per category and take the category with "
        "the largest total.",
    ],
)

q4 = Question(
    A,
    "q4",
    var="daily_revenue",
    kind=Function(cases=_channels, returns=Series(index_type="datetime", min=0)),
    hints=[
        "Filter the completed orders to the given `channel` first.",
        "Group by day: `order_time.dt.normalize()` gives midnight of each order's day.",
        "Method: keep the completed orders of that channel, label each with its day, and total "
        "the revenue per day.",
    ],
)
