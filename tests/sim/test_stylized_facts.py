"""STYLIZED_FACTS.md F1-F21 (F21 in test_supply.py): the default store lands in every range, on five seeds.

Every number is computed from the generated tables (sim_facts.py), never from parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sim_facts as F
from sim_stores import SEEDS, store_for

from storeops.grading.plans import clearance_plan
from storeops.sim import Policy, default_policy, simulate
from storeops.sim.policy import ChannelBudget, budget_by_day, budget_from_days


def test_f1_session_to_order_conversion(store):
    assert 0.01 <= F.f1_conversion(store) <= 0.04


def test_f2_funnel_steps(store):
    view_to_cart, cart_to_order = F.f2_funnel(store)
    assert 0.05 <= view_to_cart <= 0.10
    assert 0.25 <= cart_to_order <= 0.40


def test_f3_click_through_rates_by_channel(store):
    ctr = F.f3_ctr(store)
    assert 0.02 <= ctr["search"] <= 0.04
    assert 0.001 <= ctr["display"] <= 0.006
    assert 0.02 <= ctr["email"] <= 0.05
    assert 0.02 <= ctr["push"] <= 0.05
    assert ctr["sms"] > ctr["email"]


def test_f4_order_value_is_lognormal_like(store):
    v = F.f4_order_value(store)
    assert 0.6 <= v["log_sd"] <= 1.0
    assert v["median"] < v["mean"]
    # log order value roughly symmetric; a long cheap tail (a 9-yuan best seller) skews it left,
    # as in real shops: the UCI Online Retail invoices (../shared/real-data) have -0.82
    assert -1.0 < v["log_skew"] < 0.5


def test_f5_repeat_purchase_and_cohort_retention(store):
    r = F.f5_repeat(store)
    assert 0.20 <= r["repeat_within_year"] <= 0.50
    assert 0.05 <= r["month1"] <= 0.20
    assert r["month1"] > r["month3"] > r["month6"]  # retention decays


def test_f6_festival_acquired_buyers_repurchase_less(store):
    r = F.f6_festival_buyers(store, within_days=45)
    assert r["n_festival"] > 1000
    assert r["festival"] < 0.6 * r["other"]
    six = F.f6_618_six_months(store)
    assert six is not None and 0.02 <= six <= 0.15


def test_f7_pareto_concentration_and_zero_sales_days(store):
    p = F.f7_pareto(store)
    assert 0.65 <= p["top20_share"] <= 0.85
    assert p["zero_sku_days"] >= 0.3


def test_f8_evening_peak_and_small_weekday_differences(store):
    r = F.f8_rhythm(store)
    assert 19 <= r["peak_hour"] <= 22
    assert r["weekday_dev"] <= 0.15


def test_f9_festival_peaks_presale_and_dip(store):
    r = F.f9_festivals(store)
    assert 8 <= r["double11_peak_ratio"] <= 15
    for f in ("618", "99", "double12"):
        assert 1.5 <= r[f"{f}_peak_ratio"] < r["double11_peak_ratio"]
    start = r["double11_presale_start"]
    assert (start.month, abs(start.day - 20) <= 5) == (10, True)
    assert 0.04 <= r["double11_dip_share_of_bump"] <= 0.25
    assert r["double11_period_share"] <= 0.30


def test_f10_own_and_cross_price_elasticities(store):
    el, cross = F.elasticity_ols(store)
    assert len(el) == 8
    assert all(-3.5 <= e <= -0.8 for e in el.values()), el
    assert -3.0 <= sum(el.values()) / len(el) <= -1.8
    assert -0.1 <= cross <= 0.5  # positive competitor effect, noisy estimate of 0.1-0.3


def test_f11_ad_response_saturates_and_carries_over(store):
    r = F.f11_ads(store)
    for ch in ("search", "display", "social"):
        assert 0 < r[ch]["total"] < 0.8  # clicks grow less than proportionally: saturation
    for ch in ("display", "social"):
        assert r[ch]["yesterday"] > 0.03  # yesterday's impressions still bring clicks
    assert 0.03 <= r["orders_short_run_elasticity"] <= 0.3
    assert -0.1 <= r["orders_long_run_elasticity"] <= 0.5  # noisy point estimate; see below
    assert r["direct_long_run_elasticity"] > 0.05  # brand carry-over into direct traffic


def test_f11_ad_elasticities_average_about_0_1_short_and_0_2_long_run():
    r = [F.f11_ads(store_for(seed)) for seed in SEEDS]
    short = np.mean([x["orders_short_run_elasticity"] for x in r])
    long = np.mean([x["orders_long_run_elasticity"] for x in r])
    assert 0.05 <= short <= 0.2
    assert 0.1 <= long <= 0.35 and long > short


def test_f12_customer_service_response_and_conversion(store):
    r = F.f12_service(store)
    assert 10 <= r["median_response"] <= 40
    assert r["conv_fast"] > r["conv_slow"]
    assert 0.03 <= r["uplift_answered"] <= 0.35
    assert r["slope"] < 0


def test_f13_return_rates(store):
    r = F.f13_returns(store)
    assert 0.10 <= r["overall"] <= 0.20
    assert 0.20 <= r["apparel"] <= 0.40
    assert r["apparel"] == max(r["by_category"].values())


def test_f14_reviews_are_j_shaped(store):
    r = F.f14_reviews(store)
    s = r["share"]
    assert 4.0 <= r["mean"] <= 4.3
    assert s[5] == max(s.values())
    assert s[1] > s[2] and s[1] > s[3]  # the J: more 1s than 2s or 3s


def test_f15_stockouts_and_censored_demand(store):
    assert 0.05 <= F.f15_stockouts(store)["share"] <= 0.10
    # censoring: what the orders show sold equals what left the warehouse, never the demand
    # (the orders member campaigns caused ship from the supplier)
    o = store.orders[store.orders["status"] == "completed"][["order_id", "order_time"]]
    o = o[~o["order_id"].isin(store.truth["campaigns"]["caused_order_ids"])]
    ol = store.order_lines.merge(o, on="order_id")
    sold = ol.groupby([ol["order_time"].dt.normalize().rename("date"), "sku"])["quantity"].sum()
    inv = store.inventory.set_index(["date", "sku"])["units_sold"]
    pd.testing.assert_series_equal(
        sold.reindex(inv.index).fillna(0).astype("int64"), inv, check_names=False
    )
    # and a SKU that is out of stock all day sells nothing in the orders
    out_all_day = store.inventory[
        store.inventory["stockout"] & (store.inventory["units_sold"] == 0)
    ]
    assert len(out_all_day) > 0


def test_f19_threshold_coupons_bunch_order_values_just_over_the_threshold(store):
    # festival days: the festival coupon every order holds (its thresholds and their multiples
    # from the store's recorded plans), so values pile up just over them; the other days (no
    # such coupon) are the control at the same values
    thresholds = F.festival_coupon_thresholds(store)
    assert thresholds
    for threshold in thresholds:
        assert F.f19_bunching(store, threshold, festive=True) > 1.5 * F.f19_bunching(
            store, threshold, festive=False
        )


def test_f20_fashion_items_rise_plateau_and_die_within_8_to_20_weeks(store):
    # which SKUs are fashion items is an answer (truth); their sales come from the tables
    skus = store.truth["products"]["skus"]
    profile = F.f20_launch_profile(store, [k for k, v in skus.items() if v["fashion"]])
    assert profile.iloc[0] < 0.8 and 1 <= profile.idxmax() <= 8  # rise to a peak
    assert 8 <= (profile >= 0.1).sum() <= 20  # weeks of real selling
    assert profile.iloc[20:].max() < 0.1  # and then they are gone


def test_f20_seasonal_categories_sell_2_to_5_times_more_in_season(store):
    summer, winter = [6, 7, 8], [12, 1, 2]
    seasonal = {
        "sports": F.f20_season_ratio(store, "sports", summer, winter),
        "apparel": F.f20_season_ratio(store, "apparel", winter, summer),
    }
    assert all(2 <= r <= 5 for r in seasonal.values()), seasonal
    cats = store.products["category"].unique()
    all_year = [F.f20_season_ratio(store, c, summer, winter) for c in cats if c not in seasonal]
    assert max(max(r, 1 / r) for r in all_year) < min(seasonal.values())


def test_f20_stock_left_at_season_end_is_written_down(store):
    # fashion items: the whole stock left after their last day's sales, and nothing sold later
    ends = F.f20_season_end_stock(store)
    assert len(ends) >= 5
    assert (ends["left"] == 0).all() and (ends["sold_later"] == 0).all()
    assert (ends["written_down"] == ends["after_sales"]).all() and ends["written_down"].sum() > 0
    # seasonal categories: on their season end, stock beyond the next weeks' needs goes (some
    # is kept); the all-year categories write nothing down
    inv = store.inventory.merge(store.products[["sku", "category", "season_end"]], on="sku")
    seasonal = inv[inv["season_end"].isna() & (inv["written_down"] > 0)]
    assert set(seasonal["category"]) == {"apparel", "sports"}
    for _, day in seasonal.groupby(["category", "date"]):
        assert len(day) >= 3 and (day["stock_on_hand"] > 0).mean() > 0.5
    paid = store.finance.set_index("date")["write_downs"]
    assert (paid[seasonal["date"].unique()] > 0).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_f20_clearance_cuts_raise_sell_through_of_declining_items(seed):
    """Every fashion item ending in the run cleared from its first week in decline (after its
    last purchase order) to its season end, at 20 %, 40 % and 60 % off, against none."""
    store = store_for(seed)
    truth = store.truth
    ending = store.products.dropna(subset=["season_end"])["sku"]
    clear = {k: truth["clearance"]["skus"][k] for k in ending}
    first = {k: v["decision_start"] for k, v in clear.items()}
    last = {k: v["season_end"] for k, v in clear.items()}
    base = default_policy(seed)
    through = {}
    for depth in (0.0, 0.2, 0.4, 0.6):
        plan = base
        for sku in clear:
            plan = clearance_plan(seed, sku, first[sku] if depth else None, depth, plan)
        out = simulate(seed, plan)
        through[depth] = F.f20_sell_through(out, first, last)
    # on average over the items, each deeper cut sells through more
    pooled = [through[d].mean() for d in (0.0, 0.2, 0.4, 0.6)]
    assert all(a < b for a, b in zip(pooled, pooled[1:], strict=False)), pooled
    # item by item too, but for the odd item whose own lines move when the others' prices
    # change (its expected units do not)
    for depth in (0.4, 0.6):
        assert (through[depth] > through[0.0]).mean() >= 0.8, through[depth] - through[0.0]


def test_f16_margins_by_category_contribution_and_net(store):
    m = F.f16_margins(store)
    g = m["gross_by_category"]
    assert 0.40 <= g["apparel"] <= 0.60
    assert 0.50 <= g["beauty"] <= 0.75
    assert 0.10 <= g["electronics"] <= 0.25
    assert 0.30 <= g["home"] <= 0.50
    assert 0.05 <= m["contribution"] <= 0.25
    assert 0.0 <= m["net"] <= 0.12


def test_f17_search_costs_0_3_to_3_yuan_a_click(store):
    r = F.f17_search_cpc(store.traffic)
    assert 0.3 <= r["cpc"] <= 3.0
    assert 0.3 <= r["daily_low"] and r["daily_high"] <= 3.0


@pytest.mark.parametrize("seed", SEEDS)
def test_f17_cpc_rises_with_the_bid_with_diminishing_extra_clicks(seed):
    """Same store, budget to spare, four bids: each bid step costs more per click and adds
    fewer clicks than the step before."""
    rows = []
    for bid in (1.0, 1.6, 2.2, 2.8):
        budget = ChannelBudget("search", 1e6, (), bid)
        t = simulate(seed, Policy(budgets=[budget]), days=120).traffic
        rows.append(F.f17_search_cpc(t))
    cpc = [r["cpc"] for r in rows]
    clicks = [r["clicks"] for r in rows]
    assert all(b > a for a, b in zip(cpc, cpc[1:], strict=False))
    assert all(0.3 <= c <= 3.0 for c in cpc)
    extra = np.diff(clicks)
    assert (extra > 0).all() and (np.diff(extra) < 0).all()


def test_f17_stores_whose_ads_click_more_pay_less_per_click():
    """All five stores bid the same on ordinary days; the ones with the higher click-through
    rate (a better quality score) hold their place for less per click."""
    r = [F.f17_search_cpc(store_for(seed).traffic) for seed in SEEDS]
    ctr, cpc = [x["ctr"] for x in r], [x["cpc"] for x in r]
    assert pd.Series(ctr).corr(pd.Series(cpc), method="spearman") < -0.5


def test_f18_free_traffic_is_40_to_70_percent_of_sessions(store):
    assert 0.40 <= F.f18_free_share(store) <= 0.70


CAMPAIGN = (120, 134)  # day indices: two weeks in May, outside the festivals


def _campaign(seed: int, factor: float = 3.0) -> Policy:
    """The store's own plan with every paid budget times `factor` during CAMPAIGN."""
    own = default_policy(seed)
    budgets = []
    for b in own.budgets:
        plan = budget_by_day(b, "2025-01-01", 365)
        plan[CAMPAIGN[0] : CAMPAIGN[1]] *= factor
        days = budget_from_days(b.channel, plan, "2025-01-01")
        budgets.append(ChannelBudget(b.channel, days.daily, days.periods, b.bid, b.bid_periods))
    return Policy(budgets=budgets)


@pytest.mark.parametrize("seed", SEEDS)
def test_f18_a_campaign_lifts_free_traffic_afterwards_with_a_lag(seed):
    base = F.free_sessions(store_for(seed)).to_numpy()
    lifted = F.free_sessions(simulate(seed, _campaign(seed))).to_numpy()
    start, end = CAMPAIGN
    # nothing before the campaign, nor in its first days (the platform's rank lags)
    assert (lifted[: start + 1] == base[: start + 1]).all()
    gain = lifted / base - 1
    # free traffic rises during the campaign and stays up for weeks after it ends
    assert gain[end - 3 : end].mean() > 0.03
    assert gain[end : end + 14].mean() > 0.03
    assert gain[end + 14 : end + 28].mean() > 0.0
    # the lift builds up: larger in the campaign's second week than in its first days
    assert gain[end - 7 : end].mean() > gain[start : start + 4].mean()
