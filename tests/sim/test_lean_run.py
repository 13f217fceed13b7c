"""The lean run behind `evaluate`: the same outcome as the full store, and the same tables."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

import storeops.sim.evaluate as ev
from storeops.sim import CHANNELS, DEFAULT_SEED, default_policy, simulate
from storeops.sim.generate import build_market, make_ids
from storeops.sim.policy import SkuPrice, budget_by_day, budget_from_days


def _doubled(plan, channel: str, first: int, days: int):
    budgets = []
    for b in plan.budgets:
        if b.channel == channel:
            daily = budget_by_day(b, ev.STORE_START, ev.STORE_DAYS)
            daily[first : first + days] *= 2
            b = budget_from_days(channel, daily, ev.STORE_START)
        budgets.append(b)
    return replace(plan, budgets=tuple(budgets))


def _without_promotions(plan):
    """`plan` with the first SKU that has price periods sold at its list price all year."""
    sku = next(p.sku for p in plan.prices if p.periods)
    prices = tuple(SkuPrice(sku, ()) if p.sku == sku else p for p in plan.prices)
    return replace(plan, prices=prices)


def _plans():
    plan = default_policy(DEFAULT_SEED)
    return {
        "no plan": None,
        "own plan": plan,
        "search doubled in summer": _doubled(plan, "search", 151, 90),
        "a SKU without its promotions": _without_promotions(plan),
    }


def _same_number(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize(
    "name, start, days",
    [
        ("no plan", "2025-06-01", 90),
        ("own plan", None, None),
        ("search doubled in summer", "2025-06-01", 90),
        ("a SKU without its promotions", "2025-12-20", 12),
    ],
)
def test_the_lean_outcome_is_the_full_stores_outcome(name, start, days):
    plan = _plans()[name]
    lean = ev.evaluate(DEFAULT_SEED, plan, start, days)
    full = ev.evaluate(DEFAULT_SEED, plan, start, days, tables=True)
    assert lean.store is None and full.store is not None
    pd.testing.assert_frame_equal(lean.daily, full.daily, check_exact=True)
    pd.testing.assert_frame_equal(lean.stockouts, full.stockouts, check_exact=True)
    assert lean.kpis.keys() == full.kpis.keys()
    different = [k for k in full.kpis if not _same_number(lean.kpis[k], full.kpis[k])]
    assert not different, different


def test_the_lean_store_builds_the_full_stores_tables_without_customers(default_store):
    lean = simulate(DEFAULT_SEED, None, lean=True)
    assert "customers" not in lean.tables
    assert set(lean.tables) == set(default_store.tables) - {"customers"}
    for name, table in lean.tables.items():
        full = default_store.tables[name]
        if "customer_id" in full:  # who placed an order or opened a chat was not drawn
            assert table["customer_id"].isna().all(), name
            table, full = table.drop(columns="customer_id"), full.drop(columns="customer_id")
        # nor what customers wrote: the words are no part of a plan's outcome
        words = [c for c in ("text", "reason_text", "message", "language") if c in full]
        assert not set(words) & set(table), name
        pd.testing.assert_frame_equal(table, full.drop(columns=words), check_exact=True, obj=name)
    assert lean.truth["inventory"] == default_store.truth["inventory"]


def test_ids_are_a_prefix_and_zero_padded_numbers_from_one():
    ids = make_ids("O", np.array([0, 9, -1, 1234566]), 7)
    assert ids.tolist()[:2] == ["O0000001", "O0000010"] and ids.tolist()[3] == "O1234567"
    assert pd.isna(ids[2])
    # many rows of few ids (the SKUs of order lines) spell the same way
    skus = make_ids("SKU", np.array([2, 0, 2, 2, -1, 0, 2]), 4)
    assert skus.tolist()[:4] == ["SKU0003", "SKU0001", "SKU0003", "SKU0003"]
    assert pd.isna(skus[4])
    # a number wider than the width is written in full, not cut
    assert make_ids("SKU", np.array([12344, 0]), 4).tolist() == ["SKU12345", "SKU0001"]
    assert make_ids("C", np.array([], dtype=np.int64), 6).tolist() == []


def test_the_planners_yardstick_is_the_store_own_whatever_the_plan_and_calendar():
    # computed once per calendar and remembered: two calendars must not share it
    for start, days in (("2025-01-01", 365), ("2025-03-01", 45), ("2025-01-01", 365)):
        first = date.fromisoformat(start)
        own = build_market(DEFAULT_SEED, first, days, 1.0, CHANNELS)
        planned = build_market(
            DEFAULT_SEED, first, days, 1.0, CHANNELS, budgets={"search": np.zeros(days)}
        )
        assert planned.traffic.table["spend"].sum() < own.traffic.table["spend"].sum()
        assert planned.typical_orders == own.typical_orders


def test_a_reused_market_gives_the_run_a_fresh_market_gives(monkeypatch):
    """Runs with `reuse` share the market and the orders placed of plans that differ in their
    reorder rules only: a reused run builds every table a fresh run builds, row for row (the
    incidents stream set back, nothing of the kept market changed by the run before), and
    `only` builds just the tables named, as the full lean run builds them."""
    import storeops.sim.policy as policy_module
    from storeops.sim.finance import LEDGER_TABLES
    from storeops.sim.policy import ReorderRule

    monkeypatch.setattr(policy_module, "_DEMAND", [])
    own = default_policy(DEFAULT_SEED)
    rules = tuple(ReorderRule(r.sku, None, 7.0, r.min_order_qty, 0.8) for r in own.reorder)
    plans = [own, replace(own, reorder=rules[:40] + own.reorder[40:]), replace(own, reorder=rules)]
    for i, plan in enumerate(plans):
        fresh = simulate(DEFAULT_SEED, plan, lean=True)
        reused = simulate(
            DEFAULT_SEED, plan, lean=True, reuse=True, only=None if i else LEDGER_TABLES
        )
        assert set(reused.tables) == (set(fresh.tables) if i else set(LEDGER_TABLES))
        for name, table in reused.tables.items():
            pd.testing.assert_frame_equal(table, fresh.tables[name], check_exact=True, obj=name)
    assert len(policy_module._DEMAND) == 1
