"""What the chapter benchmarks share: an exercise notebook as a learner runs it, its wall
time top to bottom (kernel start included), and the wall and CPU time of one call. Run from a benchmark script, whose folder is
on the path."""

from __future__ import annotations

import time
from pathlib import Path

from nbclient import NotebookClient

TIMEOUT = 300


def learner_notebook(notebook: Path):
    """The source with solutions as a student would type them and no hidden tests."""
    from storeops.grading import source as src

    nb = src.read_notebook(notebook)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.source = src.strip_solution_markers(cell.source)
        if src.is_test_cell(cell):
            cell.source = cell.source.split(src.BEGIN_HIDDEN)[0].rstrip()
    return nb


def run(nb, folder: Path) -> float:
    """Seconds to execute `nb` top to bottom in `folder`."""
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=TIMEOUT,
        startup_timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return time.perf_counter() - start


def timed_call(func) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call, and its result (on a loaded machine the CPU figure
    is what the call costs, the wall figure what it waited)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = func()
    return time.perf_counter() - wall, time.process_time() - cpu, out
