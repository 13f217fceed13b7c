"""Free traffic (F18): what the truth records of it, and that it follows the store's sales late."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import sim_facts as F
from sim_stores import SEEDS, store_for
from test_counterfactual import _intended_lines

from storeops.sim import CHANNELS, Policy, default_policy, simulate
from storeops.sim.answers import product_roles
from storeops.sim.params import FREE_CHANNELS
from storeops.sim.policy import (
    ChannelBudget,
    Period,
    SkuPrice,
    budget_by_day,
    budget_from_days,
)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_truth_records_free_traffic_response_and_lag(seed):
    truth = store_for(seed).truth["channels"]
    for ch in FREE_CHANNELS:
        t = truth[ch]
        assert t["kind"] == "free"
        assert 0 < t["rank_decay"] < 1 and t["rank_delay_days"] >= 1
        assert t["rank_elasticity"] > 0 and t["quality_elasticity"] > 0
        assert t["quality_score"] == truth["search"]["quality_score"]
        assert t["mean_rank"] > 0 and t["base_sessions"] > 0
        assert "expected_conversion" in t and "roi" not in t  # no spend, no ROI


def test_cutting_paid_ads_from_day_w_cuts_free_traffic_only_after_the_recorded_delay():
    seed, cut_day = SEEDS[0], 150
    own = default_policy(seed)
    budgets = []
    for b in own.budgets:
        plan = budget_by_day(b, "2025-01-01", 365)
        plan[cut_day:] = 0.0
        days = budget_from_days(b.channel, plan, "2025-01-01")
        budgets.append(ChannelBudget(b.channel, days.daily, days.periods, b.bid, b.bid_periods))
    base = F.free_sessions(store_for(seed)).to_numpy()
    cut = F.free_sessions(simulate(seed, Policy(budgets=budgets))).to_numpy()
    delay = store_for(seed).truth["channels"]["organic_search"]["rank_delay_days"]
    assert (cut[: cut_day + delay] == base[: cut_day + delay]).all()
    assert cut[cut_day + delay] != base[cut_day + delay]
    # the platform forgets slowly: a month later free traffic is still falling
    loss = 1 - cut / base
    assert 0 < loss[cut_day + 7 : cut_day + 14].mean() < loss[cut_day + 28 : cut_day + 35].mean()


# a temporary price cut on one SKU: what free traffic does with it (requirement 5, F18)
CUT_DAY, CUT_DAYS = 147, 28  # a Tuesday in late May, outside the festivals; four weeks
FREE = list(FREE_CHANNELS)


@pytest.fixture(scope="module")
def cut_case():
    """A top-selling regular SKU on sale since the start, 30 % off for four weeks from CUT_DAY
    (the store's own plan on every other day)."""
    seed = SEEDS[0]
    base = store_for(seed)
    p = base.products.assign(role=lambda d: d["sku"].map(product_roles(base)))
    start = pd.Timestamp(base.meta["start"])
    regular = p[(p["role"] == "regular") & (p["launch_date"] <= start)]
    units = base.order_lines.groupby("sku")["quantity"].sum()
    sku = units.reindex(regular["sku"]).idxmax()
    row = p.set_index("sku").loc[sku]
    day = lambda i: (start + pd.Timedelta(days=i)).date().isoformat()  # noqa: E731
    own = default_policy(seed)
    mine = next(x for x in own.prices if x.sku == sku)
    # the own plan's promotions of this SKU outside the cut, and the cut itself
    periods = [
        q for q in mine.periods if q.end < day(CUT_DAY) or q.start > day(CUT_DAY + CUT_DAYS - 1)
    ]
    cut = Period(day(CUT_DAY), day(CUT_DAY + CUT_DAYS - 1), round(row["list_price"] * 0.7, 2))
    new = SkuPrice(sku, sorted([*periods, cut], key=lambda q: q.start))
    policy = replace(own, prices=tuple(new if x.sku == sku else x for x in own.prices))
    return sku, row["category"], base, simulate(seed, policy), own, policy


def _free_ratio(lines: pd.DataFrame, sku: int, first: int, last: int) -> float:
    """Units of SKU number `sku` in the intended lines (before stock) of orders from free
    traffic, per unit in those of other orders, over days `first`..`last`."""
    day = lines["time"] // 86400
    mine = lines[(lines["sku"] == sku) & (day >= first) & (day <= last)]
    free = mine["channel"].isin([CHANNELS.index(c) for c in FREE])
    return mine.loc[free, "qty"].sum() / mine.loc[~free, "qty"].sum()


def test_a_price_cut_raises_the_skus_free_traffic_late_and_after_it_ends(cut_case):
    sku, _, base, cut, own, policy = cut_case
    rule = base.truth["free_traffic_by_product"]
    assert rule["delay_days"] >= 1 and 0 < rule["decay"] < 1 and rule["elasticity"] > 0
    before = base.truth["free_traffic_by_product"]["exposure_by_sku_and_week"][sku]
    after = cut.truth["free_traffic_by_product"]["exposure_by_sku_and_week"][sku]
    change = np.array(after) - np.array(before)
    w, end = CUT_DAY // 7, (CUT_DAY + CUT_DAYS) // 7  # weeks of 7 days from the first day
    assert (change[:w] == 0).all()
    # the platform notices late: the first week of the cut gains less than the next one
    assert 0 < change[w] < change[w + 1]
    # and forgets slowly: two weeks after the cut the SKU is still shown more (though less
    # than its own sales: once the cut is remembered, the list price looks dear for a while)
    assert change[end + 2] > 0
    # what shoppers pick: free shoppers pick the SKU more often than other shoppers do, once
    # the platform has noticed the cut and for weeks after it ends (before stock: a stock-out
    # serves the first comers, whatever brought them)
    a, b = _intended_lines(SEEDS[0], own), _intended_lines(SEEDS[0], policy)
    j = int(base.products.index[base.products["sku"] == sku][0])
    assert _free_ratio(b, j, 0, CUT_DAY - 1) == _free_ratio(a, j, 0, CUT_DAY - 1)
    during = (CUT_DAY + 7, CUT_DAY + CUT_DAYS - 1)
    assert _free_ratio(b, j, *during) > 1.05 * _free_ratio(a, j, *during)
    later = (CUT_DAY + CUT_DAYS, CUT_DAY + CUT_DAYS + 13)
    assert _free_ratio(b, j, *later) > 1.02 * _free_ratio(a, j, *later)


def test_a_price_cut_moves_no_other_skus_exposure_and_no_free_sessions(cut_case):
    sku, category, base, cut, _, _ = cut_case
    # the split of free visitors is by each product's own sales: no other SKU's exposure moves
    before = base.truth["free_traffic_by_product"]["exposure_by_sku_and_week"]
    after = cut.truth["free_traffic_by_product"]["exposure_by_sku_and_week"]
    assert {k: v for k, v in after.items() if k != sku} == {
        k: v for k, v in before.items() if k != sku
    }
    # the store's free sessions follow the store's rank, which prices do not move
    pd.testing.assert_series_equal(F.free_sessions(cut), F.free_sessions(base))

    # other categories' free lines move only through the recorded effects (more orders from
    # the price index, lines moving between categories: test_counterfactual.py), so their
    # share of the free orders' units stays put
    def other_share(store):
        o = store.orders[store.orders["channel"].isin(FREE)]
        lines = store.order_lines.merge(o[["order_id"]], on="order_id")
        cat = lines["sku"].map(store.products.set_index("sku")["category"])
        return lines.loc[cat != category, "quantity"].sum() / lines["quantity"].sum()

    assert other_share(cut) == pytest.approx(other_share(base), abs=0.01)
