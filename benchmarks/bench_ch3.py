"""Chapter 3 (promotion) figures: exercise notebook run time and budget-widget latency.

    .venv/bin/python benchmarks/bench_ch3.py [--callbacks 300]

Prints, on the default store:
- the learner's notebook (the exercise with the reference answers filled in, hidden
  tests removed, as a student runs it) executed top to bottom with nbclient, wall time
  including kernel start; and the instructor's source (hidden tests included);
- the budget allocator's callback latency (median and max over many slider moves) with
  the reference `predicted_revenue` of question 7 and with the chapter's fitted curves,
  and with a not-yet-written stub (which must answer with a message, not a traceback).
Not a test: timings on a shared machine vary.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ch3_promotion"
SOURCE_DIR = ROOT / "chapters"
NOTEBOOK = SOURCE_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
TIMEOUT = 120


def learner_notebook():
    """The source with solutions as a student would type them and no hidden tests."""
    from storeops.grading import source as src

    nb = src.read_notebook(NOTEBOOK)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.source = src.strip_solution_markers(cell.source)
        if src.is_test_cell(cell):
            cell.source = cell.source.split(src.BEGIN_HIDDEN)[0].rstrip()
    return nb


def run(nb) -> float:
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=TIMEOUT,
        startup_timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    return time.perf_counter() - start


def reference_namespace() -> dict:
    """Run the reference cells in-process: store, today and the reference predicted_revenue."""
    from storeops.grading.keys import reference

    return reference(ASSIGNMENT, "q7", SOURCE_DIR).namespace


def latency(predict, today, callbacks: int) -> tuple[float, float, bool]:
    """Median and max milliseconds per slider move; whether every view was shown."""
    from storeops.chapters.ch3_promotion.widget import budget_allocator

    box = budget_allocator(predict, current=today, share_left=0.3)
    sliders = list(box.sliders.values())
    rng = np.random.default_rng(0)
    times, ok = [], True
    for i in range(callbacks):
        slider = sliders[i % len(sliders)]
        target = float(rng.integers(0, int(slider.max / slider.step) + 1)) * slider.step
        start = time.perf_counter()
        slider.value = target
        times.append(1000 * (time.perf_counter() - start))
        ok &= "Traceback" not in box.children[-1].value
    return statistics.median(times), max(times), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2, help="notebook runs (the best is shown)")
    args = parser.parse_args(argv)
    os.environ.setdefault("STOREOPS_SOURCE_DIR", str(SOURCE_DIR))

    learner = min(run(learner_notebook()) for _ in range(args.runs))
    source = run(nbformat.read(NOTEBOOK, as_version=4))
    print(f"{ASSIGNMENT}: learner notebook top to bottom  {learner:6.2f} s (best of {args.runs})")
    print(f"{ASSIGNMENT}: source with hidden tests        {source:6.2f} s")

    ns = reference_namespace()
    today = ns["today"]
    med, worst, ok = latency(ns["predicted_revenue"], today, args.callbacks)
    print(
        f"budget_allocator, reference predicted_revenue: median {med:.2f} ms, "
        f"max {worst:.2f} ms over {args.callbacks} callbacks"
    )
    rows = {ch: ns["predicted_revenue"](ch, float(s)) for ch, s in today.items()}

    def scalar_only(channel, daily_spend, _r=rows, _s=today):
        return _r[channel] * math.pow(daily_spend / _s[channel], 0.4)  # no arrays: one by one

    med, worst, _ = latency(scalar_only, today, args.callbacks)
    print(f"budget_allocator, scalar-only curve:           median {med:.2f} ms, max {worst:.2f} ms")

    def stub(channel, daily_spend):
        raise NotImplementedError()

    med, worst, ok_stub = latency(stub, today, args.callbacks)
    print(
        f"budget_allocator, stub (message shown):       median {med:.2f} ms, max {worst:.2f} ms; "
        f"no traceback: {ok and ok_stub}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
