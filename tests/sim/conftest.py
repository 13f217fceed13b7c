"""Session-scoped simulated stores shared by the simulator tests (each generated once)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sim_stores import SEEDS, store_for

from storeops.sim import DEFAULT_SEED, default_policy

# pytest keeps only the most recently imported rootless conftest as module "conftest", and
# tests/test_project.py does `from conftest import ROOT` after this folder is collected.
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def default_store():
    """The default store (default seed, one year from 2025-01-01)."""
    return store_for(DEFAULT_SEED)


@pytest.fixture(scope="session")
def base(default_store):
    """The default store, as the baseline a changed decision is compared with."""
    return default_store


@pytest.fixture(scope="session")
def plan():
    """The store's own plan on the default seed (`default_policy`)."""
    return default_policy(DEFAULT_SEED)


@pytest.fixture(scope="session", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def store(request):
    """Each of five seeds' default-settings stores."""
    return store_for(request.param)


@pytest.fixture(scope="session")
def small_store():
    """A short store (45 days, a tenth of the volume) for fast checks."""
    return store_for(7, days=45, scale=0.1)
