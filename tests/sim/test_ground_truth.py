"""The truth is complete and standard estimators recover it from the tables alone."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import sim_facts as F

from storeops.sim.answers import customer_segments, product_roles

# mean error over the categories of one store: stock-outs during promotions cut the demand
# peaks the regression sees, which pulls every estimate a little towards zero
ELASTICITY_BIAS = 0.25
MISFIT = 1.5  # the trainee's regression's errors over its OLS standard errors


def _by_kind(store, kind):
    inc = [i for i in store.truth["incidents"] if i["kind"] == kind]
    assert len(inc) == 1, store.truth["incidents"]
    return inc[0]


def test_truth_records_every_knob(default_store):
    t = default_store.truth
    json.dumps(t)  # JSON-serialisable as it is
    cats = set(default_store.products["category"])
    assert set(t["elasticity"]) == cats and set(t["cross_price_elasticity"]) == cats
    assert {f["festival"] for f in t["festivals"]} == {"618", "99", "double11", "double12"}
    for ch in ("search", "display", "social"):
        c = t["channels"][ch]
        assert {"adstock_decay", "saturation_half_impressions", "roi", "marginal_roi"} <= set(c)
    assert {i["kind"] for i in t["incidents"]} == {"checkout_failure", "stockout", "bad_traffic"}
    assert {"response_slope_log_odds_per_second", "uplift_of_answer_at_median_response"} <= set(
        t["service"]
    )
    assert set(t["aftersales"]["return_rate_by_category"]) == cats
    assert set(t["segments"]) == set(customer_segments(default_store))
    # answers are truth only: no table carries them
    assert "segment" not in default_store.customers and "role" not in default_store.products
    skus = t["products"]["skus"]
    assert set(skus) == set(default_store.products["sku"])
    assert {"role", "life_cycle_stage_at_end", "decline_start"} <= set(next(iter(skus.values())))
    assert t["ab_test"]["ctr_relative_lift_b_vs_a"] != 0
    assert set(t["inventory"]["per_sku"]) == set(skus)
    assert {"lead_time_days", "safety_factor"} <= set(t["inventory"]["per_sku"]["SKU0001"])


def test_truth_is_not_in_the_tables(default_store):
    cols = {c for df in default_store.tables.values() for c in df.columns}
    assert not cols & {
        "elasticity",
        "defective",
        "life_cycle_stage",
        "popularity",
        "segment_rate",
        "incident",
    }


def test_log_log_regression_recovers_each_category_elasticity(store):
    est, cross, se = F.elasticity_ols(store, with_se=True)
    true = store.truth["elasticity"]
    err = {c: est[c] - true[c] for c in est}
    # a category's estimate has a standard error of 0.1-0.3 (20-60 SKUs, a year of weeks), so a
    # fixed tolerance would fail by chance on some of the 40 estimates of five seeds. The
    # regression is a trainee's: it knows neither the reference prices, nor the top-up items,
    # nor the demand lost in stock-outs, and its errors run about 1.5 times its OLS standard
    # error. Each must lie within 3 of those, look like noise on average, and show no bias.
    z = {c: err[c] / (MISFIT * se[c]) for c in err}
    assert all(abs(v) <= 3 for v in z.values()), (err, se)
    assert np.mean(np.abs(list(z.values()))) <= 1.2, z
    assert abs(np.mean(list(err.values()))) <= ELASTICITY_BIAS, err
    assert abs(cross - np.mean(list(store.truth["cross_price_elasticity"].values()))) <= 0.15


def test_checkout_failure_window_is_findable(store):
    inc = _by_kind(store, "checkout_failure")
    dev = inc["device"]
    other = "desktop" if dev == "mobile" else "mobile"
    # 1. the funnel: the device's cart-to-order rate collapses on the incident day(s)
    f = store.funnel.groupby(["date", "device"])[["add_to_carts", "orders"]].sum()
    rate = (f["orders"] / f["add_to_carts"]).unstack()
    rel = rate[dev] / rate[other]
    cal = store.calendar.set_index("date")
    rel = rel[cal.loc[rel.index, "festival"].to_numpy() == ""]  # ordinary days
    worst = rel.idxmin()
    start, end = pd.Timestamp(inc["start"]), pd.Timestamp(inc["end"])
    assert start.normalize() <= worst <= end.normalize()
    # 2. the orders: the longest run of hours in which the device's share of orders collapses
    o = store.orders
    h = o.groupby([o["order_time"].dt.floor("h"), "device"]).size().unstack(fill_value=0)
    h = h.reindex(pd.date_range(h.index.min(), h.index.max(), freq="h"), fill_value=0)
    share = h[dev] / (h[dev] + h[other]).clip(lower=1)
    known = h[other] >= 3  # enough orders on the working device to tell
    typical = share[known].median()
    status = np.where(~known, -1, np.where(share < 0.5 * typical, 1, 0))  # -1: cannot tell
    best, run, first = (0, None, None), 0, None
    for i, st in enumerate(status):
        if st == 0:
            run, first = 0, None
            continue
        if first is None:
            first = i
        run += st == 1
        if run > best[0]:
            best = (run, first, i)
    n_low, a, b = best
    a += int(np.argmax(status[a : b + 1] == 1))  # the first hour that is clearly low
    while b + 1 < len(status) and status[b + 1] == -1:  # quiet hours until orders recover
        b += 1
    assert n_low >= 3
    assert abs((h.index[a] - start).total_seconds()) <= 2 * 3600
    assert abs((h.index[b] + pd.Timedelta(hours=1) - end).total_seconds()) <= 2 * 3600


def test_best_seller_stockout_is_findable(store):
    inc = _by_kind(store, "stockout")
    inv = store.inventory.sort_values(["sku", "date"])
    # the write-off: the one SKU-day where the stock does not reconcile with receipts, sales
    # and season-end write-downs
    prev = inv.groupby("sku")["stock_on_hand"].shift(1)
    gap = prev + inv["receipts"] - inv["units_sold"] - inv["written_down"] - inv["stock_on_hand"]
    off = inv[gap.fillna(0) != 0]
    assert len(off) == 1
    sku, day = off["sku"].iloc[0], off["date"].iloc[0]
    assert sku == inc["sku"]
    top = store.inventory.groupby("sku")["units_sold"].sum().nlargest(10).index
    assert sku in top  # a best seller
    # the stock-out window: the run of stock-out days that starts with the write-off
    x = inv[inv["sku"] == sku].set_index("date")["stockout"]
    a, b = day, day
    while x.get(a - pd.Timedelta(days=1), False):
        a -= pd.Timedelta(days=1)
    while x.get(b + pd.Timedelta(days=1), False):
        b += pd.Timedelta(days=1)
    assert a == pd.Timestamp(inc["start"]) and b == pd.Timestamp(inc["end"])
    # the censored window: nothing sold although it is a best seller
    w = inv[
        (inv["sku"] == sku)
        & inv["date"].between(day + pd.Timedelta(days=1), pd.Timestamp(inc["end"]))
    ]
    assert w["units_sold"].sum() == 0


def test_bad_traffic_spike_is_findable(store):
    inc = _by_kind(store, "bad_traffic")
    t = store.traffic.set_index(["date", "channel"])["sessions"].unstack()
    o = store.funnel.groupby(["date", "channel"])["orders"].sum().unstack()
    spike = t / t.rolling(29, center=True, min_periods=10).median()
    conv = (o / t) / (o / t).rolling(29, center=True, min_periods=10).median()
    flagged = (spike > 2) & (conv < 0.5)
    hits = flagged.stack()
    hits = hits[hits]
    chans = set(hits.index.get_level_values(1))
    assert chans == {inc["channel"]}
    days = hits.index.get_level_values(0)
    assert days.min() == pd.Timestamp(inc["start"]) and days.max() == pd.Timestamp(inc["end"])


def test_channel_roi_ranking_is_recoverable(store):
    o = store.orders[store.orders["status"] == "completed"]
    rev = o.groupby("channel")["revenue"].sum()
    spend = store.traffic.groupby("channel")["spend"].sum()
    spend = spend[spend > 0]
    observed = (rev.reindex(spend.index) / spend).sort_values(ascending=False)
    true = pd.Series(
        {c: v["roi"] for c, v in store.truth["channels"].items() if "roi" in v}
    ).sort_values(ascending=False)
    assert list(observed.index) == list(true.index)
    # paid channels: diminishing returns, the marginal ROI is below the average ROI
    for c in ("search", "display", "social"):
        assert store.truth["channels"][c]["marginal_roi"] < store.truth["channels"][c]["roi"]


def test_response_time_effect_is_recoverable(store):
    r = F.f12_service(store)
    true = store.truth["service"]["response_slope_log_odds_per_second"]
    assert abs(r["slope"] - true) <= 0.004
    assert (
        abs(r["uplift_answered"] - store.truth["service"]["uplift_of_answer_at_median_response"])
        <= 0.12
    )


def test_ab_test_verdict_matches_truth(store):
    ab = store.ab_tests.groupby("variant")[["impressions", "clicks"]].sum()
    pa, pb = (
        ab.loc["A", "clicks"] / ab.loc["A", "impressions"],
        ab.loc["B", "clicks"] / ab.loc["B", "impressions"],
    )
    p = ab["clicks"].sum() / ab["impressions"].sum()
    z = (pb - pa) / np.sqrt(
        p * (1 - p) * (1 / ab.loc["A", "impressions"] + 1 / ab.loc["B", "impressions"])
    )
    lift = store.truth["ab_test"]["ctr_relative_lift_b_vs_a"]
    assert np.sign(z) == np.sign(lift) and abs(z) > 1.96
    assert abs((pb / pa - 1) - lift) < 0.1


def test_segments_repurchase_in_the_order_of_their_true_rates(store):
    c = store.customers.assign(segment=customer_segments(store).to_numpy())
    start = store.calendar["date"].min()
    new = c[c["first_order_time"].between(start, start + pd.Timedelta(days=180))]
    rates = {s: F.repurchase_rate(store, g, 120) for s, g in new.groupby("segment")}
    truth = store.truth["segments"]
    by_truth = sorted(
        truth,
        key=lambda s: (
            -truth[s]["purchase_rate_per_day"]
            / (truth[s]["purchase_rate_per_day"] + truth[s]["churn_rate_per_day"])
        ),
    )
    assert sorted(rates, key=lambda s: -rates[s]) == by_truth


def test_return_drivers_are_recoverable(store):
    r = F.f13_returns(store)["by_category"]
    true = store.truth["aftersales"]["return_rate_by_category"]
    cats = sorted(true)
    rho = pd.Series([r[c] for c in cats]).corr(
        pd.Series([true[c] for c in cats]), method="spearman"
    )
    assert rho >= 0.8
    # delivery delay raises returns
    o = store.orders[store.orders["status"] == "completed"]
    ol = store.order_lines.merge(o[["order_id", "delivery_days"]], on="order_id")
    ret = ol.merge(
        store.returns[["order_id", "sku"]].assign(returned=True), on=["order_id", "sku"], how="left"
    )
    ret["returned"] = ret["returned"].fillna(False).astype(bool)
    assert (
        ret.loc[ret["delivery_days"] >= 6, "returned"].mean()
        > ret.loc[ret["delivery_days"] <= 3, "returned"].mean()
    )


def test_product_roles_and_bundles_show_in_the_data(default_store):
    s = default_store
    p = s.products.assign(
        margin=lambda d: 1 - d["unit_cost"] / d["list_price"],
        role=lambda d: d["sku"].map(product_roles(s)),
    )
    m = p.groupby("role")["margin"].median()
    assert m["traffic"] == m.min() and m["profit"] == m.max()
    units = s.order_lines.groupby("sku")["quantity"].sum().reindex(p["sku"]).fillna(0).to_numpy()
    p["units"] = units
    u = p.groupby("role")["units"].median()
    assert u["traffic"] > u["regular"] and u["traffic"] > u["profit"]
    # bundle partners are bought together far more often than chance
    ol = s.order_lines
    n_orders = ol["order_id"].nunique()
    pairs = p.dropna(subset=["bundle_partner"])
    lifts = []
    for a, b in zip(pairs["sku"], pairs["bundle_partner"], strict=True):
        oa, ob = set(ol.loc[ol["sku"] == a, "order_id"]), set(ol.loc[ol["sku"] == b, "order_id"])
        if oa and ob:
            lifts.append(len(oa & ob) * n_orders / (len(oa) * len(ob)))
    assert np.median(lifts) > 20


def test_life_cycle_decline_shows_in_sales(default_store):
    s = default_store
    skus = s.truth["products"]["skus"]
    start = s.calendar["date"].min()
    inv = s.inventory
    falls = []
    for sku, v in skus.items():
        d = pd.Timestamp(v["decline_start"])
        if start + pd.Timedelta(days=90) <= d <= start + pd.Timedelta(days=200):
            x = inv[inv["sku"] == sku].set_index("date")["units_sold"]
            # a fashion item taken off sale at its season end sells nothing after it
            after = x[d + pd.Timedelta(days=100) :]
            falls.append(
                (after.mean() if len(after) else 0.0) < x[d - pd.Timedelta(days=90) : d].mean()
            )
    assert len(falls) >= 5 and np.mean(falls) >= 0.8


@pytest.mark.parametrize("fest", ["618", "double11"])
def test_festival_calendar_in_truth_matches_the_data(default_store, fest):
    t = next(f for f in default_store.truth["festivals"] if f["festival"] == fest)
    rev = F.daily_revenue(default_store)
    window = rev[pd.Timestamp(t["presale_start"]) : pd.Timestamp(t["dip_end"])]
    assert window.idxmax() == pd.Timestamp(t["peak"])
