"""The finance table (issue 12, requirement 4): it adds up to the source tables to the cent,
one row per day, clear errors for bad costs, and the profit-and-loss helper.

Every expected figure is computed here from the raw tables (merges and group-bys), never
with the module's own helpers, and never copied from a run: the engine's draws may change.
F16's ranges are in test_stylized_facts.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import sim_facts as F

from storeops.errors import StoreOpsError
from storeops.sim.finance import DEFAULT_COSTS, Costs, finance_table, profit_and_loss
from storeops.sim.schema import validate_table

CENT = 0.005 + 1e-9  # each day's figure is its exact sum rounded to the cent


def by_day(store, dates: pd.Series, values) -> pd.Series:
    """Sum of `values` by day, on the store's calendar (0 on days without any)."""
    s = pd.Series(np.asarray(values, dtype=float)).groupby(dates.dt.normalize().to_numpy()).sum()
    return s.reindex(store.calendar["date"].to_numpy(), fill_value=0.0)


def assert_column(fin: pd.DataFrame, col: str, expected: pd.Series) -> None:
    got = fin.set_index("date")[col]
    diff = (got - expected.to_numpy()).abs()
    assert diff.max() <= CENT, f"{col}: off by {diff.max():.4f} on {diff.idxmax().date()}"
    assert abs(got.sum() - expected.sum()) <= CENT * len(got)


@pytest.fixture(scope="module")
def costs(default_store):
    return Costs(**{**default_store.meta["costs"], "written_off_reasons": ("defective",)})


def test_one_row_per_calendar_date_without_gaps(store):
    fin = store.finance
    validate_table("finance", fin)
    assert fin["date"].tolist() == store.calendar["date"].tolist()
    assert fin["date"].is_unique and fin["date"].is_monotonic_increasing
    assert (fin["date"].diff().dropna() == pd.Timedelta(days=1)).all()


def test_store_keeps_the_costs_it_used(default_store, small_store):
    assert default_store.meta["costs"] == DEFAULT_COSTS.as_dict()
    small = DEFAULT_COSTS.scaled(small_store.meta["scale"])
    assert small_store.meta["costs"] == small.as_dict()
    assert small.staff_per_day == pytest.approx(DEFAULT_COSTS.staff_per_day * 0.1)
    pd.testing.assert_frame_equal(small_store.finance, finance_table(small_store.tables, small))


def test_sales_add_up_to_orders_and_lines(default_store):
    s, fin = default_store, default_store.finance
    o = F.completed_orders(s)
    assert_column(fin, "orders", by_day(s, o["order_time"], np.ones(len(o))))
    assert_column(fin, "discounts", by_day(s, o["order_time"], o["discount"]))
    ol = F.sales_lines(s)
    assert_column(fin, "gross_sales", by_day(s, ol["order_time"], ol["gross"]))
    # cancelled orders count nowhere; the amount paid is orders.revenue
    paid = fin["gross_sales"] - fin["discounts"]
    assert_column(fin.assign(paid=paid), "paid", by_day(s, o["order_time"], o["revenue"]))
    assert abs(fin["net_sales"].sum() - (o["revenue"].sum() - s.returns["refund"].sum())) < 1


def test_refunds_write_offs_and_returns_handling_add_up_to_returns(default_store, costs):
    s, fin = default_store, default_store.finance
    r = F.returned_lines(s)
    assert_column(fin, "refunds", by_day(s, r["return_date"], r["refund"]))
    off = r[r["reason"] == "defective"]
    assert_column(fin, "write_offs", by_day(s, off["return_date"], off["cost"]))
    parcels = r.drop_duplicates(["order_id", "return_date"])
    assert_column(
        fin,
        "returns_handling",
        by_day(s, parcels["return_date"], np.full(len(parcels), costs.return_handling_per_parcel)),
    )


def test_cogs_is_cost_of_lines_shipped_less_units_returned(default_store):
    s, fin = default_store, default_store.finance
    ol, r = F.sales_lines(s), F.returned_lines(s)
    expected = by_day(s, ol["order_time"], ol["cost"]) - by_day(s, r["return_date"], r["cost"])
    assert_column(fin, "cogs", expected)


def test_commission_and_fees(default_store, costs):
    s, fin = default_store, default_store.finance
    ol, r = F.sales_lines(s), F.returned_lines(s)
    rate_ol = ol["category"].map(costs.commission)
    rate_r = r["category"].map(costs.commission)
    expected = by_day(s, ol["order_time"], ol["paid"] * rate_ol) - by_day(
        s, r["return_date"], r["refund"] * rate_r
    )
    assert_column(fin, "commission", expected)
    o = F.completed_orders(s)
    assert_column(fin, "payment_fees", by_day(s, o["order_time"], o["revenue"] * costs.payment_fee))
    assert_column(
        fin,
        "shipping",
        by_day(s, o["order_time"], np.full(len(o), costs.shipping_per_parcel)),
    )


def test_ad_spend_holding_staff_and_fixed(default_store, costs):
    s, fin = default_store, default_store.finance
    t, c = s.traffic, s.campaigns
    # ads and the store's own newsletters, and the member campaigns' messages
    spend = by_day(s, t["date"], t["spend"]) + by_day(s, c["send_date"], c["message_cost"])
    assert c["message_cost"].sum() > 0
    assert_column(fin, "ad_spend", spend)
    assert abs(fin["ad_spend"].sum() - t["spend"].sum() - c["message_cost"].sum()) < 0.01 * len(fin)
    inv = s.inventory.merge(s.products[["sku", "unit_cost"]], on="sku")
    value = by_day(s, inv["date"], inv["stock_on_hand"] * inv["unit_cost"])
    assert_column(fin, "holding", value * costs.holding_rate / 365)
    # staff: the payroll and every agent-hour on duty
    st = s.service_staffing
    agent_hours = by_day(s, st["date"], st["agents"])
    assert_column(fin, "staff", costs.staff_per_day + costs.wage_per_agent_hour * agent_hours)
    assert (fin["fixed"] == costs.fixed_per_day).all()


def test_season_end_write_downs_add_up_to_the_inventory_and_leave_the_stock(default_store, costs):
    s, fin = default_store, default_store.finance
    inv = s.inventory.merge(s.products[["sku", "unit_cost"]], on="sku")
    lost = inv["written_down"] * inv["unit_cost"] * (1 - costs.outlet_salvage_share)
    assert_column(fin, "write_downs", by_day(s, inv["date"], lost))
    assert fin["write_downs"].sum() > 0
    # written-down units leave the stock: yesterday's stock + receipts - sold - written down
    # is today's stock (the stock-out incident's write-off is the one other change)
    inv = inv.sort_values(["sku", "date"])
    before = inv.groupby("sku")["stock_on_hand"].shift()
    flow = before + inv["receipts"] - inv["units_sold"] - inv["written_down"]
    gap = (inv["stock_on_hand"] - flow).dropna()
    wd = inv["written_down"] > 0
    assert (gap[wd.loc[gap.index]] == 0).all()
    assert (gap != 0).sum() <= 1
    # so they cost no holding from that day on (holding is on stock_on_hand: see below)
    # and the truth lists the same write-downs
    truth = s.truth["inventory"]["written_down_by_sku_and_day"]
    listed = sum(units for days in truth.values() for _, units in days)
    assert listed == inv["written_down"].sum() and set(truth) == set(inv.loc[wd, "sku"])


def test_profit_lines_add_up_exactly_in_every_row(store):
    fin = store.finance
    money = fin.drop(columns=["date", "orders"])
    assert np.allclose(money, money.round(2), rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        fin["net_sales"], fin["gross_sales"] - fin["discounts"] - fin["refunds"], atol=1e-6
    )
    np.testing.assert_allclose(fin["gross_profit"], fin["net_sales"] - fin["cogs"], atol=1e-6)
    np.testing.assert_allclose(
        fin["contribution"],
        fin.eval(
            "gross_profit - commission - payment_fees - shipping - returns_handling"
            " - write_offs - write_downs - ad_spend - holding"
        ),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        fin["net_profit"], fin["contribution"] - fin["staff"] - fin["fixed"], atol=1e-6
    )


def test_category_gross_margins_weigh_up_to_the_finance_gross_margin(store):
    # the F16 category figures (sim_facts, from the raw tables) and the finance table agree
    fin = store.finance
    m = F.f16_margins(store)
    assert m["gross"] == pytest.approx(fin["gross_profit"].sum() / fin["net_sales"].sum(), abs=1e-4)


def test_profit_and_loss_on_a_window_is_the_sum_of_its_rows(default_store):
    fin = default_store.finance
    pl = profit_and_loss(fin, "2025-03-01", "2025-03-31")
    rows = fin[(fin["date"] >= "2025-03-01") & (fin["date"] <= "2025-03-31")]
    assert pl["days"] == len(rows) == 31
    for col in fin.columns.drop("date"):
        assert pl[col] == pytest.approx(rows[col].sum(), abs=1e-6)
    assert pl["gross_margin"] == pytest.approx(rows["gross_profit"].sum() / rows["net_sales"].sum())
    assert pl["contribution_margin"] == pytest.approx(
        rows["contribution"].sum() / rows["net_sales"].sum()
    )
    assert pl["net_margin"] == pytest.approx(rows["net_profit"].sum() / rows["net_sales"].sum())
    whole = profit_and_loss(fin)
    assert whole["days"] == len(fin)
    assert whole["net_profit"] == pytest.approx(fin["net_profit"].sum(), abs=1e-6)
    open_end = profit_and_loss(fin, start="2025-12-01")
    assert open_end["days"] == 31


def test_profit_and_loss_of_an_empty_window_has_no_margins(default_store):
    pl = profit_and_loss(default_store.finance, "2030-01-01", "2030-01-31")
    assert pl["days"] == 0 and pl["net_sales"] == 0
    assert math.isnan(pl["net_margin"])


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(payment_fee=-0.1), ["payment_fee", "-0.1"]),
        (dict(holding_rate=1.5), ["holding_rate", "1.5"]),
        (dict(shipping_per_parcel=float("nan")), ["shipping_per_parcel", "nan"]),
        (dict(staff_per_day="lots"), ["staff_per_day", "'lots'"]),
        (dict(commission={**DEFAULT_COSTS.commission, "toys": 0.03}), ["commission", "'toys'"]),
        (
            dict(commission={**DEFAULT_COSTS.commission, "beauty": -0.04}),
            ["commission['beauty']", "-0.04"],
        ),
        (
            dict(commission={k: v for k, v in DEFAULT_COSTS.commission.items() if k != "home"}),
            ["commission", "'home'"],
        ),
        (dict(written_off_reasons=("lost",)), ["written_off_reasons", "'lost'"]),
    ],
)
def test_bad_costs_give_one_clear_error(kwargs, words):
    with pytest.raises(StoreOpsError) as err:
        Costs(**kwargs)
    for w in words:
        assert w in str(err.value)


def test_finance_table_needs_costs(small_store):
    with pytest.raises(StoreOpsError, match="Costs"):
        finance_table(small_store.tables, costs={"payment_fee": 0.006})


def test_costs_are_frozen():
    with pytest.raises(AttributeError):
        DEFAULT_COSTS.payment_fee = 0.0  # type: ignore[misc]


def test_a_line_of_an_unknown_sku_is_one_clear_error(small_store):
    tables = dict(small_store.tables)
    lines = tables["order_lines"].copy()
    lines.loc[3, "sku"] = "SKU9999"
    tables["order_lines"] = lines
    with pytest.raises(StoreOpsError, match="sku 'SKU9999' not found"):
        finance_table(tables, DEFAULT_COSTS.scaled(small_store.meta["scale"]))


def test_the_run_and_the_tables_alone_give_the_same_finance(default_store):
    # the run passes its own row numbers; read back from the tables, the ids are looked up
    tables = {k: v for k, v in default_store.tables.items() if k != "finance"}
    pd.testing.assert_frame_equal(default_store.finance, finance_table(tables, DEFAULT_COSTS))
