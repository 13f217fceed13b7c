"""Daily inventory with a careless reorder policy, purchase orders and an injected stock-out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storeops.sim.products import SEASON_CARRY_DAYS, SeasonEnds
from storeops.sim.supply import OrderBook, PurchaseOrders, Supply

# the careless planner: little safety stock for some SKUs
SAFETY_FACTOR = (0.75, 1.2)
COVER_DAYS = (7, 28)
MIN_ORDER_QTY = (3, 10)


@dataclass
class InventoryResult:
    """Arrays [day, sku] of the inventory simulation, and the purchase orders it placed."""

    available: np.ndarray  # units available to sell during the day (start stock + receipts)
    sold: np.ndarray
    stock_end: np.ndarray
    receipts: np.ndarray  # units of purchase orders that arrived that day
    written_down: np.ndarray  # units sent to the outlet at a season end (after the day's sales)
    stockout: np.ndarray  # bool: the SKU ran out (or was already out) that day
    incident: dict | None
    purchase_orders: PurchaseOrders
    settings: ReorderSettings

    @property
    def policy(self) -> dict:
        """The reorder settings as published in the truth."""
        return self.settings.truth()


def draw_reorder_rule(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """The careless planner's reorder settings, per SKU (lead times are the suppliers')."""
    safety = rng.uniform(*SAFETY_FACTOR, n)
    cover = rng.uniform(*COVER_DAYS, n)
    moq = np.maximum(np.round(rng.uniform(*MIN_ORDER_QTY, n)), 1)
    return dict(safety_factor=safety, cover_days=cover, min_order_qty=moq)


@dataclass
class ReorderSettings:
    """Per-SKU quoted lead time and the planner's reorder settings."""

    lead: np.ndarray  # the supplier's quoted lead time (working days)
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
    rng: np.random.Generator,
    lead: np.ndarray,
    rule: dict[int, tuple[float, float, float]] | None,
) -> ReorderSettings:
    """The drawn settings, with the SKUs in `rule` replaced (lead times stay the supplier's)."""
    drawn = draw_reorder_rule(rng, lead.size)
    settings = ReorderSettings(
        lead.astype(np.int64), drawn["safety_factor"], drawn["cover_days"], drawn["min_order_qty"]
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
    supply: Supply,
    rule: dict[int, tuple[float, float, float]] | None = None,
    seasons: SeasonEnds | None = None,
) -> InventoryResult:
    """Serve `demand` [day, sku] from stock; a (s, S) policy on a lagging sales forecast reorders.

    Every reorder is a purchase order to the SKU's supplier that arrives whole on one day.
    `rule` maps a SKU index to (safety factor, cover days, minimum order quantity), replacing
    the drawn settings of that SKU; lead times stay the supplier's. At `seasons`' season ends
    stock is written down after the day's sales (see `_write_down`), and the planner buys a
    SKU no more after its last buying day.
    """
    days, n = demand.shape
    suppliers, logistics = supply.suppliers, supply.logistics
    settings = _reorder_settings(rng, suppliers.quoted_lead[suppliers.of_sku], rule)
    cover, moq = settings.cover, settings.moq
    arrivals = np.zeros((days + 1, n))  # the last row collects what arrives after the run
    book = OrderBook()
    placed = np.zeros(n, dtype=np.int64)  # purchase orders placed so far, per SKU
    on_order = np.zeros(n)
    pipeline = Pipeline(placed, arrivals, book, on_order)
    forecast = expected[0].copy()
    # opening stock (and a new SKU's first delivery) lasts until an order placed then arrives
    first = logistics.after(0, settings.lead) + cover
    stock = np.where(launched[0], np.round(forecast * first + 0.5 * moq), 0.0)
    avail, sold, stock_end, receipts, written = (np.zeros((days, n)) for _ in range(5))
    ending = _write_down_days(seasons, days)
    blocked = np.zeros(n, dtype=bool)
    prev_launched = launched[0].copy()
    started = held_until = None
    for day in range(days):
        newly = launched[day] & ~prev_launched
        if newly.any():
            _first_delivery(day, newly, expected, logistics, settings, forecast, stock)
        prev_launched = launched[day]
        # the incident: the first day from incident_start with stock on hand, it is written off
        pending = incident_sku is not None and started is None and day >= incident_start
        if pending and stock[incident_sku] > 0:
            started = day
            # the supplier's delay ends with the incident (or the logistics stop after it)
            held_until = int(logistics.first_working(day + incident_len))
            _incident_start(day, incident_sku, held_until, stock, forecast, settings, pipeline)
            blocked[incident_sku] = True
        if started is not None and day == started + incident_len:
            blocked[incident_sku] = False
        receipts[day] = received = arrivals[day]
        stock = stock + received
        on_order -= received
        avail[day] = stock
        sold[day] = served = np.minimum(demand[day], stock)
        stock = stock - served
        if ending[day]:
            written[day] = _write_down(day, seasons, stock, expected)
            stock = stock - written[day]
        stock_end[day] = stock
        # forecast lags and is censored by stock-outs (careless)
        forecast = 0.9 * forecast + 0.1 * served
        eligible = launched[day] & ~blocked
        if seasons is not None:
            _season_last_buy(day, seasons, forecast, stock, eligible, supply, pipeline)
            eligible &= day < seasons.last_buy
        _order_more(day, forecast, stock, expected, settings, eligible, supply, pipeline)
    orders = book.close()
    # a season end's write-down empties the shelf after the day's sales: not a stock-out
    stockout = launched & ((stock_end + written <= 0) | (sold < demand))
    incident = None
    if started is not None:
        incident = _close_incident(orders, incident_sku, started, held_until, incident_len, days)
    return InventoryResult(
        avail, sold, stock_end, receipts, written, stockout, incident, orders, settings
    )


def _write_down_days(seasons: SeasonEnds | None, days: int) -> np.ndarray:
    """Days with a season end, or after a fashion item went off sale (its late deliveries)."""
    if seasons is None:
        return np.zeros(days, dtype=bool)
    ended = seasons.end_day[seasons.end_day >= 0]
    return seasons.end.any(axis=1) | (np.arange(days) > ended.min(initial=days))


def _season_last_buy(
    day: int,
    seasons: SeasonEnds,
    forecast: np.ndarray,
    stock: np.ndarray,
    eligible: np.ndarray,
    supply: Supply,
    pipe: Pipeline,
) -> None:
    """A fashion item's last order, on its last buying day: enough to sell at the forecast
    rate until its season end (the planner extrapolates the plateau into the decline)."""
    last = np.flatnonzero(
        (seasons.last_buy == day) & seasons.delisted & (seasons.end_day > day) & eligible
    )
    if last.size == 0:
        return
    need = forecast[last] * (seasons.end_day[last] - day) - stock[last] - pipe.on_order[last]
    idx = last[need >= 1]
    if idx.size:
        _place(day, idx, np.round(need[need >= 1]), supply.promised(day)[idx], supply, pipe)


def _write_down(
    day: int, seasons: SeasonEnds, stock: np.ndarray, expected: np.ndarray
) -> np.ndarray:
    """Units per SKU sent to the outlet at the end of `day`.

    A fashion item's whole stock on its season end, and whatever reaches it after that (it is
    off sale); a seasonal SKU's stock beyond the expected demand of its next SEASON_CARRY_DAYS
    days on its category's season end.
    """
    ends = seasons.end[day]
    off_sale = seasons.delisted & (seasons.end_day >= 0) & (day >= seasons.end_day)
    out = np.where(off_sale, stock, 0.0)
    carry = ends & seasons.seasonal
    if carry.any():
        need = expected[day + 1 : day + 1 + SEASON_CARRY_DAYS, carry].sum(axis=0)
        out[carry] = np.floor(np.maximum(stock[carry] - need, 0.0))
    return out


@dataclass
class Pipeline:
    """What is on its way: orders placed per SKU, arrivals by [day, SKU], the order book."""

    placed: np.ndarray  # purchase orders placed so far, per SKU (the next one's lead draw)
    arrivals: np.ndarray  # [day, sku]; the last row collects what arrives after the run
    book: OrderBook
    on_order: np.ndarray  # units ordered and not yet received, per SKU


def _order_more(
    day: int,
    forecast: np.ndarray,
    stock: np.ndarray,
    expected: np.ndarray,
    settings: ReorderSettings,
    eligible: np.ndarray,
    supply: Supply,
    pipe: Pipeline,
) -> None:
    """Place the day's purchase orders; the planner plans with the promised arrival (which
    includes any logistics stop)."""
    lead = supply.logistics.after(day, settings.lead) - day
    position = stock + pipe.on_order
    idx, qty = _reorder(day, lead, forecast, position, expected, settings, eligible)
    if idx.size:
        _place(day, idx, qty, day + lead[idx], supply, pipe)


def _place(
    day: int, idx: np.ndarray, qty: np.ndarray, promised: np.ndarray, supply: Supply, pipe
) -> None:
    """Purchase orders of `qty` units of SKUs `idx`: each arrives whole after its drawn lead."""
    days = pipe.arrivals.shape[0] - 1
    arrival = supply.logistics.after(day, supply.leads[idx, pipe.placed[idx]])
    pipe.placed[idx] += 1
    pipe.arrivals[np.minimum(arrival, days), idx] += qty
    pipe.on_order[idx] += qty
    pipe.book.add(day, idx, qty, promised, arrival)


def _first_delivery(
    day: int,
    newly: np.ndarray,
    expected: np.ndarray,
    logistics,
    settings: ReorderSettings,
    forecast: np.ndarray,
    stock: np.ndarray,
) -> None:
    """A new SKU's first delivery lasts until an order placed on its launch day arrives."""
    days = expected.shape[0]
    forecast[newly] = expected[day, newly]
    due = logistics.after(day, settings.lead[newly])
    rate = np.maximum(forecast[newly], expected[np.minimum(due, days - 1), newly])
    stock[newly] = np.round(rate * (due - day + settings.cover[newly]) + settings.moq[newly])


def _close_incident(
    orders, sku: int, started: int, held_until: int, length: int, days: int
) -> dict:
    """Purchase orders due during the incident came when the supplier's delay was over."""
    late = (
        (orders.sku == sku)
        & (orders.day < started)
        & (orders.arrival >= started)
        & (orders.arrival < held_until)
    )
    orders.arrival[late] = held_until
    return dict(
        sku_index=int(sku),
        start_day=int(started),
        end_day=int(min(started + length - 1, days - 1)),
    )


def _incident_start(
    day: int,
    sku: int,
    until: int,
    stock: np.ndarray,
    forecast: np.ndarray,
    settings: ReorderSettings,
    pipe: Pipeline,
) -> None:
    """Write the SKU's stock off; its supplier holds back what is due until day `until`.

    The planner places an emergency order that arrives with the held-back orders.
    """
    arrivals = pipe.arrivals
    days = arrivals.shape[0] - 1
    stock[sku] = 0.0
    due = min(until, days)
    held = arrivals[day:due, sku].sum()
    arrivals[day:due, sku] = 0.0
    emergency = np.round(forecast[sku] * settings.cover[sku] + settings.moq[sku])
    arrivals[due, sku] += held + emergency
    pipe.book.add(day, sku, emergency, until, until)
    pipe.on_order[sku] = arrivals[day:, sku].sum()


def _reorder(
    day: int,
    lead: np.ndarray,
    forecast: np.ndarray,
    position: np.ndarray,
    expected: np.ndarray,
    settings: ReorderSettings,
    eligible: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """SKUs at or below their reorder point and the quantity to order up to forecast x (lead
    + cover); `lead` is the days until an order placed today is promised to arrive."""
    days, n = expected.shape
    # the planner knows the life cycle (expected demand at arrival), not promotions or festivals
    rate = np.maximum(forecast, expected[np.minimum(day + lead, days - 1), np.arange(n)])
    # stocking up before a logistics stop: its days are certain, the safety factor spares them
    stop_days = lead - settings.lead
    reorder_point = rate * (settings.lead * settings.safety + stop_days)
    need = eligible & (position <= reorder_point)
    idx = np.flatnonzero(need)
    qty = np.maximum(
        np.round(rate[idx] * (lead[idx] + settings.cover[idx]) - position[idx]),
        settings.moq[idx],
    )
    return idx, qty
