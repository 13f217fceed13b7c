"""The store's money: a daily profit-and-loss (`finance` table) computed from the other tables.

Accounting conventions (the data dictionary repeats them column by column):

- **Sales are completed orders**, booked on the day the order was placed, or for a festival
  pre-sale order on the day its balance was paid (``orders.balance_date``).  A cancelled order
  was not shipped, so it brings no sales and no cost at all; a pre-sale order cancelled because
  its balance was never paid leaves its deposit to the store (``forfeited_deposits``, booked on
  the day the balance was due).
- ``gross_sales`` is quantity x unit_price of the lines (the promotion price is already in
  ``unit_price``); ``discounts`` is the store coupon (``orders.discount``); so
  ``gross_sales - discounts`` is ``orders.revenue``, the amount paid.
- **Returns are booked on ``return_date``**: ``refunds`` is ``returns.refund`` and
  ``net_sales = gross_sales - discounts - refunds + forfeited_deposits``.  Every margin is a
  share of net sales.
- ``cogs`` is the cost (``products.unit_cost``) of the units shipped in completed orders on
  the order day, less the cost of the units returned on the return day: the cost of the goods
  the customers kept.  A returned unit is restocked unless its reason is in
  ``Costs.written_off_reasons`` (by default ``defective``): then its cost is lost and booked
  in ``write_offs``.
- ``write_downs`` is the loss on stock sent to an outlet at a season end
  (``inventory.written_down``, see ``storeops.sim.products.season_ends``): its cost less what
  the outlet pays, ``Costs.outlet_salvage_share`` of the cost. Written-down stock leaves the
  end-of-day stock, so it costs no more holding.
- Platform ``commission`` is the category's rate on the amount paid for each line (the coupon
  shared over the order's lines by value), credited back on refunds; ``payment_fees`` is a
  rate on the amount paid and is not refunded.
- ``shipping`` is one parcel per completed order on the order day; ``returns_handling`` is
  one parcel per order with returns registered that day (its return shipping and inspection).
- ``ad_spend`` is ``traffic.spend`` (ads bought and messages sent) plus the member
  campaigns' messages (``campaigns.message_cost``, on the send date); ``holding`` is the yearly
  holding rate / 365 on the end-of-day stock at cost (``inventory.stock_on_hand`` x
  ``unit_cost``); ``staff`` is a daily payroll plus each service agent-hour's wage
  (``service_staffing.agents``), both store-wide entries (no SKU);
  ``fixed`` is a daily fixed cost (rent, software, shop fees).
- ``gross_profit = net_sales - cogs``; ``contribution = gross_profit - commission -
  payment_fees - shipping - returns_handling - write_offs - write_downs - ad_spend -
  holding``;
  ``net_profit = contribution - staff - fixed``.

Every money column is rounded to the cent per day, and the three profit lines are computed
from the rounded columns, so each row adds up exactly.

Both the daily table and each SKU's share of it (`sku_contribution`) come from one ledger of
(day, SKU, amount) entries, so they follow the same rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from storeops.errors import StoreOpsError
from storeops.sim.params import CATEGORIES
from storeops.sim.schema import SCHEMA

DAYS_PER_YEAR = 365

# costs subtracted from gross profit to give the contribution, and from it to give net profit
VARIABLE_COSTS = (
    "commission",
    "payment_fees",
    "shipping",
    "returns_handling",
    "write_offs",
    "write_downs",
    "ad_spend",
    "holding",
)
OVERHEADS = ("staff", "fixed")
MONEY = (
    "gross_sales",
    "discounts",
    "refunds",
    "forfeited_deposits",
    "net_sales",
    "cogs",
    *VARIABLE_COSTS,
    *OVERHEADS,
    "gross_profit",
    "contribution",
    "net_profit",
)
COLUMNS = ("date", "orders", *MONEY)
RETURN_REASONS = next(c.allowed for c in SCHEMA["returns"].columns if c.name == "reason")


@dataclass(frozen=True)
class Costs:
    """What the store pays besides its goods; all money in CNY at scale 1 (see `scaled`).

    Sources: Tmall category technical service fees 2-5 % of the amount paid; Alipay payment
    fee about 0.6 %; bulk courier rates in China 4-6 yuan a parcel; holding cost 15-30 % of
    stock value a year (STYLIZED_FACTS.md F16, F21).  Staff and fixed costs are the store's
    own choice, set so that net margin is 0-12 % of net sales (F16).
    """

    # platform commission, a share of the amount paid, by product category (Tmall 2-5 %)
    commission: dict[str, float] = field(
        default_factory=lambda: dict(
            apparel=0.05,
            beauty=0.04,
            home=0.04,
            electronics=0.02,
            food=0.02,
            baby=0.03,
            sports=0.04,
            books=0.02,
        ),
        hash=False,
    )
    payment_fee: float = 0.006  # share of the amount paid (Alipay, about 0.6 %); not refunded
    shipping_per_parcel: float = 5.0  # CNY per completed order (bulk courier rate 4-6 yuan)
    return_handling_per_parcel: float = 10.0  # CNY per returned parcel: return postage, checks
    written_off_reasons: tuple[str, ...] = ("defective",)  # returns not restocked, cost lost
    holding_rate: float = 0.20  # share of stock value at cost a year (F21: 15-30 %)
    # an outlet buys season-end leftovers at this share of their cost (off-price buyers pay
    # well under cost for last season's goods)
    outlet_salvage_share: float = 0.30
    # CNY a day: payroll of the operations staff, service agents apart (scale 1); with the
    # agents' wages the default store earns a net margin of a few per cent (F16)
    staff_per_day: float = 1800.0
    wage_per_agent_hour: float = 30.0  # CNY per service agent on duty for an hour
    fixed_per_day: float = (
        3000.0  # CNY a day: rent, warehouse, software, annual shop fees (scale 1)
    )

    def __post_init__(self):
        if not isinstance(self.commission, dict | MappingProxyType):
            raise StoreOpsError(
                f"Costs.commission must be a dict of category to rate, got {self.commission!r}"
            )
        for cat, rate in self.commission.items():
            if cat not in CATEGORIES:
                raise StoreOpsError(
                    f"Costs.commission: unknown category {cat!r}; categories: {', '.join(CATEGORIES)}"
                )
            _check_rate(f"commission[{cat!r}]", rate)
        missing = [c for c in CATEGORIES if c not in self.commission]
        if missing:
            raise StoreOpsError(f"Costs.commission: no rate for category {missing[0]!r}")
        _check_rate("payment_fee", self.payment_fee)
        _check_rate("holding_rate", self.holding_rate)
        _check_rate("outlet_salvage_share", self.outlet_salvage_share)
        for name in (
            "shipping_per_parcel",
            "return_handling_per_parcel",
            "staff_per_day",
            "wage_per_agent_hour",
            "fixed_per_day",
        ):
            _check_amount(name, getattr(self, name))
        if isinstance(self.written_off_reasons, str) or not isinstance(
            self.written_off_reasons, tuple | list
        ):
            raise StoreOpsError(
                f"Costs.written_off_reasons must be a tuple of return reasons, got {self.written_off_reasons!r}"
            )
        for reason in self.written_off_reasons:
            if reason not in RETURN_REASONS:
                raise StoreOpsError(
                    f"Costs.written_off_reasons: unknown return reason {reason!r}; reasons: {', '.join(RETURN_REASONS)}"
                )

    def scaled(self, scale: float) -> Costs:
        """The same costs for a store `scale` times the default size (daily payroll and fixed costs grow with it)."""
        return replace(
            self, staff_per_day=self.staff_per_day * scale, fixed_per_day=self.fixed_per_day * scale
        )

    def as_dict(self) -> dict:
        """Plain (JSON-ready) copy of the costs."""
        d = asdict(self)
        d["commission"] = dict(self.commission)
        d["written_off_reasons"] = list(self.written_off_reasons)
        return d


def _is_number(x) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


def _check_rate(name: str, value) -> None:
    if not _is_number(value) or not math.isfinite(value) or not 0 <= value < 1:
        raise StoreOpsError(f"Costs.{name} must be a share between 0 and 1, got {value!r}")


def _check_amount(name: str, value) -> None:
    if not _is_number(value) or not math.isfinite(value) or value < 0:
        raise StoreOpsError(f"Costs.{name} must be an amount >= 0 (CNY), got {value!r}")


DEFAULT_COSTS = Costs()


def _day_index(values, start: np.datetime64, days: int) -> np.ndarray:
    """Day number (0 = first day of the period) of timestamps; -1 outside the period."""
    d = (np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]") - start).astype(
        np.int64
    )
    return np.where((d >= 0) & (d < days), d, -1)


def _positions_by_number(values: pa.Array, keys: pa.Array) -> np.ndarray | None:
    """Fast path for ids made of a one-letter prefix and digits (O0000001): look the number up
    and check that the ids found are the same strings; None if that does not hold."""
    try:
        num_k = pc.cast(pc.utf8_slice_codeunits(keys, 1), pa.int64()).to_numpy()
        num_v = pc.cast(pc.utf8_slice_codeunits(values, 1), pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if not num_k.size or num_k.min() < 0 or num_k.max() > 4 * num_k.size + 1_000_000:
        return None
    lookup = np.full(int(num_k.max()) + 1, -1, dtype=np.int64)
    lookup[num_k] = np.arange(num_k.size)
    ok = (num_v >= 0) & (num_v < lookup.size)
    pos = np.where(ok, lookup[np.where(ok, num_v, 0)], -1)
    if (pos < 0).any() or not pc.all(pc.equal(values, keys.take(pa.array(pos)))).as_py():
        return None
    return pos


def _positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Row number in `keys` (unique ids) of each value; raise if one is missing."""
    name = values.name
    values, keys = pa.array(values), pa.array(keys)
    pos = _positions_by_number(values, keys)
    if pos is None:
        found = pc.index_in(values, value_set=keys)
        pos = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    if (pos < 0).any():
        raise StoreOpsError(f"{name} {values[int(np.argmax(pos < 0))].as_py()!r} not found")
    return pos


def _per_day(day: np.ndarray, weights: np.ndarray | None, days: int) -> np.ndarray:
    """Sum of `weights` (or a count) by day number, ignoring days outside the period (-1)."""
    # day -1 counts in a first bin that is dropped: no copy of the rows inside the period
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    return np.bincount(day + 1, weights=w, minlength=days + 1)[1 : days + 1].astype(np.float64)


Entry = tuple[np.ndarray, np.ndarray, np.ndarray]  # day index, SKU index (-1: none), amount


@dataclass(frozen=True)
class RowKeys:
    """Row numbers that tie the tables together: for each order line its order's and its
    SKU's row, for each return its order's and its SKU's row, for each inventory row its
    SKU's row.

    A run knows them as integers (`run_store` passes them); otherwise `row_keys` looks every id
    up, which for a large store means slicing and parsing tens of millions of id strings.
    """

    line_order: np.ndarray
    line_sku: np.ndarray
    return_order: np.ndarray
    return_sku: np.ndarray
    inventory_sku: np.ndarray


def row_keys(tables: dict[str, pd.DataFrame]) -> RowKeys:
    """The `RowKeys` of `tables`, found by their ids; raise if an id is not found."""
    orders, skus = tables["orders"]["order_id"], tables["products"]["sku"]
    lines, returns = tables["order_lines"], tables["returns"]
    return RowKeys(
        _positions(lines["order_id"], orders),
        _positions(lines["sku"], skus),
        _positions(returns["order_id"], orders),
        _positions(returns["sku"], skus),
        _positions(tables["inventory"]["sku"], skus),
    )


def _returns(
    tables: dict[str, pd.DataFrame],
    keys: RowKeys,
    unit_cost: np.ndarray,
    costs: Costs,
    start: np.datetime64,
    days: int,
) -> tuple[np.ndarray, ...]:
    """Per return row: day, SKU, refund, cost of the units back, written off or not, and its
    share of its parcel's handling (one parcel per order and return day)."""
    r = tables["returns"]
    rday = _day_index(r["return_date"], start, days)
    rsku = keys.return_sku
    refund = r["refund"].to_numpy(dtype=np.float64)
    back = r["quantity"].to_numpy(dtype=np.float64) * unit_cost[rsku]
    off = r["reason"].isin(costs.written_off_reasons).to_numpy(dtype=bool)
    parcel = keys.return_order.astype(np.int64) * (days + 1) + rday
    _, which, rows = np.unique(parcel, return_inverse=True, return_counts=True)
    return rday, rsku, refund, back, off, costs.return_handling_per_parcel / rows[which]


def _line_shares(
    tables: dict[str, pd.DataFrame], keys: RowKeys, start: np.datetime64, days: int
) -> tuple[np.ndarray, ...]:
    """Per order line: the day it is booked on (-1: not a sale), the day its order's deposit
    was forfeited (-1: none), quantity, gross value, its share of its order (by value) and the
    amount paid for it (gross less its share of the coupon)."""
    o = tables["orders"]
    completed = (o["status"] == "completed").to_numpy(dtype=bool)
    # sales are booked on the order day, a pre-sale order's on the day its balance was paid
    booked = o["order_time"].where(o["balance_date"].isna(), o["balance_date"])
    order_day = np.where(completed, _day_index(booked, start, days), -1)
    forfeit_day = np.where(completed, -1, _day_index(o["balance_date"], start, days))
    ol, pos = tables["order_lines"], keys.line_order
    qty = ol["quantity"].to_numpy(dtype=np.float64)
    gross = qty * ol["unit_price"].to_numpy(dtype=np.float64)
    order_gross = np.bincount(pos, weights=gross, minlength=len(o))[pos]
    n_lines = np.bincount(pos, minlength=len(o))[pos]
    share = np.divide(gross, order_gross, out=1.0 / np.maximum(n_lines, 1), where=order_gross > 0)
    del order_gross, n_lines
    paid = gross - o["discount"].to_numpy(dtype=np.float64)[pos] * share
    return order_day, order_day[pos], forfeit_day[pos], qty, gross, share, paid


# the tables `_ledger` reads: what one SKU's money (`sku_contribution`) needs of a run
LEDGER_TABLES = (
    "calendar",
    "products",
    "orders",
    "order_lines",
    "returns",
    "inventory",
    "traffic",
    "service_staffing",
    "campaigns",
)


def _ledger(
    tables: dict[str, pd.DataFrame],
    costs: Costs,
    start: np.datetime64,
    days: int,
    keys: RowKeys | None = None,
) -> tuple[dict[str, Callable[[], list[Entry]]], np.ndarray]:
    """Every money column as entries (day, SKU, amount), and the completed orders' days.

    Each column's entries are made when asked for, so that only one column's amounts are in
    memory at a time (a large store's lines are hundreds of MB per array).

    Costs of an order are shared over its lines by value (the coupon, shipping), the
    handling of a returned parcel equally over its returned lines; a day outside the period
    is -1.
    """
    if not isinstance(costs, Costs):
        raise StoreOpsError(f"costs must be a storeops.sim.finance.Costs, got {costs!r}")
    keys = row_keys(tables) if keys is None else keys
    products = tables["products"]
    unit_cost = products["unit_cost"].to_numpy(dtype=np.float64)
    rate = _commission_by_sku(products["category"].to_numpy(), costs)
    order_day, day, forfeit_day, qty, gross, share, paid = _line_shares(tables, keys, start, days)
    sku = keys.line_sku
    deposit = tables["orders"]["deposit"].to_numpy(dtype=np.float64)
    rday, rsku, refund, back, off, handled = _returns(tables, keys, unit_cost, costs, start, days)

    inv, isku = tables["inventory"], keys.inventory_sku
    iday = _day_index(inv["date"], start, days)
    value = inv["stock_on_hand"].to_numpy(dtype=np.float64) * unit_cost[isku]
    down = inv["written_down"].to_numpy(dtype=np.float64) * unit_cost[isku]
    t = tables["traffic"]
    roster = tables["service_staffing"]  # agents on duty by day and hour
    agent_hours = _per_day(_day_index(roster["date"], start, days), roster["agents"], days)
    none = np.full(days, -1)
    every = np.arange(days)
    ledger = dict(
        gross_sales=lambda: [(day, sku, gross)],
        discounts=lambda: [(day, sku, gross - paid)],
        refunds=lambda: [(rday, rsku, refund)],
        forfeited_deposits=lambda: [
            (forfeit_day, sku, np.nan_to_num(deposit[keys.line_order]) * share)
        ],
        cogs=lambda: [(day, sku, qty * unit_cost[sku]), (rday, rsku, -back)],
        commission=lambda: [(day, sku, paid * rate[sku]), (rday, rsku, -refund * rate[rsku])],
        payment_fees=lambda: [(day, sku, costs.payment_fee * paid)],
        shipping=lambda: [(day, sku, costs.shipping_per_parcel * share)],
        returns_handling=lambda: [(rday, rsku, handled)],
        write_offs=lambda: [(rday[off], rsku[off], back[off])],
        write_downs=lambda: [(iday, isku, (1 - costs.outlet_salvage_share) * down)],
        ad_spend=lambda: [
            (
                _day_index(t["date"], start, days),
                np.full(len(t), -1),
                t["spend"].to_numpy(dtype=np.float64),
            ),
            *_campaign_spend(tables, start, days),
        ],
        holding=lambda: [(iday, isku, costs.holding_rate / DAYS_PER_YEAR * value)],
        staff=lambda: [
            (every, none, np.full(days, float(costs.staff_per_day))),
            (every, none, costs.wage_per_agent_hour * agent_hours),
        ],
        fixed=lambda: [(every, none, np.full(days, float(costs.fixed_per_day)))],
    )
    return ledger, order_day


def _campaign_spend(tables: dict[str, pd.DataFrame], start: np.datetime64, days: int) -> list:
    """The campaigns' messages as ad spend on their send dates (none without the table)."""
    c = tables.get("campaigns")
    if c is None or not len(c):
        return []
    day = _day_index(c["send_date"], start, days)
    return [(day, np.full(len(c), -1), c["message_cost"].to_numpy(dtype=np.float64))]


def finance_table(
    tables: dict[str, pd.DataFrame], costs: Costs = DEFAULT_COSTS, keys: RowKeys | None = None
) -> pd.DataFrame:
    """One row per calendar day: sales, every cost and the profit lines (see the module doc).

    `keys` are the tables' `RowKeys` if the caller has them (else they are looked up)."""
    dates, start = _calendar_days(tables["calendar"])
    days = dates.size
    ledger, order_day = _ledger(tables, costs, start, days, keys)
    cols = {
        name: sum(_per_day(d, amount, days) for d, _, amount in entries())
        for name, entries in ledger.items()
    }
    n_orders = np.bincount(order_day[order_day >= 0], minlength=days)[:days]
    c = _with_profit_lines({k: np.round(v, 2) for k, v in cols.items()})
    out = pd.DataFrame({"date": dates, "orders": n_orders.astype(np.int64)})
    for k in MONEY:
        out[k] = c[k] + 0.0  # no negative zeros
    return out


def sku_contribution(
    tables: dict[str, pd.DataFrame], costs: Costs = DEFAULT_COSTS, start=None, end=None
) -> pd.DataFrame:
    """Each SKU's share of the finance table from `start` to `end` (dates, both included; None
    = open): its sales, cost of goods and variable costs, and its gross profit and
    contribution. Order costs are shared over the order's lines by value, a returned
    parcel's handling over its returned lines; ad spend, staff and fixed costs belong to no
    SKU."""
    dates, first = _calendar_days(tables["calendar"])
    days = dates.size
    lo = 0 if start is None else int((np.datetime64(start, "D") - first).astype(np.int64))
    hi = days - 1 if end is None else int((np.datetime64(end, "D") - first).astype(np.int64))
    ledger, _ = _ledger(tables, costs, first, days)
    products = tables["products"]
    n = len(products)
    out = pd.DataFrame(index=pd.Index(products["sku"].to_numpy(dtype=object), name="sku"))
    for name in (
        "gross_sales",
        "discounts",
        "refunds",
        "forfeited_deposits",
        "cogs",
        *VARIABLE_COSTS,
    ):
        total = np.zeros(n)
        for d, sku, amount in ledger[name]():
            keep = (d >= lo) & (d <= hi) & (sku >= 0)
            amount = np.broadcast_to(np.asarray(amount, dtype=np.float64), keep.shape)
            total += np.bincount(sku[keep], weights=amount[keep], minlength=n)
        out[name] = total
    c = {k: out[k].to_numpy() for k in out.columns}
    c["net_sales"] = c["gross_sales"] - c["discounts"] - c["refunds"] + c["forfeited_deposits"]
    out["net_sales"] = c["net_sales"]
    out["gross_profit"] = c["net_sales"] - c["cogs"]
    out["contribution"] = out["gross_profit"] - sum(c[k] for k in VARIABLE_COSTS)
    return out


def _calendar_days(calendar: pd.DataFrame) -> tuple[np.ndarray, np.datetime64]:
    """The calendar's dates and its first day; they must be consecutive days in order."""
    dates = calendar["date"].to_numpy(dtype="datetime64[ns]")
    start = dates[0].astype("datetime64[D]") if dates.size else np.datetime64("1970-01-01")
    if dates.size and (dates.astype("datetime64[D]") - start != np.arange(dates.size)).any():
        raise StoreOpsError("calendar dates must be consecutive days in order")
    return dates, start


def _commission_by_sku(categories: np.ndarray, costs: Costs) -> np.ndarray:
    unknown = sorted(set(categories) - set(costs.commission))
    if unknown:
        raise StoreOpsError(f"Costs.commission: no rate for category {unknown[0]!r}")
    return np.array([costs.commission[c] for c in categories], dtype=np.float64)


def _with_profit_lines(c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Add net sales and the profit lines, each from the rounded figures, so rows add up."""
    c["net_sales"] = np.round(
        c["gross_sales"] - c["discounts"] - c["refunds"] + c["forfeited_deposits"], 2
    )
    c["gross_profit"] = np.round(c["net_sales"] - c["cogs"], 2)
    c["contribution"] = np.round(c["gross_profit"] - sum(c[k] for k in VARIABLE_COSTS), 2)
    c["net_profit"] = np.round(c["contribution"] - c["staff"] - c["fixed"], 2)
    return c


def profit_and_loss(finance: pd.DataFrame, start=None, end=None) -> pd.Series:
    """Sums of the finance table's rows from `start` to `end` (dates, both included; None = open),
    and margins as shares of net sales: gross_margin, contribution_margin, net_margin."""
    dates = finance["date"]
    keep = np.ones(len(finance), dtype=bool)
    if start is not None:
        keep &= (dates >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        keep &= (dates <= pd.Timestamp(end)).to_numpy()
    rows = finance.loc[keep]
    pl = rows[["orders", *MONEY]].sum()
    pl["days"] = int(keep.sum())
    ns = pl["net_sales"]
    for name, col in (
        ("gross_margin", "gross_profit"),
        ("contribution_margin", "contribution"),
        ("net_margin", "net_profit"),
    ):
        pl[name] = pl[col] / ns if ns else np.nan
    return pl.astype(np.float64)
