"""Self-checks of the data-analysis assignment (chapters/ch2_data_analysis).

The notebook's first cell is ``from storeops.chapters.ch2_data_analysis.questions import *``: the
store loader, pandas and numpy, the chapter's generic helpers, the dashboard widget
and the questions ``q1 ... q14``. Kinds say what an answer looks like, never what it
equals; the cases a function is called on are picked from the calendar only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from storeops.analysis.daily import baseline, festival_days, full_weeks, week_label
from storeops.analysis.diagnose import runs, runs_by
from storeops.chapters.ch2_data_analysis.widget import kpi_dashboard
from storeops.checks import Function, Number, Question, Series, Text, self_learner_edition
from storeops.checks.decisions import PlanDecision

try:  # the data layer; the checks still import without it (type checks only)
    from storeops.data import load_store
except ImportError:  # pragma: no cover - storeops.data is part of every install
    load_store = None

__all__ = [
    "baseline",
    "festival_days",
    "full_weeks",
    "kpi_dashboard",
    "load_store",
    "np",
    "pd",
    "q1",
    "q10",
    "q11",
    "q12",
    "q13",
    "q14",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
    "q8",
    "runs",
    "runs_by",
    "self_learner_edition",
    "week_label",
]

A = "ch2_data_analysis"
DENOMINATORS = ("sessions", "completed orders", "paying buyers", "product views")
REFUND_RATES = (
    "refunded sub-orders / paid sub-orders",
    "refunds of the campaign's orders / the campaign's sales",
    "refunds paid in March / March sales",
)
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
METRICS = ("sessions", "orders", "conversion", "aov", "sales")


def _n_days(store) -> int:
    return len(store.calendar)


def _n_week_changes(store) -> int:
    return len(full_weeks(store.calendar["date"])) // 7 - 1


def _metric_cases(store) -> list[tuple]:
    return [(m,) for m in METRICS]


def _week_pairs(store) -> list[tuple]:
    """Consecutive Monday-to-Sunday weeks at a quarter, half and three quarters of the data."""
    days = pd.DatetimeIndex(store.calendar["date"])
    mondays = days[(days.day_of_week == 0) & (days >= days[0] + pd.Timedelta(days=7))]
    mondays = mondays[mondays + pd.Timedelta(days=6) <= days[-1]]
    picks = sorted({len(mondays) // 4, len(mondays) // 2, (3 * len(mondays)) // 4})
    out = []
    for monday in mondays[picks]:
        before = (monday - pd.Timedelta(days=7), monday - pd.Timedelta(days=1))
        after = (monday, monday + pd.Timedelta(days=6))
        out.append(tuple(tuple(f"{d:%Y-%m-%d}" for d in p) for p in (before, after)))
    return out


def _mondays(store) -> list[str]:
    days = pd.DatetimeIndex(store.calendar["date"])
    return [f"{d:%Y-%m-%d}" for d in days[days.day_of_week == 0]]


q1 = Question(
    A,
    "q1",
    var="daily_kpi",
    kind=Function(
        cases=_metric_cases,
        returns=Series(length=_n_days, index_type="datetime", min=0, rtol=1e-6),
    ),
    hints=[
        "Three tables hold the daily dashboard: sessions in `store.traffic`, orders and "
        "their revenue in `store.orders`. Only completed orders count.",
        "Group by day (`order_time.dt.normalize()`; `store.traffic` already has a `date`), "
        "then reindex on `store.calendar['date']` so every day has a value.",
        "Conversion divides orders by sessions, order value divides sales by orders: "
        "compute the three counts first, then the two ratios from them.",
    ],
)

q2 = Question(
    A,
    "q2",
    var="wow_sales",
    kind=Series(length=_n_week_changes, index_type="period", rtol=1e-6),
    hints=[
        "Sales are the revenue of completed orders. Keep only the days of whole "
        "Monday-to-Sunday weeks: `full_weeks(store.calendar['date'])`.",
        "Sum the daily sales per week (`week_label(days)` labels each day's week), then "
        "compare each week with the one before.",
        "Method: each week's sales divided by the week before's, minus one; the first week "
        "has no week before it and is left out.",
    ],
)

q3 = Question(
    A,
    "q3",
    var="sales_change",
    kind=Function(cases=_week_pairs, returns=Series(index_type="str", rtol=1e-6)),
    hints=[
        "For each period compute its totals first: sessions T, completed orders, sales; "
        "then C = orders / T and V = sales / orders. Both ends of a period are included.",
        "Chain substitution changes one lever at a time in the order traffic, conversion, "
        "order value, keeping the levers already changed at their new value.",
        "Method: traffic's effect is the change in sessions valued at the old conversion and "
        "order value; each later lever's change is valued at the new values of the levers "
        "before it and the old values of those after it. The three must add up to the change "
        "in sales.",
    ],
)

q4 = Question(
    A,
    "q4",
    var="worst_week",
    kind=Text(options=_mondays),
    hints=[
        "In the dashboard, set a Monday-to-Sunday range, compare with the previous period "
        "and step with the 7-days buttons; the sales row shows each week's change.",
        "Skip a week if it, or the week before it, holds a festival day: after a festival "
        "every week falls. `festival_days(store.calendar)` lists those days.",
        "Method: weekly sales over whole weeks, each week's relative change against the week "
        "before, keep the ordinary weeks, and take the Monday of the lowest change.",
    ],
)

q5 = Question(
    A,
    "q5",
    var="failure_day",
    kind=Text(options=lambda store: [f"{d:%Y-%m-%d}" for d in store.calendar["date"]]),
    hints=[
        "The checkout step is the share of carts that become orders; a broken checkout lets "
        "shoppers fill carts and stops the orders.",
        "Sum the funnel's carts and orders per day and device (over the channels), and judge "
        "each device's daily step against its own normal level, not against the other device.",
        "Method: divide each day's step by its normal level (the 28 days before), drop the "
        "festival days, and take the day with the lowest ratio over both devices.",
    ],
)

q6 = Question(
    A,
    "q6",
    var="lost_orders",
    kind=Number(min=-1e6, max=1e6, rtol=1e-6),
    hints=[
        "First find the day and the device, as in question 5.",
        "A usual level for one day is what the same weekday brought in the weeks before: the "
        "weekday matters for order counts, unlike for the funnel's rates.",
        "Method: the failing device's daily orders (funnel, all channels), its usual level "
        "for the day (same weekday, four weeks before), and the usual level minus the day.",
    ],
)

q7 = Question(
    A,
    "q7",
    var="bad_channel",
    kind=Text(options=lambda store: sorted(store.traffic["channel"].dropna().unique())),
    hints=[
        "Visits that nobody makes on purpose put nothing in a cart.",
        "The share of sessions that add to cart differs a lot between channels, so judge "
        "each channel against its own normal level for the day.",
        "Method: per channel and day, carts / sessions over both devices; divide by its "
        "normal level (same weekday, four weeks before), drop festival days, and take the "
        "channel with the lowest ratio on any day.",
    ],
)

q8 = Question(
    A,
    "q8",
    var="lead_times",
    kind=Series(length=lambda store: 10, index_type="str", min=0, rtol=1e-6),
    hints=[
        "Best sellers are the SKUs with the most units in completed orders (`store.order_lines`).",
        "The lead time is what the store waits for, so it ends at the actual arrival, not "
        "at the supplier's promise; an order still on its way has no lead time yet.",
        "Method: for each purchase order of the ten, the days from placing it to its actual "
        "arrival; per SKU, the middle value of those days.",
    ],
)

q10 = Question(
    A,
    "q10",
    var="kedanjia_denominator",
    kind=Text(options=lambda store: DENOMINATORS),
    hints=[
        "The seller tools count people where this course counts orders.",
        "A buyer who places two orders in a day is two orders but one buyer.",
        "Method: 客单价 is what one paying customer spent: sales over the people who paid.",
    ],
)

q11 = Question(
    A,
    "q11",
    var="refund_rate_kind",
    kind=Text(options=lambda store: REFUND_RATES),
    hints=[
        "The question is about money, not about how many customers were let down.",
        "Returns arrive days or weeks after the order: refunds paid in a month mostly belong "
        "to the month before.",
        "Method: match each refund to the order it belongs to, and divide by the sales of "
        "those same orders.",
    ],
)

q12 = Question(
    A,
    "q12",
    var="slowest_quarter",
    kind=Text(options=lambda store: QUARTERS),
    hints=[
        "Find the highest part of the line, not the busiest weeks of sales.",
        "A quarter is three months: the first from January to March, and so on.",
        "Method: locate the week with the highest mean delivery time and read off the quarter "
        "its dates fall in; check the calendar's `logistics_stop` days around it.",
    ],
)


# -- the decisions: plans judged by their expected profit on the learner's own store ------------
PER_MILLE = ("display", "social")  # the paid channels bought per thousand impressions


@dataclass
class DailyBudget(PlanDecision):
    """The daily budget of one paid channel of ``channels`` from ``start`` for ``days`` days: a
    dict (or Series) ``{channel: yuan a day}``, scored on expected profit (the key holds
    ``per_order``); every other channel keeps the store's own plan."""

    start: str = "2025-07-01"
    days: int = 62
    channels: tuple[str, ...] = PER_MILLE

    def plan_of(self, value: Any) -> dict[str, float] | None:
        if isinstance(value, pd.Series):
            value = value.to_dict()
        if not isinstance(value, dict) or len(value) != 1:
            return None
        ((channel, budget),) = value.items()
        if isinstance(budget, bool) or not isinstance(budget, int | float | np.number):
            return None
        return {str(channel): float(budget)}

    def plausible(self, value: Any, store: Any) -> list[str]:
        plan = self.plan_of(value)
        if plan is None:
            return [
                "expected a dict with one channel and its daily budget, such as "
                f"{{{self.channels[-1]!r}: 1200.0}}, got " + type(value).__name__
            ]
        ((channel, budget),) = plan.items()
        problems = []
        if channel not in self.channels:
            problems.append(
                f"the channel must be one of {', '.join(self.channels)}, got {channel!r}"
            )
        if not np.isfinite(budget) or budget < 0:
            problems.append(f"the budget must be a number of yuan at least 0, got {budget!r}")
        return problems

    def policy(self, own: Any, plan: dict[str, float]) -> Any:
        from storeops.analysis.plans import set_budgets

        return set_budgets(own, plan, self.start, self.days)

    def proxy_args(self, plan: dict[str, float]) -> dict:
        return {"daily": plan}


@dataclass
class IncidentBudget(DailyBudget):
    """The daily budget of the channel that sent bad traffic, for July and August, scored
    against the best budget of the channel the incident came from; a budget for another
    channel earns nothing."""

    def score(self, answer: Any, key: dict) -> float:
        """As :meth:`PlanDecision.score`, and 0 for a budget of another channel than the one
        the bad traffic came from (the key names it by :func:`channel_digest` only: the
        self-learner blob must not spell question 7's answer)."""
        plan = answer.get("plan", {}) if isinstance(answer, dict) else {}
        if len(plan) != 1 or channel_digest(key["seed"], next(iter(plan))) != key["channel"]:
            return 0.0
        return super().score(answer, key)


@dataclass
class SearchBudget(DailyBudget):
    """The daily search budget for the ordinary weeks between 9.9 and the Double 11 pre-sale
    (13 September to 19 October), scored against the best search budget for those days."""

    start: str = "2025-09-13"
    days: int = 37
    channels: tuple[str, ...] = ("search",)

    def score(self, answer: Any, key: dict) -> float:
        """As :meth:`PlanDecision.score`, and 0 for a plan of another channel."""
        plan = answer.get("plan", {}) if isinstance(answer, dict) else {}
        return super().score(answer, key) if list(plan) == ["search"] else 0.0


def channel_digest(seed: int, channel: str) -> str:
    """A channel's name as the decision's key holds it: hashed with the store's seed."""
    import hashlib

    return hashlib.sha256(f"{int(seed)}:{channel}".encode()).hexdigest()[:16]


q13 = Question(
    A,
    "q13",
    var="incident_budget",
    kind=IncidentBudget(),
    truth=lambda truth: {},
    hints=[
        "Profit, not revenue: a yuan of ads pays for itself only when the revenue it brings "
        "leaves at least a yuan after the other costs of that revenue (the finance table).",
        "Judge the channel on its ordinary days: leave out the festivals and the days of the "
        "bad traffic, which would make any channel look worse than it is.",
        "Method: share of revenue left before ads = (contribution + ad spend) / (gross sales - "
        "discounts) over the year; the channel's ROAS on its clean days times that share is "
        "what a yuan brings back; below one, stop buying; at or above, halve the budget and "
        "watch.",
    ],
)


q14 = Question(
    A,
    "q14",
    var="search_budget",
    kind=SearchBudget(),
    truth=lambda truth: {},
    hints=[
        "Profit, not revenue: a day of search ads earns what the revenue it brings leaves after "
        "the cost of goods, fees, shipping and returns (the finance table's share, as in "
        "question 13), minus what the day's search cost.",
        "Your store's search spend differs a lot from one ordinary day to the next: compare "
        "the days, not the year's total. Festival days are not ordinary: leave them out.",
        "Method: on the ordinary days, each day's search profit = the revenue of its completed "
        "search orders x the share left before ads - the day's search spend; cut the days into "
        "five bands of equal size by spend, average spend and profit per band, and budget the "
        "average spend of the band that earned the most.",
    ],
)
