"""The product chapter's widgets: a price slider, and the week's units, revenue and profit.

:func:`price_explorer` (the exercise) calls the learner's ``units_at(price)``, so it needs a
kernel. :class:`PriceCurve` (the page) is live: its units follow a constant elasticity from
the SKU's average week, computed in the browser, so it works in the static book. Both show
profit after the cost of goods and the costs that grow with each yuan of sales, so the peak
of profit, not of revenue, is what the learner looks for.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import traitlets as t

from storeops.widgets.base import explorer
from storeops.widgets.live import LiveWidget, esm, fixed, grouped

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


class PriceCurve(LiveWidget):
    """A price slider for one SKU, live in the browser: units = the SKU's average week x
    (price / list price) ** elasticity, and the revenue and profit (:func:`profit_view`)."""

    _esm = esm(Path(__file__).with_name("widget.js"))

    price = t.Float(100.0).tag(sync=True)
    price_min = t.Float(60.0).tag(sync=True)
    price_max = t.Float(200.0).tag(sync=True)
    price_step = t.Float(2.5).tag(sync=True)
    list_price = t.Float(100.0).tag(sync=True)
    unit_cost = t.Float(50.0).tag(sync=True)
    cost_share = t.Float(0.2).tag(sync=True)
    week_units = t.Float(10.0).tag(sync=True)
    elasticity = t.Float(-2.0).tag(sync=True)

    @classmethod
    def compute(cls, values: dict[str, Any]) -> dict[str, str]:
        price = float(values["price"])
        units = values["week_units"] * (price / values["list_price"]) ** values["elasticity"]
        v = profit_view(units, price, values["unit_cost"], values["cost_share"])
        return {
            "readout.price": "¥" + fixed(price, 2),
            "units": fixed(v["units"], 1),
            "revenue": "¥" + grouped(v["revenue"], 0),
            "profit": "¥" + grouped(v["profit"], 0),
        }


def price_curve(
    list_price: float, unit_cost: float, cost_share: float, week_units: float, elasticity: float
) -> PriceCurve:
    """The live price slider of one SKU, from 0.6 to 2.0 x its list price (the explorer's
    grid), starting at the list price."""
    if not 0 <= cost_share < 1:
        raise ValueError(f"cost_share must be a share between 0 and 1, got {cost_share!r}")
    if not list_price > 0:
        raise ValueError(f"list_price must be above 0, got {list_price!r}")
    step = 0.025 * list_price
    return PriceCurve(
        price=list_price,
        price_min=0.6 * list_price,
        price_max=0.6 * list_price + (PRICE_STEPS - 1) * step,
        price_step=step,
        list_price=list_price,
        unit_cost=unit_cost,
        cost_share=cost_share,
        week_units=week_units,
        elasticity=elasticity,
    )
