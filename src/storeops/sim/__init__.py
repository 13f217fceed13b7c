"""The simulated online store: `generate(seed, ...)` returns a `Store` with tables and truth."""

from storeops.sim.generate import generate
from storeops.sim.params import CHANNELS, DEFAULT_SEED, DEVICES, GENERATOR_VERSION
from storeops.sim.store import TABLES, Store

__all__ = [
    "CHANNELS",
    "DEFAULT_SEED",
    "DEVICES",
    "GENERATOR_VERSION",
    "TABLES",
    "Store",
    "generate",
]
