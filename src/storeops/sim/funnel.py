"""The daily funnel: sessions -> product views -> add-to-carts -> intended orders."""

from __future__ import annotations

import numpy as np

from storeops.sim.params import CHANNEL_PARAMS, CHANNELS

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
    rng: np.random.Generator, sessions: np.ndarray, bad: np.ndarray, eff: dict
) -> dict[str, np.ndarray]:
    """Views, add-to-carts and intended orders for every [day, channel, device] cell."""
    atc_p, c2o_p = funnel_rates(eff)
    views = rng.poisson(sessions * VIEWS_PER_SESSION[None, None, :])
    bad_views = rng.poisson(bad * 0.05)
    atc = rng.binomial(views, atc_p)
    orders = rng.binomial(atc, c2o_p)
    return dict(
        sessions=sessions + bad,
        views=views + bad_views,
        atc=atc,
        orders=orders,
        atc_p=atc_p,
        c2o_p=c2o_p,
    )
