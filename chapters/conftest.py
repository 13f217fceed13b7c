"""Fixtures shared by the chapters' own tests (chapters/<slug>/test_<slug>.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SOURCES = Path(__file__).resolve().parent  # the chapters' sources (notebooks, mistakes)


def _run_on_store(script: str, student: str | None, workdir: Path) -> dict:
    env = dict(os.environ, STOREOPS_CACHE=str(Path(workdir) / "cache"))
    if student:
        env.update(STOREOPS_COURSE_SEED="20261122", STOREOPS_STUDENT=student)
    run = subprocess.run(
        [sys.executable, "-c", script, str(SOURCES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=workdir,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def run_on_store() -> Callable[[str, str | None, Path], dict]:
    """``run_on_store(script, student, workdir)``: the JSON of ``script``'s last printed line,
    run in a fresh process (its own cache in ``workdir``) on ``student``'s store of a course
    (None: the default store), with the chapters' sources as its first argument."""
    return _run_on_store
