"""`evaluate(seed, policy, start, days)`: what a plan earns over a window of the store.

The store always runs over its own dates (its catalogue, calendar and incidents are drawn for
the whole run), then the outcome is read off the window. With common random numbers, two plans
on the same seed differ only in what their decisions cause, so their outcomes can be compared
day by day and the best plan found by a search over `evaluate`. `campaign_profit` scores one
member campaign of a plan: the plan's profit less that of the same plan without it.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from storeops.errors import StoreOpsError
from storeops.sim.campaigns import own_campaigns
from storeops.sim.finance import profit_and_loss
from storeops.sim.params import DEFAULT_SEED
from storeops.sim.policy import Policy, simulate
from storeops.sim.schema import isin
from storeops.sim.store import Store

STORE_START = date(2025, 1, 1)
STORE_DAYS = 365


@dataclass(frozen=True)
class Outcome:
    """The result of a plan over a window.

    `daily` is the daily P&L of the window (rows of the `finance` table); `kpis` the window's
    totals and rates; `stockouts` per SKU the days it was out of stock in the window and the
    units it could not sell; `store` the whole simulated store when asked for.
    """

    seed: int
    start: date
    days: int
    daily: pd.DataFrame
    kpis: dict[str, float]
    stockouts: pd.DataFrame
    store: Store | None = field(default=None, repr=False)

    @property
    def profit(self) -> float:
        """Net profit of the window (after staff and fixed costs)."""
        return self.kpis["net_profit"]


def window(start, days, store_start: date = STORE_START, store_days: int = STORE_DAYS):
    """Validated (first day index, first date, days) of a window inside the store's dates."""
    last = store_start + timedelta(days=store_days - 1)
    if start is None:
        first = store_start
    else:
        try:
            first = date.fromisoformat(start) if isinstance(start, str) else start
        except ValueError:
            first = None
        if not isinstance(first, date):
            raise StoreOpsError(f"start must be a date like 2025-06-01, got {start!r}")
        if not store_start <= first <= last:
            raise StoreOpsError(
                f"start {first.isoformat()!r} is outside the store's dates {store_start} to {last}"
            )
    offset = (first - store_start).days
    if days is None:
        days = store_days - offset
    if not isinstance(days, numbers.Integral) or isinstance(days, bool) or days < 1:
        raise StoreOpsError(f"days must be a whole number of at least 1, got {days!r}")
    if offset + days > store_days:
        end = first + timedelta(days=int(days) - 1)
        raise StoreOpsError(
            f"days {days!r} from {first} ends on {end}, after the store's last date {last}"
        )
    return offset, first, int(days)


def window_finance(finance: pd.DataFrame, first: date, days: int) -> pd.DataFrame:
    """The finance table's rows of the `days` days from `first` (a window from `window`)."""
    lo, hi = pd.Timestamp(first), pd.Timestamp(first + timedelta(days=days))
    return finance[(finance["date"] >= lo) & (finance["date"] < hi)].reset_index(drop=True)


def evaluate(
    seed: int = DEFAULT_SEED,
    policy: Policy | None = None,
    start: str | date | None = None,
    days: int | None = None,
    *,
    tables: bool = False,
) -> Outcome:
    """Run the store under `policy` and return the outcome over `days` days from `start`.

    The window must lie inside the store's dates (2025-01-01 to 2025-12-31); by default it is
    the whole year. Everything is checked before anything runs: a bad window or a bad policy
    gives one StoreOpsError naming the field and the value. Without `tables`, only what the
    outcome is read from is built (no customers, no truth beyond the stock-outs): the same
    outcome, sooner.
    """
    offset, first, days = window(start, days)
    # a lean run stops drawing customers where the window ends: nothing after it counts
    store = simulate(seed, policy, lean=not tables, until=None if tables else offset + days)
    lo, hi = pd.Timestamp(first), pd.Timestamp(first + timedelta(days=days))
    daily = window_finance(store.tables["finance"], first, days)
    return Outcome(
        seed=int(seed),
        start=first,
        days=days,
        daily=daily,
        kpis=_kpis(store, daily, lo, hi),
        stockouts=_stockouts(store, lo, hi, offset, days),
        store=store if tables else None,
    )


def _kpis(store: Store, daily: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> dict:
    """Window totals: the P&L with its margins, traffic, conversion and stock-outs."""
    out = {k: float(v) for k, v in profit_and_loss(daily).items()}
    traffic = store.traffic[(store.traffic["date"] >= lo) & (store.traffic["date"] < hi)]
    sessions = float(traffic["sessions"].sum())
    orders = store.orders
    placed = orders[(orders["order_time"] >= lo) & (orders["order_time"] < hi)]
    paid = float((placed["status"] != "cancelled").sum())
    out.update(
        sessions=sessions,
        paid_orders=paid,
        conversion_rate=paid / sessions if sessions else float("nan"),
        average_order_value=float(placed.loc[placed["status"] != "cancelled", "revenue"].mean())
        if paid
        else float("nan"),
    )
    inv = store.inventory
    inv = inv[(inv["date"] >= lo) & (inv["date"] < hi)]
    out["stockout_sku_days"] = float(inv["stockout"].sum())
    out.update(_campaign_kpis(store, placed, lo, hi))
    return out


def _campaign_kpis(store: Store, placed: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp):
    """Member campaigns of the window: messages sent on its days and their cost (in
    `ad_spend`), and the coupons redeemed on its orders and their value (in `discounts`)."""
    c = store.tables["campaigns"]
    c = c[(c["send_date"] >= lo) & (c["send_date"] < hi)]
    sends = store.tables["campaign_sends"].dropna(subset=["redeemed_order_id"])
    used = sends[isin(sends["redeemed_order_id"], placed["order_id"])]
    amount = store.tables["campaigns"].set_index("campaign_id")["coupon_amount"]
    return dict(
        campaign_messages=float(c["sent"].sum()),
        campaign_message_cost=float(c["message_cost"].sum()),
        campaign_coupons_redeemed=float(len(used)),
        campaign_coupon_discount=float(amount.reindex(used["campaign_id"]).sum()),
    )


def campaign_profit(
    seed: int = DEFAULT_SEED,
    policy: Policy | None = None,
    name: str = "",
    start: str | date | None = None,
    days: int | None = None,
) -> float:
    """The incremental profit of the campaign `name` of `policy` over the window: the plan's
    net profit less that of the same plan without the campaign (common random numbers: the
    difference is what the campaign caused, its messages, coupons and extra orders)."""
    policy = Policy() if policy is None else policy
    if not isinstance(policy, Policy):
        raise StoreOpsError(f"policy must be a Policy, got {type(policy).__name__}")
    plan = policy.campaigns
    if plan is None:
        plan = tuple(own_campaigns(STORE_START, STORE_DAYS))
    names = [getattr(c, "name", None) for c in plan]
    if name not in names:
        raise StoreOpsError(
            f"name is not a campaign of the plan: {name!r}; campaigns: {', '.join(map(str, names))}"
        )
    window(start, days)
    with_it = evaluate(seed, replace(policy, campaigns=tuple(plan)), start, days)
    without = tuple(c for c in plan if c.name != name)
    return with_it.profit - evaluate(seed, replace(policy, campaigns=without), start, days).profit


def _stockouts(store: Store, lo, hi, offset: int, days: int) -> pd.DataFrame:
    """Per SKU out of stock at least once in the window: days out and units it could not sell."""
    inv = store.inventory
    inv = inv[(inv["date"] >= lo) & (inv["date"] < hi) & inv["stockout"]]
    out_days = inv.groupby("sku", observed=True).size().rename("days_out_of_stock")
    lost = store.truth["inventory"]["lost_units_by_sku_and_day"]
    frame = out_days.to_frame()
    frame["lost_units"] = [
        sum(units for day, units in lost.get(sku, ()) if offset <= day < offset + days)
        for sku in frame.index
    ]
    return frame.sort_values("days_out_of_stock", ascending=False).reset_index()
