"""Shared fixtures: where the repository, the built book and the venv's tools are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_HTML = ROOT / "_build" / "html"

# nbgrader and jupyter subprocesses must find the venv's tools (nbgrader calls alembic by name).
_venv_bin = ROOT / ".venv" / "bin"
if _venv_bin.is_dir() and str(_venv_bin) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = f"{_venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The HTML book built by `make book` (which `make test` runs first)."""
    index = BUILD_HTML / "index.html"
    if not index.exists():
        pytest.fail("no built book in _build/html: run `make book` (make test does it first)")
    return BUILD_HTML


@pytest.fixture(autouse=True, scope="module")
def _storeops_environment_restored():
    """Each test module starts with the STOREOPS_* variables the session started with.

    The grader's own process sets the course's kernel variables (sources, course seed, the
    delivered stores) in its environment for good; in a test session that would make every
    later test a learner of the last class run.
    """
    before = {k: v for k, v in os.environ.items() if k.startswith("STOREOPS_")}
    yield
    for k in [k for k in os.environ if k.startswith("STOREOPS_")]:
        if k not in before:
            del os.environ[k]
    os.environ.update(before)
