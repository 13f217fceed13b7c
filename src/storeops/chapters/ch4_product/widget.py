"""The product chapter's widget: a price explorer over the learner's ``units_at(price)``.

A slider sets the price; the view shows the week's units (the learner's function), revenue
and profit after the cost of goods and the costs that grow with each yuan of sales, so the
peak of profit, not of revenue, is what the learner looks for.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from storeops.widgets.base import explorer

PRICE_STEPS = 57  # slider positions from 0.6 to 2.0 x the list price (steps of 2.5 %)


def price_grid(list_price: float) -> list[float]:
    """The prices the explorer offers: 0.6 to 2.0 x the list price in steps of 2.5 %."""
    return [round(list_price * (0.6 + 0.025 * i), 2) for i in range(PRICE_STEPS)]


def profit_view(units: float, price: float, unit_cost: float, cost_share: float) -> dict:
    """Units, revenue and profit at `price`: profit = units x (price x (1 - cost_share) -
    unit_cost), where cost_share is the share of each yuan of sales spent on fees, shipping
    and returns."""
    units = float(units)
    return {
        "units": units,
        "revenue": units * price,
        "profit": units * (price * (1 - cost_share) - unit_cost),
    }


def price_explorer(
    units_at: Callable[[float], Any], list_price: float, unit_cost: float, cost_share: float
):
    """Pick a price and see the week's units (``units_at(price)``), revenue and profit."""
    import ipywidgets as w

    if not 0 <= cost_share < 1:
        raise ValueError(f"cost_share must be a share between 0 and 1, got {cost_share!r}")
    slider = w.SelectionSlider(
        options=price_grid(list_price), value=round(list_price, 2), description="price (¥)"
    )

    def view(units: Any, kwargs: dict) -> str:
        v = profit_view(units, kwargs["price"], unit_cost, cost_share)
        return (
            f"<b>at ¥{kwargs['price']:,.2f}</b>: {v['units']:,.1f} units a week, "
            f"revenue ¥{v['revenue']:,.0f}, profit ¥{v['profit']:,.0f}"
            f"<br><small>{html.escape('profit = units x (price x (1 - cost share) - unit cost)')}"
            "</small>"
        )

    return explorer(units_at, {"price": slider}, view=view)
