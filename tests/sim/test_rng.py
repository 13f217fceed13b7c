"""Draws by inversion stay finite at the edge of the uniforms (a 100x store draws ~1e9 of them)."""

from __future__ import annotations

import numpy as np

from storeops.sim.rng import geometric_quantile


def test_a_uniform_rounded_up_to_one_gives_a_finite_geometric_draw():
    # a float32 uniform from the top 24-bit cell rounds to exactly 1.0
    top = (np.float32(2**24 - 1) + np.float32(0.5)) * np.float32(1 / 2**24)
    assert top == np.float32(1.0)
    u = np.array([0.5, top], dtype=np.float32)
    draws = geometric_quantile(u, np.array([0.83, 0.83]))
    assert (draws >= 1).all() and draws[1] >= draws[0]
    # the largest possible draw is still a plausible quantity (p = 0.83: 1 - 0.17**k >= u)
    assert draws[1] < 20
