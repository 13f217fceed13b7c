"""evaluate(seed, policy, start, days): a plan's outcome over a window, read off the tables."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

import storeops.sim.evaluate as ev
from storeops.errors import StoreOpsError
from storeops.sim import DEFAULT_SEED, default_policy, generate
from storeops.sim.policy import ChannelBudget, budget_by_day, budget_from_days

START, DAYS = "2025-06-02", 90


@pytest.fixture(scope="module")
def base():
    return generate(DEFAULT_SEED)


@pytest.fixture(scope="module")
def outcome():
    return ev.evaluate(DEFAULT_SEED, None, START, DAYS, tables=True)


def test_the_window_is_the_days_asked_for(outcome):
    dates = pd.to_datetime(outcome.daily["date"])
    assert len(dates) == DAYS and dates.is_monotonic_increasing and dates.is_unique
    assert dates.iloc[0] == pd.Timestamp(START)
    assert dates.iloc[-1] == pd.Timestamp(START) + pd.Timedelta(days=DAYS - 1)


def test_kpis_add_up_to_the_tables_of_the_window(base, outcome):
    lo = pd.Timestamp(START)
    hi = lo + pd.Timedelta(days=DAYS)
    o = base.orders[(base.orders["order_time"] >= lo) & (base.orders["order_time"] < hi)]
    t = base.traffic[(base.traffic["date"] >= lo) & (base.traffic["date"] < hi)]
    paid = o[o["status"] != "cancelled"]
    k = outcome.kpis
    assert k["paid_orders"] == len(paid)
    assert k["sessions"] == t["sessions"].sum()
    assert k["conversion_rate"] == pytest.approx(len(paid) / t["sessions"].sum())
    assert k["net_profit"] == pytest.approx(outcome.daily["net_profit"].sum())
    assert outcome.profit == k["net_profit"]
    inv = base.inventory[(base.inventory["date"] >= lo) & (base.inventory["date"] < hi)]
    assert k["stockout_sku_days"] == inv["stockout"].sum()
    assert outcome.stockouts["days_out_of_stock"].sum() == inv["stockout"].sum()
    # the store under its own plan is the published store
    for name, table in base.tables.items():
        pd.testing.assert_frame_equal(outcome.store.tables[name], table, obj=name)


def test_a_plan_changed_inside_the_window_leaves_the_days_before_it_alone(outcome):
    plan = default_policy(DEFAULT_SEED)
    later = pd.Timestamp("2025-07-01")
    first = (later - pd.Timestamp(ev.STORE_START)).days
    budgets = []
    for b in plan.budgets:
        if b.channel == "display":  # display switched off for 60 days from July
            daily = budget_by_day(b, ev.STORE_START, ev.STORE_DAYS)
            daily[first : first + 60] = 0.0
            b = budget_from_days("display", daily, ev.STORE_START)
        budgets.append(b)
    changed = ev.evaluate(DEFAULT_SEED, replace(plan, budgets=tuple(budgets)), START, DAYS)
    before = outcome.daily[outcome.daily["date"] < later].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        changed.daily[changed.daily["date"] < later].reset_index(drop=True), before
    )
    after = changed.daily["date"] >= later
    assert changed.daily.loc[after, "ad_spend"].sum() < outcome.daily.loc[after, "ad_spend"].sum()


@pytest.mark.parametrize(
    "start, days, field, value",
    [
        ("2024-12-31", 30, "start", "2024-12-31"),
        ("2026-01-01", 30, "start", "2026-01-01"),
        ("June", 30, "start", "June"),
        ("2025-06-01", 0, "days", "0"),
        ("2025-06-01", 2.5, "days", "2.5"),
        ("2025-12-01", 40, "days", "40"),
    ],
)
def test_a_window_outside_the_store_is_one_clear_error_before_anything_runs(
    monkeypatch, start, days, field, value
):
    def must_not_run(*args, **kwargs):
        raise AssertionError("the store ran for a bad window")

    monkeypatch.setattr(ev, "simulate", must_not_run)
    with pytest.raises(StoreOpsError) as err:
        ev.evaluate(DEFAULT_SEED, None, start, days)
    msg = str(err.value)
    assert msg.startswith(field) and value in msg and "\n" not in msg


def test_a_bad_plan_is_one_clear_error():
    bad = replace(default_policy(DEFAULT_SEED), budgets=(ChannelBudget("search", -5.0),))
    with pytest.raises(StoreOpsError, match=r"budgets\[0\]\.daily .*-5\.0"):
        ev.evaluate(DEFAULT_SEED, bad, START, DAYS)
