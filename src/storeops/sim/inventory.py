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


@dataclass
class ReorderSettings:
    """Per-SKU lead time and the planner's reorder settings."""

    lead: np.ndarray  # supplier lead time (days)
    safety: np.ndarray  # reorder point = forecast x lead time x safety factor
    cover: np.ndarray  # order up to forecast x (lead + cover days)
    moq: np.ndarray  # minimum order quantity

    def truth(self) -> dict:
        """The settings as published in the truth."""
        return dict(
            lead_time_days=self.lead.tolist(),
            safety_factor=np.round(self.safety, 3).tolist(),
            cover_days=np.round(self.cover, 1).tolist(),
            min_order_qty=self.moq.astype(int).tolist(),
            forecast="exponential smoothing of units sold (alpha 0.1), censored by stock-outs",
        )


def _reorder_settings(
    rng: np.random.Generator, n: int, rule: dict[int, tuple[float, float, float]] | None
) -> ReorderSettings:
    """The drawn settings, with the SKUs in `rule` replaced (lead times stay the supplier's)."""
    drawn = draw_reorder_rule(rng, n)
    settings = ReorderSettings(
        drawn["lead"], drawn["safety_factor"], drawn["cover_days"], drawn["min_order_qty"]
    )
    for sku, (safety_factor, cover_days, min_order_qty) in (rule or {}).items():
        settings.safety[sku] = safety_factor
        settings.cover[sku] = cover_days
        settings.moq[sku] = min_order_qty
    return settings


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
    settings = _reorder_settings(rng, n, rule)
    cover, moq = settings.cover, settings.moq
    arrivals = np.zeros((days + 40, n))
    on_order = np.zeros(n)
    forecast = expected[0].copy()
    stock = np.where(launched[0], np.round(forecast * cover + 0.5 * moq), 0.0)
    avail = np.zeros((days, n))
    sold = np.zeros((days, n))
    stock_end = np.zeros((days, n))
    receipts = np.zeros((days, n))
    blocked = np.zeros(n, dtype=bool)
    prev_launched = launched[0].copy()
    started = None
    for day in range(days):
        newly = launched[day] & ~prev_launched
        if newly.any():
            forecast[newly] = expected[day, newly]
            stock[newly] = np.round(forecast[newly] * cover[newly] + moq[newly])
        prev_launched = launched[day]
        # the incident: the first day from incident_start with stock on hand, it is written off
        if (
            incident_sku is not None
            and started is None
            and day >= incident_start
            and stock[incident_sku] > 0
        ):
            started = day
            stock[incident_sku] = 0.0
            arrivals[day : day + incident_len, incident_sku] = 0.0
            on_order[incident_sku] = 0.0
            blocked[incident_sku] = True
        if started is not None and day == started + incident_len:
            blocked[incident_sku] = False
            stock[incident_sku] += np.round(
                forecast[incident_sku] * cover[incident_sku] + moq[incident_sku]
            )
            receipts[day, incident_sku] += stock[incident_sku]
        received = arrivals[day]
        stock = stock + received
        receipts[day] += received
        on_order -= received
        avail[day] = stock
        served = np.minimum(demand[day], stock)
        sold[day] = served
        stock = stock - served
        stock_end[day] = stock
        # forecast lags and is censored by stock-outs (careless)
        forecast = 0.9 * forecast + 0.1 * served
        eligible = launched[day] & ~blocked
        _reorder(day, forecast, stock + on_order, expected, settings, eligible, arrivals, on_order)
    stockout = launched & ((stock_end <= 0) | (sold < demand))
    incident = None
    if started is not None:
        incident = dict(
            sku_index=int(incident_sku),
            start_day=int(started),
            end_day=int(min(started + incident_len - 1, days - 1)),
        )
    return InventoryResult(avail, sold, stock_end, receipts, stockout, settings.truth(), incident)


def _reorder(
    day: int,
    forecast: np.ndarray,
    position: np.ndarray,
    expected: np.ndarray,
    settings: ReorderSettings,
    eligible: np.ndarray,
    arrivals: np.ndarray,
    on_order: np.ndarray,
) -> None:
    """Order up to forecast x (lead + cover) for SKUs at or below their reorder point."""
    lead = settings.lead
    days, n = expected.shape
    # the planner knows the promotion calendar (expected demand at arrival), not festival spikes
    forecast_at_arrival = np.maximum(
        forecast, expected[np.minimum(day + lead, days - 1), np.arange(n)]
    )
    reorder_point = forecast_at_arrival * lead * settings.safety
    need = eligible & (position <= reorder_point)
    if need.any():
        qty = np.maximum(
            np.round(forecast[need] * (lead[need] + settings.cover[need]) - position[need]),
            settings.moq[need],
        )
        idx = np.flatnonzero(need)
        arrivals[day + lead[idx], idx] += qty
        on_order[idx] += qty
