"""The customer-communication chapter's reshaping and plotting helpers.

What the chapter and its exercise both need: pre-sale chats with a response-time band,
completed order lines with their category, each customer's completed orders, a cohort's
monthly activity, the orders a campaign's members placed in its window, and the chapter's
charts. Nothing here computes a graded answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from storeops.plotting import format_axis, new_figure

# first-response bands (seconds) as an operator reads them: under 10 s is quick, over a
# minute the shopper has usually gone elsewhere
RESPONSE_BANDS = (0, 10, 20, 30, 60, 120, np.inf)
BAND_LABELS = ("0-10 s", "10-20 s", "20-30 s", "30-60 s", "1-2 min", "over 2 min")
CAMPAIGN_WINDOW_DAYS = 14  # a campaign's coupon is valid this long: its orders come in it


def presale_chats(store) -> pd.DataFrame:
    """Pre-sale chats with their first-response band ('left unanswered' when the shopper
    left before a reply)."""
    chats = store.service_chats
    pre = chats[chats["kind"] == "pre-sale"].copy()
    band = pd.cut(pre["first_response_s"], RESPONSE_BANDS, labels=BAND_LABELS, right=False)
    pre["band"] = band.cat.add_categories(["left unanswered"]).fillna("left unanswered")
    return pre


def completed_lines(store) -> pd.DataFrame:
    """Lines of completed orders with their category, order time, delivery days and value
    (quantity x unit price)."""
    orders = store.orders
    done = orders.loc[
        orders["status"] == "completed", ["order_id", "customer_id", "order_time", "delivery_days"]
    ]
    lines = store.order_lines.merge(done, on="order_id")
    lines = lines.merge(store.products[["sku", "category"]], on="sku")
    lines["value"] = lines["quantity"] * lines["unit_price"]
    return lines


def customer_orders(store) -> pd.DataFrame:
    """Completed orders of the period with their customer's first order time (a customer's
    first order ever may lie before the period)."""
    orders = store.orders
    done = orders[orders["status"] == "completed"]
    return done.merge(
        store.customers[["customer_id", "first_order_time", "acquired_in_festival"]],
        on="customer_id",
    )


def cohort_activity(store) -> pd.DataFrame:
    """Share of each monthly cohort of new customers (first order ever in that month of the
    period) with a completed order in each month since (month 0: the first month)."""
    orders = customer_orders(store)
    start = store.orders["order_time"].min().to_period("M")
    orders = orders[orders["first_order_time"].dt.to_period("M") >= start]
    cohort = orders["first_order_time"].dt.to_period("M")
    age = (orders["order_time"].dt.to_period("M") - cohort).apply(lambda d: d.n)
    active = (
        pd.DataFrame({"cohort": cohort, "age": age, "customer_id": orders["customer_id"]})
        .drop_duplicates()
        .groupby(["cohort", "age"])
        .size()
        .unstack(fill_value=0)
    )
    share = active.div(active[0], axis=0)
    last = store.orders["order_time"].max().to_period("M")
    # months the period has not reached yet are unknown, not zero
    seen = np.array([[(c + a) <= last for a in share.columns] for c in share.index])
    return share.where(seen)


def window_orders(store, first, days: int) -> pd.DataFrame:
    """Completed orders placed in the `days` days from `first`."""
    orders = store.orders
    lo = pd.Timestamp(first)
    hi = lo + pd.Timedelta(days=days)
    when = orders["order_time"]
    return orders[(orders["status"] == "completed") & (when >= lo) & (when < hi)]


def plot_band_conversion(table: pd.DataFrame, ax=None, title: str = ""):
    """Consultation conversion by first-response band (bars) with the chats in each band."""
    if ax is None:
        _, ax = new_figure()
    colours = ["#3465a4"] * (len(table) - 1) + ["#cc0000"]
    ax.bar(table.index.astype(str), table["conversion"], color=colours[-len(table) :])
    for x, (rate, n) in enumerate(zip(table["conversion"], table["chats"], strict=True)):
        ax.annotate(f"{n:,} chats", (x, rate), ha="center", va="bottom", fontsize=8)
    ax.set(xlabel="time to the first reply", ylabel="chats that led to an order", title=title)
    format_axis(ax, y="percent")
    ax.tick_params(axis="x", labelrotation=20)
    return ax


def plot_stars(stars: pd.Series, ax=None, title: str = ""):
    """Share of reviews at each star rating (the J shape)."""
    if ax is None:
        _, ax = new_figure()
    share = stars.value_counts(normalize=True).reindex(range(1, 6), fill_value=0)
    ax.bar(share.index, share.to_numpy(), color="#f57900")
    ax.set(xlabel="stars", ylabel="share of reviews", title=title, xticks=range(1, 6))
    format_axis(ax, y="percent")
    return ax


def plot_cohorts(retention: pd.DataFrame, months: int = 6, ax=None, title: str = ""):
    """Cohort retention as a heat map: rows are cohorts, columns months since the first."""
    if ax is None:
        _, ax = new_figure(figsize=(7, 4.5))
    table = retention.loc[:, 1:months]
    shown = table.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(shown), cmap="Blues", aspect="auto", vmin=0)
    for (i, j), v in np.ndenumerate(shown):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(table.shape[0]), [str(c) for c in table.index])
    ax.set(xlabel="months since the first order", ylabel="cohort (month of first order)")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, shrink=0.8, format=lambda x, _: f"{x:.0%}")
    return ax


def plot_uplift(rates: pd.DataFrame, ax=None, title: str = ""):
    """Order rate in each campaign's window: members sent the message next to the hold-out."""
    if ax is None:
        _, ax = new_figure()
    x = np.arange(len(rates))
    ax.bar(x - 0.2, rates["sent"], width=0.4, label="sent", color="#3465a4")
    ax.bar(x + 0.2, rates["held_out"], width=0.4, label="held out", color="#babdb6")
    ax.set_xticks(x, rates.index, rotation=20, ha="right")
    ax.set(ylabel=f"ordered within {CAMPAIGN_WINDOW_DAYS} days", title=title)
    format_axis(ax, y="percent")
    ax.legend()
    return ax
