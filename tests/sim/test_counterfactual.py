"""Common random numbers: with the same seed, a changed decision changes only what it causes.

Each test runs the store twice on the same seed, once under its own plan and once with one
decision changed, and compares the tables (and, where the tables cannot show it, the intended
orders before stock decides what is served).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from storeops.sim import CHANNELS, DEFAULT_SEED, default_policy, generate, simulate
from storeops.sim.answers import product_roles
from storeops.sim.generate import build_market, check_args, simulate_funnel
from storeops.sim.generate import place_orders as _place_orders
from storeops.sim.params import FREE_CHANNELS
from storeops.sim.policy import (
    ChannelBudget,
    Period,
    Policy,
    SkuPrice,
    _budgets,
    _frame,
    _prices,
    budget_by_day,
    budget_from_days,
)

SEED = DEFAULT_SEED
START = date(2025, 1, 1)
DAYS = 365
CHANGE_DAY = 147  # a Tuesday in late May, outside the festivals
DATE_COLUMNS = {
    "traffic": "date",
    "funnel": "date",
    "ab_tests": "date",
    "orders": "order_time",
    "customers": "first_order_time",
    "inventory": "date",
    "purchase_orders": "order_date",
    "service_chats": "chat_time",
    "returns": "return_date",
    "reviews": "review_date",
    "seller_ratings": "rating_date",
}


@pytest.fixture(scope="module")
def base():
    return generate(SEED)


@pytest.fixture(scope="module")
def plan():
    return default_policy(SEED)


def _day(i: int) -> str:
    return (START + timedelta(days=i)).isoformat()


def _price_cut(plan: Policy, sku: str, cut: float, list_price: float) -> Policy:
    """The store's own plan, with `sku` selling at (1 - cut) x list price from CHANGE_DAY on."""
    own = next(p for p in plan.prices if p.sku == sku)
    before = [
        Period(p.start, min(p.end, _day(CHANGE_DAY - 1)), p.value)
        for p in own.periods
        if p.start < _day(CHANGE_DAY)
    ]
    new = SkuPrice(
        sku, [*before, Period(_day(CHANGE_DAY), _day(DAYS - 1), round(list_price * (1 - cut), 2))]
    )
    return replace(plan, prices=tuple(new if p.sku == sku else p for p in plan.prices))


def _rows_before(store, table: str, day: int) -> pd.DataFrame:
    t = store.tables[table]
    when = pd.to_datetime(t[DATE_COLUMNS[table]])
    return t[when < pd.Timestamp(START + timedelta(days=day))].reset_index(drop=True)


def _assert_same_before(base, changed, day: int) -> None:
    """Every table's rows dated before `day` are the same in both runs."""
    for table in DATE_COLUMNS:
        pd.testing.assert_frame_equal(
            _rows_before(changed, table, day),
            _rows_before(base, table, day),
            check_exact=True,
            obj=table,
        )


def _orders_of(store, channels) -> pd.DataFrame:
    """Orders with their lines, keyed by what identifies an order across runs (not its id).

    Orders that followed a pre-sale chat are left out: the chat's wait depends on every
    chat of its hour (the agents are shared), so any change in the hour's traffic moves them;
    so are the orders member campaigns caused (each copies a basket of its day's orders).
    """
    o, lines = store.orders, store.order_lines
    chats = store.service_chats
    after_chat = o["order_id"].isin(chats.loc[chats["converted"], "order_id"])
    # a campaign's extra order copies the basket of an order of its day, whatever its channel
    caused = o["order_id"].isin(store.truth["campaigns"]["caused_order_ids"])
    keep = o[o["channel"].isin(channels) & ~after_chat & ~caused]
    both = keep.merge(lines, on="order_id")
    cols = ["order_time", "channel", "device", "sku", "quantity", "unit_price", "status"]
    return both[cols].sort_values(cols, ignore_index=True)


@pytest.fixture(scope="module")
def price_case(base, plan):
    """A popular regular SKU, 40 % off from CHANGE_DAY on: as deep as the store's deepest
    promotion, so no day after the change is dearer than under the store's own plan."""
    p = base.products.assign(role=lambda d: d["sku"].map(product_roles(base)))
    units = base.order_lines.groupby("sku")["quantity"].sum()
    regular = p[(p["role"] == "regular") & (p["launch_date"] <= pd.Timestamp(START))]
    sku = units.reindex(regular["sku"]).idxmax()
    row = p.set_index("sku").loc[sku]
    policy = _price_cut(plan, sku, 0.4, float(row["list_price"]))
    return sku, row["category"], policy, simulate(SEED, policy)


def test_the_store_own_plan_reproduces_the_published_store(base, plan):
    again = simulate(SEED, plan)
    for name, table in base.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], table, check_exact=True, obj=name)


def test_a_price_change_from_day_w_changes_nothing_before_day_w(base, price_case):
    _, _, _, changed = price_case
    _assert_same_before(base, changed, CHANGE_DAY)
    # and it does change what follows: the SKU sells more at the lower price
    sku = price_case[0]

    def units_after(store):
        o = store.orders[store.orders["order_time"] >= pd.Timestamp(_day(CHANGE_DAY))]
        lines = store.order_lines[store.order_lines["order_id"].isin(o["order_id"])]
        return lines.loc[lines["sku"] == sku, "quantity"].sum()

    assert units_after(changed) > 1.1 * units_after(base)


def _intended_lines(seed: int, policy: Policy) -> pd.DataFrame:
    """Every intended order line (before stock), with its order's time, channel and device,
    of the orders whose buyer did not ask a pre-sale question first (those go ahead only if
    their chat converts, and its wait depends on every chat of the hour: see `_orders_of`)."""
    seed, start, days, scale, channels = check_args(seed, START, DAYS, 1.0, None)
    frame = _frame(start, days, channels)
    market = build_market(
        seed, start, days, scale, channels, _budgets(policy, frame), _prices(policy, frame)
    )
    traffic = market.traffic
    funnel = simulate_funnel(
        seed, traffic.sessions, traffic.bad_sessions, market.effects, market.products.price_index
    )
    placed = _place_orders(market, seed, funnel["orders"])
    o, lines = placed.orders, placed.lines
    lines = {k: v[o["chat"][lines["order"]] < 0] for k, v in lines.items()}
    cats = market.products.table["category"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "time": o["day"][lines["order"]].astype(np.int64) * 86400 + o["sec"][lines["order"]],
            "channel": o["channel"][lines["order"]],
            "device": o["device"][lines["order"]],
            "order": o["key"][lines["order"]],
            "sku": lines["sku"],
            "category": cats[lines["sku"]],
            "qty": lines["qty"],
        }
    )


def test_outside_its_category_a_price_change_acts_only_through_recorded_substitution(
    base, plan, price_case
):
    sku, category, policy, _ = price_case
    # the recorded structure: a cheaper SKU lifts the store's conversion (more orders) and
    # draws basket lines from other categories into its own, which the new orders make up for
    model = base.truth["price_model"]
    assert "price_index" in model["funnel"] and "race between categories" in model["substitution"]
    a, b = _intended_lines(SEED, plan), _intended_lines(SEED, policy)
    # nothing before the change moves
    assert a[a["time"] < CHANGE_DAY * 86400].equals(b[b["time"] < CHANGE_DAY * 86400])
    # orders keep their time and place; a day whose price index rose only gains orders, a day
    # whose index fell (the cut, once remembered, lifts less than a promotion) only loses some
    key = ["order", "time", "channel", "device"]
    orders_a, orders_b = (x.drop_duplicates("order")[key].set_index("order") for x in (a, b))
    common = orders_a.index.intersection(orders_b.index)
    pd.testing.assert_frame_equal(orders_b.loc[common], orders_a.loc[common])
    index_a, index_b = (_price_index(p) for p in (plan, policy))
    only_a = orders_a.drop(common)
    only_b = orders_b.drop(common)
    assert (index_b[only_b["time"] // 86400] > index_a[only_b["time"] // 86400]).all()
    assert (index_b[only_a["time"] // 86400] < index_a[only_a["time"] // 86400]).all()
    assert len(only_b) > 0
    # in an order placed in both runs, lines outside the changed category differ only if the
    # order holds a line of that category in one of the runs: a line moved into or out of it,
    # or the basket's value moved and the shopper topped it up with another item to reach a
    # coupon threshold (both recorded in the truth)
    assert "top_up" in base.truth["order_rules"]

    def baskets(x, in_category):
        rows = x[((x["category"] == category) == in_category) & x["order"].isin(common)]
        items = rows.assign(item=lambda r: list(zip(r["sku"], r["qty"], strict=True)))
        return items.groupby("order")["item"].agg(frozenset).reindex(common)

    k_a, k_b = baskets(a, True), baskets(b, True)
    other_a, other_b = baskets(a, False), baskets(b, False)
    differ = (other_a.fillna(0) != other_b.fillna(0)).to_numpy()
    touched = (k_a.notna() | k_b.notna()).to_numpy()
    assert differ.sum() > 0, "a 40 % cut on a top seller moves some lines"
    assert touched[differ].all()
    # the added and lost orders make up for the moved lines: other categories' units after the
    # change move by no more than chance (4 standard deviations of the lines that moved)
    after = CHANGE_DAY * 86400
    units_a = a[(a["time"] >= after) & (a["category"] != category)]["qty"].sum()
    units_b = b[(b["time"] >= after) & (b["category"] != category)]["qty"].sum()
    moved = a[a["category"] != category].merge(
        b[b["category"] != category], on=["order", "sku"], how="outer", indicator=True
    )
    churn = (moved["_merge"] != "both").sum()
    assert abs(units_b - units_a) <= 4 * np.sqrt(churn) + 4


def _price_index(policy: Policy) -> np.ndarray:
    seed, start, days, scale, channels = check_args(SEED, START, DAYS, 1.0, None)
    frame = _frame(start, days, channels)
    market = build_market(
        seed, start, days, scale, channels, _budgets(policy, frame), _prices(policy, frame)
    )
    return market.products.price_index


def _assert_same_traffic_and_funnel(base, changed, channels) -> None:
    """Traffic and funnel rows of `channels` are the same in both runs (served orders aside)."""
    for table in ("traffic", "funnel"):
        a, b = (s.tables[table].drop(columns="orders", errors="ignore") for s in (base, changed))
        pd.testing.assert_frame_equal(
            b[b["channel"].isin(channels)].reset_index(drop=True),
            a[a["channel"].isin(channels)].reset_index(drop=True),
            check_exact=True,
            obj=table,
        )


@pytest.fixture(scope="module")
def budget_case(plan):
    """Search gets twice its planned budget every day."""
    own = next(b for b in plan.budgets if b.channel == "search")
    doubled = ChannelBudget(
        "search", 2 * own.daily, [Period(p.start, p.end, 2 * p.value) for p in own.periods]
    )
    policy = replace(
        plan, budgets=tuple(doubled if b.channel == "search" else b for b in plan.budgets)
    )
    return policy, simulate(SEED, policy)


def test_doubling_one_channel_budget_moves_that_channel_and_what_depends_on_it(base, budget_case):
    policy, changed = budget_case
    # what depends on search spend: search itself, direct traffic (brand carry-over) and free
    # traffic (the platform's rank follows the store's sales)
    caused = {"search", "direct", *FREE_CHANNELS}
    untouched = [c for c in CHANNELS if c not in caused]
    # the funnel's orders are the served ones: stock is shared, so they are compared below
    _assert_same_traffic_and_funnel(base, changed, untouched)
    t_a, t_b = (s.traffic.set_index(["date", "channel"]) for s in (base, changed))
    assert (
        t_b.loc[(slice(None), "search"), "clicks"].sum()
        > 1.1 * t_a.loc[(slice(None), "search"), "clicks"].sum()
    )
    assert (
        t_b.loc[(slice(None), "direct"), "sessions"].sum()
        > t_a.loc[(slice(None), "direct"), "sessions"].sum()
    )
    # the other channels place the same orders with the same baskets; what they are served can
    # only differ where the shared stock ran out in one of the two runs
    a_lines = _intended_lines(SEED, Policy()).query(
        "channel.isin(@untouched_idx)",
        local_dict={"untouched_idx": [CHANNELS.index(c) for c in untouched]},
    )
    b_lines = _intended_lines(SEED, policy).query(
        "channel.isin(@untouched_idx)",
        local_dict={"untouched_idx": [CHANNELS.index(c) for c in untouched]},
    )
    cols = ["time", "channel", "device", "sku", "qty"]
    pd.testing.assert_frame_equal(
        a_lines[cols].reset_index(drop=True), b_lines[cols].reset_index(drop=True)
    )
    served_a, served_b = _orders_of(base, untouched), _orders_of(changed, untouched)
    inv_a = base.inventory.set_index(["date", "sku"])["stockout"]
    inv_b = changed.inventory.set_index(["date", "sku"])["stockout"]
    out = inv_a | inv_b.reindex(inv_a.index, fill_value=False)
    out = set(out[out].index)
    diff = pd.concat([served_a, served_b]).drop_duplicates(keep=False)
    day_sku = zip(diff["order_time"].dt.normalize(), diff["sku"], strict=True)
    assert all(k in out for k in day_sku), "served lines differ only where stock ran out"


def test_f19_price_acts_at_the_funnel_and_a_lasting_cut_fades_to_a_smaller_lift(
    base, plan, price_case
):
    sku, _, policy, changed = price_case

    # conversion: the cheaper SKU lifts the store's add-to-cart rate after the change
    def atc_rate(store, lo, hi):
        f = store.funnel
        f = f[(f["date"] >= pd.Timestamp(_day(lo))) & (f["date"] < pd.Timestamp(_day(hi)))]
        return f["add_to_carts"].sum() / f["product_views"].sum()

    assert atc_rate(changed, CHANGE_DAY, CHANGE_DAY + 28) > atc_rate(
        base, CHANGE_DAY, CHANGE_DAY + 28
    )
    # units: against the SKU at its list price all year, a lasting cut from day W acts as a
    # promotion at first; once shoppers remember the new price (the reference price follows
    # it) the lift shrinks toward the smaller permanent response
    row = base.products.set_index("sku").loc[sku]
    flat = replace(
        plan, prices=tuple(SkuPrice(sku, ()) if p.sku == sku else p for p in plan.prices)
    )
    cut = _price_cut(flat, sku, 0.4, float(row["list_price"]))
    a, b = _intended_lines(SEED, flat), _intended_lines(SEED, cut)
    index = int(sku.removeprefix("SKU")) - 1

    def lift(lo, hi):
        def units(x):
            window = (x["time"] >= lo * 86400) & (x["time"] < hi * 86400)
            return x.loc[window & (x["sku"] == index), "qty"].sum()

        return units(b) / units(a)

    early, late = lift(CHANGE_DAY, CHANGE_DAY + 14), lift(CHANGE_DAY + 70, CHANGE_DAY + 126)
    assert early > late > 1.0
    assert base.truth["price_model"]["permanent_share"] < 1


@pytest.fixture(scope="module")
def bid_case(plan):
    """Search bids 50 % more from CHANGE_DAY on; its budget and every other decision stay."""
    own = next(b for b in plan.budgets if b.channel == "search")
    bids = budget_by_day(ChannelBudget("search", own.bid, own.bid_periods), START, DAYS)
    bids[CHANGE_DAY:] = np.round(bids[CHANGE_DAY:] * 1.5, 2)
    raised = budget_from_days("search", bids, START)
    policy = replace(
        plan,
        budgets=tuple(
            replace(b, bid=raised.daily, bid_periods=raised.periods) if b.channel == "search" else b
            for b in plan.budgets
        ),
    )
    return policy, simulate(SEED, policy)


def test_a_higher_search_bid_from_day_w_changes_nothing_before_day_w(base, bid_case):
    _, changed = bid_case
    _assert_same_before(base, changed, CHANGE_DAY)


def test_a_dearer_click_on_a_spent_budget_buys_no_brand(plan):
    """Brand (direct traffic) follows the ads people noticed, not their price: on a tight
    search budget, a 50 % higher bid from CHANGE_DAY spends more money on fewer, dearer
    clicks, and direct traffic cannot rise on any day (the same draws, a smaller mean)."""
    own = next(b for b in plan.budgets if b.channel == "search")
    bids = budget_by_day(ChannelBudget("search", own.bid, own.bid_periods), START, DAYS)
    raised = bids.copy()
    raised[CHANGE_DAY:] = np.round(raised[CHANGE_DAY:] * 1.5, 2)
    stores = []
    for by_day in (bids, raised):
        b = budget_from_days("search", by_day, START)
        tight = replace(own, daily=own.daily * 0.25, periods=(), bid=b.daily, bid_periods=b.periods)
        budgets = tuple(tight if x.channel == "search" else x for x in plan.budgets)
        stores.append(simulate(SEED, replace(plan, budgets=budgets)))
    after = pd.Timestamp(START + timedelta(days=CHANGE_DAY))

    def daily(store, channel, column):
        t = store.traffic
        return t.loc[(t["channel"] == channel) & (t["date"] >= after), column].to_numpy()

    base, dear = stores
    spend_a, spend_b = daily(base, "search", "spend").sum(), daily(dear, "search", "spend").sum()
    assert spend_b > spend_a
    assert daily(dear, "search", "clicks").sum() < 0.9 * daily(base, "search", "clicks").sum()
    direct_a, direct_b = daily(base, "direct", "sessions"), daily(dear, "direct", "sessions")
    assert (direct_b <= direct_a).all()
    assert direct_b.sum() < direct_a.sum()


def test_a_higher_search_bid_moves_search_and_what_follows_not_other_paid_channels(base, bid_case):
    _, changed = bid_case
    # search's cost per click, clicks and spend move; direct follows search impressions
    # (brand), and free traffic follows the store's sales
    untouched = [c for c in CHANNELS if c not in {"search", "direct", *FREE_CHANNELS}]
    _assert_same_traffic_and_funnel(base, changed, untouched)
    after = pd.Timestamp(START + timedelta(days=CHANGE_DAY))
    t_a, t_b = (
        s.traffic[(s.traffic["channel"] == "search") & (s.traffic["date"] >= after)]
        for s in (base, changed)
    )
    cpc_a = t_a["spend"].sum() / t_a["clicks"].sum()
    cpc_b = t_b["spend"].sum() / t_b["clicks"].sum()
    assert cpc_b > 1.05 * cpc_a
    assert not t_a["clicks"].reset_index(drop=True).equals(t_b["clicks"].reset_index(drop=True))
    assert t_b["spend"].sum() != pytest.approx(t_a["spend"].sum(), rel=1e-3)

    def after_w(store, channel, column):
        t = store.traffic
        return t.loc[(t["channel"] == channel) & (t["date"] >= after), column].sum()

    assert after_w(changed, "direct", "sessions") != after_w(base, "direct", "sessions")
    for channel in FREE_CHANNELS:
        assert after_w(changed, channel, "sessions") != after_w(base, channel, "sessions")

    def search_orders(store):
        o = store.orders
        return int(((o["channel"] == "search") & (o["order_time"] >= after)).sum())

    assert search_orders(changed) != search_orders(base)
