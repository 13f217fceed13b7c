"""Policy: the default plan reproduces the store, JSON round trip, clear errors, decisions bite."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pandas as pd
import pytest

from storeops.data import write_store
from storeops.errors import StoreOpsError
from storeops.sim import DEFAULT_SEED, TABLES, Policy, default_policy, generate, simulate
from storeops.sim.policy import ChannelBudget, Period, ReorderRule, SkuPrice


@pytest.fixture(scope="module")
def plan():
    return default_policy(DEFAULT_SEED)


@pytest.fixture(scope="module")
def base(default_store):
    return default_store


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


def test_from_json_rejects_what_is_not_a_policy():
    with pytest.raises(StoreOpsError, match="not a policy"):
        Policy.from_json('{"budgets": [{"channel": "search"}]}')


def _budget(channel="search", daily=100.0, periods=()):
    return Policy(budgets=[ChannelBudget(channel, daily, periods)])


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
    "unknown reorder sku": (
        Policy(reorder=[ReorderRule("SKU0000", 0.5, 20.0, 3.0)]),
        ["reorder[0].sku", "'SKU0000'"],
    ),
    "negative cover": (
        Policy(reorder=[ReorderRule("SKU0002", 0.5, -2.0, 3.0)]),
        ["reorder[0].cover_days", "-2.0"],
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
    return ChannelBudget(budget.channel, budget.daily * factor, periods)


def test_doubling_a_budget_raises_that_channels_spend_and_clicks(plan, base):
    search = next(b for b in plan.budgets if b.channel == "search")
    store = simulate(DEFAULT_SEED, Policy(budgets=[_scaled(search, 2.0)]))
    before = base.traffic[base.traffic["channel"] == "search"]
    after = store.traffic[store.traffic["channel"] == "search"]
    assert after["spend"].sum() > 1.5 * before["spend"].sum()
    assert after["clicks"].sum() > before["clicks"].sum()


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
