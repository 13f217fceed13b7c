"""Proof that grading did not change a submitted file: hashes before and after.

:func:`snapshot` records size and SHA-256 of every file under a folder (symbolic
links by their target, never followed), streaming each file so that no
submission is held in memory; :func:`compare` lists every difference.
"""

from __future__ import annotations

import os
from pathlib import Path

from storeops.files import file_digest


def snapshot(root: str | Path) -> dict[str, str]:
    """``{relative path: "sha256 size mode"}`` of everything under ``root``."""
    root = Path(root)
    out: dict[str, str] = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames) + [
            d for d in dirnames if os.path.islink(os.path.join(dirpath, d))
        ]:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if os.path.islink(path):
                out[rel] = f"link:{os.readlink(path)}"
            else:
                out[rel] = f"{file_digest(path)} {st.st_size} {oct(st.st_mode & 0o7777)}"
    return out


def compare(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Human-readable differences (empty: byte-identical)."""
    out = []
    for rel in sorted(set(before) | set(after)):
        if rel not in after:
            out.append(f"deleted: {rel}")
        elif rel not in before:
            out.append(f"added: {rel}")
        elif before[rel].split(" ")[:2] != after[rel].split(" ")[:2]:
            out.append(f"changed: {rel}")
    return out
