"""Stylized fact F21 (supply) measured from a store's tables only (see sim_facts.py)."""

from __future__ import annotations

import pandas as pd


def lead_times(store) -> pd.DataFrame:
    """Per supplier: purchase orders, mean and sd of the lead time (order to arrival, days), and
    the sd of the arrival against the promise (day-to-day variability)."""
    po = store.purchase_orders.dropna(subset=["actual_arrival"])
    po = po.assign(
        lead=(po["actual_arrival"] - po["order_date"]).dt.days,
        miss=(po["actual_arrival"] - po["promised_arrival"]).dt.days,
    )
    return po.groupby("supplier").agg(
        orders=("lead", "size"),
        mean=("lead", "mean"),
        sd=("lead", "std"),
        miss_sd=("miss", "std"),
        late_share=("miss", lambda m: (m > 0).mean()),
    )


def batches(store) -> dict:
    """How lumpy receipts are: share of SKU-days with a receipt, and a receipt's size in days of
    the SKU's average sales (median over SKUs)."""
    inv = store.inventory
    by_sku = inv.groupby("sku").agg(
        days=("date", "size"), sold=("units_sold", "sum"), received=("receipts", "sum")
    )
    got = inv[inv["receipts"] > 0].groupby("sku")["receipts"].agg(["size", "mean"])
    by_sku = by_sku.join(got, how="inner")
    daily = by_sku["sold"] / by_sku["days"]
    return dict(
        receipt_day_share=float(by_sku["size"].sum() / by_sku["days"].sum()),
        receipt_in_days_of_sales=float((by_sku["mean"] / daily[daily > 0]).median()),
    )


def delivered_on(store) -> pd.Series:
    """Completed orders delivered per calendar day (order day + delivery days)."""
    o = store.orders[store.orders["status"] == "completed"]
    day = o["order_time"].dt.normalize() + pd.to_timedelta(o["delivery_days"].astype(int), "D")
    return day.value_counts().reindex(store.calendar["date"], fill_value=0)


def logistics_stop(store) -> dict:
    """The days around Chinese New Year with no delivery and no purchase-order arrival, as seen
    in the orders and purchase orders (the longest such run from 10 January to 20 February)."""
    cal = store.calendar.set_index("date")
    arrivals = (
        store.purchase_orders["actual_arrival"]
        .dropna()
        .value_counts()
        .reindex(cal.index, fill_value=0)
    )
    quiet = (delivered_on(store) == 0) & (arrivals == 0)
    year = cal.index[0].year
    window = quiet[pd.Timestamp(year, 1, 10) : pd.Timestamp(year, 2, 20)]
    best, run, end = 0, 0, None
    for day, q in window.items():
        run = run + 1 if q else 0
        if run > best:
            best, end = run, day
    return dict(days=best, start=end - pd.Timedelta(days=best - 1), end=end)
