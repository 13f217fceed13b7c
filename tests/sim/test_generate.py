"""The tables, their contract, causal mechanisms, determinism and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import storeops.sim as sim
from storeops.errors import StoreOpsError
from storeops.sim.answers import customer_segments
from storeops.sim.schema import SCHEMA, SchemaError, validate

CONTRACT = {
    "orders": ["order_id", "customer_id", "order_time", "channel", "revenue", "discount"],
    "order_lines": ["order_id", "sku", "quantity", "unit_price"],
    "products": ["sku", "name", "category", "list_price", "unit_cost", "launch_date"],
    "traffic": ["date", "channel", "spend", "impressions", "clicks", "sessions"],
    "customers": ["customer_id", "first_order_time", "acquisition_channel"],
    "calendar": [
        "date",
        "weekday",
        "is_weekend",
        "festival",
        "festival_phase",
        "holiday",
        "logistics_stop",
    ],
    "competitor_prices": ["date", "sku", "competitor_price"],
    "funnel": ["date", "channel", "device", "sessions", "product_views", "add_to_carts", "orders"],
    "inventory": ["date", "sku", "stock_on_hand", "receipts", "units_sold", "stockout"],
    "purchase_orders": [
        "po_id",
        "order_date",
        "sku",
        "supplier",
        "quantity",
        "promised_arrival",
        "actual_arrival",
        "unit_cost",
    ],
    "service_chats": [
        "chat_id",
        "customer_id",
        "chat_time",
        "first_response_s",
        "converted",
        "order_id",
    ],
    "returns": ["order_id", "sku", "return_date", "quantity", "reason", "refund"],
    "reviews": ["order_id", "sku", "review_date", "stars"],
    "seller_ratings": ["order_id", "rating_date", "description", "service", "logistics"],
}


def test_every_table_of_the_contract_is_there_and_valid(default_store):
    validate(default_store)
    for name, cols in CONTRACT.items():
        df = getattr(default_store, name)
        assert set(cols) <= set(df.columns), name
        assert len(df) > 0, name
    assert set(default_store.tables) == set(SCHEMA) == set(sim.TABLES)


def test_default_store_covers_the_festivals_and_has_enough_orders(default_store):
    cal = default_store.calendar
    peaks = cal.loc[cal["festival_phase"] == "peak", "date"].dt.strftime("%m-%d").tolist()
    assert peaks == ["06-18", "09-09", "11-11", "12-12"]
    assert len(default_store.orders) >= 100_000
    assert default_store.meta == {
        **default_store.meta,
        "seed": sim.DEFAULT_SEED,
        "days": 365,
        "generator_version": sim.GENERATOR_VERSION,
    }


def test_traffic_has_one_row_per_date_and_channel(default_store):
    t = default_store.traffic
    assert len(t) == 365 * len(sim.CHANNELS)
    assert set(t["channel"]) == set(sim.CHANNELS)
    # direct and the free channels (organic search, recommendations) cost nothing and show no
    # ads: the store sees only their sessions
    free = t["channel"].isin(["direct", "organic_search", "recommendation"])
    assert (t.loc[free, ["spend", "impressions", "clicks"]] == 0).all().all()
    assert (t.loc[free, "sessions"] > 0).all()
    assert (t.loc[~free, "spend"] > 0).mean() > 0.95
    f = default_store.funnel.groupby(["date", "channel"])["sessions"].sum()
    assert (
        f.to_numpy() == t.set_index(["date", "channel"])["sessions"].reindex(f.index).to_numpy()
    ).all()


def test_validate_catches_broken_tables(small_store):
    broken = sim.Store(dict(small_store.tables), None, dict(small_store.meta))
    broken.tables["orders"] = small_store.orders.assign(revenue=small_store.orders["revenue"] + 1)
    with pytest.raises(SchemaError, match="revenue"):
        validate(broken)
    broken.tables["orders"] = small_store.orders.drop(columns="discount")
    with pytest.raises(SchemaError, match="discount"):
        validate(broken)
    broken.tables["orders"] = small_store.orders
    lines = small_store.order_lines.copy()
    lines.loc[0, "sku"] = "SKU9999"
    broken.tables["order_lines"] = lines
    with pytest.raises(SchemaError, match="products"):
        validate(broken)


def test_same_seed_same_store_different_seed_different_store(small_store):
    again = sim.generate(seed=7, days=45, scale=0.1)
    for name, df in small_store.tables.items():
        pd.testing.assert_frame_equal(df, again.tables[name])
    assert again.truth == small_store.truth
    other = sim.generate(seed=8, days=45, scale=0.1)
    assert not other.orders["revenue"].equals(small_store.orders["revenue"])
    assert other.truth["elasticity"] != small_store.truth["elasticity"]


def test_sub_models_have_independent_random_streams():
    # turning a channel off changes traffic, but not the catalogue or its prices
    a = sim.generate(seed=5, days=30, scale=0.1)
    b = sim.generate(seed=5, days=30, scale=0.1, channels=("search", "direct"))
    pd.testing.assert_frame_equal(a.products, b.products)
    pd.testing.assert_frame_equal(a.competitor_prices, b.competitor_prices)
    assert set(b.traffic["channel"]) == {"search", "direct"}
    validate(b)


def test_scale_and_days_change_volume_proportionally():
    base = sim.generate(seed=11, days=60, scale=0.2)
    double = sim.generate(seed=11, days=60, scale=0.4)
    longer = sim.generate(seed=11, days=120, scale=0.2, start="2025-01-01")
    assert 1.7 < len(double.orders) / len(base.orders) < 2.3
    assert 1.6 < len(longer.orders) / len(base.orders) < 2.6
    assert longer.calendar["date"].iloc[-1] == pd.Timestamp("2025-04-30")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(days=-3), "days"),
        (dict(days=0), "days"),
        (dict(days=2.5), "days"),
        (dict(scale=0), "scale"),
        (dict(scale=-1.0), "scale"),
        (dict(scale=float("nan")), "scale"),
        (dict(seed=1.5), "seed"),
        (dict(seed="12"), "seed"),
        (dict(seed=-1), "seed"),
        (dict(channels=("search", "tv")), "unknown channel 'tv'"),
        (dict(start="2025-13-01"), "start"),
    ],
)
def test_bad_input_is_a_clear_one_line_error(kwargs, message):
    with pytest.raises(StoreOpsError, match=message) as exc:
        sim.generate(**kwargs)
    assert "\n" not in str(exc.value)


def test_store_attribute_access(small_store):
    assert small_store.orders is small_store.tables["orders"]
    with pytest.raises(AttributeError, match="no table"):
        _ = small_store.nonexistent
    assert "orders=" in repr(small_store)


# ---- causal mechanisms: each checked on the generated tables


def test_price_cuts_raise_units_sold(default_store):
    ol = default_store.order_lines.merge(default_store.products[["sku", "list_price"]], on="sku")
    promo = ol["unit_price"] < ol["list_price"] - 0.01
    # average daily units per SKU on promotion days vs regular days
    o = default_store.orders[["order_id", "order_time"]]
    x = ol.assign(promo=promo).merge(o, on="order_id")
    x["date"] = x["order_time"].dt.normalize()
    per_day = x.groupby(["sku", "date", "promo"])["quantity"].sum().reset_index()
    m = per_day.groupby(["sku", "promo"])["quantity"].mean().unstack().dropna()
    assert (m[True] > m[False]).mean() > 0.75


def test_festival_acquired_customers_are_mostly_deal_seekers(default_store):
    c = default_store.customers.assign(segment=customer_segments(default_store).to_numpy())
    share = c.groupby("acquired_in_festival")["segment"].apply(
        lambda s: (s == "deal_seeker").mean()
    )
    assert share[True] > share[False] + 0.3


def test_chat_response_is_slower_on_busy_days(default_store):
    ch = default_store.service_chats
    d = ch["chat_time"].dt.normalize()
    cal = default_store.calendar.set_index("date")
    peak = cal.index[cal["festival_phase"] == "peak"]
    assert (
        ch.loc[d.isin(peak), "first_response_s"].median()
        > ch.loc[~d.isin(peak), "first_response_s"].median()
    )


def test_converted_chats_point_to_an_order_of_the_same_customer_shortly_after(default_store):
    ch = default_store.service_chats
    ch = ch[ch["kind"] == "pre-sale"]
    conv = ch[ch["converted"]].merge(
        default_store.orders[["order_id", "customer_id", "order_time"]],
        on="order_id",
        suffixes=("", "_o"),
    )
    assert len(conv) == ch["converted"].sum()
    assert (conv["customer_id"] == conv["customer_id_o"]).all()
    lag = (conv["order_time"] - conv["chat_time"]).dt.total_seconds()
    assert lag.between(0, 3600).all()
    assert ch.loc[~ch["converted"], "order_id"].isna().all()


def test_returns_and_reviews_follow_their_orders(default_store):
    o = default_store.orders.set_index("order_id")
    r = default_store.returns
    assert (o.loc[r["order_id"], "status"] == "completed").all()
    assert (r["return_date"].to_numpy() > o.loc[r["order_id"], "order_time"].to_numpy()).all()
    rv = default_store.reviews
    assert (
        rv["review_date"].to_numpy()
        >= o.loc[rv["order_id"], "order_time"].dt.normalize().to_numpy()
    ).all()
    ol = default_store.order_lines.set_index(["order_id", "sku"])["quantity"]
    assert (
        r.set_index(["order_id", "sku"])["quantity"]
        <= ol.reindex(r.set_index(["order_id", "sku"]).index)
    ).all()


def test_orders_ids_increase_with_time_and_discounts_are_festival_coupons(default_store):
    o = default_store.orders
    assert o["order_time"].is_monotonic_increasing
    assert o["order_id"].is_monotonic_increasing
    cal = default_store.calendar.set_index("date")
    phase = cal.loc[o["order_time"].dt.normalize(), "festival_phase"].to_numpy()
    festive = np.isin(phase, ["presale", "peak"])
    assert o.loc[festive, "discount"].mean() > 2 * o.loc[~festive, "discount"].mean()
