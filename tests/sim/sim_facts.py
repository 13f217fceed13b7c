"""Stylized facts (STYLIZED_FACTS.md F1-F16) measured from a store's tables only.

Each function takes a Store and returns plain numbers; the tests compare them with the
target ranges and the benchmark/report prints them. Nothing here reads `store.truth`
except the estimator-recovery helpers, which take the truth explicitly for comparison.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from storeops.sim.answers import product_roles


def completed_orders(store) -> pd.DataFrame:
    o = store.orders
    return o[o["status"] == "completed"]


def f1_conversion(store) -> float:
    f = store.funnel
    return f["orders"].sum() / f["sessions"].sum()


def f2_funnel(store) -> tuple[float, float]:
    f = store.funnel
    return f["add_to_carts"].sum() / f["product_views"].sum(), f["orders"].sum() / f[
        "add_to_carts"
    ].sum()


def f3_ctr(store) -> dict[str, float]:
    t = store.traffic.groupby("channel")[["clicks", "impressions"]].sum()
    t = t[t["impressions"] > 0]
    return (t["clicks"] / t["impressions"]).to_dict()


def f4_order_value(store) -> dict[str, float]:
    v = completed_orders(store)["revenue"].to_numpy()
    v = v[v > 0]
    lv = np.log(v)
    skew = float(((lv - lv.mean()) ** 3).mean() / lv.std() ** 3)
    return dict(
        log_sd=float(lv.std()), median=float(np.median(v)), mean=float(v.mean()), log_skew=skew
    )


def _orders_with_first(store) -> pd.DataFrame:
    o = store.orders[["customer_id", "order_time"]]
    c = store.customers[["customer_id", "first_order_time", "acquired_in_festival"]]
    return o.merge(c, on="customer_id", how="left")


def f5_repeat(store) -> dict[str, float]:
    start = store.calendar["date"].min()
    end = store.calendar["date"].max() + pd.Timedelta(days=1)
    c = store.customers
    new = c[
        (c["first_order_time"] >= start) & (c["first_order_time"] < start + pd.Timedelta(days=90))
    ]
    o = store.orders
    n_orders = o.groupby("customer_id").size()
    repeat = (n_orders.reindex(new["customer_id"]).fillna(0) >= 2).mean()
    # monthly cohorts: share of the cohort that orders again in month k after the first month
    oc = _orders_with_first(store)
    oc = oc[oc["first_order_time"] >= start]
    m0 = oc["first_order_time"].dt.year * 12 + oc["first_order_time"].dt.month
    m = oc["order_time"].dt.year * 12 + oc["order_time"].dt.month
    oc = oc.assign(age=m - m0, cohort=m0)
    size = oc.drop_duplicates("customer_id").groupby("cohort").size()
    last = end.year * 12 + end.month - 1 if end.day == 1 else end.year * 12 + end.month
    ret = {}
    for k in (1, 2, 3, 6):
        active = oc[oc["age"] == k].drop_duplicates(["customer_id"]).groupby("cohort").size()
        ok = size.index[size.index + k <= last - 1]
        ret[k] = float((active.reindex(ok).fillna(0) / size.reindex(ok)).mean())
    return dict(
        repeat_within_year=float(repeat), month1=ret[1], month2=ret[2], month3=ret[3], month6=ret[6]
    )


def repurchase_rate(store, customers: pd.DataFrame, within_days: int) -> float:
    o = store.orders[["customer_id", "order_time"]]
    x = o.merge(customers[["customer_id", "first_order_time"]], on="customer_id")
    later = x[
        (x["order_time"] > x["first_order_time"] + pd.Timedelta(hours=1))
        & (x["order_time"] <= x["first_order_time"] + pd.Timedelta(days=within_days))
    ]
    return later["customer_id"].nunique() / max(len(customers), 1)


def f6_festival_buyers(store, within_days: int = 45) -> dict[str, float]:
    start = store.calendar["date"].min()
    end = store.calendar["date"].max()
    c = store.customers
    c = c[
        (c["first_order_time"] >= start)
        & (c["first_order_time"] <= end - pd.Timedelta(days=within_days))
    ]
    fest, other = c[c["acquired_in_festival"]], c[~c["acquired_in_festival"]]
    return dict(
        festival=repurchase_rate(store, fest, within_days),
        other=repurchase_rate(store, other, within_days),
        n_festival=len(fest),
    )


def f6_618_six_months(store) -> float | None:
    cal = store.calendar
    peak = cal[(cal["festival"] == "618") & (cal["festival_phase"] == "peak")]["date"]
    if peak.empty or peak.iloc[0] + pd.Timedelta(days=180) > cal["date"].max():
        return None
    d = peak.iloc[0]
    c = store.customers
    c = c[(c["first_order_time"] >= d) & (c["first_order_time"] < d + pd.Timedelta(days=1))]
    return repurchase_rate(store, c, 180)


def f7_pareto(store) -> dict[str, float]:
    ol = store.order_lines.merge(completed_orders(store)[["order_id"]], on="order_id")
    rev = (ol["quantity"] * ol["unit_price"]).groupby(ol["sku"]).sum()
    rev = rev.reindex(store.products["sku"]).fillna(0).sort_values(ascending=False)
    top = int(np.ceil(0.2 * len(rev)))
    inv = store.inventory
    return dict(
        top20_share=float(rev.iloc[:top].sum() / rev.sum()),
        zero_sku_days=float((inv["units_sold"] == 0).mean()),
    )


def f8_rhythm(store) -> dict:
    o = completed_orders(store)
    cal = store.calendar
    normal = set(cal.loc[cal["festival"] == "", "date"])
    day = o["order_time"].dt.normalize()
    o = o[day.isin(normal)]
    by_hour = o["order_time"].dt.hour.value_counts().sort_index()
    daily = o.groupby(o["order_time"].dt.normalize()).size()
    wd = daily.groupby(daily.index.day_of_week).mean()
    return dict(
        peak_hour=int(by_hour.idxmax()),
        evening_share=float(by_hour.loc[20:22].sum() / by_hour.sum()),
        weekday_dev=float((wd / wd.mean() - 1).abs().max()),
    )


def daily_revenue(store) -> pd.Series:
    o = completed_orders(store)
    r = o.groupby(o["order_time"].dt.normalize())["revenue"].sum()
    return r.reindex(store.calendar["date"]).fillna(0.0)


def f9_festivals(store) -> dict:
    cal = store.calendar.set_index("date")
    rev = daily_revenue(store)
    avg = rev.mean()
    out = {}
    for fest in ("618", "99", "double11", "double12"):
        c = cal[cal["festival"] == fest]
        if not (c["festival_phase"] == "peak").any():
            continue
        peak = c.index[c["festival_phase"] == "peak"][0]
        out[f"{fest}_peak_ratio"] = float(rev[peak] / avg)
    c = cal[cal["festival"] == "double11"]
    if (c["festival_phase"] == "peak").any() and (c["festival_phase"] == "dip").any():
        pre = c.index[c["festival_phase"] == "presale"]
        dip = c.index[c["festival_phase"] == "dip"]
        bump_days = c.index[c["festival_phase"].isin(["presale", "peak"])]
        first = pre.min() if len(pre) else bump_days.min()
        ref = rev[(rev.index < first) & (rev.index >= first - pd.Timedelta(days=42))]
        ref = ref[cal.loc[ref.index, "festival"] == ""]
        base = ref.median()
        bump = (rev[bump_days] - base).sum()
        dipv = (base - rev[dip]).sum()
        out["double11_presale_start"] = first
        out["double11_dip_share_of_bump"] = float(dipv / bump)
        out["double11_period_share"] = float(rev[bump_days.union(dip)].sum() / rev.sum())
    return out


def weekly_sku_panel(store) -> pd.DataFrame:
    """Units per in-stock day and average price per SKU-week (completed orders), with competitor price."""
    o = completed_orders(store)[["order_id", "order_time"]]
    ol = store.order_lines.merge(o, on="order_id")
    ol["date"] = ol["order_time"].dt.normalize()
    inv = store.inventory[["date", "sku", "stockout"]]
    ol = ol.merge(inv, on=["date", "sku"], how="left")
    ol = ol[~ol["stockout"].fillna(False).astype(bool)]
    start = store.calendar["date"].min()
    wk = lambda d: ((d - start).dt.days + start.weekday()) // 7  # noqa: E731
    ol["week"] = wk(ol["date"])
    g = ol.groupby(["sku", "week"])
    units = g["quantity"].sum()
    price = (ol["quantity"] * ol["unit_price"]).groupby([ol["sku"], ol["week"]]).sum() / units
    inv = inv.assign(week=wk(inv["date"]))
    days_in = inv[~inv["stockout"]].groupby(["sku", "week"]).size().rename("in_stock_days")
    cp = (
        store.competitor_prices.assign(week=lambda x: wk(x["date"]))
        .groupby(["sku", "week"])["competitor_price"]
        .mean()
    )
    panel = pd.DataFrame({"units": units, "price": price}).join(days_in, how="outer").join(cp)
    panel["units"] = panel["units"].fillna(0)
    panel = panel[panel["in_stock_days"] >= 4]
    panel["units_per_day"] = panel["units"] / panel["in_stock_days"]
    return panel.reset_index().merge(
        store.products[["sku", "category", "list_price"]].assign(
            role=lambda p: p["sku"].map(product_roles(store))
        ),
        on="sku",
    )


def reference_price_proxy(store, weeks: float = 4.0) -> pd.Series:
    """Per (sku, week): the SKU's average selling price in the weeks before, exponentially
    smoothed over about `weeks` weeks, starting from its list price (weeks without sales keep
    the last price seen)."""
    p = weekly_sku_panel(store)[["sku", "week", "price"]]
    all_weeks = range(int(p["week"].min()), int(p["week"].max()) + 1)
    grid = p.pivot_table(index="week", columns="sku", values="price").reindex(all_weeks)
    list_price = store.products.set_index("sku")["list_price"].reindex(grid.columns)
    seen = grid.ffill().fillna(list_price)
    memory = list_price.to_numpy(dtype=float).copy()
    out = np.empty(seen.shape)
    for i, row in enumerate(seen.to_numpy()):
        out[i] = memory
        memory = memory + (row - memory) / weeks
    frame = pd.DataFrame(out, index=grid.index, columns=grid.columns)
    return frame.stack().rename("reference").swaplevel().sort_index()


def elasticity_ols(store, min_daily_units: float = 0.5, with_se: bool = False):
    """Log-log regression with SKU and category-week fixed effects and SKU trends: slope per category, pooled cross-price.

    The price enters against a reference price (the SKU's own average selling price of the
    weeks before, smoothed over about four weeks, from the list price), with a pooled term for
    the reference against the list price. Category-week effects absorb seasonal categories and
    the store's traffic; the SKU trends absorb slow life cycles; SKUs launched in the run are
    left out (their launch ramp is not a trend).

    Sample: SKUs selling on average `min_daily_units` a day, SKU-weeks with a price (a sale) and
    at least 4 in-stock days, stock-out days left out (their sales are censored), bundle items
    left out (their sales follow their partner's price).
    """
    p = weekly_sku_panel(store).dropna(subset=["competitor_price", "price"])
    p = p[p["role"] != "bundle"]
    launched = store.products.set_index("sku")["launch_date"]
    p = p[p["sku"].map(launched) < store.calendar["date"].min()]
    p = p[p.groupby("sku")["units_per_day"].transform("mean") >= min_daily_units]
    y = np.log(p["units_per_day"])
    cats = sorted(p["category"].unique())
    ref = reference_price_proxy(store)
    ref = pd.Series(ref.loc[list(zip(p["sku"], p["week"], strict=True))].to_numpy(), index=p.index)
    lp = np.log(p["price"] / p["list_price"])
    X = {f"e_{c}": np.where(p["category"] == c, lp, 0.0) for c in cats}
    X["cross"] = np.log(p["competitor_price"] / p["list_price"])
    M = pd.concat([pd.DataFrame(X, index=p.index), y.rename("y")], axis=1)
    cols = [c for c in M.columns if c != "y"]
    # SKU and week fixed effects plus a linear trend per SKU (life cycles), by alternating projections
    w = p["week"].astype(float)
    wc = w - w.groupby(p["sku"]).transform("mean")
    ss = (wc**2).groupby(p["sku"]).transform("sum").replace(0, np.nan)
    for _ in range(40):
        M = M - M.groupby(p["sku"]).transform("mean")
        slope = M.mul(wc, axis=0).groupby(p["sku"]).transform("sum").div(ss, axis=0).fillna(0)
        M = M - slope.mul(wc, axis=0)
        M = M - M.groupby([p["category"], p["week"]]).transform("mean")
    Xm, ym = M[cols].to_numpy(), M["y"].to_numpy()
    beta, *_ = np.linalg.lstsq(Xm, ym, rcond=None)
    est = dict(zip(cols, beta, strict=True))
    out = ({c: float(est[f"e_{c}"]) for c in cats}, float(est["cross"]))
    if not with_se:
        return out
    dof = len(ym) - len(cols) - 2 * p["sku"].nunique() - p.groupby(["category", "week"]).ngroups
    sigma2 = float(((ym - Xm @ beta) ** 2).sum() / max(dof, 1))
    se = np.sqrt(np.diag(np.linalg.inv(Xm.T @ Xm)) * sigma2)
    return (*out, {c: float(se[cols.index(f"e_{c}")]) for c in cats})


def f12_service(store) -> dict:
    # consultation conversion: pre-sale questions (an after-sale contact cannot convert)
    ch = store.service_chats
    ch = ch[ch["kind"] == "pre-sale"]
    r = ch["first_response_s"]
    ans = ch[r.notna()]
    fast = ans[ans["first_response_s"] <= ans["first_response_s"].median()]
    slow = ans[ans["first_response_s"] > ans["first_response_s"].quantile(0.8)]
    # F12's uplift is against comparable shoppers who did not chat. Shoppers who opened a chat
    # but left before an answer could be due had no service; those who gave up after waiting
    # were turned away by the wait (the slow-response effect), so they are no baseline.
    due = store.truth["service"]["answer_due_s"]
    una = ch[r.isna() & (ch["wait_s"] < due)]
    # logistic regression of converted on response seconds (Newton's method)
    x = ans["first_response_s"].to_numpy()
    yv = ans["converted"].to_numpy().astype(float)
    X = np.c_[np.ones_like(x), x]
    b = np.zeros(2)
    for _ in range(25):
        pr = 1 / (1 + np.exp(-X @ b))
        H = X.T @ (X * (pr * (1 - pr))[:, None])
        b = b + np.linalg.solve(H, X.T @ (yv - pr))
    return dict(
        median_response=float(r.median()),
        conv_fast=float(fast["converted"].mean()),
        conv_slow=float(slow["converted"].mean()),
        conv_unanswered=float(una["converted"].mean()),
        uplift_answered=float(
            ans[ans["first_response_s"].between(10, 30)]["converted"].mean()
            / una["converted"].mean()
            - 1
        ),
        slope=float(b[1]),
        intercept=float(b[0]),
    )


def _completed_lines(store) -> pd.DataFrame:
    o = completed_orders(store)[["order_id", "order_time"]]
    end = store.calendar["date"].max()
    o = o[o["order_time"] < end - pd.Timedelta(days=30)]
    return store.order_lines.merge(o, on="order_id").merge(
        store.products[["sku", "category"]], on="sku"
    )


def f13_returns(store) -> dict:
    ol = _completed_lines(store)
    rt = store.returns.merge(ol[["order_id", "sku", "category"]], on=["order_id", "sku"])
    by_cat = rt.groupby("category")["quantity"].sum() / ol.groupby("category")["quantity"].sum()
    return dict(
        overall=float(rt["quantity"].sum() / ol["quantity"].sum()),
        apparel=float(by_cat.get("apparel", np.nan)),
        by_category=by_cat.fillna(0).to_dict(),
    )


def f14_reviews(store) -> dict:
    s = store.reviews["stars"]
    share = s.value_counts(normalize=True).reindex([1, 2, 3, 4, 5]).fillna(0)
    return dict(mean=float(s.mean()), share={int(k): float(v) for k, v in share.items()})


def f15_stockouts(store) -> dict:
    inv = store.inventory
    return dict(share=float(inv["stockout"].mean()))


def f11_ads(store) -> dict:
    """Diminishing returns, carry-over and ad elasticities from the traffic table."""
    t = store.traffic
    cal = store.calendar.set_index("date")
    out = {}
    for ch in ("search", "display", "social"):
        x = t[t["channel"] == ch].set_index("date")
        if x.empty:
            continue
        normal = cal.loc[x.index, "festival"] == ""
        x = x[normal.to_numpy()]
        # carry-over: clicks on today's and yesterday's impressions (log-log)
        li = np.log(x["impressions"].clip(lower=1))
        lc = np.log(x["clicks"].clip(lower=1))
        lag = li.shift(1)
        ok = lag.notna() & (x.index.to_series().diff().dt.days == 1).to_numpy()
        X = np.c_[np.ones(ok.sum()), li[ok], lag[ok]]
        b, *_ = np.linalg.lstsq(X, lc[ok], rcond=None)
        out[ch] = dict(today=float(b[1]), yesterday=float(b[2]), total=float(b[1] + b[2]))
    # short- and long-run ad elasticity of daily orders w.r.t. total paid spend, ordinary days:
    # today's spend (short run) plus the previous 14 days' mean spend (carry-over)
    paid = t[t["channel"].isin(["search", "display", "social"])].groupby("date")["spend"].sum()
    orders = store.funnel.groupby("date")["orders"].sum()
    orders = orders.sub(_campaign_orders(store), fill_value=0)
    direct = t[t["channel"] == "direct"].set_index("date")["sessions"]
    df = pd.DataFrame({"spend": paid, "orders": orders, "direct": direct}).join(
        cal[["festival", "weekday"]]
    )
    df["ls"] = np.log(df["spend"])
    df["long"] = np.log(df["spend"].rolling(14, min_periods=14).mean().shift(1))
    df["trend"] = np.arange(len(df)) / 365
    df = df[(df["festival"] == "") & df["long"].notna()]
    wd = pd.get_dummies(df["weekday"], drop_first=True).astype(float)
    X = np.c_[np.ones(len(df)), df["ls"], df["long"], df["trend"], wd.to_numpy()]
    b, *_ = np.linalg.lstsq(X, np.log(df["orders"]), rcond=None)
    bd, *_ = np.linalg.lstsq(X, np.log(df["direct"]), rcond=None)
    out["orders_short_run_elasticity"] = float(b[1])
    out["orders_long_run_elasticity"] = float(b[1] + b[2])
    out["direct_long_run_elasticity"] = float(bd[1] + bd[2])
    return out


def _campaign_orders(store) -> pd.Series:
    """Orders per day that member campaigns caused (truth): F11 is about what ads bring, and a
    campaign's coupons bring orders whatever the day's spend."""
    caused = store.truth.get("campaigns", {}).get("caused_order_ids", [])
    o = store.orders
    days = o.loc[o["order_id"].isin(caused), "order_time"].dt.normalize()
    return days.value_counts()


def f19_bunching(store, threshold: float, festive: bool, width: float = 0.1) -> float:
    """Orders just above a basket value over orders just below it (order value before coupons),
    on festival presale and peak days or on the other days."""
    o = store.orders[store.orders["status"] != "cancelled"]
    value = o["revenue"] + o["discount"]
    phase = store.calendar.set_index("date")["festival_phase"]
    on_festive = phase.reindex(o["order_time"].dt.normalize()).isin(["presale", "peak"])
    m = on_festive.to_numpy() == festive
    above = ((value >= threshold) & (value < threshold * (1 + width)) & m).sum()
    below = ((value >= threshold * (1 - width)) & (value < threshold) & m).sum()
    return above / max(below, 1)


def festival_coupon_thresholds(store, most: int = 2) -> list[float]:
    """Order values at which the festival coupons of the joined festivals step up (each tier's
    threshold and its multiples up to the stacking limit, at most `most` of them), from the
    store's recorded festival plans."""
    out = set()
    for plan in store.truth["festival_plans"]:
        coupon = plan["coupon"]
        if plan["joined"] and coupon:
            for tier in coupon["tiers"]:
                stack = min(coupon["max_stack"], most)
                out |= {k * tier["threshold"] for k in range(1, stack + 1)}
    return sorted(out)


def f20_launch_profile(store, skus, weeks: int = 26) -> pd.Series:
    """Units by week since launch, summed over `skus` launched in the run with `weeks` weeks
    of sales to see, as a share of the peak week."""
    start, end = store.calendar["date"].min(), store.calendar["date"].max()
    p = store.products
    new = p[
        p["sku"].isin(skus)
        & (p["launch_date"] >= start)
        & (p["launch_date"] <= end - pd.Timedelta(weeks=weeks))
    ]
    lines = store.order_lines[store.order_lines["sku"].isin(new["sku"])].merge(
        store.orders[["order_id", "order_time"]], on="order_id"
    )
    lines = lines.merge(new[["sku", "launch_date"]], on="sku")
    week = (lines["order_time"] - lines["launch_date"]).dt.days // 7
    units = lines[week < weeks].groupby(week[week < weeks])["quantity"].sum()
    units = units.reindex(range(weeks), fill_value=0)
    return units / units.max()


def f20_sell_through(store, first: dict[str, str], last: dict[str, str]) -> pd.Series:
    """Per SKU, the share of its stock sold from `first` to `last` (its dates): units sold
    over units sold, written down and left at the end (the stock at the start plus what
    arrived in between)."""
    inv = store.inventory
    out = {}
    for sku in first:
        x = inv[(inv["sku"] == sku) & inv["date"].between(first[sku], last[sku])]
        left = x.loc[x["date"] == x["date"].max(), "stock_on_hand"].sum()
        sold = x["units_sold"].sum()
        out[sku] = sold / max(sold + x["written_down"].sum() + left, 1)
    return pd.Series(out)


def f20_season_end_stock(store) -> pd.DataFrame:
    """Per fashion item ending in the run (products.season_end): the stock after the season
    end's sales, what was written down that day, the stock left, and units sold later."""
    inv = store.inventory.sort_values(["sku", "date"])
    inv = inv.assign(before=inv.groupby("sku")["stock_on_hand"].shift())
    ends = store.products.dropna(subset=["season_end"]).set_index("sku")["season_end"]
    lines = store.order_lines.merge(store.orders[["order_id", "order_time"]], on="order_id")
    rows = []
    for sku, end in ends.items():
        day = inv[(inv["sku"] == sku) & (inv["date"] == end)].iloc[0]
        later = lines[(lines["sku"] == sku) & (lines["order_time"] >= end + pd.Timedelta(days=1))]
        rows.append(
            dict(
                sku=sku,
                after_sales=day["before"] + day["receipts"] - day["units_sold"],
                written_down=day["written_down"],
                left=day["stock_on_hand"],
                sold_later=later["quantity"].sum(),
            )
        )
    return pd.DataFrame(rows).set_index("sku")


def f20_season_ratio(store, category: str, in_months, out_months) -> float:
    """The category's share of units in its season over its share out of season."""
    lines = store.order_lines.merge(store.orders[["order_id", "order_time"]], on="order_id")
    lines = lines.merge(store.products[["sku", "category"]], on="sku")
    month = lines["order_time"].dt.month
    mine = lines["category"] == category

    def share(months):
        m = month.isin(months)
        return lines.loc[m & mine, "quantity"].sum() / lines.loc[m, "quantity"].sum()

    return share(in_months) / share(out_months)


def sales_lines(store) -> pd.DataFrame:
    """Lines of completed orders with their day, category, unit cost and amount paid
    (the order's coupon shared over its lines by value)."""
    o = completed_orders(store)[["order_id", "order_time", "discount"]]
    ol = store.order_lines.merge(o, on="order_id").merge(
        store.products[["sku", "category", "unit_cost"]], on="sku"
    )
    ol["date"] = ol["order_time"].dt.normalize()
    ol["gross"] = ol["quantity"] * ol["unit_price"]
    ol["paid"] = ol["gross"] * (
        1 - ol["discount"] / ol.groupby("order_id")["gross"].transform("sum")
    )
    ol["cost"] = ol["quantity"] * ol["unit_cost"]
    return ol


def returned_lines(store) -> pd.DataFrame:
    """Returns with the category and the cost of the returned units."""
    r = store.returns.merge(store.products[["sku", "category", "unit_cost"]], on="sku")
    r["cost"] = r["quantity"] * r["unit_cost"]
    return r


def f16_margins(store) -> dict:
    """Gross margin by category (amount paid less refunds, minus the cost of the goods kept,
    over the same sales) from the orders, lines, returns and products; contribution and net
    margin from the store's finance table, as shares of net sales."""
    ol, r = sales_lines(store), returned_lines(store)
    sales = ol.groupby("category")["paid"].sum() - r.groupby("category")["refund"].sum()
    cogs = ol.groupby("category")["cost"].sum() - r.groupby("category")["cost"].sum()
    fin = store.finance
    ns = fin["net_sales"].sum()
    return dict(
        gross_by_category=((sales - cogs) / sales).to_dict(),
        gross=float((sales.sum() - cogs.sum()) / sales.sum()),
        contribution=float(fin["contribution"].sum() / ns),
        net=float(fin["net_profit"].sum() / ns),
    )


def f17_search_cpc(traffic: pd.DataFrame) -> dict:
    """Search's cost per click from a traffic table: overall, daily, its clicks and click rate."""
    x = traffic[traffic["channel"] == "search"]
    x = x[x["clicks"] > 0]
    daily = x["spend"] / x["clicks"]
    return dict(
        cpc=float(x["spend"].sum() / x["clicks"].sum()),
        daily_low=float(daily.quantile(0.01)),
        daily_high=float(daily.quantile(0.99)),
        clicks=int(x["clicks"].sum()),
        ctr=float(x["clicks"].sum() / x["impressions"].sum()),
    )


FREE = ("organic_search", "recommendation")


def f18_free_share(store) -> float:
    """Free (organic search and recommendation) sessions over all sessions."""
    by = store.traffic.groupby("channel")["sessions"].sum()
    return float(by.reindex(list(FREE), fill_value=0).sum() / by.sum())


def free_sessions(store) -> pd.Series:
    """Free sessions per day."""
    t = store.traffic
    return t[t["channel"].isin(FREE)].groupby("date")["sessions"].sum()
