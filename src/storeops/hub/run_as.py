"""Run a command as a local account with this interpreter, which may live where that
account cannot enter (e.g. a venv on a pyenv Python under /root).

The sandbox's launcher (storeops/sandbox/launch.py) does it: in a private mount
namespace it exposes only the interpreter's folders, read-only, then switches to the
account's uid and gid (no supplementary groups). Unlike grading it applies no resource
limit and keeps the network (a student's server talks to the hub)."""

from __future__ import annotations

import json
import os
import pwd
import sys
import tempfile
from pathlib import Path

from storeops.sandbox.kernel import LAUNCHER


def interpreter_paths() -> list[str]:
    """The interpreter, its standard library and every sys.path folder ("/_": the
    folder itself must be reachable, not only its parent)."""
    paths = {os.path.realpath(sys.executable)}
    paths.add(os.path.join(os.path.realpath(sys.base_prefix), "lib", "_"))
    paths.update(os.path.join(os.path.realpath(p), "_") for p in sys.path if p and os.path.isdir(p))
    bindir = Path(sys.executable).parent
    paths.add(os.path.join(os.path.realpath(bindir), "_"))
    return sorted(paths)


def command_as(username: str, cmd: list[str]) -> tuple[list[str], Path]:
    """``cmd`` wrapped so that it runs as ``username`` (call as root), and the file where
    the launcher writes what it enforced (check that ``separate_user`` is true: the
    launcher records a refused step and goes on). The launcher's folder belongs to the
    account: the report is written after the switch."""
    entry = pwd.getpwnam(username)
    work = Path(tempfile.mkdtemp(prefix=f"storeops-as-{username}-"))
    (work / "stage").mkdir()
    cfg = {
        "network": "host",
        "uid": entry.pw_uid,
        "gid": entry.pw_gid,
        "expose": interpreter_paths(),
        "hide": [],
        "stage": str(work / "stage"),
        "report": str(work / "enforced.json"),
    }
    path = work / "launch.json"
    path.write_text(json.dumps(cfg))
    os.chown(work, entry.pw_uid, entry.pw_gid)
    return [sys.executable, str(LAUNCHER), str(path), "--", *cmd], work / "enforced.json"
