"""The live dashboard carries the chapter's daily table and shows KpiDashboard's figures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from storeops.chapters.ch2_data_analysis.widget import LiveDashboard

DAYS = pd.date_range("2025-01-01", periods=70, freq="D")


def daily_table() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    sessions = rng.integers(900, 1100, len(DAYS)).astype(float)
    orders = rng.integers(20, 40, len(DAYS)).astype(float)
    sales = orders * rng.uniform(150, 200, len(DAYS))
    daily = pd.DataFrame({"sessions": sessions, "orders": orders, "sales": sales}, index=DAYS)
    daily.loc[DAYS[5], "orders"] = np.nan  # a missing day
    daily["conversion"] = daily["orders"] / daily["sessions"]
    daily["aov"] = daily["sales"] / daily["orders"]
    return daily


def test_state_is_json_and_starts_on_the_last_four_weeks():
    w = LiveDashboard.from_daily(daily_table())
    state = w.state_values()
    json.dumps(state, allow_nan=False)  # NaN is not JSON: a missing day travels as null
    assert state["values"]["orders"][5] is None
    assert (w.start, w.end) == (70 - 28, 69)
    # 70 days of data: a year-earlier comparison of a 28-day range is not offered
    assert [c for c, _ in w.comparisons] == [
        "previous period",
        "one week earlier",
        "four weeks earlier",
    ]


def test_figures_are_period_totals_and_ratios_of_totals():
    daily = daily_table()
    w = LiveDashboard.from_daily(daily)
    w.start, w.end, w.compare = 14, 20, "one week earlier"
    f = w.figures()
    week, before = daily.iloc[14:21], daily.iloc[7:14]
    assert f["period"] == "2025-01-15 to 2025-01-21"
    assert f["before"] == "2025-01-08 to 2025-01-14"
    assert f["now.sessions"] == f"{week['sessions'].sum():,.0f}"
    conversion = week["orders"].sum() / week["sessions"].sum()
    assert f["now.conversion"] == f"{100 * conversion:.1f}%"
    change = week["sales"].sum() / before["sales"].sum() - 1
    assert f["change.sales"] == f"{100 * change:+.1f}%"
    w.start = 0
    assert w.figures()["before"] == "before the data"
    assert w.figures()["then.orders"] == "–"
