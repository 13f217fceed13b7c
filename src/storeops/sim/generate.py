"""`generate`: run every sub-model in causal order and assemble the store and its truth."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from storeops.errors import StoreOpsError
from storeops.sim.aftersales import REASONS, aftersales_truth, simulate_returns, simulate_reviews
from storeops.sim.calendar import build_calendar
from storeops.sim.customers import assign_customers, segment_truth
from storeops.sim.funnel import (
    ATC_BASE,
    C2O_BASE,
    DEVICE_ATC,
    DEVICE_C2O,
    VIEWS_PER_SESSION,
    simulate_funnel,
)
from storeops.sim.inventory import simulate_inventory
from storeops.sim.orders import (
    BUNDLE_ATTACH,
    CANCEL_RATE,
    CANCEL_RATE_FESTIVAL,
    COUPON_RULE,
    coupon_discount,
    expand_orders,
    fulfil,
    sample_lines,
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
from storeops.sim.products import ProductModel, build_products
from storeops.sim.rng import stream
from storeops.sim.service import service_truth, simulate_chats
from storeops.sim.store import Store
from storeops.sim.traffic import TrafficModel, build_traffic, pick_quiet_window

MAX_DAYS = 3 * 366
CHECKOUT_FAIL_SHARE = 0.97  # share of checkouts on the broken device that fail during the incident


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
    arr = pa.array(idx + 1, mask=idx < 0).cast(pa.string())
    arr = pc.binary_join_element_wise(prefix, pc.utf8_lpad(arr, width, padding="0"), "")
    return pd.array(arr, dtype="str")


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

    t0: pd.Timestamp
    cal: pd.DataFrame
    eff: dict
    festivals: dict
    fest: np.ndarray  # festival name per day ("" outside festivals)
    phase: np.ndarray  # festival phase per day
    festive: np.ndarray  # presale or peak day
    busy: np.ndarray  # any festival day
    elasticity: dict
    cross: dict
    pm: ProductModel
    irng: np.random.Generator  # the incidents stream, shared by later phases
    tm: TrafficModel


def build_market(
    seed: int,
    start: date,
    days: int,
    scale: float,
    channels: tuple[str, ...],
    budgets: dict[str, np.ndarray] | None = None,
    prices: dict[int, list[tuple[int, int, float]]] | None = None,
) -> Market:
    """Calendar, products and traffic; `budgets` and `prices` replace the drawn plans."""
    t0 = pd.Timestamp(start)
    cal, eff, festivals = build_calendar(start, days)
    eff["dates"] = pd.date_range(t0, periods=days, freq="D")
    eff["weekday0"] = t0.weekday()
    fest = cal["festival"].to_numpy(dtype=object)
    phase = cal["festival_phase"].to_numpy(dtype=object)
    festive = (phase == "presale") | (phase == "peak")
    busy = fest != ""
    elasticity, cross = _knobs(seed)
    pm = build_products(stream(seed, "products"), start, days, elasticity, cross, prices)
    irng = stream(seed, "incidents")
    tm = build_traffic(stream(seed, "traffic"), eff, busy, scale, channels, irng, budgets)
    return Market(
        t0, cal, eff, festivals, fest, phase, festive, busy, elasticity, cross, pm, irng, tm
    )


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


def run_store(
    market: Market,
    seed: int,
    start: date,
    days: int,
    scale: float,
    channels: tuple[str, ...],
    reorder: dict[int, tuple[float, float, float]] | None = None,
) -> Store:
    """Orders, stock, customers and after-sales on top of `market`; assemble tables and truth."""
    t0, cal, eff, festivals = market.t0, market.cal, market.eff, market.festivals
    fest, phase, festive, busy = market.fest, market.phase, market.festive, market.busy
    elasticity, cross, pm, irng, tm = (
        market.elasticity,
        market.cross,
        market.pm,
        market.irng,
        market.tm,
    )
    n_sku = len(pm.table)
    fn = simulate_funnel(stream(seed, "funnel"), tm.sessions, tm.bad_sessions, eff)

    # intended orders, with times of day
    orng = stream(seed, "orders")
    od = expand_orders(orng, fn["orders"], (fest == "double11") & (phase == "peak"))
    # incident: checkout failure on one device for some hours
    inc_checkout = None
    if days >= 20:
        d0 = pick_quiet_window(irng, busy, 2, 0.15, 0.45)
        h0 = int(irng.integers(10, 14))  # from late morning ...
        length_h = int(irng.integers(20, 23)) - h0  # ... until the evening peak is over
        dev = int(irng.choice([0, 0, 1]))
        ts, te = d0 * 86400 + h0 * 3600, d0 * 86400 + (h0 + length_h) * 3600
        t_abs = od["day"] * 86400 + od["sec"]
        hit = (od["device"] == dev) & (t_abs >= ts) & (t_abs < te)
        fail = hit & (orng.random(hit.size) < CHECKOUT_FAIL_SHARE)
        od = {k: v[~fail] for k, v in od.items()}
        inc_checkout = dict(
            kind="checkout_failure",
            device=DEVICES[dev],
            start=str(t0 + pd.Timedelta(seconds=ts)),
            end=str(t0 + pd.Timedelta(seconds=te)),
            failed_checkout_share=CHECKOUT_FAIL_SHARE,
            lost_orders=int(fail.sum()),
        )
    n_o = od["day"].size
    cancelled = orng.random(n_o) < np.where(festive[od["day"]], CANCEL_RATE_FESTIVAL, CANCEL_RATE)
    role = pm.table["role"].to_numpy(dtype=object)
    ln = sample_lines(
        orng, od["day"], pm.demand_weight, pm.partner, role == "traffic", (phase == "peak")
    )
    l_day = od["day"][ln["order"]]
    live = ~cancelled[ln["order"]]
    demand = np.bincount(
        l_day[live] * n_sku + ln["sku"][live], weights=ln["qty"][live], minlength=days * n_sku
    ).reshape(days, n_sku)
    # expected units per SKU-day, as a planner would know them (no festival spikes)
    share = pm.demand_weight / np.maximum(pm.demand_weight.sum(axis=1, keepdims=True), 1e-300)
    typical = np.median(demand.sum(axis=1)[~busy]) if (~busy).any() else demand.sum(axis=1).mean()
    expected = share * typical
    # incident: a best seller goes out of stock (warehouse write-off, supplier delay)
    cand = np.flatnonzero(pm.launched[0] & (role != "bundle"))
    best = (
        int(cand[np.argmax(pm.popularity[cand] * pm.life[days // 2, cand])])
        if cand.size and days >= 40
        else None
    )
    s_len = int(irng.integers(12, 19))
    s_start = pick_quiet_window(irng, busy, s_len, 0.3, 0.55) if best is not None else None
    inv = simulate_inventory(
        stream(seed, "inventory"), demand, expected, pm.launched, best, s_start, s_len, reorder
    )
    # censoring: served quantity per line; cancelled orders only need the item to be in stock
    got = fulfil(ln["order"][live], l_day[live], ln["sku"][live], ln["qty"][live], inv.available)
    qty = ln["qty"].copy()
    qty[live] = got
    in_stock = inv.available[l_day, ln["sku"]] > 0
    qty[~live & ~in_stock] = 0
    keep_l = qty > 0
    has_line = np.bincount(ln["order"][keep_l], minlength=n_o) > 0
    stockout_lost_orders = int((~has_line).sum())
    # renumber orders and lines
    new_idx = np.cumsum(has_line) - 1
    od = {k: v[has_line] for k, v in od.items()}
    cancelled = cancelled[has_line]
    l_order = new_idx[ln["order"][keep_l]]
    l_sku = ln["sku"][keep_l]
    l_qty = qty[keep_l]
    del ln, qty, keep_l, in_stock, live, got, new_idx, has_line, l_day
    n_o = od["day"].size
    l_day = od["day"][l_order]
    l_price = pm.price[l_day, l_sku]
    gross = np.bincount(l_order, weights=l_qty * l_price, minlength=n_o)
    discount = np.round(
        np.minimum(coupon_discount(orng, gross, festive[od["day"]]), 0.5 * gross), 2
    )
    revenue = np.round(gross - discount, 2)
    delivery = 1 + orng.poisson(
        1.3
        + np.where(phase[od["day"]] == "peak", 3.0, np.where(phase[od["day"]] == "dip", 1.5, 0.0))
    )

    # customers
    cu = assign_customers(
        stream(seed, "customers"), od["day"], od["sec"], od["channel"], festive, days, scale
    )
    n_c = cu["segment"].size

    # service chats
    ch = simulate_chats(
        stream(seed, "service"), od["day"], od["sec"], cu["order_customer"], cu["first_day"], days
    )

    # returns and reviews for completed orders
    arng = stream(seed, "aftersales")
    comp_line = ~cancelled[l_order]
    cats = list(CATEGORIES)
    cat_rate = {
        c: round(
            float(np.clip(CATEGORIES[c]["return_rate"] * arng.uniform(0.85, 1.15), 0.01, 0.6)), 4
        )
        for c in cats
    }
    rate_vec = np.array([cat_rate[c] for c in cats])[pm.category_idx]
    li = np.flatnonzero(comp_line)
    r_sku = l_sku[li]
    dl = delivery[l_order[li]]
    ret, rlag, reason = simulate_returns(
        arng,
        rate_vec[r_sku],
        dl,
        festive[l_day[li]],
        pm.defective[r_sku],
        pm.category_idx[r_sku] == 0,
    )
    rev, stars, vlag = simulate_reviews(arng, ret, pm.defective[r_sku], dl)
    order_t = od["day"] * 86400.0 + od["sec"]
    r_day = l_day[li] + dl + rlag
    v_day = l_day[li] + dl + vlag
    r_keep = ret & (r_day < days)
    v_keep = rev & (v_day < days)
    r_qty = np.where(l_qty[li] > 1, arng.integers(1, np.maximum(l_qty[li], 1) + 1), 1)
    share_paid = np.where(gross > 0, revenue / np.maximum(gross, 1e-9), 1.0)
    # keep only the returned / reviewed lines (the rest is large and no longer needed)
    ri, vi = np.flatnonzero(r_keep), np.flatnonzero(v_keep)
    r_line, v_line = li[ri], li[vi]
    r_day, r_qty, reason = r_day[ri], r_qty[ri], reason[ri]
    v_day, stars = v_day[vi], stars[vi]
    refund = np.round(r_qty * l_price[r_line] * share_paid[l_order[r_line]], 2)
    del li, r_sku, dl, ret, rlag, rev, vlag, r_keep, v_keep, comp_line, share_paid

    # ---- tables
    dates = eff["dates"]
    ab = _ab_table(stream(seed, "ab_test"), tm, fn, dates)
    traffic = tm.table
    keep_c = [CHANNELS.index(c) for c in channels]
    fo = np.bincount(
        (od["day"] * len(CHANNELS) + od["channel"]) * len(DEVICES) + od["device"],
        minlength=days * len(CHANNELS) * len(DEVICES),
    ).reshape(days, len(CHANNELS), len(DEVICES))
    nd = len(DEVICES)
    funnel = pd.DataFrame(
        {
            "date": np.repeat(dates.to_numpy().astype("datetime64[ns]"), len(keep_c) * nd),
            "channel": labels(np.tile(np.repeat(np.array(keep_c), nd), days), CHANNELS),
            "device": labels(np.tile(np.arange(nd), days * len(keep_c)), DEVICES),
            "sessions": fn["sessions"][:, keep_c, :].reshape(-1).astype(np.int64),
            "product_views": fn["views"][:, keep_c, :].reshape(-1).astype(np.int64),
            "add_to_carts": fn["atc"][:, keep_c, :].reshape(-1).astype(np.int64),
            "orders": fo[:, keep_c, :].reshape(-1).astype(np.int64),
        }
    )
    w_o, w_c = id_width(n_o, 7), id_width(n_c, 6)
    w_s = id_width(n_sku, 4)
    skus = pm.table["sku"].to_numpy(dtype=object)
    day_ts = dates.to_numpy().astype("datetime64[ns]")
    acq = np.where(cu["acq_channel"] >= 0, cu["acq_channel"], len(CHANNELS))
    customers = pd.DataFrame(
        {
            "customer_id": make_ids("C", np.arange(n_c), w_c),
            "first_order_time": _ts(t0, np.round(cu["first_day"] * 86400.0)),
            "segment": labels(cu["segment"], SEGMENTS),
            "acquisition_channel": labels(acq, (*CHANNELS, "unknown")),
            "acquired_in_festival": cu["acq_festival"],
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": make_ids("O", np.arange(n_o), w_o),
            "customer_id": make_ids("C", cu["order_customer"], w_c),
            "order_time": _ts(t0, order_t),
            "channel": labels(od["channel"], CHANNELS),
            "device": labels(od["device"], DEVICES),
            "revenue": revenue,
            "discount": discount,
            "status": labels(cancelled.astype(np.int8), ("completed", "cancelled")),
            "delivery_days": pd.array(np.where(cancelled, np.nan, delivery), dtype="Int64"),
        }
    )
    order_lines = pd.DataFrame(
        {
            "order_id": make_ids("O", l_order, w_o),
            "sku": make_ids("SKU", l_sku, w_s),
            "quantity": l_qty.astype(np.int64),
            "unit_price": l_price,
        }
    )
    dd, ss = np.nonzero(pm.launched)
    inventory = pd.DataFrame(
        {
            "date": day_ts[dd],
            "sku": make_ids("SKU", ss, w_s),
            "stock_on_hand": inv.stock_end[dd, ss].astype(np.int64),
            "receipts": inv.receipts[dd, ss].astype(np.int64),
            "units_sold": inv.sold[dd, ss].astype(np.int64),
            "stockout": inv.stockout[dd, ss],
        }
    )
    n_ch = ch["time"].size
    chats = pd.DataFrame(
        {
            "chat_id": make_ids("H", np.arange(n_ch), id_width(n_ch, 7)),
            "customer_id": make_ids("C", ch["customer"], w_c),
            "chat_time": _ts(t0, ch["time"]),
            "first_response_s": ch["first_response_s"],
            "converted": ch["converted"],
            "order_id": make_ids("O", ch["order"], w_o),
        }
    )
    # returns and reviews sorted by date, order, SKU (ids sort like their integer codes)
    ro = np.lexsort((l_sku[r_line], l_order[r_line], r_day))
    rk = r_line[ro]
    returns = pd.DataFrame(
        {
            "order_id": make_ids("O", l_order[rk], w_o),
            "sku": make_ids("SKU", l_sku[rk], w_s),
            "return_date": day_ts[r_day[ro]],
            "quantity": r_qty[ro].astype(np.int64),
            "reason": labels(reason[ro], REASONS),
            "refund": refund[ro],
        }
    )
    vo = np.lexsort((l_sku[v_line], l_order[v_line], v_day))
    vk = v_line[vo]
    reviews = pd.DataFrame(
        {
            "order_id": make_ids("O", l_order[vk], w_o),
            "sku": make_ids("SKU", l_sku[vk], w_s),
            "review_date": day_ts[v_day[vo]],
            "stars": stars[vo].astype(np.int64),
        }
    )
    products = pm.table

    tables = dict(
        calendar=cal,
        products=products,
        competitor_prices=pm.competitor_table,
        traffic=traffic,
        funnel=funnel,
        ab_tests=ab,
        customers=customers,
        orders=orders,
        order_lines=order_lines,
        inventory=inventory,
        service_chats=chats,
        returns=returns,
        reviews=reviews,
    )

    # ---- truth
    aov = float(revenue[~cancelled].mean()) if (~cancelled).any() else 0.0
    incidents = []
    if inc_checkout:
        incidents.append(inc_checkout)
    if inv.incident:
        i = inv.incident
        # the observed window: the whole run of stock-out days around the write-off
        so = inv.stockout[:, i["sku_index"]]
        a0, b0 = i["start_day"], i["end_day"]
        while a0 > 0 and so[a0 - 1]:
            a0 -= 1
        while b0 + 1 < days and so[b0 + 1]:
            b0 += 1
        i = dict(i, start_day=a0, end_day=b0)
        lost = float((demand - inv.sold)[a0 : b0 + 1, i["sku_index"]].sum())
        incidents.append(
            dict(
                kind="stockout",
                sku=skus[i["sku_index"]],
                start=str((t0 + pd.Timedelta(days=i["start_day"])).date()),
                end=str((t0 + pd.Timedelta(days=i["end_day"])).date()),
                lost_units=int(lost),
                cause="warehouse write-off and supplier delay",
            )
        )
    bt = tm.truth["incidents"]["bad_traffic"]
    if bt:
        incidents.append(
            dict(
                kind="bad_traffic",
                channel=bt["channel"],
                start=str((t0 + pd.Timedelta(days=bt["start_day"])).date()),
                end=str((t0 + pd.Timedelta(days=bt["end_day"])).date()),
                extra_clicks=bt["extra_clicks"],
                extra_sessions=bt["extra_sessions"],
                conversion_of_bad_sessions=0.0,
            )
        )
    channels_truth = _channel_truth(tm, fn, traffic, aov, channels)
    abt = tm.truth["ab_test"]
    if abt:
        abt = dict(
            abt,
            start=str((t0 + pd.Timedelta(days=abt.pop("start_day"))).date()),
            end=str((t0 + pd.Timedelta(days=abt.pop("end_day"))).date()),
        )
    truth = dict(
        generator_version=GENERATOR_VERSION,
        seed=seed,
        elasticity=elasticity,
        cross_price_elasticity=cross,
        price_model="units ~ popularity x life_cycle x (price/list_price)^elasticity x (competitor_price/list_price)^cross",
        festivals=festivals,
        channels=channels_truth,
        funnel=dict(
            views_per_session=dict(zip(DEVICES, VIEWS_PER_SESSION.tolist(), strict=True)),
            add_to_cart_quality={c: CHANNEL_PARAMS[c]["quality"] for c in channels},
            add_to_cart_rate_per_view=ATC_BASE,
            add_to_cart_device_multiplier=dict(zip(DEVICES, DEVICE_ATC.tolist(), strict=True)),
            cart_to_order_rate=C2O_BASE,
            cart_to_order_device_multiplier=dict(zip(DEVICES, DEVICE_C2O.tolist(), strict=True)),
            note="rates are further multiplied by the festival phase effects (see festivals)",
        ),
        rhythm=dict(
            hour_of_day_weights=list(HOUR_PROFILE),
            weekday_session_multiplier=dict(
                zip(
                    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
                    WEEKDAY_MULT,
                    strict=True,
                )
            ),
            double11_midnight_rush="hour 0 x9, hour 1 x4 on the Double 11 peak day",
        ),
        order_rules=dict(
            cancel_rate=CANCEL_RATE,
            cancel_rate_festival=CANCEL_RATE_FESTIVAL,
            coupon=COUPON_RULE,
            bundle_partner_added=BUNDLE_ATTACH,
        ),
        incidents=incidents,
        service=service_truth(),
        aftersales=aftersales_truth(cat_rate),
        segments=segment_truth(),
        products=pm.truth,
        inventory=dict(
            policy="reorder when stock + on order <= forecast x lead time x safety factor; order up to forecast x (lead + cover days)",
            stockout_lost_orders=stockout_lost_orders,
            lost_units_total=int((demand - inv.sold).sum()),
            lost_units_by_sku={
                k: int(v)
                for k, v in zip(skus, (demand - inv.sold).sum(axis=0), strict=True)
                if v > 0
            },
            per_sku={
                k: dict(
                    lead_time_days=inv.policy["lead_time_days"][j],
                    safety_factor=inv.policy["safety_factor"][j],
                    cover_days=inv.policy["cover_days"][j],
                    min_order_qty=inv.policy["min_order_qty"][j],
                )
                for j, k in enumerate(skus)
            },
        ),
        ab_test=abt,
        customers=dict(existing_at_start=int(cu["n_existing"])),
    )
    meta = dict(
        seed=seed,
        generator_version=GENERATOR_VERSION,
        start=str(start),
        days=days,
        scale=scale,
        channels=list(channels),
    )
    return Store(tables, truth, meta)


def _ab_table(rng: np.random.Generator, tm, fn, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Two display banners split the display impressions during the test window."""
    t = tm.truth["ab_test"]
    if not t:
        return tm.ab_table
    ci = CHANNELS.index("display")
    d = np.arange(t["start_day"], t["end_day"] + 1)
    tr = tm.table[tm.table["channel"] == "display"]
    imps = tr["impressions"].to_numpy()[d]
    clicks = tr["clicks"].to_numpy()[d]
    ctr = clicks / np.maximum(imps, 1)
    lift = t["ctr_relative_lift_b_vs_a"]
    ia = rng.binomial(imps, 0.5)
    ib = imps - ia
    ca = rng.binomial(ia, np.clip(ctr * 2 / (2 + lift), 0, 1))
    cb = rng.binomial(ib, np.clip(ctr * 2 * (1 + lift) / (2 + lift), 0, 1))
    conv = fn["orders"][d, ci].sum(axis=1) / np.maximum(fn["sessions"][d, ci].sum(axis=1), 1)
    oa, ob = rng.binomial(ca, np.clip(conv, 0, 1)), rng.binomial(cb, np.clip(conv, 0, 1))
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


def _channel_truth(tm, fn, traffic: pd.DataFrame, aov: float, channels: tuple[str, ...]) -> dict:
    """Per-channel response parameters plus true average and marginal ROI."""
    out = {}
    mob = {c: CHANNEL_PARAMS[c]["mobile"] for c in CHANNELS}
    for c in channels:
        ci = CHANNELS.index(c)
        info = dict(tm.truth["channels"].get(c, {}))
        conv_dev = VIEWS_PER_SESSION[None, :] * fn["atc_p"][:, ci, :] * fn["c2o_p"][:, ci, :]
        conv = conv_dev[:, 0] * mob[c] + conv_dev[:, 1] * (1 - mob[c])
        sess = tm.sessions[:, ci, :].sum(axis=1)
        exp_rev = float((sess * conv).sum() * aov)
        spend = float(traffic.loc[traffic["channel"] == c, "spend"].sum())
        info["expected_conversion"] = round(float((sess * conv).sum() / max(sess.sum(), 1)), 5)
        if spend > 0:
            info["roi"] = round(exp_rev / spend, 4)
            if c in tm.response:
                r = tm.response[c]
                sp = traffic.loc[traffic["channel"] == c, "spend"].to_numpy()
                dclick = r["ctr"] * r["fest"] / (1 + r["adstock"] / r["k"]) ** 2 * 1000.0 / r["cpm"]
                mroi = dclick * CHANNEL_PARAMS[c]["land"] * conv * aov
                info["marginal_roi"] = round(float((mroi * sp).sum() / max(sp.sum(), 1e-9)), 4)
            else:
                info["marginal_roi"] = info["roi"]
        out[c] = info
    return out
