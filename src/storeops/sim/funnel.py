"""The daily funnel: sessions -> product views -> add-to-carts -> intended orders."""

from __future__ import annotations

import numpy as np

from storeops.sim.params import CHANNEL_PARAMS, CHANNELS
from storeops.sim.rng import binomial_ppf, poisson_ppf, stream

VIEWS_PER_SESSION = np.array([1.25, 1.55])  # mobile, desktop
ATC_BASE = 0.066
DEVICE_ATC = np.array([0.95, 1.10])
C2O_BASE = 0.31
DEVICE_C2O = np.array([0.96, 1.08])


def funnel_rates(eff: dict) -> tuple[np.ndarray, np.ndarray]:
    """Add-to-cart (per view) and cart-to-order probabilities, shape [day, channel, device]."""
    q = np.array([CHANNEL_PARAMS[c]["quality"] for c in CHANNELS])
    atc = ATC_BASE * eff["atc"][:, None, None] * q[None, :, None] * DEVICE_ATC[None, None, :]
    c2o = (
        C2O_BASE
        * eff["c2o"][:, None, None]
        * np.ones(len(CHANNELS))[None, :, None]
        * DEVICE_C2O[None, None, :]
    )
    return np.clip(atc, 0, 0.9), np.clip(c2o, 0, 0.95)


def simulate_funnel(
    seed: int, sessions: np.ndarray, bad: np.ndarray, eff: dict, price_index: np.ndarray
) -> dict[str, np.ndarray]:
    """Views, add-to-carts and intended orders for every [day, channel, device] cell.

    Each step of each channel inverts its own uniforms, one per cell (common random numbers).
    """
    atc_p, c2o_p = funnel_rates(eff)
    # prices act at the funnel: attractive prices turn more product views into carts
    atc_p = np.clip(atc_p * price_index[:, None, None], 0, 0.9)
    views, bad_views, atc, orders = (np.zeros(sessions.shape, dtype=np.int64) for _ in range(4))
    for ci in range(sessions.shape[1]):
        u = {
            step: stream(seed, step, ci).random(sessions[:, ci].shape)
            for step in ("views", "bad-views", "add-to-cart", "checkout")
        }
        views[:, ci] = poisson_ppf(u["views"], sessions[:, ci] * VIEWS_PER_SESSION[None, :])
        bad_views[:, ci] = poisson_ppf(u["bad-views"], bad[:, ci] * 0.05)
        atc[:, ci] = binomial_ppf(u["add-to-cart"], views[:, ci], atc_p[:, ci])
        orders[:, ci] = binomial_ppf(u["checkout"], atc[:, ci], c2o_p[:, ci])
    return dict(
        sessions=sessions + bad,
        views=views + bad_views,
        atc=atc,
        orders=orders,
        atc_p=atc_p,
        c2o_p=c2o_p,
    )
