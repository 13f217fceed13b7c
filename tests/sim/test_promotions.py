"""Promotions as decisions: threshold coupons, festival participation and discounts, pre-sales.

Each test changes one promotion decision of the store's own plan on the same seed (common
random numbers) and checks what it causes, and that nothing before it moves. Dates and rules
come from the store's truth and the plan, never typed from the simulator's output.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import sim_facts as F
from test_counterfactual import _assert_same_before

from storeops.sim import DEFAULT_SEED, simulate
from storeops.sim.evaluate import evaluate
from storeops.sim.finance import sku_contribution
from storeops.sim.orders import ORDINARY_COUPON
from storeops.sim.policy import Coupon, CouponPeriod, CouponTier, Policy, Presale

SEED = DEFAULT_SEED
START = date(2025, 1, 1)
DAYS = 365
CHANGE_DAY = 147  # a Tuesday in late May, outside the festivals


def _day(i: int) -> str:
    return (START + timedelta(days=i)).isoformat()


def _index(iso: str) -> int:
    return (date.fromisoformat(iso) - START).days


def _festival(base, name: str) -> dict:
    """The festival's dates as the store's truth records them."""
    return next(f for f in base.truth["festivals"] if f["festival"] == name)


def _with_festival(plan: Policy, name: str, **changes) -> Policy:
    return replace(
        plan,
        festivals=tuple(replace(f, **changes) if f.festival == name else f for f in plan.festivals),
    )


def _festive(store) -> np.ndarray:
    """Per order: placed on a festival presale or peak day (the calendar's phases)."""
    phase = store.calendar.set_index("date")["festival_phase"]
    day = store.orders["order_time"].dt.normalize()
    return phase.reindex(day).isin(["presale", "peak"]).to_numpy()


def _store_discount(store) -> np.ndarray:
    """Per order: its discount less the member-campaign coupon it redeemed, if any (the
    store's coupons are what these tests are about)."""
    used = store.campaign_sends.dropna(subset=["redeemed_order_id"]).merge(
        store.campaigns[["campaign_id", "coupon_amount"]], on="campaign_id"
    )
    member = store.orders["order_id"].map(used.set_index("redeemed_order_id")["coupon_amount"])
    return (store.orders["discount"] - member.fillna(0.0)).round(2).to_numpy()


def _amounts(coupon: Coupon) -> set[float]:
    return {k * t.amount for t in coupon.tiers for k in range(1, coupon.max_stack + 1)}


def test_the_default_plan_spells_out_its_coupons_and_festivals(plan, base):
    (ordinary,) = plan.coupons
    assert (ordinary.start, ordinary.end) == (_day(0), _day(DAYS - 1))
    in_truth = {(f["festival"], int(f["peak"][:4])) for f in base.truth["festivals"]}
    assert in_truth == {(f.festival, f.year) for f in plan.festivals}
    assert all(f.join and f.discount is None and f.presale is None for f in plan.festivals)
    assert Policy.from_json(plan.to_json()) == plan


def test_a_coupon_change_from_day_w_changes_nothing_before_day_w(base, plan):
    new = Coupon((CouponTier(129.0, 15.0), CouponTier(259.0, 40.0)), share=0.35)
    coupons = (
        CouponPeriod(_day(0), _day(CHANGE_DAY - 1), ORDINARY_COUPON),
        CouponPeriod(_day(CHANGE_DAY), _day(DAYS - 1), new),
    )
    changed = simulate(SEED, replace(plan, coupons=coupons))
    _assert_same_before(base, changed, CHANGE_DAY)
    # after W, ordinary days' orders hold the new coupon's amounts, and some hold one
    o, discount = changed.orders, _store_discount(changed)
    after = (o["order_time"] >= pd.Timestamp(_day(CHANGE_DAY))).to_numpy() & ~_festive(changed)
    discounts = set(discount[after & (discount > 0)])
    assert discounts and discounts <= _amounts(new)
    before = (o["order_time"] < pd.Timestamp(_day(CHANGE_DAY))).to_numpy() & ~_festive(changed)
    assert set(discount[before & (discount > 0)]) <= _amounts(ORDINARY_COUPON)


def test_f19_a_changed_festival_threshold_moves_the_bunching_and_the_coupon_cost(base, plan):
    own = plan.festivals[0].coupon
    (tier,) = own.tiers
    lower = Coupon((CouponTier(tier.threshold - 50, tier.amount),), own.max_stack, own.share)
    changed = simulate(
        SEED, replace(plan, festivals=[replace(f, coupon=lower) for f in plan.festivals])
    )
    new, old = lower.tiers[0].threshold, tier.threshold
    # festival order values pile up just over the new threshold and no longer over the old one
    assert F.f19_bunching(changed, new, festive=True) > 1.5 * F.f19_bunching(
        base, new, festive=True
    )
    assert (
        F.f19_bunching(changed, old, festive=True) < F.f19_bunching(base, old, festive=True) / 1.5
    )
    # the same amount off a lower threshold: more orders reach it, so the coupon costs more,
    # and the finance table books that cost on the festival days
    fin_a, fin_b = (s.finance.set_index("date") for s in (base, changed))
    fest_days = base.calendar.loc[
        base.calendar["festival_phase"].isin(["presale", "peak"]), "date"
    ].to_numpy()
    assert fin_b.loc[fest_days, "discounts"].sum() > 1.1 * fin_a.loc[fest_days, "discounts"].sum()
    done = changed.orders[changed.orders["status"] == "completed"]
    assert np.isclose(fin_b["discounts"].sum(), done["discount"].sum(), atol=0.01 * DAYS)


def test_f19_a_changed_ordinary_threshold_moves_the_bunching_on_ordinary_days(base, plan):
    coupon = Coupon((CouponTier(150.0, 20.0),), share=0.5)
    changed = simulate(SEED, replace(plan, coupons=[CouponPeriod(_day(0), _day(DAYS - 1), coupon)]))
    assert F.f19_bunching(changed, 150, festive=False) > 1.3 * F.f19_bunching(
        base, 150, festive=False
    )


@pytest.fixture(scope="module")
def skip_double11(plan):
    policy = _with_festival(plan, "double11", join=False)
    return policy, simulate(SEED, policy)


def test_not_joining_a_festival_changes_nothing_before_its_presale(base, skip_double11):
    _, changed = skip_double11
    fest = _festival(base, "double11")
    _assert_same_before(base, changed, _index(fest["presale_start"]))
    # the calendar is the platform's: it still shows the festival
    pd.testing.assert_frame_equal(changed.calendar, base.calendar)
    # and the store's festival orders get no festival coupon
    o, discount = changed.orders, _store_discount(changed)
    window = (o["order_time"] >= pd.Timestamp(fest["presale_start"])) & (
        o["order_time"] < pd.Timestamp(fest["peak"]) + pd.Timedelta(days=1)
    )
    assert set(discount[window.to_numpy() & (discount > 0)]) <= _amounts(ORDINARY_COUPON)


def test_skipping_double11_loses_its_bump_in_profit_and_revenue(base, plan, skip_double11):
    policy, _ = skip_double11
    fest = _festival(base, "double11")
    first, last = _index(fest["presale_start"]), _index(fest["dip_end"])
    own = evaluate(SEED, plan, _day(first), last - first + 1)
    skipped = evaluate(SEED, policy, _day(first), last - first + 1)
    assert skipped.kpis["net_sales"] < 0.9 * own.kpis["net_sales"]
    assert skipped.profit < own.profit
    # the peak day stands out from the weeks before the festival only for a store that joins
    ordinary = evaluate(SEED, plan, _day(first - 28), 28).daily["gross_sales"].median()

    def peak_sales(outcome):
        d = outcome.daily
        return d.loc[d["date"] == pd.Timestamp(fest["peak"]), "gross_sales"].item()

    assert peak_sales(own) > 3 * ordinary
    assert peak_sales(skipped) < 2 * ordinary


def test_a_deeper_festival_discount_sells_more_at_a_lower_margin_per_unit(base, plan):
    fest = _festival(base, "double11")
    first, last = _index(fest["presale_start"]), _index(fest["peak"])

    def outcome(discount):
        policy = _with_festival(plan, "double11", discount=discount)
        out = evaluate(SEED, policy, _day(first), last - first + 1, tables=True)
        inv = out.store.inventory
        window = (inv["date"] >= pd.Timestamp(_day(first))) & (
            inv["date"] <= pd.Timestamp(_day(last))
        )
        units = inv.loc[window, "units_sold"].sum()
        funnel = out.store.funnel
        fw = (funnel["date"] >= pd.Timestamp(_day(first))) & (
            funnel["date"] <= pd.Timestamp(_day(last))
        )
        atc = funnel.loc[fw, "add_to_carts"].sum() / funnel.loc[fw, "product_views"].sum()
        return units, out.kpis["gross_profit"] / units, atc, out.store

    units_a, margin_a, atc_a, store_a = outcome(0.1)
    units_b, margin_b, atc_b, store_b = outcome(0.25)
    assert units_b > 1.05 * units_a
    assert margin_b < margin_a
    assert atc_b > atc_a  # the cut acts at the funnel: more views become carts
    # the discount is in the festival days' prices, and only there
    _assert_same_before(store_a, store_b, first)


@pytest.fixture(scope="module")
def presale_case(plan):
    """Double 11 with a pre-sale: a fifth of the order value as deposit."""
    policy = _with_festival(plan, "double11", presale=Presale(0.2))
    return policy, simulate(SEED, policy)


def test_the_default_store_has_no_presale(base):
    o = base.orders
    assert not o["presale"].any() and (o["deposit"] == 0).all() and o["balance_date"].isna().all()
    assert (base.finance["forfeited_deposits"] == 0).all()


def test_presale_orders_pay_a_deposit_then_the_balance_on_the_peak_day(base, presale_case):
    policy, store = presale_case
    fest = _festival(base, "double11")
    o = store.orders
    placed = o["order_time"].dt.normalize()
    in_presale = (placed >= pd.Timestamp(fest["presale_start"])) & (
        placed < pd.Timestamp(fest["peak"])
    )
    # every pre-sale order was placed in the presale; every order placed there that was not
    # cancelled at checkout paid a deposit of the policy's share of its value
    assert in_presale[o["presale"]].all()
    share = next(f for f in policy.festivals if f.festival == "double11").presale.deposit_share
    pre = o[o["presale"]]
    assert np.allclose(pre["deposit"], np.round(share * pre["revenue"], 2), atol=0.005)
    assert (pre["balance_date"] == pd.Timestamp(fest["peak"])).all()
    assert (o.loc[~o["presale"], "deposit"] == 0).all()
    # a completed pre-sale order ships after its balance is paid
    done = pre[pre["status"] == "completed"]
    delivered = done["order_time"].dt.normalize() + pd.to_timedelta(
        done["delivery_days"].astype(int), unit="D"
    )
    assert (delivered > done["balance_date"]).all()


def test_some_presale_buyers_never_pay_the_balance_and_forfeit_the_deposit(presale_case):
    _, store = presale_case
    pre = store.orders[store.orders["presale"]]
    forfeited = pre["status"] == "cancelled"
    recorded = next(
        p["presale_forfeit_share"]
        for p in store.truth["festival_plans"]
        if p["festival"] == "double11"
    )
    n = len(pre)
    assert abs(forfeited.mean() - recorded) < 4 * np.sqrt(recorded * (1 - recorded) / n)
    # the store keeps those deposits: income in the finance table on the balance day
    fin = store.finance.set_index("date")
    assert np.isclose(
        fin["forfeited_deposits"].sum(), pre.loc[forfeited, "deposit"].sum(), atol=0.01
    )
    assert fin["forfeited_deposits"].idxmax() == pre["balance_date"].iloc[0]


def test_finance_books_a_presale_order_when_its_balance_is_paid(base, presale_case):
    _, store = presale_case
    fest = _festival(base, "double11")
    o = store.orders[store.orders["status"] == "completed"]
    booked = o["balance_date"].fillna(o["order_time"].dt.normalize())
    fin = store.finance.set_index("date")
    expected = o.groupby(booked)["revenue"].sum()
    got = (fin["gross_sales"] - fin["discounts"]).reindex(expected.index)
    assert np.allclose(got, expected, atol=0.02)
    # so the presale days book no pre-sale sales, and the peak day books them all
    presale_days = fin.loc[fest["presale_start"] : fest["peak"]].iloc[:-1]
    plain = o[~o["presale"]].groupby(o["order_time"].dt.normalize()).size()
    assert (presale_days["orders"] == plain.reindex(presale_days.index, fill_value=0)).all()


def test_a_presale_changes_nothing_before_its_presale_and_sells_more_in_it(base, presale_case):
    _, store = presale_case
    fest = _festival(base, "double11")
    first = _index(fest["presale_start"])
    _assert_same_before(base, store, first)

    def placed_in_presale(s):
        f = s.funnel
        days = (f["date"] >= pd.Timestamp(fest["presale_start"])) & (
            f["date"] < pd.Timestamp(fest["peak"])
        )
        return f.loc[days, "orders"].sum()

    # shoppers can lock the festival price early: more carts become orders in the presale
    # (placed orders, including those whose balance is never paid)
    assert placed_in_presale(store) > 1.1 * placed_in_presale(base)


def test_festival_plans_with_presale_and_without_coupon_round_trip_through_json(plan):
    policy = _with_festival(plan, "618", presale=Presale(0.3), coupon=None, discount=0.15)
    again = Policy.from_json(policy.to_json())
    assert again == policy
    f = next(f for f in again.festivals if f.festival == "618")
    assert f.coupon is None and f.presale == Presale(0.3) and f.discount == 0.15


def test_forfeited_deposits_are_net_sales_of_their_skus(presale_case):
    """A forfeited deposit is income of the SKUs the buyer had chosen, in the SKU shares too."""
    _, store = presale_case
    per_sku = sku_contribution(store.tables)
    fin = store.finance
    forfeited = store.orders.loc[store.orders["status"] != "completed", "deposit"].sum()
    assert forfeited > 0
    assert per_sku["forfeited_deposits"].sum() == pytest.approx(forfeited, abs=0.05)
    assert per_sku["forfeited_deposits"].sum() == pytest.approx(
        fin["forfeited_deposits"].sum(), abs=0.05
    )
    assert per_sku["net_sales"].sum() == pytest.approx(fin["net_sales"].sum(), abs=1.0)
