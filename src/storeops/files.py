"""File helpers with no dependencies, for every layer (the store's MANIFEST, grading snapshots)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_digest(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, read in chunks so a large file is never held in memory."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
