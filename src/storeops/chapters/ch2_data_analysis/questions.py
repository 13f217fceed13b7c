"""Self-checks of the data-analysis assignment (chapters/ch2_data_analysis).

The notebook's first cell is ``from storeops.chapters.ch2_data_analysis.questions import *``: the
store loader, pandas and numpy, the chapter's generic helpers, the dashboard widget
and the questions ``q1 ... q8``. Kinds say what an answer looks like, never what it
equals; the cases a function is called on are picked from the calendar only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from storeops.analysis.daily import baseline, festival_days, full_weeks, week_label
from storeops.analysis.diagnose import runs, runs_by
from storeops.chapters.ch2_data_analysis.widget import kpi_dashboard
from storeops.checks import Function, Question, Series, Text, self_learner_edition

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
METRICS = ("sessions", "orders", "conversion", "aov", "sales")
STEPS = ("product view", "add to cart", "checkout")


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


def _hours(store) -> list[str]:
    days = pd.DatetimeIndex(store.calendar["date"])
    hours = pd.date_range(days[0], periods=24 * len(days), freq="h")
    return list(hours.strftime("%Y-%m-%d %H:00"))


def _device_steps(store) -> list[str]:
    devices = sorted(store.funnel["device"].dropna().unique())
    return [f"{d} {s}" for d in devices for s in STEPS]


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
        "`.pct_change()` gives (this week / last week - 1); drop the first week, which has "
        "no week before it.",
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
        "The three effects must add up to sales(after) - sales(before); if they do not, "
        "one of them uses the wrong mix of old and new values.",
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
        "In code: weekly sales over `full_weeks`, `.pct_change()`, keep the ordinary weeks, "
        "take the week of the lowest change and write its Monday as 'YYYY-MM-DD'.",
    ],
)

q5 = Question(
    A,
    "q5",
    var="failure_start",
    kind=Text(options=_hours),
    hints=[
        "Count orders per hour and device: group by `order_time.dt.floor('h')` and "
        "`device`, unstack the device, and reindex on every hour of the year (fill 0).",
        "The usual level of an hour is the median of the hourly table shifted by 1, 2, 3 "
        "and 4 weeks (`shift(24 * 7 * k)`); combine the four with `pd.concat` and a "
        "median per hour.",
        "Down hours: orders <= usual / 3 and usual >= 3. `runs_by(down.stack().swaplevel()"
        ".sort_index(), 'device')` lists the runs; the longest is the failure.",
    ],
)

q6 = Question(
    A,
    "q6",
    var="failing_step",
    kind=Text(options=_device_steps),
    hints=[
        "On the failure day (question 5), compute the three step rates per device: product "
        "view (views / sessions), add to cart (carts / views), checkout (orders / carts).",
        "Compare each rate with its own normal level (`baseline(rate, same_weekday=False)`), "
        "not with the other steps: the steps have very different sizes.",
        "The broken step is the one that fell furthest below its normal level.",
    ],
)

q7 = Question(
    A,
    "q7",
    var="bad_channel",
    kind=Text(options=lambda store: sorted(store.traffic["channel"].dropna().unique())),
    hints=[
        "Bad traffic brings sessions that never buy. Look at each channel's sessions and "
        "its completed orders per day.",
        "A spike alone is not suspicious (a message blast is a spike that sells); compare "
        "sessions and orders with their normal levels (`baseline`) on the same days.",
        "Flag the channel whose sessions rose far above normal on days when its orders "
        "did not rise with them. Leave festival days out.",
    ],
)

q8 = Question(
    A,
    "q8",
    var="stockout_sku",
    kind=Text(options=lambda store: sorted(store.products["sku"].dropna().unique())),
    hints=[
        "Best sellers are the items that sell the most units in completed orders "
        "(`store.order_lines`).",
        "`store.inventory` flags each SKU-day that was out of stock. Look at the top ten "
        "sellers only (slow items are often out of stock without costing much), and "
        "treat festival days as in stock.",
        "For each of them find the longest run of consecutive stock-out days "
        "(`runs_by` does the run-finding), and keep the SKU with the longest run.",
    ],
)
