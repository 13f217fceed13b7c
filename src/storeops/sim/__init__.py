"""The simulated online store: `generate(seed, ...)` returns a `Store` with tables and truth.

`simulate(seed, policy)` runs it under an operator's `Policy`; `default_policy(seed)` is the
plan `generate` follows.
"""

from storeops.sim.generate import generate
from storeops.sim.params import CHANNELS, DEFAULT_SEED, DEVICES, GENERATOR_VERSION
from storeops.sim.policy import Policy, default_policy, simulate
from storeops.sim.store import TABLES, Store

__all__ = [
    "CHANNELS",
    "DEFAULT_SEED",
    "DEVICES",
    "GENERATOR_VERSION",
    "Policy",
    "TABLES",
    "Store",
    "default_policy",
    "generate",
    "simulate",
]
