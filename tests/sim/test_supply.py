"""F21 (supply) and the purchase-orders table: suppliers' lead times, batches, the Chinese New
Year logistics stop, National Day, receipts that add up, and common random numbers for a
changed reorder rule. Every fact is measured from the tables (supply_facts.py), on five seeds.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
import supply_facts as S

from storeops.errors import StoreOpsError
from storeops.sim import DEFAULT_SEED, Policy, generate, simulate
from storeops.sim.calendar import Logistics, chinese_new_year
from storeops.sim.policy import ReorderRule
from storeops.sim.supply import draw_suppliers, safety_for_service_level


def test_f21_supplier_lead_times_are_5_to_30_days_and_vary(store):
    lead = S.lead_times(store)
    assert len(lead) >= 5  # a handful of suppliers
    assert lead["mean"].between(5, 30).all(), lead
    assert lead["mean"].max() - lead["mean"].min() >= 8  # fast and slow suppliers
    assert (lead["miss_sd"] >= 1).all(), lead  # day-to-day variability against the promise
    assert lead["late_share"].between(0.2, 0.8).all(), lead  # some late, some early


def test_f21_purchase_orders_arrive_in_batches(store):
    b = S.batches(store)
    assert b["receipt_day_share"] <= 0.15  # a SKU receives goods on few days
    assert b["receipt_in_days_of_sales"] >= 10  # and then weeks of sales at once
    po = store.purchase_orders.dropna(subset=["actual_arrival"])
    # one purchase order arrives whole, on one day
    assert not po.duplicated("po_id").any()


def test_f21_logistics_stop_around_chinese_new_year(store):
    cal = store.calendar
    cny = pd.Timestamp(chinese_new_year(cal["date"].iloc[0].year))
    seen = S.logistics_stop(store)
    assert 7 <= seen["days"] <= 14
    assert seen["start"] <= cny <= seen["end"]
    # the calendar says so too
    stop = cal.loc[cal["logistics_stop"], "date"]
    assert stop.min() == seen["start"] and stop.max() == seen["end"]
    assert (cal.loc[cal["date"] == cny, "holiday"] == "chinese_new_year").all()
    # orders still come in during the stop; they are delivered after it, so they take longer
    o = store.orders[store.orders["status"] == "completed"]
    day = o["order_time"].dt.normalize()
    inside = day.between(stop.min(), stop.max())
    assert inside.sum() > 0.5 * (
        day.between(stop.min() - pd.Timedelta(days=30), stop.min()).sum() / 30
    ) * len(stop)
    delivered = day + pd.to_timedelta(o["delivery_days"].astype(int), "D")
    assert (delivered[inside] > stop.max()).all()
    assert o.loc[inside, "delivery_days"].mean() > o.loc[~inside, "delivery_days"].mean() + 3
    # no purchase order arrives in the stop and no SKU receives goods
    po = store.purchase_orders
    assert not po["actual_arrival"].between(stop.min(), stop.max()).any()
    assert not po["promised_arrival"].between(stop.min(), stop.max()).any()
    inv = store.inventory
    assert inv.loc[inv["date"].isin(stop), "receipts"].sum() == 0


def test_national_day_golden_week_slows_couriers(store):
    cal = store.calendar
    golden = cal.loc[cal["holiday"] == "national_day", "date"]
    assert len(golden) == 7 and golden.min().strftime("%m-%d") == "10-01"
    assert not cal.loc[cal["holiday"] == "national_day", "logistics_stop"].any()
    o = store.orders[store.orders["status"] == "completed"]
    day = o["order_time"].dt.normalize()
    during = o.loc[day.isin(golden), "delivery_days"].mean()
    week_before = day.between(golden.min() - pd.Timedelta(days=7), golden.min(), inclusive="left")
    assert during > o.loc[week_before, "delivery_days"].mean() + 0.5


def test_receipts_are_the_purchase_orders_that_arrived(store):
    po = store.purchase_orders.dropna(subset=["actual_arrival"])
    arrived = po.groupby(["actual_arrival", "sku"])["quantity"].sum()
    inv = store.inventory.set_index(["date", "sku"])["receipts"]
    received = inv[inv > 0]
    arrived.index.names = received.index.names
    pd.testing.assert_series_equal(
        arrived.sort_index(), received.sort_index(), check_names=False, check_dtype=False
    )


def test_purchase_orders_table_is_consistent(store):
    po = store.purchase_orders
    last = store.calendar["date"].max()
    assert po["po_id"].is_unique and po["order_date"].is_monotonic_increasing
    assert (po["promised_arrival"] > po["order_date"]).all()
    arrived = po["actual_arrival"].notna()
    assert (po.loc[arrived, "actual_arrival"] > po.loc[arrived, "order_date"]).all()
    assert (po.loc[arrived, "actual_arrival"] <= last).all()
    # an order without an arrival is still on its way at the end of the run
    open_ = po[~arrived]
    assert (open_["order_date"] >= last - pd.Timedelta(days=90)).all()
    # promised against actual: misses of a few days either way, not weeks on average
    miss = (po.loc[arrived, "actual_arrival"] - po.loc[arrived, "promised_arrival"]).dt.days
    assert (miss > 0).any() and (miss < 0).any() and abs(miss.median()) <= 3
    # one supplier per SKU, and the purchase cost is the product's unit cost
    assert (po.groupby("sku")["supplier"].nunique() == 1).all()
    cost = store.products.set_index("sku")["unit_cost"]
    np.testing.assert_array_equal(po["unit_cost"].to_numpy(), cost.loc[po["sku"]].to_numpy())
    # stock value for holding cost: stock on hand at the product's unit cost
    value = store.inventory["stock_on_hand"] * cost.loc[store.inventory["sku"]].to_numpy()
    assert value.notna().all() and value.sum() > 0


def test_working_day_arithmetic_skips_the_stop():
    lg = Logistics.build(date(2025, 1, 1), 365)
    first, last = np.flatnonzero(lg.stop[:365])[[0, -1]]
    assert 7 <= last - first + 1 <= 14
    assert lg.after(first - 2, 1) == first - 1  # before the stop: the next day
    assert lg.after(first - 1, 1) == last + 1  # into the stop: the first day after it
    assert lg.after(first + 3, 2) == last + 2  # placed in the stop: counted from its end
    assert lg.first_working(first + 3) == last + 1 and lg.first_working(5) == 5
    assert chinese_new_year(2025) == date(2025, 1, 29)
    assert chinese_new_year(2026) == date(2026, 2, 17)
    # outside the table the 19-year cycle keeps it between 21 January and 20 February
    for year in (1990, 2050, 2100):
        assert date(year, 1, 21) <= chinese_new_year(year) <= date(year, 2, 20)


# --- decisions: a changed reorder rule and the target service level ---------------------------

SEED = DEFAULT_SEED


def store_start(store) -> pd.Timestamp:
    return store.calendar["date"].iloc[0]


def _key(po: pd.DataFrame) -> pd.DataFrame:
    """Purchase orders without their ids (ids number every SKU's orders together)."""
    return po.drop(columns="po_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def rule_case(default_store, plan):
    """A popular SKU's planner reorders earlier (a higher safety factor, the same cover)."""
    inv = default_store.inventory
    # a SKU on sale from the first day (its opening stock depends on the rule too)
    from_start = inv.loc[inv["date"] == store_start(default_store), "sku"]
    units = inv[inv["sku"].isin(from_start)].groupby("sku")["units_sold"].sum()
    sku = str(units.idxmax())
    own = next(r for r in plan.reorder if r.sku == sku)
    new = ReorderRule(sku, own.safety_factor * 1.6, own.cover_days, own.min_order_qty)
    policy = replace(plan, reorder=tuple(new if r.sku == sku else r for r in plan.reorder))
    return sku, simulate(SEED, policy)


def test_a_reorder_rule_changes_only_its_skus_orders_stock_and_sales(default_store, rule_case):
    sku, changed = rule_case
    a, b = default_store, changed
    po_a, po_b = a.purchase_orders, b.purchase_orders
    mine_a, mine_b = po_a[po_a["sku"] == sku], po_b[po_b["sku"] == sku]
    # other SKUs' purchase orders and stock do not move at all
    pd.testing.assert_frame_equal(_key(po_a[po_a["sku"] != sku]), _key(po_b[po_b["sku"] != sku]))
    inv_a, inv_b = a.inventory, b.inventory
    pd.testing.assert_frame_equal(
        inv_a[inv_a["sku"] != sku].reset_index(drop=True),
        inv_b[inv_b["sku"] != sku].reset_index(drop=True),
    )
    # the SKU's own orders and stock do, from the first day its planner acts differently: its
    # first different purchase order, or a different opening stock or first delivery
    assert not _key(mine_a).equals(_key(mine_b))
    n = min(len(mine_a), len(mine_b))
    same = (_key(mine_a).iloc[:n] == _key(mine_b).iloc[:n]).all(axis=1).to_numpy()
    first = n if same.all() else int(np.argmin(same))
    stock_a = inv_a.loc[inv_a["sku"] == sku].set_index("date")["stock_on_hand"]
    stock_b = inv_b.loc[inv_b["sku"] == sku].set_index("date")["stock_on_hand"]
    w = min(
        mine_a["order_date"].iloc[first] if first < len(mine_a) else pd.Timestamp.max,
        mine_b["order_date"].iloc[first] if first < len(mine_b) else pd.Timestamp.max,
        stock_a.index[(stock_a != stock_b).to_numpy()].min(),
    )
    assert w > store_start(a)
    # nothing before that day moves, in any table
    for table, col in {
        "purchase_orders": "order_date",
        "inventory": "date",
        "orders": "order_time",
        "customers": "first_order_time",
        "service_chats": "chat_time",
        "returns": "return_date",
        "reviews": "review_date",
        "seller_ratings": "rating_date",
    }.items():
        ta, tb = a.tables[table], b.tables[table]
        pd.testing.assert_frame_equal(
            ta[ta[col] < w].reset_index(drop=True),
            tb[tb[col] < w].reset_index(drop=True),
            obj=table,
        )

    # orders: every line of another SKU is served as before; orders differ only in this SKU's
    # lines (orders whose only served line was it come and go). The orders member campaigns
    # caused are left out: who gets a campaign follows the customers' orders, so it moves too
    def others(store):
        caused = store.orders["order_id"].isin(store.truth["campaigns"]["caused_order_ids"])
        o = store.orders[~caused].merge(store.order_lines, on="order_id")
        cols = ["order_time", "channel", "device", "status", "sku", "quantity", "unit_price"]
        return o.loc[o["sku"] != sku, cols].sort_values(cols, ignore_index=True)

    pd.testing.assert_frame_equal(others(a), others(b))
    units = [s.inventory.loc[s.inventory["sku"] == sku, "units_sold"].sum() for s in (a, b)]
    out = [s.inventory.loc[s.inventory["sku"] == sku, "stockout"].sum() for s in (a, b)]
    assert units[1] >= units[0] and out[1] < out[0]  # more safety stock: fewer stock-outs


def test_target_service_level_maps_to_a_safety_factor(plan):
    assert safety_for_service_level(0.5, 0.2) == pytest.approx(1.0)
    assert safety_for_service_level(0.95, 0.2) > safety_for_service_level(0.8, 0.2) > 1.0
    sku = plan.reorder[0].sku
    suppliers = draw_suppliers(SEED)
    own = plan.reorder[0]
    by_level = ReorderRule(sku, None, own.cover_days, own.min_order_qty, target_service_level=0.9)
    cv = float(suppliers.lead_cv[suppliers.of_sku[0]])
    by_factor = replace(by_level, safety_factor=safety_for_service_level(0.9, cv))
    by_factor = replace(by_factor, target_service_level=None)
    a = simulate(SEED, Policy(reorder=[by_level]))
    b = simulate(SEED, Policy(reorder=[by_factor]))
    pd.testing.assert_frame_equal(a.purchase_orders, b.purchase_orders)
    assert a.truth["inventory"]["per_sku"][sku]["safety_factor"] == round(
        safety_for_service_level(0.9, cv), 3
    )
    assert Policy.from_json(Policy(reorder=[by_level]).to_json()) == Policy(reorder=[by_level])


@pytest.mark.parametrize(
    "rule, named",
    [
        (ReorderRule("SKU0001", 0.5, 20.0, 3.0, 0.9), "not both"),
        (ReorderRule("SKU0001", None, 20.0, 3.0), "not neither"),
        (ReorderRule("SKU0001", None, 20.0, 3.0, 1.0), "below 1"),
        (ReorderRule("SKU0001", None, 20.0, 3.0, 0.0), "target_service_level"),
    ],
)
def test_a_bad_service_level_is_one_clear_error(rule, named):
    with pytest.raises(StoreOpsError, match=named):
        simulate(SEED, Policy(reorder=[rule]), days=30, scale=0.1)


def test_a_store_too_short_for_any_purchase_order_has_an_empty_table():
    """Three days of a tiny store: no order, no purchase order, and still every table."""
    store = generate(DEFAULT_SEED, days=3, scale=0.001)
    usual = generate(DEFAULT_SEED, days=30, scale=0.1).tables["purchase_orders"]
    assert len(store.tables["purchase_orders"]) == 0 < len(usual)
    assert list(store.tables["purchase_orders"].columns) == list(usual.columns)
