"""Draws by inversion stay finite at the edge of the uniforms (a 100x store draws ~1e9 of them)."""

from __future__ import annotations

import zlib

import numpy as np
from scipy import stats

from storeops.sim.rng import (
    HASH_CHUNK_WORDS,
    POISSON_CHUNK,
    geometric_quantile,
    keyed_uniforms,
    poisson_quantile,
)


def test_a_uniform_rounded_up_to_one_gives_a_finite_geometric_draw():
    # a float32 uniform from the top 24-bit cell rounds to exactly 1.0
    top = (np.float32(2**24 - 1) + np.float32(0.5)) * np.float32(1 / 2**24)
    assert top == np.float32(1.0)
    u = np.array([0.5, top], dtype=np.float32)
    draws = geometric_quantile(u, np.array([0.83, 0.83]))
    assert (draws >= 1).all() and draws[1] >= draws[0]
    # the largest possible draw is still a plausible quantity (p = 0.83: 1 - 0.17**k >= u)
    assert draws[1] < 20


def _splitmix_finaliser(x: int) -> int:
    mask = (1 << 64) - 1
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & mask
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & mask
    return x ^ (x >> 31)


def _reference_uniform(seed: int, name: str, key: int, column: int, columns: int) -> np.float32:
    """One keyed uniform, computed with Python integers one at a time."""
    base = _splitmix_finaliser(_splitmix_finaliser(seed) ^ zlib.crc32(name.encode()))
    words = (columns + 1) // 2
    h = _splitmix_finaliser(((key * words + column // 2) & ((1 << 64) - 1)) ^ base)
    half = (h >> (32 * (column % 2))) & 0xFFFFFFFF  # little-endian halves of the word
    return (np.float32(half >> 8) + np.float32(0.5)) * np.float32(1 / 2**24)


def test_a_keys_uniforms_depend_on_the_key_alone_not_on_the_keys_drawn_with_it():
    # enough keys that a call hashes them in several pieces (the pieces must not show)
    keys = np.arange(HASH_CHUNK_WORDS * 3 + 7, dtype=np.int64) * 7919 + 3
    for columns in (1, 5):
        u = keyed_uniforms(11, "test", keys, columns)
        assert u.dtype == np.float32 and u.shape == (keys.size, columns)
        for i in (0, HASH_CHUNK_WORDS // 3 - 1, HASH_CHUNK_WORDS // 3, keys.size - 1):
            alone = keyed_uniforms(11, "test", keys[i : i + 1], columns)[0]
            expected = [
                _reference_uniform(11, "test", int(keys[i]), c, columns) for c in range(columns)
            ]
            assert alone.tolist() == u[i].tolist() == expected


def test_poisson_draws_invert_the_cdf_and_do_not_depend_on_the_draws_made_with_them():
    rng = np.random.default_rng(5)
    n = 2 * POISSON_CHUNK + 3  # the draws are inverted in pieces: the pieces must not show
    u = rng.uniform(0, 1, n)
    lam = rng.uniform(0.1, 5.0, n)
    k = poisson_quantile(u, lam)
    assert k.tolist() == stats.poisson.ppf(u, lam).astype(np.int64).tolist()
    for i in (0, POISSON_CHUNK - 1, POISSON_CHUNK, n - 1):
        assert poisson_quantile(u[i : i + 1], lam[i : i + 1])[0] == k[i]
