"""Daily inventory with a careless reorder policy, lead times and an injected stock-out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class InventoryResult:
    """Arrays [day, sku] of the inventory simulation."""

    available: np.ndarray  # units available to sell during the day (start stock + receipts)
    sold: np.ndarray
    stock_end: np.ndarray
    receipts: np.ndarray
    stockout: np.ndarray  # bool: the SKU ran out (or was already out) that day
    policy: dict
    incident: dict | None


def draw_reorder_rule(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Supplier lead times and the careless planner's reorder settings, per SKU."""
    lead = rng.integers(3, 13, n)
    safety = rng.uniform(0.35, 1.0, n)  # careless: little safety stock for some SKUs
    cover = rng.uniform(14, 35, n)
    moq = np.maximum(np.round(rng.uniform(3, 10, n)), 1)
    return dict(lead=lead, safety_factor=safety, cover_days=cover, min_order_qty=moq)


def simulate_inventory(
    rng: np.random.Generator,
    demand: np.ndarray,
    expected: np.ndarray,
    launched: np.ndarray,
    incident_sku: int | None,
    incident_start: int | None,
    incident_len: int,
    rule: dict[int, tuple[float, float, float]] | None = None,
) -> InventoryResult:
    """Serve `demand` [day, sku] from stock; a (s, S) policy on a lagging sales forecast reorders.

    `rule` maps a SKU index to (safety factor, cover days, minimum order quantity), replacing
    the drawn settings of that SKU; lead times stay the supplier's.
    """
    days, n = demand.shape
    drawn = draw_reorder_rule(rng, n)
    lead, safety = drawn["lead"], drawn["safety_factor"]
    cover, moq = drawn["cover_days"], drawn["min_order_qty"]
    for sku, (safety_factor, cover_days, min_order_qty) in (rule or {}).items():
        safety[sku], cover[sku], moq[sku] = safety_factor, cover_days, min_order_qty
    arrivals = np.zeros((days + 40, n))
    on_order = np.zeros(n)
    fc = expected[0].copy()
    stock = np.where(launched[0], np.round(fc * cover + 0.5 * moq), 0.0)
    avail = np.zeros((days, n))
    sold = np.zeros((days, n))
    stock_end = np.zeros((days, n))
    receipts = np.zeros((days, n))
    blocked = np.zeros(n, dtype=bool)
    prev_launched = launched[0].copy()
    started = None
    for d in range(days):
        newly = launched[d] & ~prev_launched
        if newly.any():
            fc[newly] = expected[d, newly]
            stock[newly] = np.round(fc[newly] * cover[newly] + moq[newly])
        prev_launched = launched[d]
        # the incident: the first day from incident_start with stock on hand, it is written off
        if (
            incident_sku is not None
            and started is None
            and d >= incident_start
            and stock[incident_sku] > 0
        ):
            started = d
            stock[incident_sku] = 0.0
            arrivals[d : d + incident_len, incident_sku] = 0.0
            on_order[incident_sku] = 0.0
            blocked[incident_sku] = True
        if started is not None and d == started + incident_len:
            blocked[incident_sku] = False
            stock[incident_sku] += np.round(
                fc[incident_sku] * cover[incident_sku] + moq[incident_sku]
            )
            receipts[d, incident_sku] += stock[incident_sku]
        rec = arrivals[d]
        stock = stock + rec
        receipts[d] += rec
        on_order -= rec
        avail[d] = stock
        s = np.minimum(demand[d], stock)
        sold[d] = s
        stock = stock - s
        stock_end[d] = stock
        # forecast lags and is censored by stock-outs (careless)
        fc = 0.9 * fc + 0.1 * s
        position = stock + on_order
        # the planner knows the promotion calendar (expected demand at arrival), not festival spikes
        fc_eff = np.maximum(fc, expected[np.minimum(d + lead, days - 1), np.arange(n)])
        rop = fc_eff * lead * safety
        need = launched[d] & (position <= rop) & ~blocked
        if need.any():
            q = np.maximum(
                np.round(fc[need] * (lead[need] + cover[need]) - position[need]), moq[need]
            )
            idx = np.flatnonzero(need)
            arrivals[d + lead[idx], idx] += q
            on_order[idx] += q
    stockout = launched & ((stock_end <= 0) | (sold < demand))
    incident = None
    if started is not None:
        incident = dict(
            sku_index=int(incident_sku),
            start_day=int(started),
            end_day=int(min(started + incident_len - 1, days - 1)),
        )
    policy = dict(
        lead_time_days=lead.tolist(),
        safety_factor=np.round(safety, 3).tolist(),
        cover_days=np.round(cover, 1).tolist(),
        min_order_qty=moq.astype(int).tolist(),
        forecast="exponential smoothing of units sold (alpha 0.1), censored by stock-outs",
    )
    return InventoryResult(avail, sold, stock_end, receipts, stockout, policy, incident)
