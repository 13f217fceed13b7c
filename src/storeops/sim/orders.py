"""Orders and order lines: times of day, baskets, bundles, quantities, discounts, incidents."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from storeops.sim.params import CHANNELS, FREE_CHANNELS, HOUR_PROFILE
from storeops.sim.rng import geometric_quantile, keyed_uniforms, poisson_quantile

CANCEL_RATE = 0.03
CANCEL_RATE_FESTIVAL = 0.06  # presale and peak days
BUNDLE_ATTACH = 0.45
ORDINARY_EXTRA_LINES = 0.32  # mean extra lines per basket (0.6 on peak days)  # probability that a bundle item's partner joins the basket
TOP_UP_REACH = 0.15  # a basket this close below a coupon threshold may be topped up
TOP_UP_P = 0.5
TOP_UP_OVERSHOOT = 0.5  # a top-up item costs at most the gap plus half of it (or plus 10)
FREE_CHANNEL_INDEX = [CHANNELS.index(c) for c in FREE_CHANNELS]
SKU_BITS = 10  # an (order, SKU) key: the order's key, then the SKU index
COUPON_RULE = "festival presale/peak: 40 off per 300 (up to 3x); otherwise 22 % of orders: 10 off from 99, 20 off from 199"


@dataclass(frozen=True)
class CouponTier:
    """A threshold coupon's step (满减): `amount` off an order whose value reaches `threshold`."""

    threshold: float
    amount: float


@dataclass(frozen=True)
class Coupon:
    """A threshold coupon: its tiers, how often a tier may apply, who holds it.

    An order's discount is the best of its tiers, each applied once per full `threshold` in
    the order's value, at most `max_stack` times ("40 off per 300, up to 3x" is one tier
    with max_stack 3; "10 off from 99, 20 off from 199" two tiers with max_stack 1).
    `share` is the share of orders that hold the coupon (1: every order).
    """

    tiers: tuple[CouponTier, ...]
    max_stack: int = 1
    share: float = 1.0

    def __post_init__(self):
        tiers = tuple(t if isinstance(t, CouponTier) else CouponTier(*t) for t in self.tiers)
        object.__setattr__(self, "tiers", tiers)

    def as_dict(self) -> dict:
        """Plain (JSON-ready) copy of the coupon."""
        return asdict(self)


# the store's own coupons: in a festival's presale and peak every order gets 40 off per 300 (up
# to 3x); on the other days 22 % of orders hold a small store coupon
FESTIVAL_COUPON = Coupon((CouponTier(300.0, 40.0),), max_stack=3, share=1.0)
ORDINARY_COUPON = Coupon((CouponTier(99.0, 10.0), CouponTier(199.0, 20.0)), max_stack=1, share=0.22)


@dataclass(frozen=True)
class CouponPlan:
    """The coupon of every day: `rules[day_rule[day]]`."""

    rules: tuple[Coupon, ...]
    day_rule: np.ndarray

    def describe(self) -> list[dict]:
        """Runs of days with the same coupon, as (first day, last day, rule) for the truth."""
        cuts = np.flatnonzero(self.day_rule[1:] != self.day_rule[:-1]) + 1
        starts, ends = np.r_[0, cuts], np.r_[cuts, self.day_rule.size] - 1
        return [
            dict(first_day=int(a), last_day=int(b), coupon=self.rules[self.day_rule[a]].as_dict())
            for a, b in zip(starts, ends, strict=True)
        ]


def coupon_plan(
    ordinary: list[tuple[int, int, Coupon]],
    festival_rule: np.ndarray,
    festival_coupons: tuple[Coupon, ...],
) -> CouponPlan:
    """The coupon of every day: a joined festival's coupon in its presale and peak
    (`festival_rule` >= 0, an index into `festival_coupons`), else the coupon of the period
    (first day, last day, coupon) the day falls in, else the store's ordinary coupon."""
    rules = [ORDINARY_COUPON]
    day_rule = np.zeros(festival_rule.size, dtype=np.int64)
    for first, last, coupon in ordinary:
        if coupon not in rules:
            rules.append(coupon)
        day_rule[first : last + 1] = rules.index(coupon)
    for i, coupon in enumerate(festival_coupons):
        if coupon not in rules:
            rules.append(coupon)
        day_rule[festival_rule == i] = rules.index(coupon)
    return CouponPlan(tuple(rules), day_rule)


# per-order uniforms, one row per order in its channel's stream
U_HOUR, U_SEC, U_FAIL, U_CANCEL, U_BASKET, U_COUPON, U_DELIVERY, U_FORFEIT = range(8)
ORDER_UNIFORMS = 8  # four 64-bit words: adding the eighth moved none of the first seven
ORDER_BITS = 24  # an order's key: its [day, channel, device] cell, then its number in the cell
LINE_BITS = 6  # a line's key: its order's key, then its number in the order
# per-line uniforms (the category race has its own)
L_SKU, L_BUNDLE, L_QTY, L_PARTNER_QTY = range(4)
LINE_UNIFORMS = 4
RACE_CHUNK_ROWS = 1 << 14  # lines whose category race (and SKU pick) is run at once


def expand_orders(
    seed: int, counts: np.ndarray, midnight_rush: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One row per intended order from cell counts [day, channel, device], sorted by time.

    Returns the orders (with their `key`: the cell and the order's number in it) and their
    uniforms [order, U_*], which depend on the key alone: one more order in a cell is appended
    and no other order's draws move.
    """
    days, nc, nv = counts.shape
    prof = np.asarray(HOUR_PROFILE, dtype=float)
    rush = prof.copy()
    rush[0] *= 9.0
    rush[1] *= 4.0
    cdf_n, cdf_r = np.cumsum(prof) / prof.sum(), np.cumsum(rush) / rush.sum()
    flat = counts.reshape(-1)
    cell = np.repeat(np.arange(flat.size), flat)
    first = np.repeat(np.cumsum(flat) - flat, flat)
    key = (cell.astype(np.int64) << ORDER_BITS) + (np.arange(cell.size) - first)
    day, rest = np.divmod(cell, nc * nv)
    ch, dev = np.divmod(rest, nv)
    u = keyed_uniforms(seed, "order", key, ORDER_UNIFORMS)
    rush_day = midnight_rush[day]
    hour = np.searchsorted(cdf_n, u[:, U_HOUR], side="right")
    if rush_day.any():
        hour[rush_day] = np.searchsorted(cdf_r, u[rush_day, U_HOUR], side="right")
    sec = np.minimum(hour, 23) * 3600 + (u[:, U_SEC] * 3600).astype(np.int64)
    when = ((day.astype(np.int64) * 86400 + sec) * nc + ch) * nv + dev
    # orders of a cell at the same second keep their numbers' order
    order = lexsort_distinct(
        (key & ((1 << ORDER_BITS) - 1), when), (1 << ORDER_BITS, days * 86400 * nc * nv)
    )
    orders = dict(
        day=day[order].astype(np.int32),
        channel=ch[order].astype(np.int8),
        device=dev[order].astype(np.int8),
        sec=sec[order].astype(np.int32),
        key=key[order],
    )
    return orders, u[order]


def sample_lines(
    seed: int,
    orders: dict[str, np.ndarray],
    basket_u: np.ndarray,
    weight: np.ndarray,
    category_idx: np.ndarray,
    category_weight: np.ndarray,
    partner: np.ndarray,
    traffic_item: np.ndarray,
    big_basket: np.ndarray,
    free_exposure: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each order's SKUs, bundle partners and quantities; repeats of a SKU merged.

    A line picks a SKU with probability proportional to its demand weight of the day, in two
    steps: a race between the categories (each with its own uniform, so a price change in one
    category moves a line only into or out of that category), then a SKU of the winning
    category. A line of an order from free traffic picks within the category in proportion to
    demand weight x the platform's exposure of the SKU (`free_exposure` [day, sku]): the
    platform splits a category's free visitors by its products' recent sales. A line's
    uniforms depend on its order's key and its number in the order.
    """
    o_day = orders["day"]
    n_lines = 1 + poisson_quantile(basket_u, np.where(big_basket[o_day], 0.6, ORDINARY_EXTRA_LINES))
    line_order = np.repeat(np.arange(o_day.size), n_lines)
    first = np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    line_key = (orders["key"][line_order] << LINE_BITS) + (np.arange(line_order.size) - first)
    u = keyed_uniforms(seed, "line", line_key, LINE_UNIFORMS)
    race = keyed_uniforms(seed, "line-category", line_key, category_weight.shape[1])
    lday = o_day[line_order]
    cat = _race_category(category_weight, lday, race)
    # free visitors' weights stacked under everyone's: row day + days for a free order's line
    free = np.isin(orders["channel"], FREE_CHANNEL_INDEX)[line_order]
    both = np.concatenate([weight, weight * free_exposure])
    row = lday + free * weight.shape[0]
    sku = _pick_sku_in_category(both, category_idx, row, cat, u[:, L_SKU])
    has_p = partner[sku] >= 0
    add = has_p & (u[:, L_BUNDLE] < BUNDLE_ATTACH)
    p_qty = np.where(traffic_item[sku], 0.6, 0.83)
    qty = geometric_quantile(u[:, L_QTY], p_qty)
    partner_sku = partner[sku[add]]
    partner_qty = geometric_quantile(
        u[add, L_PARTNER_QTY], np.where(traffic_item[partner_sku], 0.6, 0.83)
    )
    line_order = np.r_[line_order, line_order[add]]
    sku = np.r_[sku, partner_sku]
    qty = np.r_[qty, partner_qty]
    return merge_lines(line_order, sku, qty, weight.shape[1])


def lexsort_distinct(keys: tuple[np.ndarray, ...], bounds: tuple[int, ...]) -> np.ndarray:
    """`np.lexsort(keys)` (the last key first) of rows whose keys, non-negative integers below
    `bounds`, are never all equal: packed into one int64 when they fit, so that a fast
    unstable sort gives the same order (a large store sorts hundreds of millions of rows)."""
    if math.prod(int(b) for b in bounds) >= 2**63:
        return np.lexsort(keys)
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    for key, bound in zip(reversed(keys), reversed(bounds), strict=True):
        packed *= int(bound)
        packed += key
    return np.argsort(packed)


def stable_lexsort(keys: tuple[np.ndarray, ...], bounds: tuple[int, ...]) -> np.ndarray:
    """`np.lexsort(keys)` (stable: rows with equal keys keep their order) of non-negative
    integer keys below `bounds`, through `lexsort_distinct` with the row number as the last
    tie-breaker."""
    n = len(keys[0])
    return lexsort_distinct((np.arange(n), *keys), (max(n, 1), *bounds))


def merge_lines(line_order: np.ndarray, sku: np.ndarray, qty: np.ndarray, n_sku: int) -> dict:
    """Lines sorted by order and SKU, with repeats of a SKU in an order summed."""
    key = line_order.astype(np.int64) * n_sku + sku
    # repeats of a key are summed, so the order among them does not matter: a fast sort
    by_key = np.argsort(key)
    key = key[by_key]
    first = np.flatnonzero(np.diff(key, prepend=-1))  # keys are never negative
    q = np.add.reduceat(qty[by_key].astype(np.int64, copy=False), first)
    o, s = np.divmod(key[first], n_sku)
    return dict(order=o, sku=s.astype(np.int32), qty=q.astype(np.int32))


def _holds(rule: Coupon, coupon_u: np.ndarray) -> np.ndarray:
    """Orders that hold `rule` (a coupon everyone holds needs no draw: a uniform may round to 1)."""
    return coupon_u < rule.share if rule.share < 1 else np.ones(coupon_u.shape, dtype=bool)


def _rule_discount(rule: Coupon, gross: np.ndarray) -> np.ndarray:
    """Discount of `rule` on order values `gross` (everyone holding it)."""
    out = np.zeros(gross.shape)
    for tier in rule.tiers:
        times = np.minimum(np.floor(gross / tier.threshold), rule.max_stack)
        out = np.maximum(out, times * tier.amount)
    return out


def coupon_threshold(
    gross: np.ndarray, rule_of_order: np.ndarray, coupon_u: np.ndarray, plan: CouponPlan
) -> np.ndarray:
    """The next coupon threshold above a basket's value (nan where none is in reach).

    The next threshold is the smallest multiple (up to the stacking limit) of a tier's
    threshold above the basket that earns a larger discount than the basket gets now.
    """
    out = np.full(gross.shape, np.nan)
    for r, rule in enumerate(plan.rules):
        mine = np.flatnonzero((rule_of_order == r) & _holds(rule, coupon_u))
        if mine.size == 0 or not rule.tiers:
            continue
        g = gross[mine]
        now = _rule_discount(rule, g)
        best = np.full(g.shape, np.inf)
        for k in range(1, rule.max_stack + 1):
            for tier in rule.tiers:
                target = k * tier.threshold
                better = (target > g) & (_rule_discount(rule, np.full(1, target))[0] > now)
                best = np.where(better, np.minimum(best, target), best)
        out[mine] = np.where(np.isfinite(best), best, np.nan)
    return out


def top_up_baskets(
    seed: int,
    orders: dict[str, np.ndarray],
    lines: dict[str, np.ndarray],
    price: np.ndarray,
    weight: np.ndarray,
    coupons: CouponPlan,
    launched: np.ndarray,
) -> dict[str, np.ndarray]:
    """凑单: a shopper a little short of a coupon threshold adds a cheap item to reach it.

    A basket within TOP_UP_REACH of the next threshold of the coupon it holds that day (see
    `coupon_threshold`) gets, with probability TOP_UP_P, one unit of one of the
    SKUs on sale that day that close the gap without overshooting by more than TOP_UP_OVERSHOOT
    (or 10 yuan). Draws are keyed by order, and by order and SKU.
    """
    days, n_sku = price.shape
    o_day = orders["day"]
    gross = np.bincount(
        lines["order"],
        weights=lines["qty"] * price[o_day[lines["order"]], lines["sku"]],
        minlength=o_day.size,
    )
    u = keyed_uniforms(seed, "top-up", orders["key"], 2)
    target = coupon_threshold(gross, coupons.day_rule[o_day], orders["coupon_u"], coupons)
    gap = target - gross
    want = np.flatnonzero((gap > 0) & (gap <= TOP_UP_REACH * target) & (u[:, 0] < TOP_UP_P))
    if want.size == 0:
        return lines
    add_sku = np.full(want.size, -1, dtype=np.int64)
    by_day = np.argsort(o_day[want], kind="stable")
    want_day = o_day[want][by_day]
    cuts = np.flatnonzero(np.diff(want_day)) + 1
    for mine in np.split(by_day, cuts):
        d = int(o_day[want[mine[0]]])
        add_sku[mine] = _top_up_pick(
            seed, orders["key"][want[mine]], gap[want[mine]], price[d], weight[d], launched[d]
        )
    took = add_sku >= 0
    want, add_sku = want[took], add_sku[took]
    return merge_lines(
        np.r_[lines["order"], want],
        np.r_[lines["sku"], add_sku],
        np.r_[lines["qty"], np.ones(want.size, dtype=np.int32)],
        n_sku,
    )


def _top_up_pick(
    seed: int,
    key: np.ndarray,
    gap: np.ndarray,
    price: np.ndarray,
    weight: np.ndarray,
    launched: np.ndarray,
) -> np.ndarray:
    """The SKU each basket of a day (its order's `key`, the `gap` to its threshold) tops up
    with (-1: none fits), from the day's prices, demand weights and launched SKUs."""
    g = gap[:, None]
    # any SKU on sale that closes the gap without overshooting much; a race keyed by the
    # order and the SKU picks one, so a repriced SKU only wins or loses its own picks
    fits = launched[None, :] & (price >= g) & (price <= g + np.maximum(TOP_UP_OVERSHOOT * g, 10.0))
    row, sku = np.nonzero(fits)
    # only the SKUs that fit race (the others' clocks never stop)
    u_pick = keyed_uniforms(seed, "top-up-pick", (key[row] << np.int64(SKU_BITS)) + sku, 1)[:, 0]
    clock = np.full(fits.shape, np.inf)
    with np.errstate(divide="ignore"):
        clock[row, sku] = -np.log1p(-u_pick.astype(np.float64)) / weight[sku]
    best = np.argmin(clock, axis=1)
    return np.where(np.isfinite(clock[np.arange(key.size), best]), best, -1)


def _race_category(category_weight: np.ndarray, day: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category per line: the first arrival among exponential clocks of rates the weights.

    Category k wins with probability weight_k / sum of weights; a change to one category's
    weight only moves lines between that category and the others.
    """
    rate = category_weight.astype(np.float32)
    out = np.empty(day.size, dtype=np.intp)
    # some lines at a time: their clocks stay in the CPU's cache (a large store has millions)
    rows = RACE_CHUNK_ROWS
    for i in range(0, day.size, rows):
        with np.errstate(divide="ignore"):
            arrival = -np.log1p(-u[i : i + rows]) / rate[day[i : i + rows]]
        out[i : i + rows] = np.argmin(arrival, axis=1)
    return out


def _pick_sku_in_category(
    weight: np.ndarray, category_idx: np.ndarray, day: np.ndarray, cat: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """SKU per line: inversion of `u` over the demand weights of its category on its day.

    The SKUs of a category are contiguous; the day's cumulative weights, normalised and
    offset by the day number, make one increasing array that a single search covers.
    """
    days, n = weight.shape
    cum = np.cumsum(weight, axis=1)
    total = np.maximum(cum[:, -1:], 1e-300)
    first = np.searchsorted(category_idx, np.arange(category_idx.max() + 1), side="left")
    last = np.searchsorted(category_idx, np.arange(category_idx.max() + 1), side="right")
    before = np.where(first[None, :] > 0, cum[:, np.maximum(first - 1, 0)], 0.0)
    inside = cum[:, last - 1] - before
    flat = (cum / total + np.arange(days)[:, None]).reshape(-1)
    out = np.empty(day.size, dtype=np.int64)
    rows = RACE_CHUNK_ROWS  # some lines at a time, their temporaries in the CPU's cache
    for i in range(0, day.size, rows):
        d, c, x = day[i : i + rows], cat[i : i + rows], u[i : i + rows].astype(np.float64)
        target = d + (before[d, c] + x * inside[d, c]) / total[d, 0]
        pos = np.searchsorted(flat, target, side="right") - d.astype(np.int64) * n
        out[i : i + rows] = np.clip(pos, first[c], last[c] - 1)
    return out


def fulfil(
    line_order: np.ndarray,
    line_day: np.ndarray,
    sku: np.ndarray,
    qty: np.ndarray,
    available: np.ndarray,
) -> np.ndarray:
    """Quantity served per line when stock runs out during the day (first come, first served)."""
    n = available.shape[1]
    key = line_day.astype(np.int64) * n + sku
    order = lexsort_distinct((line_order, key), (line_order.max(initial=0) + 1, available.size))
    k, q = key[order], qty[order]
    cs = np.cumsum(q) - q
    first = np.r_[True, k[1:] != k[:-1]]
    base = np.maximum.accumulate(np.where(first, np.arange(k.size), 0))
    before = cs - cs[base]
    got = np.clip(available.reshape(-1)[k] - before, 0, q)
    out = np.empty_like(qty)
    out[order] = got
    return out


def coupon_discount(
    coupon_u: np.ndarray, gross: np.ndarray, rule_of_order: np.ndarray, plan: CouponPlan
) -> np.ndarray:
    """Store coupon per order: its day's rule, if the order holds it (`coupon_u` < share)."""
    out = np.zeros(gross.shape)
    for r, rule in enumerate(plan.rules):
        mine = (rule_of_order == r) & _holds(rule, coupon_u)
        out[mine] = _rule_discount(rule, gross[mine])
    return out
