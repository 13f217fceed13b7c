"""The simulated online store: `generate(seed, ...)` returns a `Store` with tables and truth.

`simulate(seed, policy)` runs it under an operator's `Policy`; `default_policy(seed)` is the
plan `generate` follows.
"""

import sys
from importlib import import_module
from types import ModuleType

from storeops.sim.params import CHANNELS, DEFAULT_SEED, DEVICES, GENERATOR_VERSION
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

# The engine is imported when one of these is first asked for: a reader of a store's tables
# (every learner's notebook imports the parameters and the Store through `storeops.data`)
# does not pay a second for the simulator and scipy.
_ENGINE = {
    "generate": "storeops.sim.generate",
    "Policy": "storeops.sim.policy",
    "default_policy": "storeops.sim.policy",
    "simulate": "storeops.sim.policy",
}


class _Package(ModuleType):
    def __getattr__(self, name: str):
        if name not in _ENGINE:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(import_module(_ENGINE[name]), name)
        super().__setattr__(name, value)
        return value

    def __setattr__(self, name: str, value) -> None:
        # importing the module storeops.sim.generate sets it on the package: the package's
        # `generate` stays the function
        if name == "generate" and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
