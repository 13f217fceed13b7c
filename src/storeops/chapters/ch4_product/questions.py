"""Self-checks of the Chapter 4 exercises (chapters/ch4_product): product.

The notebook's first cell is ``from storeops.chapters.ch4_product.questions import *``. Kinds
say what each answer is (type, shape, plausible range), never what it equals. The decision
questions (a SKU's reorder rule, a SKU's price) are plans judged by what they earn
on that SKU on the learner's own store (:class:`SkuDecision`): the key (the profit of the
store's own choice and of the best plan found) comes from the grader
(``storeops.grading.judges``); nothing here searches for the best plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from storeops.chapters.ch4_product.product import (
    completed_lines,
    plot_pareto,
    price_from,
    price_sku,
    reorder_sku,
    sku_days,
    weekly_units,
)
from storeops.chapters.ch4_product.widget import price_explorer, price_grid, profit_view
from storeops.checks import Function, Number, Question, Text, self_learner_edition
from storeops.checks.decisions import PlanDecision
from storeops.data import load_store

__all__ = [
    "NormalDist",
    "completed_lines",
    "load_store",
    "np",
    "pareto_chart",
    "pd",
    "price_explorer",
    "price_from",
    "price_grid",
    "price_sku",
    "profit_view",
    "q1",
    "q11",
    "q12",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
    "q8",
    "q9",
    "reorder_sku",
    "self_learner_edition",
    "sku_days",
    "weekly_units",
]

A = "ch4_product"

# Full marks from this share of the best plan's gain over the store's own choice, or within
# NEAR_BEST of the best plan's profit: on a store whose own rule is already near the best, a
# year's noise between neighbouring rules is a few percent of the SKU's profit (chapter tests).
FULL_SHARE = 0.8
NEAR_BEST = 0.03


def pareto_chart(store):
    """The Pareto curve of the store's SKUs by the year's completed revenue (question 7)."""
    revenue = completed_lines(store).groupby("sku")["line_revenue"].sum()
    return plot_pareto(revenue, title="Cumulative share of revenue, SKUs ranked by revenue")


# -- decisions: plans judged by what they earn on one SKU of the learner's store ------------------
_PROFITS: dict[tuple, Any] = {}  # plan -> profit; (seed, "own") -> the own plan


@dataclass
class SkuDecision(PlanDecision):
    """A plan for one SKU (a dict of ``fields``), scored by the SKU's contribution on the
    learner's store over the key's window (one lean run of the simulator), against the store's
    own choice and the best plan found; otherwise scored as every :class:`PlanDecision`."""

    fields: tuple[str, ...] = ()
    full_share: float = FULL_SHARE
    near_best: float = NEAR_BEST

    def plan_of(self, value: Any) -> dict | None:
        if not isinstance(value, dict) or sorted(value) != sorted(self.fields):
            return None
        return dict(value)

    def policy(self, own: Any, plan: dict, key: dict) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def profit(self, answer: dict, key: dict) -> float:
        """The SKU's contribution under the plan over the key's window (memoised)."""
        from storeops.analysis.plans import sku_window_profit
        from storeops.sim.policy import default_policy

        plan, seed = answer["plan"], int(key["seed"])
        memo = (seed, key["sku"], json.dumps(plan, sort_keys=True, default=str))
        if memo not in _PROFITS:
            if (seed, "own") not in _PROFITS:
                _PROFITS[seed, "own"] = default_policy(seed)
            policy = self.policy(_PROFITS[seed, "own"], plan, key)
            _PROFITS[memo] = sku_window_profit(seed, policy, key["sku"], key["first"], key["last"])
        return _PROFITS[memo]

    def same_plan(self, a: dict, e: dict) -> bool:
        """Within 2 % of each field (a service level, a number of days)."""
        return sorted(a) == sorted(e) and all(
            np.isclose(float(a[k]), float(e[k]), rtol=0.02, atol=0.005) for k in a
        )


@dataclass
class Reorder(SkuDecision):
    """A reorder rule for the question's SKU: target service level and cover days."""

    fields: tuple[str, ...] = ("service_level", "cover_days")

    def plausible(self, value: Any, store: Any) -> list[str]:
        if self.plan_of(value) is None:
            return ['expected a dict {"service_level": a share, "cover_days": a number}']
        level, cover = value["service_level"], value["cover_days"]
        problems = []
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
            problems.append(f"service_level must be a share between 0 and 1, got {level!r}")
        if isinstance(cover, bool) or not isinstance(cover, int | float) or not 1 <= cover <= 120:
            problems.append(f"cover_days must be a number of days from 1 to 120, got {cover!r}")
        return problems

    def policy(self, own: Any, plan: dict, key: dict) -> Any:
        from dataclasses import replace

        from storeops.sim.policy import ReorderRule

        rules = tuple(
            ReorderRule(
                r.sku,
                None,
                float(plan["cover_days"]),
                r.min_order_qty,
                float(plan["service_level"]),
            )
            if r.sku == key["sku"]
            else r
            for r in own.reorder
        )
        return replace(own, reorder=rules)


@dataclass
class Price(SkuDecision):
    """A price for the question's SKU (yuan per unit), held from the key's first day to its
    last. The answer is a plain number; the plan is ``{"price": <yuan>}``."""

    fields: tuple[str, ...] = ("price",)

    def plan_of(self, value: Any) -> dict | None:
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            return None
        if not np.isfinite(value) or value <= 0:
            return None
        return {"price": round(float(value), 2)}

    def plausible(self, value: Any, store: Any) -> list[str]:
        if self.plan_of(value) is None:
            return [f"new_price must be a price in yuan above 0, got {value!r}"]
        return []

    def policy(self, own: Any, plan: dict, key: dict) -> Any:
        from storeops.analysis.plans import set_sku_price

        return set_sku_price(own, key["sku"], float(plan["price"]), key["first"], key["last"])


# -- the questions ------------------------------------------------------------------------------
CONCEPT_STAGE = ("introduction", "growth", "maturity", "decline")
CONCEPT_PARETO = ("less than 50 %", "50 % to 90 %", "more than 90 %")
CONCEPT_CENSORED = ("below the demand", "equal to the demand", "above the demand")


def _bundle_cases(store) -> list[tuple]:
    pairs = store.products.dropna(subset=["bundle_partner"])[["sku", "bundle_partner"]]
    return [(str(a), str(b)) for a, b in pairs.head(6).itertuples(index=False)]


q1 = Question(
    A,
    "q1",
    var="top20_share",
    kind=Number(min=0, max=1, rtol=1e-4),
    hints=[
        "Revenue per SKU comes from the order lines; only completed orders sold anything.",
        "Rank the SKUs that sold by their revenue; the top 20 % is the first 20 % of that "
        "ranking (round the count up).",
        "Method: line revenue = quantity x unit price of completed orders' lines; total per "
        "SKU; sort descending; the first ceil(0.2 x number of SKUs) SKUs' revenue over all "
        "revenue.",
    ],
)

q2 = Question(
    A,
    "q2",
    var="sell_through",
    kind=Number(min=0, max=1, rtol=1e-4),
    hints=[
        "Sell-through (动销率) is SKUs that sold over SKUs on sale, in one period.",
        "A SKU is on sale in the month if it had stock on at least one day of it; the "
        "`inventory` table has the stock and the units sold per day.",
        "Method: keep November's inventory rows; per SKU, on sale = maximum stock on hand above "
        "0, sold = units sold above 0; the share of the on-sale SKUs that sold.",
    ],
)

q3 = Question(
    A,
    "q3",
    var="pair_lift",
    kind=Function(cases=_bundle_cases, returns=Number(min=0, rtol=1e-4)),
    hints=[
        "Count orders, not lines or units: an order holds a pair or it does not.",
        "Lift compares how often B comes with A with how often B comes at all.",
        "Method: over completed orders, n = all orders, n_a and n_b = orders holding each "
        "item, n_ab = orders holding both; lift = n_ab x n / (n_a x n_b).",
    ],
)

q4 = Question(
    A,
    "q4",
    var="lost_units",
    kind=Number(min=0, rtol=1e-4),
    hints=[
        "On a stock-out day the units sold are what the shelf held, not what shoppers wanted.",
        "Estimate the daily demand on the days the SKU was in stock only.",
        "Method: demand per day = mean units sold on the SKU's in-stock days of the year; lost "
        "units = that x the number of stock-out days - the units sold on those days.",
    ],
)

q5 = Question(
    A,
    "q5",
    var="reorder_point",
    kind=Number(min=0, rtol=1e-4),
    hints=[
        "Two things vary: the daily demand and the lead time. Measure demand on in-stock days "
        "only, and the lead time as it was, not as promised.",
        "The lead time is the days from a purchase order's `order_date` to its "
        "`actual_arrival`, over all purchase orders of the SKU's supplier.",
        "Method: reorder point = d x L + z x sqrt(L x sd_d^2 + d^2 x sd_L^2), with z the "
        "normal quantile of the service level (NormalDist().inv_cdf) and sample standard "
        "deviations.",
    ],
)

q6 = Question(
    A,
    "q6",
    var="stage_concept",
    kind=Text(options=lambda store: CONCEPT_STAGE),
    hints=[
        "Look at the direction and the speed of the change, not the level.",
        "Growth: sales rise week after week; maturity: they hold; decline: they fall.",
        "Method: compare the last weeks with the weeks before them.",
    ],
)

q7 = Question(
    A,
    "q7",
    var="pareto_reading",
    kind=Text(options=lambda store: CONCEPT_PARETO),
    hints=[
        "Find 20 % on the horizontal axis.",
        "Read the curve's height there: that is the share of revenue.",
        "Method: the curve's value at 20 % of SKUs, against 50 % and 90 %.",
    ],
)

q8 = Question(
    A,
    "q8",
    var="censored_reading",
    kind=Text(options=lambda store: CONCEPT_CENSORED),
    hints=[
        "On a stock-out day, could the store sell more than it had?",
        "Shoppers who found the item out of stock are not in the sales.",
        "Method: the sales are a lower bound of the demand on those days.",
    ],
)

q9 = Question(
    A,
    "q9",
    var="reorder_rule",
    kind=Reorder(),
    truth=lambda truth: {},
    hints=[
        "A unit short loses its margin; a unit of safety stock costs its holding. Which is "
        "larger for this SKU?",
        "The best service level is where the chance of running short equals holding cost / "
        "(holding cost + margin lost) (the newsvendor's critical ratio).",
        "Method: margin = mean price paid x (1 - cost share) - unit cost; cover 60 days if "
        "holding a unit that long (unit cost x 20 % x 60 / 365) costs under a tenth of the "
        "margin, else 30; holding = unit cost x 20 % x cover / 365; service level = margin / "
        "(margin + holding), at most 0.99.",
    ],
)

q11 = Question(
    A,
    "q11",
    var="explored_price",
    kind=Number(min=0, rtol=0.03),
    hints=[
        "Move the slider and watch the profit, not the revenue.",
        "Profit rises while a price rise loses fewer yuan of margin than it gains per unit.",
        "Method: the slider price where the profit shown is largest.",
    ],
)

q12 = Question(
    A,
    "q12",
    var="new_price",
    kind=Price(),
    truth=lambda truth: {},
    hints=[
        "Profit, not revenue: a unit sold below what it costs you loses money however many "
        "you sell.",
        "Two numbers decide the price: what a unit really costs you (its cost, plus the share "
        "of each yuan of sales that goes on coupons, fees, shipping and returns) and how "
        "strongly its shoppers answer price (the elasticity of its category, a negative "
        "number).",
        "Method: elasticity e = the slope of log weekly units on log(price paid / list price) "
        "over the category's in-stock weeks, each SKU's own means taken out; s = the finance "
        "table's share of sales spent on those costs; price = unit cost / (1 - s) x e / (1 + e).",
    ],
)
