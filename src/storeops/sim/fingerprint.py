"""A fingerprint of the generator's code, so stale data are noticed even without a version bump."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

# modules that do not change the generated data
_NOT_DATA = {"cli.py", "dictionary.py", "fingerprint.py", "__init__.py"}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 (first 16 hex digits) of the simulator modules that shape the data."""
    h = hashlib.sha256()
    for p in sorted(Path(__file__).parent.glob("*.py")):
        if p.name not in _NOT_DATA:
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]
