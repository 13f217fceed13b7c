"""Named, keyed random streams: common random numbers for counterfactual runs.

Every draw comes from a stream named by the sub-model and keyed by what the draw belongs to
(a channel, a day, a category and channel). Within a stream, draws run in day order. So when a
decision changes something from day W on, nothing before W moves, and nothing in another
stream moves at all: a changed count only shifts the later draws of its own stream. Adding a
sub-model never shifts the others either.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str, *keys: int) -> np.random.Generator:
    """Return the random generator of sub-model `name` for store `seed`, keyed by `keys`."""
    spawn_key = (zlib.crc32(name.encode()), *(int(k) for k in keys))
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=spawn_key)
    return np.random.default_rng(ss)
