"""Session-scoped simulated stores shared by the simulator tests (each generated once)."""

from __future__ import annotations

import pytest

from storeops.sim import DEFAULT_SEED, generate

SEEDS = (DEFAULT_SEED, 1, 2, 3, 4)
_CACHE: dict = {}


def store_for(seed: int, **kw):
    """The store of `seed` (default settings unless kw), generated once per test session."""
    key = (seed, tuple(sorted(kw.items())))
    if key not in _CACHE:
        _CACHE[key] = generate(seed=seed, **kw)
    return _CACHE[key]


@pytest.fixture(scope="session")
def default_store():
    """The default store (default seed, one year from 2025-01-01)."""
    return store_for(DEFAULT_SEED)


@pytest.fixture(scope="session", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def store(request):
    """Each of five seeds' default-settings stores."""
    return store_for(request.param)


@pytest.fixture(scope="session")
def small_store():
    """A short store (45 days, a tenth of the volume) for fast checks."""
    return store_for(7, days=45, scale=0.1)
