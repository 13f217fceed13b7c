"""Stores shared by the simulator tests, generated once per test session (see conftest.py)."""

from __future__ import annotations

from storeops.sim import DEFAULT_SEED, generate

SEEDS = (DEFAULT_SEED, 1, 2, 3, 4)
_CACHE: dict = {}


def store_for(seed: int, **kw):
    """The store of `seed` (default settings unless kw), generated once per test session."""
    key = (seed, tuple(sorted(kw.items())))
    if key not in _CACHE:
        _CACHE[key] = generate(seed=seed, **kw)
    return _CACHE[key]
