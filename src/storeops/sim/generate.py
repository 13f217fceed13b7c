"""`generate`: run every sub-model in causal order and assemble the store and its truth."""

from __future__ import annotations

import hashlib
import numbers
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from storeops.errors import StoreOpsError
from storeops.sim.aftersales import (
    DSR_UNIFORMS,
    REASONS,
    RETURN_UNIFORMS,
    REVIEW_UNIFORMS,
    aftersales_truth,
    seller_ratings,
    simulate_returns,
    simulate_reviews,
)
from storeops.sim.calendar import PRESALE_RULE, build_calendar
from storeops.sim.campaigns import (
    COST_PER_MESSAGE,
    CU_BASKET,
    CU_HOUR,
    CU_SEC,
    PlannedCampaign,
    campaign_model_truth,
    describe_target,
    own_campaigns,
    planned,
    redeem,
)
from storeops.sim.clearance import clearance_truth, unit_money
from storeops.sim.customers import assign_customers, segment_truth
from storeops.sim.finance import DEFAULT_COSTS, RowKeys, finance_table
from storeops.sim.funnel import (
    ATC_BASE,
    C2O_BASE,
    DEVICE_ATC,
    DEVICE_C2O,
    VIEWS_PER_SESSION,
    funnel_rates,
    simulate_funnel,
)
from storeops.sim.inventory import InventoryResult, simulate_inventory
from storeops.sim.loyalty import LOYALTY_CAP, experiences, loyalty_truth
from storeops.sim.orders import (
    BUNDLE_ATTACH,
    CANCEL_RATE,
    CANCEL_RATE_FESTIVAL,
    COUPON_RULE,
    FREE_CHANNEL_INDEX,
    ORDINARY_EXTRA_LINES,
    SKU_BITS,
    TOP_UP_OVERSHOOT,
    TOP_UP_P,
    TOP_UP_REACH,
    U_BASKET,
    U_CANCEL,
    U_COUPON,
    U_DELIVERY,
    U_FAIL,
    U_FORFEIT,
    Coupon,
    CouponPlan,
    coupon_discount,
    coupon_plan,
    expand_orders,
    fulfil,
    lexsort_distinct,
    sample_lines,
    stable_lexsort,
    top_up_baskets,
)
from storeops.sim.params import (
    CATEGORIES,
    CHANNEL_PARAMS,
    CHANNELS,
    DEFAULT_SEED,
    DEVICES,
    GENERATOR_VERSION,
    HOUR_PROFILE,
    SEGMENTS,
    WEEKDAY_MULT,
)
from storeops.sim.products import PERMANENT_SHARE, REFERENCE_DAYS, ProductModel, build_products
from storeops.sim.rng import (
    SMALLEST_UNIFORM_BITS,
    UNIFORM_BITS_BOUND,
    keyed_uniforms,
    poisson_quantile,
    stream,
)
from storeops.sim.service import (
    HOURS,
    KINDS,
    OUTCOMES,
    PLANNED_GO_AHEAD,
    aftersale_chats,
    all_chats,
    own_staffing,
    presale_chats,
    service_truth,
)
from storeops.sim.store import Store
from storeops.sim.supply import Supply, purchase_order_table, supply_truth
from storeops.sim.texts import (
    LANGS,
    ChatEvents,
    buyer_language,
    chat_languages,
    chat_texts,
    return_texts,
    review_causes,
    review_texts,
    shelf,
    text_truth,
)
from storeops.sim.traffic import (
    FREE_DECAY,
    FREE_DELAY,
    PRODUCT_EXPOSURE_ELASTICITY,
    TrafficModel,
    build_traffic,
    pick_quiet_window,
)

MAX_DAYS = 3 * 366
CHECKOUT_FAIL_SHARE = 0.99  # share of checkouts on the broken device that fail during the incident
PLANNED_FESTIVAL_LIFT = 0.2  # the planner expects festival lift ** this (careless: too little)


def check_args(seed, start, days, scale, channels) -> tuple[int, date, int, float, tuple[str, ...]]:
    """Validate and normalise the arguments of `generate`; raise StoreOpsError (one line)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise StoreOpsError(f"seed must be a non-negative integer, got {seed!r}")
    if (
        isinstance(days, bool)
        or not isinstance(days, numbers.Integral)
        or not 1 <= days <= MAX_DAYS
    ):
        raise StoreOpsError(f"days must be an integer between 1 and {MAX_DAYS}, got {days!r}")
    if (
        isinstance(scale, bool)
        or not isinstance(scale, numbers.Real)
        or not np.isfinite(scale)
        or scale <= 0
    ):
        raise StoreOpsError(f"scale must be a positive number, got {scale!r}")
    if isinstance(start, datetime):
        start = start.date()
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            raise StoreOpsError(f"start must be a date like 2025-01-01, got {start!r}") from None
    if not isinstance(start, date):
        raise StoreOpsError(f"start must be a date like 2025-01-01, got {start!r}")
    if channels is None:
        channels = CHANNELS
    if isinstance(channels, str):
        channels = tuple(c.strip() for c in channels.split(",") if c.strip())
    channels = tuple(channels)
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise StoreOpsError(f"unknown channel {unknown[0]!r}; choose from {', '.join(CHANNELS)}")
    if not channels:
        raise StoreOpsError("at least one channel is needed")
    return int(seed), start, int(days), float(scale), tuple(c for c in CHANNELS if c in channels)


def make_ids(prefix: str, idx: np.ndarray, width: int) -> pd.array:
    """Zero-padded string ids such as O0000001 from 0-based integer indices (-1 -> missing)."""
    idx = np.asarray(idx, dtype=np.int64)
    valid = idx >= 0
    top = int(idx.max()) + 1 if idx.size else 0
    if len(str(top)) > width:  # ids of varying length
        arr = pa.array(idx + 1, mask=~valid).cast(pa.string())
        arr = pc.binary_join_element_wise(prefix, pc.utf8_lpad(arr, width, padding="0"), "")
        return pd.array(arr, dtype="str")
    if 2 * top < idx.size:  # few distinct ids (SKUs, orders of lines): spell each once
        arr = _padded_ids(prefix, np.arange(top), width).take(pa.array(idx, mask=~valid))
    else:
        arr = _padded_ids(prefix, idx, width)
    return pd.array(arr, dtype="str")


def _padded_ids(prefix: str, idx: np.ndarray, width: int) -> pa.LargeStringArray:
    """Ids of one length written straight into an Arrow buffer, without a Python str per row."""
    valid = idx >= 0
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    size = head.size + width
    # one row of characters per position, each written whole (fast), transposed at the end
    chars = np.empty((size, int(valid.sum())), dtype=np.uint8)
    chars[: head.size] = head[:, None]
    number = (idx[valid] + 1).astype(np.uint32 if idx.size and idx.max() < 2**32 - 1 else np.uint64)
    for place in range(size - 1, head.size - 1, -1):
        tens = number // 10
        chars[place] = number - tens * 10 + 48
        number = tens
    nulls = None
    offsets = np.arange(0, (idx.size + 1) * size, size, dtype=np.int64)
    if not valid.all():
        nulls = pa.py_buffer(np.packbits(valid, bitorder="little"))
        offsets[1:] = np.cumsum(valid * size)
    return pa.LargeStringArray.from_buffers(
        idx.size, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars.T)), nulls
    )


def id_width(n: int, minimum: int) -> int:
    """Digits needed for n ids, at least `minimum`."""
    return max(minimum, len(str(int(n))))


def labels(codes: np.ndarray, names) -> pd.array:
    """String column from integer codes into `names` (vectorised through an Arrow dictionary)."""
    dictionary = pa.array([str(x) for x in names], type=pa.string())
    arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), dictionary)
    return pd.array(arr.cast(pa.string()), dtype="str")


def _ts(t0: pd.Timestamp, seconds: np.ndarray) -> np.ndarray:
    """Timestamps from seconds after the start date (datetime64[ns])."""
    return np.datetime64(t0, "ns") + np.round(np.asarray(seconds) * 1e9).astype("timedelta64[ns]")


def _knobs(seed: int) -> tuple[dict, dict]:
    """Per-seed true elasticities (jittered around the category priors)."""
    rng = stream(seed, "knobs")
    el, cr = {}, {}
    for c, p in CATEGORIES.items():
        el[c] = round(float(np.clip(p["elasticity"] + rng.uniform(-0.25, 0.25), -3.4, -0.9)), 3)
        cr[c] = round(float(np.clip(p["cross"] + rng.uniform(-0.03, 0.03), 0.1, 0.3)), 3)
    return el, cr


@dataclass
class Market:
    """The first phase: calendar, catalogue with its prices, and traffic under the plan."""

    t0: pd.Timestamp  # midnight of the first day
    calendar: pd.DataFrame
    effects: dict  # per-day multipliers from the calendar, plus the dates
    festivals: dict
    festival: np.ndarray  # festival name per day ("" outside festivals)
    phase: np.ndarray  # festival phase per day
    festive: np.ndarray  # presale or peak day of a festival the store joins
    busy: np.ndarray  # any festival day (the platform's calendar)
    elasticity: dict
    cross: dict
    products: ProductModel
    incident_rng: np.random.Generator  # the incidents stream, shared by later phases
    traffic: TrafficModel
    # intended orders on a typical ordinary day under the store's own plan: the planner's and
    # the service team's yardstick, the same whatever a policy changes
    typical_orders: float
    own_effects: dict  # the calendar's effects under the store's own festival plans
    coupons: CouponPlan
    agents: np.ndarray  # service agents on duty [day, hour]


def build_market(
    seed: int,
    start: date,
    days: int,
    scale: float,
    channels: tuple[str, ...],
    budgets: dict[str, np.ndarray] | None = None,
    prices: dict[int, list[tuple[int, int, float]]] | None = None,
    bids: dict[str, np.ndarray] | None = None,
    festivals: dict | None = None,
    coupons: list[tuple[int, int, Coupon]] | None = None,
    staffing: np.ndarray | None = None,
) -> Market:
    """Calendar, products and traffic; `budgets`, `prices`, `bids`, festival plans, coupon
    periods and service staffing [day, hour] replace the store's own plans."""
    t0 = pd.Timestamp(start)
    calendar, effects, festival_truth = build_calendar(start, days, festivals)
    own_effects = build_calendar(start, days)[1] if festivals else effects
    for eff in (effects, own_effects):
        eff["dates"] = pd.date_range(t0, periods=days, freq="D")
        eff["weekday0"] = t0.weekday()
    festival = calendar["festival"].to_numpy(dtype=object)
    phase = calendar["festival_phase"].to_numpy(dtype=object)
    store_festivals = effects["store_festivals"]
    festive = store_festivals.festive
    busy = festival != ""
    elasticity, cross = _knobs(seed)
    products = build_products(
        stream(seed, "products"),
        stream(seed, "fashion"),
        start,
        days,
        elasticity,
        cross,
        prices,
        store_festivals.discount,
    )
    incident_rng = stream(seed, "incidents")
    traffic = build_traffic(seed, effects, busy, scale, channels, incident_rng, budgets, bids)
    if budgets is None and bids is None and not festivals:
        typical = _typical_orders(traffic, effects, busy)
    else:
        # the planners' yardstick is the store's own plan, which no decision can move
        typical = _planned_typical_orders(seed, own_effects, busy, scale, channels)
    return Market(
        t0,
        calendar,
        effects,
        festival_truth,
        festival,
        phase,
        festive,
        busy,
        elasticity,
        cross,
        products,
        incident_rng,
        traffic,
        typical,
        own_effects,
        coupon_plan(coupons or [], store_festivals.coupon, store_festivals.coupons),
        own_staffing(
            typical, own_effects["traffic"] * own_effects["atc"] * own_effects["c2o"], busy
        )
        if staffing is None
        else staffing,
    )


# typical orders by seed, size and calendar: a plan cannot move them, and each takes a whole
# traffic run, so a search over plans computes them once per process
_TYPICAL_ORDERS: dict[tuple, float] = {}


def _planned_typical_orders(
    seed: int, effects: dict, busy: np.ndarray, scale: float, channels: tuple[str, ...]
) -> float:
    """`_typical_orders` under the store's own plan, remembered for the calendar's effects."""
    digest = hashlib.sha256(busy.tobytes())
    for name in sorted(effects):
        value = effects[name]
        if isinstance(value, np.ndarray | pd.Index):
            digest.update(name.encode() + np.ascontiguousarray(value).tobytes())
        elif isinstance(value, numbers.Number | str):
            digest.update(f"{name}={value!r}".encode())
    key = (seed, scale, channels, digest.hexdigest())
    if key not in _TYPICAL_ORDERS:
        if len(_TYPICAL_ORDERS) >= 256:
            _TYPICAL_ORDERS.pop(next(iter(_TYPICAL_ORDERS)))
        planned = build_traffic(seed, effects, busy, scale, channels, stream(seed, "incidents"))
        _TYPICAL_ORDERS[key] = _typical_orders(planned, effects, busy)
    return _TYPICAL_ORDERS[key]


def _typical_orders(planned: TrafficModel, effects: dict, busy: np.ndarray) -> float:
    """Median expected intended orders of the ordinary days under the store's own plan."""
    atc_p, c2o_p = funnel_rates(effects)
    expected = (planned.sessions * VIEWS_PER_SESSION[None, None, :] * atc_p * c2o_p).sum(
        axis=(1, 2)
    )
    return float(np.median(expected[~busy]) if (~busy).any() else expected.mean())


def generate(
    seed: int = DEFAULT_SEED,
    start: str | date = "2025-01-01",
    days: int = 365,
    scale: float = 1.0,
    channels=None,
) -> Store:
    """Generate a whole store from a seed; tables in `store.tables`, ground truth in `store.truth`."""
    seed, start, days, scale, channels = check_args(seed, start, days, scale, channels)
    return run_store(
        build_market(seed, start, days, scale, channels), seed, start, days, scale, channels
    )


@dataclass
class PlacedOrders:
    """Orders that got through checkout, before stock decides which of their lines are served."""

    orders: dict[str, np.ndarray]  # per order: day, sec, channel, device (sorted by time)
    cancelled: np.ndarray
    lines: dict[str, np.ndarray]  # per line: order, sku, qty
    checkout_incident: dict | None
    presale_chats: dict[str, np.ndarray]  # orders["chat"]: the pre-sale chat before (-1: none)


@dataclass
class Stock:
    """What the orders asked for and what the warehouse could serve."""

    demand: np.ndarray  # units per [day, SKU] wanted by orders that were not cancelled
    free_demand: np.ndarray  # the part of `demand` wanted by orders from free traffic
    expected: np.ndarray  # units per [day, SKU] the planner expects
    inventory: InventoryResult
    supply: Supply  # suppliers, their lead times and the logistics calendar


@dataclass
class Sales:
    """Orders with at least one served line, renumbered, with prices, discounts and delivery."""

    orders: dict[str, np.ndarray]
    cancelled: np.ndarray
    line_order: np.ndarray
    line_sku: np.ndarray
    line_qty: np.ndarray
    line_day: np.ndarray
    line_price: np.ndarray
    gross: np.ndarray
    discount: np.ndarray
    revenue: np.ndarray
    delivery: np.ndarray  # days from order to delivery
    stockout_lost_orders: int  # orders that lost every line to stock-outs
    deposit: np.ndarray  # pre-sale deposit paid (0: none)
    balance_day: np.ndarray  # day the pre-sale balance was due (-1: no deposit paid)
    wait: np.ndarray  # days from order to shipping (a pre-sale order ships after its balance)


@dataclass
class AfterSales:
    """Returned and reviewed lines (indices into the sales lines) that fall inside the run."""

    return_rate: dict[str, float]  # per category
    return_line: np.ndarray
    return_day: np.ndarray
    return_qty: np.ndarray
    return_reason: np.ndarray
    refund: np.ndarray
    review_line: np.ndarray
    review_day: np.ndarray
    stars: np.ndarray
    review_return_reason: np.ndarray  # why the reviewed line went back in the run (-1: not)


@dataclass
class Activity:
    """What happened in the shop on top of the market: the input of the tables and the truth."""

    funnel: dict[str, np.ndarray]  # sessions, views, add-to-carts, orders per day/channel/device
    stock: Stock
    sales: Sales
    buyers: dict | None  # customers and which customer placed each order (None: not drawn)
    chats: dict[str, np.ndarray]
    after: AfterSales
    checkout_incident: dict | None
    campaigns: dict | None = None  # what the campaigns did (`_with_campaign_orders`)
    # per table: its texts, their labels and their languages, in the table's row order (None:
    # a lean run writes none)
    texts: dict | None = None


@dataclass
class IdWidths:
    """Digits of the zero-padded ids, shared by every table that refers to them."""

    order: int
    customer: int
    sku: int


def run_store(
    market: Market,
    seed: int,
    start: date,
    days: int,
    scale: float,
    channels: tuple[str, ...],
    reorder: dict[int, tuple[float, float, float]] | None = None,
    lean: bool = False,
    campaigns: list[PlannedCampaign] | None = None,
    until: int | None = None,
    demand: tuple[dict, PlacedOrders] | None = None,
    only: Collection[str] | None = None,
) -> Store:
    """Orders, stock, customers and after-sales on top of `market`; assemble tables and truth.

    `demand`: `place_demand(market, seed)` if the caller has it (the run changes neither; the
    incidents stream as `place_demand` left it). `only` (with `lean`): just the tables named
    (one SKU's money needs `finance.LEDGER_TABLES`), the finance table if named, no truth.

    `campaigns` (checked) replace the store's own (None). `lean` builds only what a plan's
    outcome is read from (see `evaluate`): no customers unless there are campaigns (their
    targets are customers), no customers' texts (no outcome is read from words), the tables
    the finance table adds up, and of the truth only the stock-outs. Every table it builds is
    the full run's table, row for row, without the text columns; but a lean run `until` a day
    (an outcome's window ends there) sends no campaign from that day on and draws no customer
    from it, so its tables are the full run's only before that day.
    """
    if campaigns is None:
        campaigns = [planned(c, start) for c in own_campaigns(start, days)]
    if lean and until is not None:
        campaigns = [c for c in campaigns if c.day < until]
    funnel, placed = place_demand(market, seed) if demand is None else demand
    stock = run_inventory(market, seed, days, placed, reorder)
    sales = serve_orders(market, placed, stock.inventory)
    checkout_incident, placed_presale = placed.checkout_incident, placed.presale_chats
    del placed  # the unserved lines are large and no longer needed
    after = simulate_aftersales(market, seed, sales, days)
    presale_order, post = simulate_service(market, seed, placed_presale, sales, after, days)
    buyers = None
    if not lean or campaigns:
        lived = _experiences(sales, after, placed_presale, presale_order, post, days)
        o = sales.orders
        buyers = assign_customers(
            seed, o["day"], o["sec"], o["channel"], market.festive, days, scale, lived,
            sales.cancelled, campaigns, until if lean else None,
        )  # fmt: skip
        del lived, o
    # a lean run draws the customers only for the campaigns' sake: its tables name nobody
    chats = all_chats(placed_presale, presale_order, post, None if lean else buyers)
    done = None
    if buyers is not None and buyers["campaigns"] is not None:
        sales, after, chats, buyers, done = _with_campaign_orders(
            seed, sales, after, chats, buyers, campaigns, channels
        )
    if lean:
        buyers = None
    activity = Activity(funnel, stock, sales, buyers, chats, after, checkout_incident, done)
    if not lean:  # no outcome is read from the words
        activity.texts = customer_texts(market, seed, activity)
    # the activity holds them now
    del funnel, stock, sales, buyers, chats, after, placed_presale, presale_order, post
    costs = DEFAULT_COSTS.scaled(scale)
    only = None if not lean or only is None else set(only)
    truth = _truth(market, seed, days, channels, activity, costs, lean) if only is None else None
    tables = build_tables(market, seed, days, channels, activity, only)
    keys = _row_keys(market, activity)
    del activity  # the tables hold what happened; the finance table reads them alone
    if only is None or "finance" in only:
        tables["finance"] = finance_table(tables, costs, keys)
    meta = dict(
        seed=seed,
        generator_version=GENERATOR_VERSION,
        start=str(start),
        days=days,
        scale=scale,
        channels=list(channels),
        costs=costs.as_dict(),
    )
    return Store(tables, truth, meta)


def place_demand(market: Market, seed: int) -> tuple[dict, PlacedOrders]:
    """The funnel and the orders placed under `market`, before stock decides what is served:
    nothing a reorder rule or a campaign decides moves them."""
    traffic = market.traffic
    funnel = simulate_funnel(
        seed, traffic.sessions, traffic.bad_sessions, market.effects, market.products.price_index
    )
    return funnel, place_orders(market, seed, funnel["orders"])


def _truth(
    market: Market,
    seed: int,
    days: int,
    channels: tuple[str, ...],
    activity: Activity,
    costs,
    lean: bool,
) -> dict:
    """The truth of a run: the whole of it, or for a lean run the stock-outs alone."""
    if lean:
        skus = market.products.table["sku"].to_numpy(dtype=object)
        lost_orders = activity.sales.stockout_lost_orders
        return dict(inventory=_inventory_truth(activity.stock, skus, lost_orders))
    truth = build_truth(market, seed, days, channels, activity)
    done, n_orders = activity.campaigns, activity.sales.orders["day"].size
    truth["campaigns"] = dict(
        model=campaign_model_truth(),
        campaigns=_campaign_truth(market, activity.sales, activity.after, done, costs),
        # the orders the campaigns caused (a store cannot tell them from the others)
        caused_order_ids=list(
            make_ids("O", np.sort(done["order"]) if done else [], id_width(n_orders, 7))
        ),
    )
    return truth


def place_orders(market: Market, seed: int, funnel_orders: np.ndarray) -> PlacedOrders:
    """Intended orders with times of day, minus checkout failures; cancellations and baskets."""
    peak = (market.phase == "peak") & market.festive
    orders, u = expand_orders(seed, funnel_orders, (market.festival == "double11") & peak)
    # shoppers who ask first buy only if their chat converts (the wait decides)
    chats, ahead = presale_chats(seed, orders, market.agents)
    orders["chat"] = np.full(ahead.size, -1, dtype=np.int64)
    asked = chats["order"] >= 0
    orders["chat"][chats["order"][asked]] = np.flatnonzero(asked)
    orders = {k: v[ahead] for k, v in orders.items()}
    u = u[ahead]
    # drawn now, used once stock has decided which orders are served
    orders["coupon_u"] = u[:, U_COUPON]
    orders["delivery_u"] = u[:, U_DELIVERY]
    failed, incident = _checkout_failure(market, orders, u[:, U_FAIL])
    orders = {k: v[~failed] for k, v in orders.items()}
    u = u[~failed]
    cancelled = u[:, U_CANCEL] < np.where(
        market.festive[orders["day"]], CANCEL_RATE_FESTIVAL, CANCEL_RATE
    )
    # a pre-sale order whose balance is never paid is cancelled and its deposit forfeited
    presale = market.effects["store_festivals"]
    orders["forfeited"] = (
        ~cancelled
        & (presale.deposit_share[orders["day"]] > 0)
        & (u[:, U_FORFEIT] < presale.forfeit[orders["day"]])
    )
    cancelled = cancelled | orders["forfeited"]
    products = market.products
    role = products.role
    lines = sample_lines(
        seed,
        orders,
        u[:, U_BASKET],
        products.demand_weight,
        products.category_idx,
        products.category_weight,
        products.partner,
        role == "traffic",
        peak,
        products.free_exposure,
    )
    lines = top_up_baskets(
        seed,
        orders,
        lines,
        products.price,
        products.demand_weight,
        market.coupons,
        products.launched,
    )
    return PlacedOrders(orders, cancelled, lines, incident, chats)


def _checkout_failure(
    market: Market, orders: dict[str, np.ndarray], fail_u: np.ndarray
) -> tuple[np.ndarray, dict | None]:
    """Incident: checkout fails on one device for some hours; which orders failed."""
    days = len(market.busy)
    if days < 20:
        return np.zeros(fail_u.size, dtype=bool), None
    incident_rng = market.incident_rng
    day0 = pick_quiet_window(incident_rng, market.busy, 2, 0.15, 0.45)
    hour0 = int(incident_rng.integers(10, 14))  # from late morning ...
    length_h = int(incident_rng.integers(20, 23)) - hour0  # ... until the evening peak is over
    device = int(incident_rng.choice([0, 0, 1]))
    t_start = day0 * 86400 + hour0 * 3600
    t_end = day0 * 86400 + (hour0 + length_h) * 3600
    t_order = orders["day"] * 86400 + orders["sec"]
    hit = (orders["device"] == device) & (t_order >= t_start) & (t_order < t_end)
    fail = hit & (fail_u < CHECKOUT_FAIL_SHARE)
    incident = dict(
        kind="checkout_failure",
        device=DEVICES[device],
        start=str(market.t0 + pd.Timedelta(seconds=t_start)),
        end=str(market.t0 + pd.Timedelta(seconds=t_end)),
        failed_checkout_share=CHECKOUT_FAIL_SHARE,
        lost_orders=int(fail.sum()),
    )
    return fail, incident


def run_inventory(
    market: Market,
    seed: int,
    days: int,
    placed: PlacedOrders,
    reorder: dict[int, tuple[float, float, float]] | None,
) -> Stock:
    """Daily demand per SKU, the planner's expectation of it, and the warehouse simulation."""
    products = market.products
    supply = Supply.build(seed, days, market.effects["logistics"])
    n_sku = len(products.table)
    lines = placed.lines
    line_day = placed.orders["day"][lines["order"]]
    live = ~placed.cancelled[lines["order"]]
    free = np.isin(placed.orders["channel"], FREE_CHANNEL_INDEX)[lines["order"]]
    demand, free_demand = (
        np.bincount(
            line_day[wanted] * n_sku + lines["sku"][wanted],
            weights=lines["qty"][wanted],
            minlength=days * n_sku,
        ).reshape(days, n_sku)
        for wanted in (live, live & free)
    )
    expected = _expected_units(market)
    best, out_start, out_len = _stockout_target(market, days)
    inventory = simulate_inventory(
        stream(seed, "inventory"),
        demand,
        expected,
        products.launched,
        best,
        out_start,
        out_len,
        supply,
        reorder,
        products.seasons,
    )
    return Stock(demand, free_demand, expected, inventory, supply)


def _expected_units(market: Market) -> np.ndarray:
    """Units per [day, SKU] a planner expects: the life cycle and the festivals, no promotions.

    The level is the typical day under the store's own plan, whatever a policy does to traffic;
    a SKU's share of it is its share of the day's popularity x life cycle x season. No decision
    moves it:
    the planner looks up to a lead time ahead, so a price change from day W (of this SKU or,
    through the shares, of another) would otherwise move purchase orders before W.
    """
    products = market.products
    weight = products.popularity[None, :] * products.life * products.season
    share = weight / np.maximum(weight.sum(axis=1, keepdims=True), 1e-300)
    role = products.role
    mean_qty = np.where(role == "traffic", 1 / 0.6, 1 / 0.83)
    has_partner = products.partner >= 0
    partner_qty = np.where(has_partner, mean_qty[np.maximum(products.partner, 0)], 0.0)
    # units per basket line by popularity: a yardstick that no price decision moves
    pop = products.popularity / products.popularity.sum()
    per_line = float((pop * (mean_qty + BUNDLE_ATTACH * partner_qty)).sum())
    units = (
        market.typical_orders
        * PLANNED_GO_AHEAD
        * (1 - CANCEL_RATE)
        * (1 + ORDINARY_EXTRA_LINES)
        * per_line
    )
    # the festival calendar is public, but the planner expects only part of a festival's lift
    eff = market.own_effects
    lift = (eff["traffic"] * eff["atc"] * eff["c2o"]) ** PLANNED_FESTIVAL_LIFT
    return share * (units * lift)[:, None]


def _stockout_target(market: Market, days: int) -> tuple[int | None, int | None, int]:
    """Incident: a best seller goes out of stock (warehouse write-off, supplier delay)."""
    products = market.products
    role = products.role
    candidates = np.flatnonzero(products.launched[0] & (role != "bundle"))
    best = (
        int(
            candidates[
                np.argmax(products.popularity[candidates] * products.life[days // 2, candidates])
            ]
        )
        if candidates.size and days >= 40
        else None
    )
    # the length is drawn even without a target so that later incident draws do not shift;
    # three to four weeks, longer than any supplier's usual lead time, so that it stands out
    out_len = int(market.incident_rng.integers(20, 27))
    out_start = (
        pick_quiet_window(market.incident_rng, market.busy, out_len, 0.3, 0.55)
        if best is not None
        else None
    )
    return best, out_start, out_len


def serve_orders(market: Market, placed: PlacedOrders, inventory: InventoryResult) -> Sales:
    """Censor lines by stock, drop orders left empty, renumber; then prices and delivery."""
    orders, lines = placed.orders, placed.lines
    line_day = orders["day"][lines["order"]]
    live = ~placed.cancelled[lines["order"]]
    # served quantity per line; cancelled orders only need the item to be in stock
    served = fulfil(
        lines["order"][live],
        line_day[live],
        lines["sku"][live],
        lines["qty"][live],
        inventory.available,
    )
    qty = lines["qty"].copy()
    qty[live] = served
    in_stock = inventory.available[line_day, lines["sku"]] > 0
    qty[~live & ~in_stock] = 0
    kept = qty > 0
    has_line = np.bincount(lines["order"][kept], minlength=orders["day"].size) > 0
    new_index = np.cumsum(has_line) - 1
    return _price_orders(
        market,
        {k: v[has_line] for k, v in orders.items()},
        placed.cancelled[has_line],
        new_index[lines["order"][kept]],
        lines["sku"][kept],
        qty[kept],
        int((~has_line).sum()),
    )


def _price_orders(
    market: Market,
    orders: dict[str, np.ndarray],
    cancelled: np.ndarray,
    line_order: np.ndarray,
    line_sku: np.ndarray,
    line_qty: np.ndarray,
    stockout_lost_orders: int,
) -> Sales:
    """Line prices of the day, coupons (at most half the basket) and delivery times."""
    n_orders = orders["day"].size
    line_day = orders["day"][line_order]
    line_price = market.products.price[line_day, line_sku]
    gross = np.bincount(line_order, weights=line_qty * line_price, minlength=n_orders)
    discount = np.round(
        np.minimum(
            coupon_discount(
                orders["coupon_u"], gross, market.coupons.day_rule[orders["day"]], market.coupons
            ),
            0.5 * gross,
        ),
        2,
    )
    revenue = np.round(gross - discount, 2)
    deposit, balance_day, ship_day = _presale_terms(market, orders, cancelled, revenue)
    # a pre-sale order ships on its balance day, with the festival peak's courier congestion
    # (as booleans per day first: comparing a string per order is slow)
    peak = (ship_day > orders["day"]) | (market.phase == "peak")[orders["day"]]
    dip = ~(ship_day > orders["day"]) & (market.phase == "dip")[orders["day"]]
    logistics = market.effects["logistics"]
    # courier working days; couriers do not deliver in a logistics stop
    delivery = (
        logistics.after(
            ship_day,
            1
            + poisson_quantile(
                orders["delivery_u"],
                1.3 + np.where(peak, 3.0, np.where(dip, 1.5, 0.0)) + logistics.slowdown[ship_day],
            ),
        )
        - orders["day"]
    )
    return Sales(
        orders,
        cancelled,
        line_order,
        line_sku,
        line_qty,
        line_day,
        line_price,
        gross,
        discount,
        revenue,
        delivery,
        stockout_lost_orders,
        deposit,
        balance_day,
        ship_day - orders["day"],
    )


def _presale_terms(
    market: Market, orders: dict[str, np.ndarray], cancelled: np.ndarray, revenue: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per order: the pre-sale deposit paid, the day its balance was due (-1: no deposit) and
    the day it ships (its balance day for a paid pre-sale order, else the order day)."""
    presale = market.effects["store_festivals"]
    day = orders["day"]
    share = presale.deposit_share[day]
    paid = (share > 0) & (~cancelled | orders["forfeited"])
    deposit = np.where(paid, np.round(share * revenue, 2), 0.0)
    balance_day = np.where(paid, presale.balance_day[day], -1)
    ship_day = np.where(paid & ~cancelled, balance_day, day)
    return deposit, balance_day, ship_day


def simulate_service(
    market: Market,
    seed: int,
    presale: dict[str, np.ndarray],
    sales: Sales,
    after: AfterSales,
    days: int,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The order each pre-sale chat led to (-1: none), and after-sale contacts about
    deliveries (on the delivery day) and returns (one per order and return day), through the
    queue."""
    orders = sales.orders
    led = np.flatnonzero(orders["chat"] >= 0)
    presale_order = np.full(presale["slot"].size, -1, dtype=np.int64)
    presale_order[orders["chat"][led]] = led
    arrival = orders["day"] + sales.delivery
    delivered = np.where(~sales.cancelled & (arrival < days), arrival, -1)
    return_order = sales.line_order[after.return_line]
    pair = np.unique(return_order.astype(np.int64) * (days + 1) + after.return_day)
    defect = np.zeros(pair.size, dtype=bool)
    is_defect = after.return_reason == REASONS.index("defective")
    defect[
        np.searchsorted(pair, return_order[is_defect] * (days + 1) + after.return_day[is_defect])
    ] = True
    post = aftersale_chats(
        seed,
        orders["key"],
        delivered,
        sales.delivery - sales.wait,
        pair // (days + 1),
        pair % (days + 1),
        defect,
        market.agents,
        presale["carried"],
    )
    return presale_order, post


def _experiences(
    sales: Sales,
    after: AfterSales,
    presale: dict[str, np.ndarray],
    presale_order: np.ndarray,
    post: dict[str, np.ndarray],
    days: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each order's buyer lived through, as (order, day, loyalty factor)."""
    day = sales.orders["day"]
    arrival = day + sales.delivery
    led = presale_order >= 0
    return experiences(
        day,
        ~sales.cancelled,
        sales.delivery - sales.wait,
        np.where(arrival < days, arrival, -1),
        (
            sales.line_order[after.return_line],
            after.return_day,
            after.return_reason == REASONS.index("defective"),
        ),
        (presale_order[led], presale["first_response_s"][led]),
        (post["order"], post["slot"] // HOURS, post["outcome"], post["wait_s"]),
        (sales.line_order[after.review_line], after.review_day, after.stars),
    )


def simulate_aftersales(market: Market, seed: int, sales: Sales, days: int) -> AfterSales:
    """Returns and reviews of the lines of completed orders, kept if they fall inside the run.

    Lines draw their uniforms from a stream per category and channel, in order of time.
    """
    products = market.products
    cats = list(CATEGORIES)
    rate_rng = stream(seed, "aftersales")
    return_rate = {
        c: round(
            float(np.clip(CATEGORIES[c]["return_rate"] * rate_rng.uniform(0.85, 1.15), 0.01, 0.6)),
            4,
        )
        for c in cats
    }
    rate_by_sku = np.array([return_rate[c] for c in cats])[products.category_idx]
    lines = np.flatnonzero(~sales.cancelled[sales.line_order])
    sku = sales.line_sku[lines]
    delivery = sales.delivery[sales.line_order[lines]]
    # what shoppers count as late is the courier's time, not a pre-sale's wait for the peak
    courier = delivery - sales.wait[sales.line_order[lines]]
    line_day = sales.line_day[lines]
    group = (
        products.category_idx[sku] * len(CHANNELS)
        + sales.orders["channel"][sales.line_order[lines]]
    )
    returned, return_lag, reason, reviewed, stars, review_lag, qty_u = _returns_and_reviews(
        seed,
        group,
        rate_by_sku[sku],
        courier,
        market.festive[line_day],
        products.defective[sku],
        products.category_idx[sku] == 0,
    )
    return_day = line_day + delivery + return_lag
    review_day = line_day + delivery + review_lag
    qty = sales.line_qty[lines]
    return_qty = np.where(qty > 1, 1 + (qty_u * qty).astype(np.int64), 1)
    share_paid = np.where(sales.gross > 0, sales.revenue / np.maximum(sales.gross, 1e-9), 1.0)
    returns = np.flatnonzero(returned & (return_day < days))
    reviews = np.flatnonzero(reviewed & (review_day < days))
    return_line, review_line = lines[returns], lines[reviews]
    return_qty = return_qty[returns]
    refund = np.round(
        return_qty * sales.line_price[return_line] * share_paid[sales.line_order[return_line]], 2
    )
    return AfterSales(
        return_rate,
        return_line,
        return_day[returns],
        return_qty,
        reason[returns],
        refund,
        review_line,
        review_day[reviews],
        stars[reviews],
        np.where(returned & (return_day < days), reason, -1)[reviews],
    )


def _returns_and_reviews(
    seed: int,
    group: np.ndarray,
    rate: np.ndarray,
    courier: np.ndarray,
    festive: np.ndarray,
    defective: np.ndarray,
    is_apparel: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Per line: returned, return lag, reason, reviewed, stars, review lag, and the uniform
    that picks how many units come back.

    A group's lines (a category and channel) draw from its stream in order of time; each
    group's uniforms are used as soon as they are drawn, since a matrix of every line's
    uniforms would be the largest array of a large store (every line is on its own).
    """
    n = group.size
    out = [np.empty(n, dtype=t) for t in (bool, np.int64, np.int64, bool, np.int64, np.int64)]
    qty_u = np.empty(n)
    # each group's lines, still in time order (small keys: a stable sort is a radix sort)
    by_group = np.argsort(group.astype(np.int16), kind="stable")
    bounds = np.flatnonzero(np.diff(group[by_group])) + 1
    for mine in np.split(by_group, bounds) if n else ():
        u = stream(seed, "aftersales", int(group[mine[0]])).random(
            (mine.size, RETURN_UNIFORMS + REVIEW_UNIFORMS + 1)
        )
        ret = simulate_returns(
            u[:, :RETURN_UNIFORMS],
            rate[mine],
            courier[mine],
            festive[mine],
            defective[mine],
            is_apparel[mine],
        )
        rev = simulate_reviews(u[:, RETURN_UNIFORMS:-1], ret[0], defective[mine], courier[mine])
        for column, values in zip(out, (*ret, *rev), strict=True):
            column[mine] = values
        qty_u[mine] = u[:, -1]
    return (*out, qty_u)


def build_tables(
    market: Market,
    seed: int,
    days: int,
    channels: tuple[str, ...],
    activity: Activity,
    only: Collection[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """The published tables, in the order the data dictionary lists them (no customers table
    and no customer ids when the run drew no customers); `only`: those named (and the one
    built with each: returns with reviews, campaigns with their sends)."""
    funnel, sales, buyers = activity.funnel, activity.sales, activity.buyers
    dates = market.effects["dates"]
    widths = IdWidths(
        order=id_width(sales.orders["day"].size, 7),
        customer=id_width(0 if buyers is None else buyers["segment"].size, 6),
        sku=id_width(len(market.products.table), 4),
    )
    day_ts = dates.to_numpy().astype("datetime64[ns]")
    texts = activity.texts or {}
    pairs = {}

    def aftersales(name):
        if "returns" not in pairs:
            pairs["returns"], pairs["reviews"] = _aftersales_tables(
                sales, activity.after, day_ts, widths, texts
            )
        return pairs[name]

    def campaigns(name):
        if "campaigns" not in pairs:
            pairs["campaigns"], pairs["campaign_sends"] = _campaign_tables(
                market.t0.date(), activity.campaigns, widths, named=buyers is not None
            )
        return pairs[name]

    build = dict(
        calendar=lambda: market.calendar,
        products=lambda: market.products.table,
        competitor_prices=lambda: market.products.competitor_table,
        traffic=lambda: market.traffic.table,
        funnel=lambda: _funnel_table(
            _campaign_visits(funnel, sales, activity.campaigns), sales, day_ts, days, channels
        ),
        ab_tests=lambda: _ab_table(seed, market.traffic, funnel, dates),
        customers=lambda: None if buyers is None else _customer_table(market.t0, buyers, widths),
        orders=lambda: _order_table(market.t0, sales, buyers, widths),
        order_lines=lambda: pd.DataFrame(
            {
                "order_id": make_ids("O", sales.line_order, widths.order),
                "sku": make_ids("SKU", sales.line_sku, widths.sku),
                "quantity": sales.line_qty.astype(np.int64),
                "unit_price": sales.line_price,
            }
        ),
        inventory=lambda: _inventory_table(
            market.products.launched, activity.stock.inventory, day_ts, widths
        ),
        purchase_orders=lambda: purchase_order_table(
            activity.stock.supply, activity.stock.inventory.purchase_orders, market, days
        ),
        service_staffing=lambda: pd.DataFrame(
            {
                "date": np.repeat(day_ts, HOURS),
                "hour": np.tile(np.arange(HOURS, dtype=np.int64), days),
                "agents": market.agents.reshape(-1).astype(np.int64),
            }
        ),
        service_chats=lambda: _chat_table(
            market.t0, activity.chats, widths, texts.get("service_chats")
        ),
        returns=lambda: aftersales("returns"),
        reviews=lambda: aftersales("reviews"),
        seller_ratings=lambda: _seller_rating_table(seed, market, activity, day_ts, widths),
        campaigns=lambda: campaigns("campaigns"),
        campaign_sends=lambda: campaigns("campaign_sends"),
    )
    tables = {name: make() for name, make in build.items() if only is None or name in only}
    return {name: table for name, table in tables.items() if table is not None}


def _seller_rating_table(
    seed: int, market: Market, activity: Activity, day_ts: np.ndarray, widths: IdWidths
) -> pd.DataFrame:
    """One row per reviewed order, on its first review day: its detailed seller ratings."""
    sales, after, chats = activity.sales, activity.after, activity.chats
    n = sales.orders["day"].size
    first_day = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_day, sales.line_order[after.review_line], after.review_day)
    rated = np.flatnonzero(first_day < np.iinfo(np.int64).max)
    defective = np.zeros(n, dtype=bool)
    defective[sales.line_order[market.products.defective[sales.line_sku]]] = True
    # so is one with an item sent back as defective or not as described
    unlike = np.isin(
        after.return_reason, [REASONS.index("defective"), REASONS.index("not_as_described")]
    )
    defective[sales.line_order[after.return_line[unlike]]] = True
    # what the buyer waited in the order's chats: the first response, or until they left
    waited = np.where(
        np.isnan(chats["first_response_s"]), chats["wait_s"], chats["first_response_s"]
    )
    longest = np.full(n, np.nan)
    # chats up to the rating day (a later return's chat cannot weigh on it)
    about = chats["order"] >= 0
    about[about] = chats["time"][about] // 86400 <= first_day[chats["order"][about]]
    np.fmax.at(longest, chats["order"][about], waited[about])
    u = keyed_uniforms(seed, "seller-rating", sales.orders["key"][rated], DSR_UNIFORMS)
    stars = seller_ratings(
        u, defective[rated], (sales.delivery - sales.wait)[rated], longest[rated]
    )
    # by day, then order (the rated orders are distinct): one integer sort
    rated_day = first_day[rated]
    srt = lexsort_distinct((rated, rated_day), (n, int(rated_day.max(initial=0)) + 1))
    return pd.DataFrame(
        {
            "order_id": make_ids("O", rated[srt], widths.order),
            "rating_date": day_ts[rated_day[srt]],
            **{k: v[srt].astype(np.int64) for k, v in stars.items()},
        }
    )


def _funnel_table(
    funnel: dict[str, np.ndarray],
    sales: Sales,
    day_ts: np.ndarray,
    days: int,
    channels: tuple[str, ...],
) -> pd.DataFrame:
    """Sessions, views, add-to-carts and served orders per day, channel and device."""
    orders = sales.orders
    keep_c = [CHANNELS.index(c) for c in channels]
    nd = len(DEVICES)
    served = np.bincount(
        (orders["day"] * len(CHANNELS) + orders["channel"]) * nd + orders["device"],
        minlength=days * len(CHANNELS) * nd,
    ).reshape(days, len(CHANNELS), nd)
    return pd.DataFrame(
        {
            "date": np.repeat(day_ts, len(keep_c) * nd),
            "channel": labels(np.tile(np.repeat(np.array(keep_c), nd), days), CHANNELS),
            "device": labels(np.tile(np.arange(nd), days * len(keep_c)), DEVICES),
            "sessions": funnel["sessions"][:, keep_c, :].reshape(-1).astype(np.int64),
            "product_views": funnel["views"][:, keep_c, :].reshape(-1).astype(np.int64),
            "add_to_carts": funnel["atc"][:, keep_c, :].reshape(-1).astype(np.int64),
            "orders": served[:, keep_c, :].reshape(-1).astype(np.int64),
        }
    )


def _customer_table(t0: pd.Timestamp, buyers: dict, widths: IdWidths) -> pd.DataFrame:
    """One row per customer with the first order's time and where they came from."""
    acquisition = np.where(buyers["acq_channel"] >= 0, buyers["acq_channel"], len(CHANNELS))
    return pd.DataFrame(
        {
            "customer_id": make_ids("C", np.arange(buyers["segment"].size), widths.customer),
            "first_order_time": _ts(t0, np.round(buyers["first_day"] * 86400.0)),
            "acquisition_channel": labels(acquisition, (*CHANNELS, "unknown")),
            "acquired_in_festival": buyers["acq_festival"],
        }
    )


def _order_table(
    t0: pd.Timestamp, sales: Sales, buyers: dict | None, widths: IdWidths
) -> pd.DataFrame:
    """One row per served order; cancelled orders have no delivery time."""
    orders, cancelled = sales.orders, sales.cancelled
    return pd.DataFrame(
        {
            "order_id": make_ids("O", np.arange(orders["day"].size), widths.order),
            "customer_id": make_ids(
                "C",
                np.full(cancelled.size, -1) if buyers is None else buyers["order_customer"],
                widths.customer,
            ),
            "order_time": _ts(t0, orders["day"] * 86400.0 + orders["sec"]),
            "channel": labels(orders["channel"], CHANNELS),
            "device": labels(orders["device"], DEVICES),
            "revenue": sales.revenue,
            "discount": sales.discount,
            "status": labels(cancelled.astype(np.int8), ("completed", "cancelled")),
            "delivery_days": pd.array(np.where(cancelled, np.nan, sales.delivery), dtype="Int64"),
            "presale": sales.balance_day >= 0,
            "deposit": sales.deposit,
            "balance_date": np.where(
                sales.balance_day >= 0,
                _ts(t0, np.maximum(sales.balance_day, 0) * 86400.0),
                np.datetime64("NaT", "ns"),
            ),
        }
    )


def _inventory_table(
    launched: np.ndarray, inventory: InventoryResult, day_ts: np.ndarray, widths: IdWidths
) -> pd.DataFrame:
    """One row per day and SKU on sale, or written down after it was taken off sale."""
    day, sku = _inventory_cells(launched, inventory)
    return pd.DataFrame(
        {
            "date": day_ts[day],
            "sku": make_ids("SKU", sku, widths.sku),
            "stock_on_hand": inventory.stock_end[day, sku].astype(np.int64),
            "receipts": inventory.receipts[day, sku].astype(np.int64),
            "units_sold": inventory.sold[day, sku].astype(np.int64),
            "written_down": inventory.written_down[day, sku].astype(np.int64),
            "stockout": inventory.stockout[day, sku],
        }
    )


def _inventory_cells(launched: np.ndarray, inventory: InventoryResult) -> tuple[np.ndarray, ...]:
    """Day and SKU of each inventory row: on sale, or written down after it was taken off sale."""
    return np.nonzero(launched | (inventory.written_down > 0))


def _chat_table(
    t0: pd.Timestamp, chats: dict[str, np.ndarray], widths: IdWidths, texts: tuple | None
) -> pd.DataFrame:
    """One row per service chat, with the order it led to or is about (if any)."""
    n_chats = chats["time"].size
    return pd.DataFrame(
        {
            "chat_id": make_ids("H", np.arange(n_chats), id_width(n_chats, 7)),
            "customer_id": make_ids("C", chats["customer"], widths.customer),
            "chat_time": _ts(t0, chats["time"]),
            "kind": labels(chats["kind"], KINDS),
            "agent_id": make_ids("A", chats["agent"], 3),
            "wait_s": chats["wait_s"],
            "first_response_s": chats["first_response_s"],
            "handle_s": chats["handle_s"],
            "outcome": labels(chats["outcome"], OUTCOMES),
            "converted": chats["converted"],
            "order_id": make_ids("O", chats["order"], widths.order),
            **_text_columns(texts, "message"),
        }
    )


def _aftersales_tables(
    sales: Sales, after: AfterSales, day_ts: np.ndarray, widths: IdWidths, texts: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns and reviews, each sorted by date, order, SKU."""
    order, columns = _dated_lines(
        sales, after.return_line, after.return_day, "return_date", day_ts, widths
    )
    returns = pd.DataFrame(
        {
            **columns,
            "quantity": after.return_qty[order].astype(np.int64),
            "reason": labels(after.return_reason[order], REASONS),
            "refund": after.refund[order],
            **_text_columns(texts.get("returns"), "reason_text"),
        }
    )
    order, columns = _dated_lines(
        sales, after.review_line, after.review_day, "review_date", day_ts, widths
    )
    reviews = pd.DataFrame(
        {
            **columns,
            "stars": after.stars[order].astype(np.int64),
            **_text_columns(texts.get("reviews"), "text"),
        }
    )
    return returns, reviews


def _text_columns(texts: tuple | None, name: str) -> dict:
    """The text column `name` and the language it is written in (none in a lean run)."""
    if texts is None:
        return {}
    text, _, lang = texts
    return {name: pd.array(text, dtype="str"), "language": labels(lang, LANGS)}


def _dated_lines(
    sales: Sales,
    line: np.ndarray,
    day: np.ndarray,
    date_column: str,
    day_ts: np.ndarray,
    widths: IdWidths,
) -> tuple[np.ndarray, dict]:
    """Sort order of events on order lines, and their order id, SKU and date columns."""
    order = _event_order(sales, line, day)
    sorted_line = line[order]
    return order, {
        "order_id": make_ids("O", sales.line_order[sorted_line], widths.order),
        "sku": make_ids("SKU", sales.line_sku[sorted_line], widths.sku),
        date_column: day_ts[day[order]],
    }


def _event_order(sales: Sales, line: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Order of the rows of a table of events on order lines: by date, order id, SKU."""
    # ids sort like their integer codes, so sorting the codes sorts the published ids; an
    # order's line is returned or reviewed once at most
    bounds = (sales.line_sku.max(initial=0) + 1, sales.revenue.size, day.max(initial=0) + 1)
    return lexsort_distinct((sales.line_sku[line], sales.line_order[line], day), bounds)


def _row_keys(market: Market, activity: Activity) -> RowKeys:
    """The tables' row keys as the run knows them (integers), for the finance table."""
    sales, after = activity.sales, activity.after
    returned = after.return_line[_event_order(sales, after.return_line, after.return_day)]
    inventory_sku = _inventory_cells(market.products.launched, activity.stock.inventory)[1]
    return RowKeys(
        line_order=sales.line_order,
        line_sku=sales.line_sku,
        return_order=sales.line_order[returned],
        return_sku=sales.line_sku[returned],
        inventory_sku=inventory_sku,
    )


def customer_texts(market: Market, seed: int, activity: Activity) -> dict:
    """The reviews', returns' and chats' texts, their labels and their languages, in each
    table's row order: each text keyed by its line (order key and SKU), or its chat's key."""
    sales, after, products = activity.sales, activity.after, market.products
    books = shelf(
        products.table["name"],
        products.category_idx,
        products.table["list_price"].to_numpy(),
        products.launched,
    )
    courier = sales.delivery - sales.wait
    out = {}
    for name, line, day in (
        ("reviews", after.review_line, after.review_day),
        ("returns", after.return_line, after.return_day),
    ):
        row = _event_order(sales, line, day)
        order, sku = sales.line_order[line[row]], sales.line_sku[line[row]]
        key = (sales.orders["key"][order] << SKU_BITS) + sku
        lang = buyer_language(seed, sales.orders["key"][order])
        if name == "reviews":
            stars = after.stars[row]
            cause = review_causes(
                stars, products.defective[sku], after.review_return_reason[row], courier[order]
            )
            text = review_texts(seed, books, key, sku, stars, courier[order], cause, lang)
        else:
            reason = after.return_reason[row]
            text = return_texts(seed, books, key, sku, reason, courier[order], lang)
        out[name] = (*text, lang)
    events = _chat_events(market, activity)
    lang = chat_languages(seed, events)
    out["service_chats"] = (*chat_texts(seed, books, events, lang), lang)
    return out


def _chat_events(market: Market, activity: Activity) -> ChatEvents:
    """What each chat (in the chats' order) is about: its order's product (a return contact:
    the returned one, defect first), the day's calendar, the order's courier days."""
    sales, after, chats = activity.sales, activity.after, activity.chats
    days = len(market.busy)
    # per order: its first line's SKU, or a defective product's if it holds one
    sku_of = np.zeros(sales.orders["day"].size, dtype=np.int64)
    with_lines, first_line = np.unique(sales.line_order, return_index=True)
    sku_of[with_lines] = sales.line_sku[first_line]
    bad = np.flatnonzero(market.products.defective[sales.line_sku])
    sku_of[sales.line_order[bad]] = sales.line_sku[bad]
    defective = np.zeros(sku_of.size, dtype=bool)
    defective[sales.line_order[bad]] = True
    order, day = chats["order"], (chats["time"] // 86400).astype(np.int64)
    known = order >= 0
    sku = np.where(known, sku_of[np.maximum(order, 0)], -1)
    # a return contact is about its order's returns of that day, a defective one first
    r_order = sales.line_order[after.return_line].astype(np.int64)
    pair = r_order * (days + 1) + after.return_day
    first = np.lexsort((after.return_reason != REASONS.index("defective"), pair))
    pair, reason = pair[first], after.return_reason[first]
    returned_sku = sales.line_sku[after.return_line][first]
    about = np.flatnonzero(chats["source"] == 3)
    at = np.searchsorted(pair, order[about] * (days + 1) + day[about])
    return_reason = np.full(order.size, -1, dtype=np.int64)
    return_reason[about] = reason[at]
    sku[about] = returned_sku[at]
    return ChatEvents(
        key=chats["key"],
        source=chats["source"],
        day=day,
        sku=np.where(chats["converted"] | (chats["source"] >= 2), sku, -1),
        festive=market.festive[day],
        stop=market.effects["logistics"].stop[day],
        courier_days=np.where(known, (sales.delivery - sales.wait)[np.maximum(order, 0)], 0),
        defective=known & defective[np.maximum(order, 0)],
        return_reason=return_reason,
    )


def build_truth(
    market: Market,
    seed: int,
    days: int,
    channels: tuple[str, ...],
    activity: Activity,
) -> dict:
    """The instructor-only ground truth: every parameter and incident behind the tables."""
    sales, stock = activity.sales, activity.stock
    completed = ~sales.cancelled
    aov = float(sales.revenue[completed].mean()) if completed.any() else 0.0
    skus = market.products.table["sku"].to_numpy(dtype=object)
    incidents = _incidents(market, stock, activity.checkout_incident, skus, days)
    channels_truth = _channel_truth(
        market.traffic, activity.funnel, market.traffic.table, aov, channels
    )
    ab_truth = _ab_truth(market)
    return dict(
        generator_version=GENERATOR_VERSION,
        seed=seed,
        elasticity=market.elasticity,
        cross_price_elasticity=market.cross,
        price_model=dict(
            demand_weight=(
                "popularity x life_cycle x (price/reference_price)^elasticity x "
                "(reference_price/list_price)^(permanent_share x elasticity) x "
                "(competitor_price/list_price)^cross"
            ),
            reference_price=f"exponential smoothing of the SKU's own past prices over {REFERENCE_DAYS} days, from the list price",
            permanent_share=PERMANENT_SHARE,
            funnel=(
                "add-to-cart rate x price_index; price_index = sum of demand weights / sum "
                "of the same without own prices, 1 on average under the store's own prices"
            ),
            substitution=(
                "each basket line picks a SKU in proportion to its demand weight of the day "
                "(a race between categories, then a SKU within the winner); with the funnel "
                "term, a SKU's expected units are proportional to its own demand weight, so "
                "a price change does not move other SKUs' expected units: the lines it draws "
                "from other categories are made up by the orders it adds"
            ),
        ),
        festivals=market.festivals,
        channels=channels_truth,
        free_traffic_by_product=_free_exposure_truth(market),
        funnel=_funnel_truth(channels),
        rhythm=_rhythm_truth(),
        order_rules=_order_rules(market),
        festival_plans=list(market.effects["store_festivals"].plans),
        incidents=incidents,
        service=service_truth(market.agents),
        aftersales=aftersales_truth(activity.after.return_rate),
        texts=text_truth({name: labels for name, (_, labels, _) in activity.texts.items()}),
        segments=segment_truth(),
        products=market.products.truth,
        inventory=_inventory_truth(stock, skus, sales.stockout_lost_orders),
        supply=supply_truth(stock.supply, stock.inventory.purchase_orders, market.t0, days, skus),
        clearance=_clearance_truth(market, activity),
        ab_test=ab_truth,
        customers=dict(
            existing_at_start=int(activity.buyers["n_existing"]),
            # one digit per customer in customer_id order: the index of its segment
            segment_order=list(SEGMENTS),
            # (written as ASCII bytes at once: a Python str per customer is slow at scale)
            segment_by_customer=(np.asarray(activity.buyers["segment"], dtype=np.uint8) + 48)
            .tobytes()
            .decode("ascii"),
            loyalty=loyalty_truth(),
            # one digit per customer: its loyalty at the run's end in tenths of the cap (0-9)
            loyalty_at_end_by_customer=(
                np.minimum(activity.buyers["loyalty"] / LOYALTY_CAP * 10, 9).astype(np.uint8) + 48
            )
            .tobytes()
            .decode("ascii"),
        ),
    )


def _free_exposure_truth(market: Market) -> dict:
    """How the platform splits a category's free visitors over its products, and each SKU's
    exposure by week (7-day blocks from the first day; the mean of its daily multiplier)."""
    exposure = market.products.free_exposure
    week = np.arange(exposure.shape[0]) // 7
    per_week = np.bincount(week)
    weekly = np.stack([np.bincount(week, weights=x) for x in exposure.T]) / per_week
    skus = market.products.table["sku"].to_numpy(dtype=object)
    return dict(
        rule=(
            "a line of an order from organic search or recommendations picks a SKU of the "
            "category it came for in proportion to demand_weight x exposure; exposure = (the "
            "SKU's price response, adstocked with decay, delay_days late) ** elasticity; the "
            "category race and the store's free sessions do not depend on it"
        ),
        price_response="(price/reference_price)^elasticity x (reference_price/list_price)^(permanent_share x elasticity): 1 at the list price",
        decay=FREE_DECAY,
        delay_days=FREE_DELAY,
        elasticity=PRODUCT_EXPOSURE_ELASTICITY,
        exposure_by_sku_and_week={
            sku: np.round(row, 4).tolist() for sku, row in zip(skus, weekly, strict=True)
        },
    )


def _order_rules(market: Market) -> dict:
    """Cancellations, top-ups, coupons (the rule and each period's coupon) and pre-sales."""
    return dict(
        cancel_rate=CANCEL_RATE,
        cancel_rate_festival=CANCEL_RATE_FESTIVAL,
        top_up=(
            f"a basket within {TOP_UP_REACH:.0%} below its next coupon threshold gets, with "
            f"probability {TOP_UP_P}, one unit of a SKU on sale whose price closes the gap "
            f"and overshoots it by at most {TOP_UP_OVERSHOOT:.0%} (or 10 yuan), drawn "
            "among those in proportion to their demand weights (凑单)"
        ),
        coupon=COUPON_RULE,
        coupons_by_period=[
            dict(
                start=str((market.t0 + pd.Timedelta(days=run.pop("first_day"))).date()),
                end=str((market.t0 + pd.Timedelta(days=run.pop("last_day"))).date()),
                **run,
            )
            for run in market.coupons.describe()
        ],
        presale=PRESALE_RULE,
        bundle_partner_added=BUNDLE_ATTACH,
    )


def _clearance_truth(market: Market, activity: Activity) -> dict:
    """The most profitable clearance of each seasonal and fashion SKU (default costs)."""
    sales, stock = activity.sales, activity.stock
    done = ~sales.cancelled
    units = sales.line_qty[done[sales.line_order]].sum()
    money = unit_money(
        market.products,
        DEFAULT_COSTS,
        activity.after.return_rate,
        float(sales.discount[done].sum() / max(sales.gross[done].sum(), 1e-9)),
        float(done.sum() / max(units, 1)),
    )
    return clearance_truth(
        market.products,
        stock.demand,
        stock.free_demand,
        stock.expected,
        stock.inventory,
        money,
        DEFAULT_COSTS,
        market.t0,
    )


def _incidents(
    market: Market, stock: Stock, checkout_incident: dict | None, skus: np.ndarray, days: int
) -> list[dict]:
    """Checkout failure, stock-out and bad traffic, with dates as the tables show them."""
    t0 = market.t0
    incidents = []
    if checkout_incident:
        incidents.append(checkout_incident)
    inventory = stock.inventory
    if inventory.incident:
        incident = inventory.incident
        sku = incident["sku_index"]
        # the observed window: the whole run of stock-out days around the write-off
        out = inventory.stockout[:, sku]
        first, last = incident["start_day"], incident["end_day"]
        while first > 0 and out[first - 1]:
            first -= 1
        while last + 1 < days and out[last + 1]:
            last += 1
        lost = float((stock.demand - inventory.sold)[first : last + 1, sku].sum())
        incidents.append(
            dict(
                kind="stockout",
                sku=skus[sku],
                start=str((t0 + pd.Timedelta(days=first)).date()),
                end=str((t0 + pd.Timedelta(days=last)).date()),
                lost_units=int(lost),
                cause="warehouse write-off and supplier delay",
            )
        )
    bad = market.traffic.truth["incidents"]["bad_traffic"]
    if bad:
        incidents.append(
            dict(
                kind="bad_traffic",
                channel=bad["channel"],
                start=str((t0 + pd.Timedelta(days=bad["start_day"])).date()),
                end=str((t0 + pd.Timedelta(days=bad["end_day"])).date()),
                extra_clicks=bad["extra_clicks"],
                extra_sessions=bad["extra_sessions"],
                conversion_of_bad_sessions=0.0,
            )
        )
    return incidents


def _ab_truth(market: Market) -> dict | None:
    """The banner test with calendar dates instead of day indices."""
    ab = market.traffic.truth["ab_test"]
    if not ab:
        return ab
    # the banner table (built from the same record) still needs the day indices
    return dict(
        {k: v for k, v in ab.items() if k not in ("start_day", "end_day")},
        start=str((market.t0 + pd.Timedelta(days=ab["start_day"])).date()),
        end=str((market.t0 + pd.Timedelta(days=ab["end_day"])).date()),
    )


def _funnel_truth(channels: tuple[str, ...]) -> dict:
    """Conversion-funnel rates by device and channel quality."""
    return dict(
        views_per_session=dict(zip(DEVICES, VIEWS_PER_SESSION.tolist(), strict=True)),
        add_to_cart_quality={c: CHANNEL_PARAMS[c]["quality"] for c in channels},
        add_to_cart_rate_per_view=ATC_BASE,
        add_to_cart_device_multiplier=dict(zip(DEVICES, DEVICE_ATC.tolist(), strict=True)),
        cart_to_order_rate=C2O_BASE,
        cart_to_order_device_multiplier=dict(zip(DEVICES, DEVICE_C2O.tolist(), strict=True)),
        note="rates are further multiplied by the festival phase effects (see festivals)",
    )


def _rhythm_truth() -> dict:
    """Hour-of-day and weekday patterns of the sessions."""
    weekdays = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    return dict(
        hour_of_day_weights=list(HOUR_PROFILE),
        weekday_session_multiplier=dict(zip(weekdays, WEEKDAY_MULT, strict=True)),
        double11_midnight_rush="hour 0 x9, hour 1 x4 on the Double 11 peak day",
    )


def _inventory_truth(stock: Stock, skus: np.ndarray, stockout_lost_orders: int) -> dict:
    """The reorder policy per SKU and the sales it lost."""
    inventory = stock.inventory
    lost = stock.demand - inventory.sold
    down = inventory.written_down
    policy = inventory.policy
    return dict(
        policy="reorder when stock + on order <= forecast x (lead time x safety factor + logistics-stop days before the promised arrival); order up to forecast x (days to the promised arrival + cover days); each reorder is one purchase order",
        stockout_lost_orders=stockout_lost_orders,
        lost_units_total=int(lost.sum()),
        lost_units_by_sku={k: int(v) for k, v in zip(skus, lost.sum(axis=0), strict=True) if v > 0},
        # [day index, units] of every day a SKU could not serve all its demand
        lost_units_by_sku_and_day={
            skus[j]: [[int(d), int(lost[d, j])] for d in np.flatnonzero(lost[:, j] > 0)]
            for j in np.flatnonzero(lost.sum(axis=0) > 0)
        },
        # [day index, units] of every season-end write-down (products.season_end_rule)
        written_down_by_sku_and_day={
            skus[j]: [[int(d), int(down[d, j])] for d in np.flatnonzero(down[:, j] > 0)]
            for j in np.flatnonzero(down.sum(axis=0) > 0)
        },
        per_sku={
            k: dict(
                lead_time_days=policy["lead_time_days"][j],
                safety_factor=policy["safety_factor"][j],
                cover_days=policy["cover_days"][j],
                min_order_qty=policy["min_order_qty"][j],
            )
            for j, k in enumerate(skus)
        },
    )


def _ab_table(
    seed: int, traffic_model: TrafficModel, funnel: dict, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Two display banners split the display impressions during the test window."""
    t = traffic_model.truth["ab_test"]
    if not t:
        return traffic_model.ab_table
    ci = CHANNELS.index("display")
    d = np.arange(t["start_day"], t["end_day"] + 1)
    tr = traffic_model.table[traffic_model.table["channel"] == "display"]
    imps = tr["impressions"].to_numpy()[d]
    clicks = tr["clicks"].to_numpy()[d]
    ctr = clicks / np.maximum(imps, 1)
    lift = t["ctr_relative_lift_b_vs_a"]
    # one stream per step and variant, each in day order (common random numbers)
    ia = stream(seed, "ab_test").binomial(imps, 0.5)
    ib = imps - ia
    ca = stream(seed, "ab_test", 1).binomial(ia, np.clip(ctr * 2 / (2 + lift), 0, 1))
    cb = stream(seed, "ab_test", 2).binomial(ib, np.clip(ctr * 2 * (1 + lift) / (2 + lift), 0, 1))
    conv = funnel["orders"][d, ci].sum(axis=1) / np.maximum(
        funnel["sessions"][d, ci].sum(axis=1), 1
    )
    oa = stream(seed, "ab_test", 3).binomial(ca, np.clip(conv, 0, 1))
    ob = stream(seed, "ab_test", 4).binomial(cb, np.clip(conv, 0, 1))
    n = d.size
    return pd.DataFrame(
        {
            "date": np.tile(dates.to_numpy().astype("datetime64[ns]")[d], 2),
            "channel": pd.array(["display"] * (2 * n), dtype="str"),
            "variant": pd.array(["A"] * n + ["B"] * n, dtype="str"),
            "impressions": np.r_[ia, ib].astype(np.int64),
            "clicks": np.r_[ca, cb].astype(np.int64),
            "orders": np.r_[oa, ob].astype(np.int64),
        }
    ).sort_values(["date", "variant"], ignore_index=True)


def _channel_truth(
    traffic_model: TrafficModel,
    funnel: dict,
    traffic: pd.DataFrame,
    aov: float,
    channels: tuple[str, ...],
) -> dict:
    """Per-channel response parameters plus true average and marginal ROI."""
    out = {}
    mob = {c: CHANNEL_PARAMS[c]["mobile"] for c in CHANNELS}
    for c in channels:
        ci = CHANNELS.index(c)
        info = dict(traffic_model.truth["channels"].get(c, {}))
        conv_dev = (
            VIEWS_PER_SESSION[None, :] * funnel["atc_p"][:, ci, :] * funnel["c2o_p"][:, ci, :]
        )
        conv = conv_dev[:, 0] * mob[c] + conv_dev[:, 1] * (1 - mob[c])
        sess = traffic_model.sessions[:, ci, :].sum(axis=1)
        exp_rev = float((sess * conv).sum() * aov)
        spend = float(traffic.loc[traffic["channel"] == c, "spend"].sum())
        info["expected_conversion"] = round(float((sess * conv).sum() / max(sess.sum(), 1)), 5)
        if spend > 0:
            info["roi"] = round(exp_rev / spend, 4)
            if c in traffic_model.response:
                r = traffic_model.response[c]
                sp = traffic.loc[traffic["channel"] == c, "spend"].to_numpy()
                dclick = r["ctr"] * r["fest"] / (1 + r["adstock"] / r["k"]) ** 2 * 1000.0 / r["cpm"]
                mroi = dclick * CHANNEL_PARAMS[c]["land"] * conv * aov
                info["marginal_roi"] = round(float((mroi * sp).sum() / max(sp.sum(), 1e-9)), 4)
            else:
                info["marginal_roi"] = info["roi"]
        out[c] = info
    return out


def _campaign_basket(
    seed: int, sales: Sales, camp: dict, channels: tuple[str, ...]
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """The campaigns' extra orders as order columns, the order each copies its basket and
    device from (a completed order of its day that is not a pre-sale one), their customers
    and send rows. A member who answers a message opens the store in the app: the order
    comes in as direct traffic, from a visit the store had anyway (through the order's own
    channel if the store has no direct traffic)."""
    rows, day, row = camp["rows"], camp["order_day"], camp["order_row"]
    ok = np.flatnonzero(~sales.cancelled & (sales.balance_day < 0))
    # each order of the day has a uniform of its own (keyed like its draws); the member takes
    # the first at or above theirs: an order that comes or goes moves few members' pick
    v = keyed_uniforms(seed, "campaign-basket", sales.orders["key"][ok], 1)[:, 0]
    ok_day = sales.orders["day"][ok]
    # positive float32s sort like their bit patterns, and integer keys sort faster
    v_bits = v.view(np.uint32) - SMALLEST_UNIFORM_BITS
    by_day = stable_lexsort((v_bits, ok_day), (UNIFORM_BITS_BOUND, int(ok_day.max(initial=0)) + 1))
    ok, v, ok_day = ok[by_day], v[by_day], ok_day[by_day]
    lo = np.searchsorted(ok_day, day, "left")
    n = np.searchsorted(ok_day, day, "right") - lo
    has = n > 0
    day, row, lo, n = day[has], row[has], lo[has], n[has]
    u = rows["u"][row]
    # days then uniforms, sorted: one search finds each member's pick within their day
    below_one = np.nextafter(np.float32(1), np.float32(0))  # a float32 uniform may round to 1
    at = np.searchsorted(
        ok_day + np.minimum(v, below_one).astype(np.float64),
        day + np.minimum(u[:, CU_BASKET], below_one).astype(np.float64),
    )
    template = ok[np.where(at < lo + n, at, lo)]
    prof = np.asarray(HOUR_PROFILE, dtype=float)
    hour = np.searchsorted(np.cumsum(prof) / prof.sum(), u[:, CU_HOUR], side="right")
    sec = np.minimum(hour, 23) * 3600 + (u[:, CU_SEC] * 3600).astype(np.int64)
    src = sales.orders
    orders = dict(
        day=day.astype(src["day"].dtype),
        channel=np.where(
            "direct" in channels, CHANNELS.index("direct"), src["channel"][template]
        ).astype(src["channel"].dtype),
        device=src["device"][template],
        sec=sec.astype(src["sec"].dtype),
        key=(1 << 62) + row,  # never drawn from: a campaign order is never rated
        chat=np.full(day.size, -1, dtype=np.int64),
        coupon_u=src["coupon_u"][template],
        delivery_u=src["delivery_u"][template],
        forfeited=np.zeros(day.size, dtype=bool),
    )
    return orders, template, rows["customer"][row], row


def _with_campaign_orders(
    seed: int,
    sales: Sales,
    after: AfterSales,
    chats: dict,
    buyers: dict,
    plans: list[PlannedCampaign],
    channels: tuple[str, ...],
) -> tuple[Sales, AfterSales, dict, dict, dict]:
    """The sales with the campaigns' extra orders put in time order (orders renumbered, the
    store's own keeping their order) and the coupons redeemed; after-sales, chats and buyers
    renumbered to match; and what the campaigns did (`campaigns` of the truth and tables)."""
    camp = buyers["campaigns"]
    extra, template, customer, row = _campaign_basket(seed, sales, camp, channels)
    n_main = sales.orders["day"].size
    o = sales.orders
    t = np.r_[o["day"] * 86400 + o["sec"], extra["day"] * 86400 + extra["sec"]]
    perm = np.argsort(t, kind="stable")
    where = np.empty_like(perm)
    where[perm] = np.arange(perm.size)
    # each order's first line: the lines are sorted by order, so a count per order is enough
    starts = np.zeros(n_main + 1, dtype=np.int64)
    np.cumsum(np.bincount(sales.line_order, minlength=n_main), out=starts[1:])
    count = starts[template + 1] - starts[template]
    copied = np.repeat(starts[template] - np.cumsum(count) + count, count) + np.arange(count.sum())
    line_order = where[np.r_[sales.line_order, n_main + np.repeat(np.arange(template.size), count)]]
    lperm = np.argsort(line_order, kind="stable")
    lwhere = np.empty_like(lperm)
    lwhere[lperm] = np.arange(lperm.size)

    # each row written straight to its place: one pass, no line- or order-sized temporary
    def per_order(main: np.ndarray, new: np.ndarray) -> np.ndarray:
        out = np.empty(perm.size, dtype=np.result_type(main, new))
        out[where[:n_main]] = main
        out[where[n_main:]] = new
        return out

    def per_line(main: np.ndarray) -> np.ndarray:
        out = np.empty(lperm.size, dtype=main.dtype)
        out[lwhere[: main.size]] = main
        out[lwhere[main.size :]] = main[copied]
        return out

    orders = {k: per_order(o[k], extra[k]) for k in o}

    none = np.zeros(template.size)
    merged = Sales(
        orders,
        per_order(sales.cancelled, np.zeros(template.size, dtype=bool)),
        line_order[lperm],
        per_line(sales.line_sku),
        per_line(sales.line_qty),
        per_line(sales.line_day),
        per_line(sales.line_price),
        per_order(sales.gross, sales.gross[template]),
        per_order(sales.discount, sales.discount[template]),
        per_order(sales.revenue, sales.revenue[template]),
        per_order(sales.delivery, sales.delivery[template]),
        sales.stockout_lost_orders,
        per_order(sales.deposit, none),
        per_order(sales.balance_day, np.full(template.size, -1, dtype=sales.balance_day.dtype)),
        per_order(sales.wait, sales.wait[template]),
    )
    order_customer = per_order(buyers["order_customer"], customer)
    chats = dict(
        chats, order=np.where(chats["order"] >= 0, where[np.maximum(chats["order"], 0)], -1)
    )
    after = replace(
        after, return_line=lwhere[after.return_line], review_line=lwhere[after.review_line]
    )
    redeemed = _redeem(merged, after, plans, camp["rows"], order_customer)
    done = dict(plans=plans, rows=camp["rows"], redeemed=redeemed, order=where[n_main:], row=row)
    return merged, after, chats, dict(buyers, order_customer=order_customer), done


def _redeem(
    sales: Sales, after: AfterSales, plans: list[PlannedCampaign], rows: dict, customer
) -> np.ndarray:
    """Apply the campaigns' coupons to the orders that redeem them (in place; refunds of
    their returns follow); the redeeming order of each send row (-1: none)."""
    usable = ~sales.cancelled & (sales.balance_day < 0)
    redeemed = redeem(plans, rows, customer, sales.orders["day"], usable, sales.gross)
    hit = redeemed >= 0
    if not hit.any():
        return redeemed
    amount = np.array([p.amount for p in plans])[rows["campaign"][hit]]
    won = redeemed[hit]
    sales.discount[won] = np.round(sales.discount[won] + amount, 2)
    sales.revenue[won] = np.round(sales.gross[won] - sales.discount[won], 2)
    order = sales.line_order[after.return_line]
    fix = np.flatnonzero(np.isin(order, won))
    share = sales.revenue[order[fix]] / sales.gross[order[fix]]
    after.refund[fix] = np.round(
        after.return_qty[fix] * sales.line_price[after.return_line[fix]] * share, 2
    )
    return redeemed


def _campaign_tables(
    start: date, done: dict | None, widths: IdWidths, named: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The campaigns (one row each, in the policy's order) and their sends (one row per
    targeted member, by campaign and customer; no customer ids unless `named`)."""
    plans = done["plans"] if done else []
    rows = done["rows"] if done and done["rows"] else None
    n = len(plans)
    k = np.arange(n)
    ids = make_ids("CP", k, 3)
    if rows is None:
        rows = dict(
            campaign=np.empty(0, dtype=np.int64),
            customer=np.empty(0, dtype=np.int64),
            held_out=np.empty(0, dtype=bool),
            opted_out=np.empty(0, dtype=bool),
        )
        redeemed = np.empty(0, dtype=np.int64)
    else:
        redeemed = done["redeemed"]
    camp = rows["campaign"]
    sent = ~rows["held_out"]

    def per(mask: np.ndarray) -> np.ndarray:
        return np.bincount(camp[mask], minlength=n).astype(np.int64)

    cost = np.array([COST_PER_MESSAGE[p.channel] for p in plans], dtype=float)
    campaigns = pd.DataFrame(
        {
            "campaign_id": ids,
            "name": pd.array([p.name for p in plans], dtype="str"),
            "send_date": pd.to_datetime([start + timedelta(days=p.day) for p in plans]).astype(
                "datetime64[ns]"
            ),
            "channel": pd.array([p.channel for p in plans], dtype="str"),
            "target": pd.array([describe_target(p) for p in plans], dtype="str"),
            "coupon_amount": np.array([p.amount for p in plans], dtype=float),
            "min_spend": np.array([p.min_spend for p in plans], dtype=float),
            "holdout_share": np.array([p.holdout for p in plans], dtype=float),
            "targeted": per(np.ones(camp.size, dtype=bool)),
            "held_out": per(~sent),
            "sent": per(sent),
            "opted_out": per(rows["opted_out"]),
            "redeemed": per(redeemed >= 0),
            "cost_per_message": cost,
            "message_cost": np.round(per(sent) * cost, 2),
        }
    )
    srt = stable_lexsort((rows["customer"], camp), (int(rows["customer"].max(initial=0)) + 1, n))
    sends = pd.DataFrame(
        {
            "campaign_id": make_ids("CP", camp[srt], 3),
            "customer_id": make_ids(
                "C", rows["customer"][srt] if named else np.full(srt.size, -1), widths.customer
            ),
            "group": labels((~sent[srt]).astype(np.int8), ("sent", "held_out")),
            "opted_out": rows["opted_out"][srt],
            "redeemed_order_id": make_ids("O", redeemed[srt], widths.order),
        }
    )
    return campaigns, sends


def _campaign_truth(
    market: Market, sales: Sales, after: AfterSales, done: dict | None, costs
) -> list[dict]:
    """Per campaign and true segment: members sent and held out, the true uplift (expected
    extra orders per member sent, at their loyalty of the send date) and the true incremental
    profit (the contribution of the orders it caused, less its coupons on orders that would
    have been placed anyway and its messages; its orders are not returned)."""
    if not done or not done["rows"]:
        return []
    plans, rows, redeemed = done["plans"], done["rows"], done["redeemed"]
    table = market.products.table
    keep = 1 - costs.payment_fee - table["category"].map(costs.commission).to_numpy(dtype=float)
    unit_cost = table["unit_cost"].to_numpy(dtype=float)
    n = sales.gross.size
    gross_line = sales.line_qty * sales.line_price
    kept = np.bincount(sales.line_order, gross_line * keep[sales.line_sku], minlength=n)
    factor = np.divide(kept, sales.gross, out=np.zeros(n), where=sales.gross > 0)
    cogs = np.bincount(sales.line_order, sales.line_qty * unit_cost[sales.line_sku], minlength=n)
    gain = np.zeros(rows["customer"].size)
    caused = np.zeros(n, dtype=bool)
    caused[done["order"]] = True
    gain[done["row"]] += (
        sales.revenue[done["order"]] * factor[done["order"]]
        - cogs[done["order"]]
        - costs.shipping_per_parcel
    )
    # a coupon on an order placed anyway: less paid, less commission and fees, and less
    # refunded (with its commission) on the share of the order sent back
    back = sales.line_order[after.return_line]
    returned = np.bincount(back, after.return_qty * sales.line_price[after.return_line], n)
    kept_share = 1 - np.divide(returned, sales.gross, out=np.zeros(n), where=sales.gross > 0)
    anyway = np.flatnonzero((redeemed >= 0) & ~caused[np.maximum(redeemed, 0)])
    amount = np.array([p.amount for p in plans])[rows["campaign"][anyway]]
    o = redeemed[anyway]
    fee = costs.payment_fee
    gain[anyway] -= amount * (kept_share[o] * (factor[o] + fee) - fee)
    sent = ~rows["held_out"]
    gain[sent] -= np.array([COST_PER_MESSAGE[p.channel] for p in plans])[rows["campaign"][sent]]
    extra = np.bincount(done["row"], minlength=gain.size)
    out = []
    for i, plan in enumerate(plans):
        by_segment = {}
        for s, name in enumerate(SEGMENTS):
            mine = (rows["campaign"] == i) & (rows["segment"] == s)
            by_segment[name] = dict(
                sent=int((mine & sent).sum()),
                held_out=int((mine & ~sent).sum()),
                true_uplift=round(float(rows["uplift"][mine & sent].mean()), 6)
                if (mine & sent).any()
                else 0.0,
                extra_orders=int(extra[mine].sum()),
                incremental_profit=round(float(gain[mine].sum()), 2),
            )
        mine = rows["campaign"] == i
        out.append(
            dict(
                name=plan.name,
                true_uplift=round(float(rows["uplift"][mine & sent].mean()), 6)
                if (mine & sent).any()
                else 0.0,
                extra_orders=int(extra[mine].sum()),
                incremental_profit=round(float(gain[mine].sum()), 2),
                by_segment=by_segment,
            )
        )
    return out


def _campaign_visits(
    funnel: dict[str, np.ndarray], sales: Sales, done: dict | None
) -> dict[str, np.ndarray]:
    """The funnel with the campaigns' orders: each turns a visit the store had anyway (a member
    opening the app) into a product view, a cart and an order."""
    if not done or not done["order"].size:
        return funnel
    o = sales.orders
    day, ch, dev = (o[k][done["order"]].astype(np.int64) for k in ("day", "channel", "device"))
    funnel = dict(funnel)
    for name in ("views", "atc"):
        funnel[name] = funnel[name].copy()
        np.add.at(funnel[name], (day, ch, dev), 1)
    return funnel
