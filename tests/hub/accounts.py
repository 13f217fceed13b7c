"""Real local accounts for the hub tests (root only): created with a home, removed after."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from contextlib import contextmanager

import pytest


def require_root() -> None:
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.skip("needs root and useradd (real accounts prove what a student cannot read)")


@contextmanager
def accounts(*names: str):
    """Create ``names`` (home 0700 in /home); remove them and their homes afterwards."""
    require_root()
    made = []
    try:
        for name in names:
            subprocess.run(["userdel", "-r", name], capture_output=True)  # left by a crash
            subprocess.run(["useradd", "-m", "-s", "/bin/bash", name], check=True)
            made.append(name)
            os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
        yield {n: pwd.getpwnam(n) for n in names}
    finally:
        for name in made:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
            subprocess.run(["userdel", "-r", name], capture_output=True)
