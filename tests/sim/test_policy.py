"""Policy: the default plan reproduces the store, JSON round trip, clear errors, decisions bite."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pandas as pd
import pytest

from storeops.data import write_store
from storeops.errors import StoreOpsError
from storeops.sim import DEFAULT_SEED, TABLES, Policy, default_policy, generate, simulate
from storeops.sim.policy import (
    ChannelBudget,
    Coupon,
    CouponPeriod,
    CouponTier,
    FestivalPlan,
    Period,
    Presale,
    ReorderRule,
    SkuPrice,
    budget_by_day,
)


def _digests(folder) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_default_policy_reproduces_the_default_store_byte_for_byte(base, plan, tmp_path):
    write_store(base, tmp_path / "generated")
    write_store(simulate(DEFAULT_SEED, plan), tmp_path / "simulated")
    generated, simulated = _digests(tmp_path / "generated"), _digests(tmp_path / "simulated")
    assert {f"{t}.csv" for t in TABLES} <= set(generated)
    assert "truth.json" in generated
    assert generated == simulated


@pytest.mark.parametrize("policy", ["default", "empty"])
def test_other_settings_are_reproduced(policy):
    kw = dict(days=45, scale=0.1, channels=("search", "display", "direct"))
    chosen = default_policy(7, **kw) if policy == "default" else Policy()
    expected, got = generate(7, **kw), simulate(7, chosen, **kw)
    for name in TABLES:
        pd.testing.assert_frame_equal(got.tables[name], expected.tables[name])
    assert got.truth == expected.truth


def test_default_policy_spells_out_every_decision(plan, base):
    assert {b.channel for b in plan.budgets} == {"search", "display", "social"}
    assert {p.sku for p in plan.prices} == set(base.products["sku"])
    assert {r.sku for r in plan.reorder} == set(base.products["sku"])
    assert any(p.periods for p in plan.prices)


def test_json_round_trip_is_exact(plan):
    text = plan.to_json()
    again = Policy.from_json(text)
    assert again == plan
    assert again.to_json() == text
    search = next(b for b in again.budgets if b.channel == "search")
    assert search.bid > 0 and search.bid_periods  # the store's bids, festivals included


def test_a_policy_written_before_bids_still_reads():
    old = '{"budgets": [{"channel": "search", "daily": 5000.0, "periods": []}]}'
    (budget,) = Policy.from_json(old).budgets
    assert budget.bid is None and budget.bid_periods == ()


def test_default_policy_bids_search_only(plan):
    bids = {b.channel: b.bid for b in plan.budgets}
    assert bids["display"] is None and bids["social"] is None
    assert 0.3 <= bids["search"] <= 3.0


def test_from_json_rejects_what_is_not_a_policy():
    with pytest.raises(StoreOpsError, match="not a policy"):
        Policy.from_json('{"budgets": [{"channel": "search"}]}')


def _budget(channel="search", daily=100.0, periods=(), bid=None, bid_periods=()):
    return Policy(budgets=[ChannelBudget(channel, daily, periods, bid, bid_periods)])


BAD = {
    "negative budget": (_budget(daily=-5.0), ["budgets[0].daily", "-5.0"]),
    "negative period budget": (
        _budget(periods=[Period("2025-02-01", "2025-02-10", -1.5)]),
        ["budgets[0].periods[0].value", "-1.5"],
    ),
    "unknown channel": (_budget(channel="tv"), ["budgets[0].channel", "'tv'"]),
    "unpaid channel": (_budget(channel="email"), ["budgets[0].channel", "'email'"]),
    "unknown sku": (
        Policy(prices=[SkuPrice("SKU9999", [Period("2025-03-01", "2025-03-07", 10.0)])]),
        ["prices[0].sku", "'SKU9999'"],
    ),
    "zero price": (
        Policy(prices=[SkuPrice("SKU0001", [Period("2025-03-01", "2025-03-07", 0.0)])]),
        ["prices[0].periods[0].value", "0.0"],
    ),
    "negative price": (
        Policy(prices=[SkuPrice("SKU0001", [Period("2025-03-01", "2025-03-07", -3.0)])]),
        ["prices[0].periods[0].value", "-3.0"],
    ),
    "overlapping periods": (
        _budget(
            periods=[
                Period("2025-02-01", "2025-02-10", 50.0),
                Period("2025-02-10", "2025-02-20", 60.0),
            ]
        ),
        ["budgets[0].periods[1]", "2025-02-10", "overlaps"],
    ),
    "period after the store": (
        _budget(periods=[Period("2025-12-01", "2026-01-05", 50.0)]),
        ["budgets[0].periods[0].end", "2026-01-05"],
    ),
    "period before the store": (
        _budget(periods=[Period("2024-12-30", "2025-01-05", 50.0)]),
        ["budgets[0].periods[0].start", "2024-12-30"],
    ),
    "zero bid": (_budget(bid=0.0), ["budgets[0].bid", "0.0"]),
    "negative bid": (_budget(bid=-1.2), ["budgets[0].bid", "-1.2"]),
    "text bid": (_budget(bid="2"), ["budgets[0].bid", "'2'"]),
    "negative period bid": (
        _budget(bid=1.5, bid_periods=[Period("2025-02-01", "2025-02-10", -0.5)]),
        ["budgets[0].bid.periods[0].value", "-0.5"],
    ),
    "bid period outside the store": (
        _budget(bid=1.5, bid_periods=[Period("2025-12-20", "2026-01-02", 2.0)]),
        ["budgets[0].bid.periods[0].end", "2026-01-02"],
    ),
    "bid periods without a bid": (
        _budget(bid_periods=[Period("2025-02-01", "2025-02-10", 2.0)]),
        ["budgets[0].bid_periods", "budgets[0].bid"],
    ),
    "bid on a channel bought per thousand impressions": (
        _budget(channel="display", bid=1.5),
        ["budgets[0].bid", "'display'", "1.5"],
    ),
    "bid on an unknown channel": (_budget(channel="tv", bid=1.5), ["budgets[0].channel", "'tv'"]),
    "unknown reorder sku": (
        Policy(reorder=[ReorderRule("SKU0000", 0.5, 20.0, 3.0)]),
        ["reorder[0].sku", "'SKU0000'"],
    ),
    "negative cover": (
        Policy(reorder=[ReorderRule("SKU0002", 0.5, -2.0, 3.0)]),
        ["reorder[0].cover_days", "-2.0"],
    ),
    "unknown festival": (
        Policy(festivals=[FestivalPlan("double13", 2025)]),
        ["festivals[0].festival", "'double13'"],
    ),
    "festival outside the store": (
        Policy(festivals=[FestivalPlan("double11", 2027)]),
        ["festivals[0]", "'double11'", "2027"],
    ),
    "festival listed twice": (
        Policy(festivals=[FestivalPlan("618", 2025), FestivalPlan("618", 2025, discount=0.1)]),
        ["festivals[1]", "listed twice"],
    ),
    "zero festival discount": (
        Policy(festivals=[FestivalPlan("double11", 2025, discount=0.0)]),
        ["festivals[0].discount", "0.0"],
    ),
    "negative festival discount": (
        Policy(festivals=[FestivalPlan("double11", 2025, discount=-0.1)]),
        ["festivals[0].discount", "-0.1"],
    ),
    "festival discount of 100 %": (
        Policy(festivals=[FestivalPlan("double11", 2025, discount=1.0)]),
        ["festivals[0].discount", "1.0"],
    ),
    "zero deposit": (
        Policy(festivals=[FestivalPlan("618", 2025, presale=Presale(0.0))]),
        ["festivals[0].presale.deposit_share", "0.0"],
    ),
    "deposit of the whole price": (
        Policy(festivals=[FestivalPlan("618", 2025, presale=Presale(1.0))]),
        ["festivals[0].presale.deposit_share", "1.0"],
    ),
    "deposit above the price": (
        Policy(festivals=[FestivalPlan("618", 2025, presale=Presale(1.5))]),
        ["festivals[0].presale.deposit_share", "1.5"],
    ),
    "discount in a festival the store skips": (
        Policy(festivals=[FestivalPlan("99", 2025, join=False, discount=0.2)]),
        ["festivals[0].discount", "join=False"],
    ),
    "coupon amount at its threshold": (
        Policy(
            coupons=[CouponPeriod("2025-03-01", "2025-03-31", Coupon([CouponTier(99.0, 99.0)]))]
        ),
        ["coupons[0].coupon.tiers[0].amount", "99.0"],
    ),
    "coupon amount above its threshold": (
        Policy(
            festivals=[
                FestivalPlan("618", 2025, coupon=Coupon([CouponTier(300.0, 40.0), (200.0, 250.0)]))
            ]
        ),
        ["festivals[0].coupon.tiers[1].amount", "250.0"],
    ),
    "coupon share above 1": (
        Policy(
            coupons=[CouponPeriod("2025-03-01", "2025-03-31", Coupon([(99.0, 10.0)], share=1.2))]
        ),
        ["coupons[0].coupon.share", "1.2"],
    ),
    "overlapping coupon periods": (
        Policy(
            coupons=[
                CouponPeriod("2025-03-01", "2025-03-31", Coupon([(99.0, 10.0)])),
                CouponPeriod("2025-03-31", "2025-04-30", Coupon([(199.0, 30.0)])),
            ]
        ),
        ["coupons[1]", "2025-03-31", "overlaps", "coupons[0]"],
    ),
    "coupon period outside the store": (
        Policy(coupons=[CouponPeriod("2025-12-01", "2026-01-31", Coupon([(99.0, 10.0)]))]),
        ["coupons[0].end", "2026-01-31"],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_policy_is_one_clear_error_and_nothing_is_written(case, tmp_path):
    policy, named = BAD[case]
    out = tmp_path / "store"
    with pytest.raises(StoreOpsError) as err:
        write_store(simulate(DEFAULT_SEED, policy), out)
    message = str(err.value)
    assert "\n" not in message
    for part in named:
        assert part in message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def _scaled(budget: ChannelBudget, factor: float) -> ChannelBudget:
    periods = [replace(p, value=p.value * factor) for p in budget.periods]
    return replace(budget, daily=budget.daily * factor, periods=periods)


def test_doubling_a_budget_raises_that_channels_spend_and_clicks(plan, base):
    display = next(b for b in plan.budgets if b.channel == "display")
    store = simulate(DEFAULT_SEED, Policy(budgets=[_scaled(display, 2.0)]))
    before = base.traffic[base.traffic["channel"] == "display"]
    after = store.traffic[store.traffic["channel"] == "display"]
    assert after["spend"].sum() > 1.5 * before["spend"].sum()
    assert after["clicks"].sum() > before["clicks"].sum()


def _search(store) -> pd.DataFrame:
    return store.traffic[store.traffic["channel"] == "search"].reset_index(drop=True)


def test_search_spends_clicks_times_cpc_and_never_more_than_its_budget(plan, base):
    """Doubling the search budget at the same bid buys more clicks, but the bid caps what a
    click may cost, so spend grows less than the budget; a day never spends over its budget."""
    search = next(b for b in plan.budgets if b.channel == "search")
    doubled = _scaled(search, 2.0)
    store = simulate(DEFAULT_SEED, Policy(budgets=[doubled]))
    before, after = _search(base), _search(store)
    assert after["clicks"].sum() > 1.15 * before["clicks"].sum()
    assert before["spend"].sum() < after["spend"].sum() < 2 * before["spend"].sum()
    for table, budget in ((before, search), (after, doubled)):
        daily = budget_by_day(budget, "2025-01-01", len(table))
        assert (table["spend"] <= daily + 1e-6).all()
        cpc = table["spend"] / table["clicks"]
        bids = budget_by_day(
            ChannelBudget("search", budget.bid, budget.bid_periods), "2025-01-01", len(table)
        )
        assert (cpc <= bids + 1e-9).all()  # second price: never above the bid
        assert ((table["spend"] / 0.01).round() % 1 == 0).all()


def test_a_higher_bid_buys_a_better_position_at_a_higher_cpc(plan, base):
    """With budget to spare, raising the bid raises the cost per click and the clicks, each
    step of the bid adding fewer clicks than the one before (diminishing extra clicks)."""
    search = next(b for b in plan.budgets if b.channel == "search")
    clicks, cpc = [], []
    for bid in (1.2, 1.8, 2.4, 3.0):
        budget = ChannelBudget("search", 100000.0, (), bid)
        t = _search(simulate(DEFAULT_SEED, Policy(budgets=[budget]), days=120))
        clicks.append(t["clicks"].sum())
        cpc.append(t["spend"].sum() / t["clicks"].sum())
    assert all(b > a for a, b in zip(cpc, cpc[1:], strict=False))
    assert all(b > a for a, b in zip(clicks, clicks[1:], strict=False))
    extra = [b - a for a, b in zip(clicks, clicks[1:], strict=False)]
    assert all(b < a for a, b in zip(extra, extra[1:], strict=False))
    assert search.bid is not None


def _units(store, sku: str) -> int:
    inv = store.inventory
    return int(inv.loc[inv["sku"] == sku, "units_sold"].sum())


def test_a_higher_price_lowers_that_skus_units(base):
    sold = base.inventory.groupby("sku")["units_sold"].sum()
    sku = str(sold.idxmax())
    list_price = float(base.products.set_index("sku").loc[sku, "list_price"])
    whole_year = Period("2025-01-01", "2025-12-31", round(list_price * 1.5, 2))
    store = simulate(DEFAULT_SEED, Policy(prices=[SkuPrice(sku, [whole_year])]))
    assert _units(store, sku) < _units(base, sku)
    prices = store.order_lines.loc[store.order_lines["sku"] == sku, "unit_price"]
    assert (prices == whole_year.value).all()


def test_a_leaner_reorder_rule_raises_stockout_days(plan, base):
    lean = [ReorderRule(r.sku, 0.2, 2.0, 1.0) for r in plan.reorder]
    store = simulate(DEFAULT_SEED, Policy(reorder=lean))
    assert store.inventory["stockout"].sum() > base.inventory["stockout"].sum()
