"""Orders and order lines: times of day, baskets, bundles, quantities, discounts, incidents."""

from __future__ import annotations

import numpy as np

from storeops.sim.params import HOUR_PROFILE

CANCEL_RATE = 0.03
CANCEL_RATE_FESTIVAL = 0.06  # presale and peak days
BUNDLE_ATTACH = 0.45  # probability that a bundle item's partner joins the basket
COUPON_RULE = "festival presale/peak: 40 off per 300 (up to 3x); otherwise 22 % of orders: 10 off from 99, 20 off from 199"


def expand_orders(
    rng: np.random.Generator, counts: np.ndarray, midnight_rush: np.ndarray
) -> dict[str, np.ndarray]:
    """One row per intended order from cell counts [day, channel, device], sorted by time."""
    days, nc, nv = counts.shape
    flat = counts.reshape(-1)
    cell = np.repeat(np.arange(flat.size), flat)
    day, rest = np.divmod(cell, nc * nv)
    ch, dev = np.divmod(rest, nv)
    prof = np.asarray(HOUR_PROFILE, dtype=float)
    rush = prof.copy()
    rush[0] *= 9.0
    rush[1] *= 4.0
    cdf_n, cdf_r = np.cumsum(prof) / prof.sum(), np.cumsum(rush) / rush.sum()
    u = rng.random(day.size)
    hour = np.where(
        midnight_rush[day],
        np.searchsorted(cdf_r, u, side="right"),
        np.searchsorted(cdf_n, u, side="right"),
    )
    sec = np.minimum(hour, 23) * 3600 + rng.integers(0, 3600, day.size)
    order = np.argsort(day.astype(np.int64) * 86400 + sec, kind="stable")
    return dict(
        day=day[order].astype(np.int32),
        channel=ch[order].astype(np.int8),
        device=dev[order].astype(np.int8),
        sec=sec[order].astype(np.int32),
    )


def sample_lines(
    rng: np.random.Generator,
    o_day: np.ndarray,
    weight: np.ndarray,
    partner: np.ndarray,
    traffic_item: np.ndarray,
    big_basket: np.ndarray,
) -> dict[str, np.ndarray]:
    """Draw each order's SKUs from the day's demand weights, add bundle partners, merge repeats."""
    days, n = weight.shape
    extra = rng.poisson(np.where(big_basket[o_day], 0.6, 0.32))
    n_lines = 1 + extra
    line_order = np.repeat(np.arange(o_day.size), n_lines)
    lday = o_day[line_order]
    cdf = np.cumsum(weight, axis=1)
    cdf = cdf / np.maximum(cdf[:, -1:], 1e-300)
    cdf[:, -1] = 1.0
    # inverse-CDF sampling day by day (lines are sorted by day; a small table per day is fast)
    u = rng.random(lday.size)
    sku = np.empty(lday.size, dtype=np.int64)
    cuts = np.searchsorted(lday, np.arange(days + 1))
    for d in range(days):
        a, b = cuts[d], cuts[d + 1]
        if b > a:
            sku[a:b] = np.searchsorted(cdf[d], u[a:b], side="right")
    sku = np.minimum(sku, n - 1)
    # bundle partners are bought together
    has_p = partner[sku] >= 0
    add = has_p & (rng.random(sku.size) < BUNDLE_ATTACH)
    line_order = np.r_[line_order, line_order[add]]
    sku = np.r_[sku, partner[sku[add]]]
    qty = rng.geometric(np.where(traffic_item[sku], 0.6, 0.83))
    key = line_order.astype(np.int64) * n + sku
    uniq, inv = np.unique(key, return_inverse=True)
    q = np.bincount(inv, weights=qty).astype(np.int64)
    o, s = np.divmod(uniq, n)
    return dict(order=o, sku=s.astype(np.int32), qty=q.astype(np.int32))


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
    order = np.lexsort((line_order, key))
    k, q = key[order], qty[order]
    cs = np.cumsum(q) - q
    first = np.r_[True, k[1:] != k[:-1]]
    base = np.maximum.accumulate(np.where(first, np.arange(k.size), 0))
    before = cs - cs[base]
    got = np.clip(available.reshape(-1)[k] - before, 0, q)
    out = np.empty_like(qty)
    out[order] = got
    return out


def coupon_discount(rng: np.random.Generator, gross: np.ndarray, festive: np.ndarray) -> np.ndarray:
    """Store coupons: festival 'spend 300 get 40 off' (up to 3x); otherwise occasional small coupons."""
    fest = np.minimum(np.floor(gross / 300.0), 3) * 40.0
    has = rng.random(gross.size) < 0.22
    small = np.where(gross >= 199, 20.0, np.where(gross >= 99, 10.0, 0.0)) * has
    return np.where(festive, fest, small)
