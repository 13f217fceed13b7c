"""Suppliers and purchase orders: who supplies each SKU, how long an order takes to arrive.

A handful of suppliers each quote a lead time (6-24 days) and miss it by a random amount
(their lead-time variability). Each category buys from two suppliers, most of its SKUs from the
first. Every reorder of the inventory simulation becomes one purchase order that arrives whole,
on one day (orders arrive in batches). Lead times count working days (`calendar.Logistics`):
suppliers do not ship during the Chinese New Year stop, so an order that spans it takes that
much longer, and the promise already says so.

Common random numbers: the k-th purchase order of a SKU takes the k-th uniform of the SKU's own
stream, so a changed reorder decision for one SKU moves no other SKU's lead times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

from storeops.sim.calendar import Logistics
from storeops.sim.params import CATEGORIES
from storeops.sim.rng import stream

N_SUPPLIERS = 6
QUOTED_LEAD = (6, 24)  # quoted lead times (days), spread over the suppliers
LEAD_SD = (1.0, 3.5)  # variability: sd of actual - quoted lead time (days), per supplier
PRIMARY_SHARE = 0.7  # share of a category's SKUs bought from its first supplier
DEMAND_CV = 0.3  # assumed variability of demand over a lead time (target service level)


@dataclass(frozen=True)
class Suppliers:
    """The store's suppliers and which supplies each SKU."""

    names: tuple[str, ...]
    quoted_lead: np.ndarray  # per supplier: promised lead time in working days
    lead_sd: np.ndarray  # per supplier: sd of actual - quoted lead time (working days)
    of_sku: np.ndarray  # supplier index per SKU

    @property
    def lead_cv(self) -> np.ndarray:
        """Coefficient of variation of each supplier's lead time."""
        return self.lead_sd / self.quoted_lead

    def truth(self, skus: np.ndarray) -> dict:
        cats = list(CATEGORIES)
        return dict(
            lead_time="actual = quoted + lead_sd x z rounded, z standard normal, at least 1 day; "
            "both count working days (no shipping in the Chinese New Year logistics stop)",
            suppliers={
                name: dict(
                    quoted_lead_days=int(self.quoted_lead[s]),
                    lead_sd_days=round(float(self.lead_sd[s]), 2),
                    skus=int((self.of_sku == s).sum()),
                )
                for s, name in enumerate(self.names)
            },
            supplier_by_sku=dict(zip(skus, (self.names[s] for s in self.of_sku), strict=True)),
            suppliers_by_category={
                c: sorted({self.names[s] for s in self.of_sku[sku_categories() == i]})
                for i, c in enumerate(cats)
            },
        )


def sku_categories() -> np.ndarray:
    """Category index per SKU index (the catalogue lists SKUs category by category)."""
    return np.repeat(np.arange(len(CATEGORIES)), [int(c["n_skus"]) for c in CATEGORIES.values()])


def draw_suppliers(seed: int) -> Suppliers:
    """The suppliers of store `seed`: quoted lead times, variability, and the SKUs they supply."""
    rng = stream(seed, "suppliers")
    k = N_SUPPLIERS
    lo, hi = QUOTED_LEAD
    # one supplier in each k-th of the range, in random order
    quoted = np.round(lo + (hi - lo) * (rng.permutation(k) + rng.random(k)) / k).astype(np.int64)
    sd = rng.uniform(*LEAD_SD, k)
    cats = sku_categories()
    # each category's first supplier: every supplier is one category's first at least
    n_cat = len(CATEGORIES)
    first = rng.permutation(np.r_[np.arange(k), rng.integers(0, k, max(n_cat - k, 0))])[:n_cat]
    second = (first + rng.integers(1, k, n_cat)) % k
    primary = rng.random(cats.size) < PRIMARY_SHARE
    of_sku = np.where(primary, first[cats], second[cats])
    names = tuple(f"S{s + 1:02d}" for s in range(k))
    return Suppliers(names, quoted, sd, of_sku)


def safety_for_service_level(level: float, lead_cv: float) -> float:
    """Safety factor of the reorder rule that gives a cycle service level of about `level`.

    The reorder point is forecast x lead time x safety factor. With lead-time demand roughly
    normal with a coefficient of variation CV = sqrt(lead_cv^2 + DEMAND_CV^2) (the supplier's
    lead-time variability and the demand's), a stock-out before the order arrives has
    probability 1 - level when the reorder point is the mean plus z(level) standard deviations:
    safety factor = 1 + z(level) x CV (at least 0).
    """
    cv = float(np.hypot(lead_cv, DEMAND_CV))
    return max(0.0, 1.0 + float(ndtri(level)) * cv)


def keyed_leads(seed: int, suppliers: Suppliers, max_orders: int) -> np.ndarray:
    """Actual lead times [sku, k] in working days of each SKU's k-th purchase order."""
    n = suppliers.of_sku.size
    u = np.empty((n, max_orders))
    for j in range(n):
        u[j] = stream(seed, "purchase_orders", j).random(max_orders)
    s = suppliers.of_sku
    quoted = suppliers.quoted_lead[s][:, None]
    lead = np.round(quoted + suppliers.lead_sd[s][:, None] * ndtri(u))
    return np.maximum(lead, 1).astype(np.int64)


@dataclass
class Supply:
    """What the inventory simulation needs to place purchase orders."""

    suppliers: Suppliers
    leads: np.ndarray  # [sku, k] actual lead of the k-th order (working days)
    logistics: Logistics

    @classmethod
    def build(cls, seed: int, days: int, logistics: Logistics) -> Supply:
        suppliers = draw_suppliers(seed)
        return cls(suppliers, keyed_leads(seed, suppliers, days), logistics)

    def promised(self, day: int) -> np.ndarray:
        """Promised arrival day of an order placed on `day`, per SKU."""
        return self.logistics.after(day, self.suppliers.quoted_lead[self.suppliers.of_sku])


@dataclass
class PurchaseOrders:
    """Every purchase order of the run, in order of placing (day, then SKU)."""

    day: np.ndarray
    sku: np.ndarray
    quantity: np.ndarray
    promised: np.ndarray  # day index of the promised arrival
    arrival: np.ndarray  # day index of the actual arrival (may be after the run)


class OrderBook:
    """Purchase orders collected day by day (one array per day), joined once at the end."""

    def __init__(self):
        self._parts: list[tuple[np.ndarray, ...]] = []

    def add(self, day: int, sku, qty, promised, arrival) -> None:
        sku = np.atleast_1d(sku)
        self._parts.append(
            (
                np.full(sku.size, day, dtype=np.int64),
                sku.astype(np.int64),
                np.atleast_1d(qty).astype(np.int64),
                np.atleast_1d(promised).astype(np.int64),
                np.atleast_1d(arrival).astype(np.int64),
            )
        )

    def close(self) -> PurchaseOrders:
        if not self._parts:
            return PurchaseOrders(*(np.zeros(0, dtype=np.int64) for _ in range(5)))
        cols = [np.concatenate(c) for c in zip(*self._parts, strict=True)]
        order = np.lexsort((cols[1], cols[0]))
        return PurchaseOrders(*(c[order] for c in cols))


def purchase_order_table(supply: Supply, orders: PurchaseOrders, market, days: int) -> pd.DataFrame:
    """One row per purchase order; an order that had not arrived by the end has no arrival."""
    t0 = np.datetime64(market.t0, "ns")
    products = market.products.table
    n = orders.day.size
    number = (np.arange(n) + 1).astype(str)
    # numpy's zfill cannot size an empty array: a store too short for any purchase order
    po_ids = np.char.add("PO", np.char.zfill(number, max(6, len(str(n))))) if n else number
    arrived = orders.arrival < days

    def when(day: np.ndarray) -> np.ndarray:
        return t0 + day.astype("timedelta64[D]").astype("timedelta64[ns]")

    return pd.DataFrame(
        {
            "po_id": pd.array(po_ids, dtype="str"),
            "order_date": when(orders.day),
            "sku": pd.array(products["sku"].to_numpy(dtype=object)[orders.sku], dtype="str"),
            "supplier": pd.array(
                np.asarray(supply.suppliers.names, dtype=object)[
                    supply.suppliers.of_sku[orders.sku]
                ],
                dtype="str",
            ),
            "quantity": orders.quantity,
            "promised_arrival": when(orders.promised),
            "actual_arrival": np.where(arrived, when(orders.arrival), np.datetime64("NaT", "ns")),
            "unit_cost": products["unit_cost"].to_numpy(dtype=float)[orders.sku],
        }
    )


def supply_truth(
    supply: Supply, orders: PurchaseOrders, t0: pd.Timestamp, days: int, skus: np.ndarray
) -> dict:
    """Suppliers, lead times and the logistics calendar behind the purchase orders."""
    stop = supply.logistics.stop[:days]
    edges = np.flatnonzero(np.diff(np.r_[0, stop.astype(np.int8), 0]))
    stops = [
        dict(
            start=str((t0 + pd.Timedelta(days=int(a))).date()),
            end=str((t0 + pd.Timedelta(days=int(b) - 1)).date()),
            days=int(b - a),
        )
        for a, b in zip(edges[0::2], edges[1::2], strict=True)
    ]
    return dict(
        **supply.suppliers.truth(skus),
        logistics=dict(
            chinese_new_year_stops=stops,
            rule="couriers and suppliers count working days: nothing ships or is delivered in a "
            "stop, so whatever spans it takes the stop's length longer",
            national_day_extra_courier_days=float(supply.logistics.slowdown.max(initial=0.0)),
        ),
        purchase_orders=int(orders.day.size),
        late_share=round(float((orders.arrival > orders.promised).mean()), 4)
        if orders.day.size
        else 0.0,
    )
