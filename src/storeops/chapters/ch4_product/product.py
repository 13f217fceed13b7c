"""The product chapter's reshaping and plotting helpers (chapters/ch4_product).

What the chapter and its exercise both need: completed order lines with their money, a SKU's
weekly units and stock, the two SKUs the decision questions are about (chosen by a rule on
what any store shows) and the chapter's charts. Nothing here computes a graded answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from storeops.plotting import format_axis, new_figure

MIN_CLEARANCE_WEEKS = 3  # a clearance question needs this many weeks from its start to the end


def completed_lines(store) -> pd.DataFrame:
    """Order lines of completed orders with the order's day and the line's revenue at the
    selling price (before the order's coupon)."""
    orders = store.orders
    done = orders.loc[orders["status"] == "completed", ["order_id", "order_time"]]
    lines = store.order_lines.merge(done, on="order_id")
    lines["date"] = lines["order_time"].dt.normalize()
    lines["line_revenue"] = lines["quantity"] * lines["unit_price"]
    return lines


def weekly_units(store, sku: str) -> pd.Series:
    """Units of `sku` sold per week (weeks starting Monday; the inventory table's count)."""
    inv = store.inventory
    days = inv.loc[inv["sku"] == sku, ["date", "units_sold"]].set_index("date")["units_sold"]
    return days.resample("W-MON", label="left", closed="left").sum()


def sku_days(store, sku: str) -> pd.DataFrame:
    """The inventory rows of `sku`, indexed by date."""
    inv = store.inventory
    return inv[inv["sku"] == sku].set_index("date").sort_index()


def clearance_start(store, sku: str) -> pd.Timestamp:
    """The first Monday after `sku`'s last purchase order: the store stopped buying it (its
    decline began), so a clearance can start from here."""
    po = store.purchase_orders
    last = po.loc[po["sku"] == sku, "order_date"].max()
    return pd.Timestamp(last) + pd.offsets.Week(weekday=0)


def clearance_sku(store) -> str:
    """The clearance question's SKU: of the SKUs with a season end in the store's year and a
    purchase order at least MIN_CLEARANCE_WEEKS weeks before it, the one with the most stock to
    sell at cost from its `clearance_start` (on hand the day before, plus what arrives later)."""
    products = store.products
    po = store.purchase_orders
    inv = store.inventory
    best, best_value = None, -1.0
    for sku, end, cost in products.loc[
        products["season_end"].notna() & products["sku"].isin(po["sku"]),
        ["sku", "season_end", "unit_cost"],
    ].itertuples(index=False):
        start = clearance_start(store, sku)
        if start > end - pd.Timedelta(weeks=MIN_CLEARANCE_WEEKS):
            continue
        days = inv[inv["sku"] == sku].set_index("date")
        stock = days["stock_on_hand"].asof(start - pd.Timedelta(days=1))
        stock = (0.0 if pd.isna(stock) else float(stock)) + float(
            days.loc[start:, "receipts"].sum()
        )
        if stock * cost > best_value:
            best, best_value = str(sku), stock * cost
    if best is None:
        raise ValueError("this store has no SKU with a season end to clear")
    return best


SALES_COSTS = ("discounts", "commission", "payment_fees", "shipping", "refunds", "returns_handling")


def _sales_cost_share(store) -> float:
    """The share of each yuan of gross sales the year's finance table spends on coupons,
    commission, payment fees, shipping, refunds and return handling."""
    fin = store.tables["finance"]
    return float(fin[list(SALES_COSTS)].sum().sum() / fin["gross_sales"].sum())


def steady_skus(store) -> pd.Index:
    """SKUs on sale all year with no season end, in a category none of whose stock was written
    down in the year (a seasonal category's SKUs have no season end of their own, but what
    they hold past the category's season is sent to the outlet)."""
    products = store.products.set_index("sku")
    first = store.calendar["date"].min()
    written = store.inventory.loc[store.inventory["written_down"] > 0, "sku"].unique()
    seasonal = set(products.loc[products.index.intersection(written), "category"])
    return products.index[
        products["season_end"].isna()
        & (products["launch_date"] < first)
        & ~products["category"].isin(seasonal)
    ]


def stockout_margin(store) -> pd.Series:
    """Per SKU on sale all year with no season end, in a category none of whose stock was
    written down in the year, the margin its stock-outs cost: stock-out days x its mean units
    on in-stock days x its margin at list price after the share of sales the finance table
    spends on coupons, fees, shipping and returns. Largest first.

    A seasonal category's SKUs have no season end of their own, but what they hold past the
    category's season is sent to the outlet: there a longer cover costs more than holding."""
    products = store.products.set_index("sku")
    inv = store.inventory[store.inventory["sku"].isin(steady_skus(store))]
    out_days = inv.groupby("sku")["stockout"].sum()
    per_day = inv[~inv["stockout"]].groupby("sku")["units_sold"].mean()
    cost_share = _sales_cost_share(store)
    margin = products["list_price"] * (1 - cost_share) - products["unit_cost"]
    lost = out_days * per_day.reindex(out_days.index).fillna(0) * margin.reindex(out_days.index)
    return lost.sort_index().sort_values(ascending=False, kind="stable")


def reorder_sku(store) -> str:
    """The reorder question's SKU: the one whose stock-outs cost the most margin
    (:func:`stockout_margin`); the stakes of its reorder rule are the largest."""
    return str(stockout_margin(store).index[0])


PRICE_SELLERS = 40  # the price question's SKU is one of this many best sellers
PRICE_MIN_SLOPE = -1.5  # ... in a category whose units answered its price cuts at least this much


def price_from(store) -> pd.Timestamp:
    """The first Monday of the store's second half year: the price question's price holds
    from it to the store's last day."""
    days = store.calendar["date"]
    middle = days.min() + (days.max() - days.min()) / 2
    return middle.normalize() + pd.offsets.Week(weekday=0)


def _responsive_categories(store, categories, lines: pd.DataFrame) -> set[str]:
    """Of `categories`, those whose units answered the store's price cuts with a slope of at
    most PRICE_MIN_SLOPE (else the one that answered most): the slope of log weekly units on
    log(price paid / list price), both taken from each SKU's own mean over its in-stock weeks
    of completed orders (`lines`, :func:`completed_lines`). Only which categories pass leaves
    here: the slope of a category is the price question's answer to estimate (its reference
    solution), not a number to hand out to a learner who imports this module."""
    products = store.products.set_index("sku")
    lines = lines.copy()
    lines["week"] = lines["date"].dt.to_period("W-SUN").dt.start_time
    weekly = lines.groupby(["sku", "week"])[["quantity", "line_revenue"]].sum()
    inv = store.inventory.assign(week=store.inventory["date"].dt.to_period("W-SUN").dt.start_time)
    out = inv.groupby(["sku", "week"])["stockout"].any().reindex(weekly.index, fill_value=True)
    weekly = weekly[~out.to_numpy()]
    sku = weekly.index.get_level_values("sku")
    x = np.log(
        weekly["line_revenue"] / weekly["quantity"] / products["list_price"].reindex(sku).to_numpy()
    )
    y = np.log(weekly["quantity"])
    x, y = x - x.groupby(sku).transform("mean"), y - y.groupby(sku).transform("mean")
    category = products["category"].reindex(sku).to_numpy()
    slopes = ((x * y).groupby(category).sum() / (x * x).groupby(category).sum()).reindex(categories)
    passed = set(slopes.index[(slopes <= PRICE_MIN_SLOPE).to_numpy()])
    return passed or {slopes.idxmin()}


def price_sku(store) -> str:
    """The price question's SKU: of the PRICE_SELLERS steady SKUs (:func:`steady_skus`) that
    sold most units, in a category whose units answered its price cuts with a slope of at most
    PRICE_MIN_SLOPE (else in the most responsive category), the one whose unit cost is the
    largest share of its list price: its list price leaves the thinnest margin, so its best
    price is furthest from it."""
    products = store.products.set_index("sku")
    lines = completed_lines(store)
    units = lines.groupby("sku")["quantity"].sum()
    steady = steady_skus(store)
    top = units.reindex(steady).dropna().sort_values(ascending=False, kind="stable")
    top = top.index[:PRICE_SELLERS]
    category = products.loc[top, "category"]
    passed = _responsive_categories(store, category.unique(), lines)
    responsive = top[category.isin(passed).to_numpy()]
    ratio = products.loc[responsive, "unit_cost"] / products.loc[responsive, "list_price"]
    return str(ratio.sort_index().idxmax())


def stock_example_sku(store) -> str:
    """The chapter's worked example of reorder points and censored demand: the SKU whose
    stock-outs cost the second most, so that the exercise's SKU is not worked on the page."""
    return str(stockout_margin(store).index[1])


# -- charts -----------------------------------------------------------------------------------
def plot_pareto(revenue: pd.Series, ax=None, title: str = ""):
    """Cumulative share of revenue against the share of SKUs, best sellers first."""
    if ax is None:
        _, ax = new_figure()
    ranked = revenue.sort_values(ascending=False)
    share = ranked.cumsum() / ranked.sum()
    x = np.arange(1, len(share) + 1) / len(share)
    ax.plot(x, share.to_numpy(), color="#3465a4")
    ax.plot([0, 1], [0, 1], color="grey", lw=0.6, ls=":")
    for cut, colour in ((0.8, "#cc0000"), (0.95, "#f57900")):
        ax.axhline(cut, color=colour, lw=0.6, ls="--")
    ax.set(xlabel="share of SKUs (best sellers first)", ylabel="share of revenue", title=title)
    format_axis(ax, y="percent", x="percent")
    return ax


def plot_weekly(weekly: pd.DataFrame, ax=None, title: str = ""):
    """Weekly units of a few SKUs, one line each (columns: SKUs)."""
    if ax is None:
        _, ax = new_figure()
    weekly.plot(ax=ax, lw=1.2)
    ax.set(xlabel="week", ylabel="units sold", title=title)
    return ax


def plot_stock(days: pd.DataFrame, ax=None, title: str = ""):
    """A SKU's stock on hand and units sold per day, stock-out days shaded."""
    if ax is None:
        _, ax = new_figure()
    ax.plot(days.index, days["stock_on_hand"], color="#3465a4", lw=1, label="stock on hand")
    ax.plot(days.index, days["units_sold"], color="#4e9a06", lw=1, label="units sold")
    top = max(float(days["stock_on_hand"].max()), 1.0)
    ax.fill_between(
        days.index,
        0,
        top,
        where=days["stockout"].to_numpy(),
        color="#cc0000",
        alpha=0.15,
        step="mid",
        label="out of stock",
    )
    ax.set(xlabel="date", ylabel="units", title=title)
    ax.legend(loc="upper right", fontsize=8)
    return ax


def plot_price_response(points: pd.DataFrame, slope: float, ax=None, title: str = ""):
    """Log units against log relative price (columns `log_price`, `log_units`) with the
    fitted slope through their mean."""
    if ax is None:
        _, ax = new_figure()
    ax.scatter(points["log_price"], points["log_units"], s=6, alpha=0.4, color="#3465a4")
    x = np.linspace(points["log_price"].min(), points["log_price"].max(), 20)
    mx, my = points["log_price"].mean(), points["log_units"].mean()
    ax.plot(x, my + slope * (x - mx), color="#cc0000", lw=1.5, label=f"slope {slope:.2f}")
    ax.set(
        xlabel="log(price / the SKU's usual price)", ylabel="log units (SKU-demeaned)", title=title
    )
    ax.legend(loc="upper right", fontsize=8)
    return ax
