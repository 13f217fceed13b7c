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


def _page_overlaps(source_nb, page: Path) -> dict[str, float]:
    """Per reference solution (grade_id), the largest share of its 8-token runs found in one
    code cell of the chapter page; solutions of under 5 runs are too short to compare."""
    import jupytext

    from storeops.grading import source as src

    cells = [
        src.code_shingles(c.source) for c in jupytext.read(page).cells if c.cell_type == "code"
    ]
    out = {}
    for cell in source_nb.cells:
        if not src.is_answer_cell(cell) or cell.cell_type != "code":
            continue
        mine = src.code_shingles(src.strip_solution_markers(cell.source))
        if len(mine) >= 5:
            out[src.grade_id(cell)] = max(len(mine & other) / len(mine) for other in cells)
    return out


@pytest.fixture(scope="session")
def page_overlaps() -> Callable:
    """``page_overlaps(source_nb, page)``: what the near-copy tests compare (standard item 7)."""
    return _page_overlaps


def _leaked_values(assignment: str, source: Path, questions) -> list[tuple[str, str]]:
    """The (question, mistake id) whose catalogued message quotes the store's answer in one of
    the usual roundings."""
    import numpy as np

    from storeops.grading import keys
    from storeops.grading import source as src

    leaks = []
    for question in questions:
        value = keys.expected(assignment, question, source.parent)
        numbers = np.atleast_1d(np.asarray(value, dtype=float))
        shown = {f"{x:{fmt}}" for x in numbers for fmt in (".2f", ".3g", ",.0f", ".0f", ".1%")}
        for m in src.load_mistakes(source):
            if m.question == question and any(t in m.message for t in shown if len(t) > 2):
                leaks.append((question, m.id))
    return leaks


@pytest.fixture(scope="session")
def leaked_values() -> Callable:
    """``leaked_values(assignment, source, questions)``: messages that give the answer away."""
    return _leaked_values
