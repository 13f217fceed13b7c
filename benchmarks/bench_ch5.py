"""Chapter 5 (customer communication) figures: notebook and page run time, widget latency.

    .venv/bin/python benchmarks/bench_ch5.py [--moves 300]

Prints, on the default store:
- the learner's notebook (reference answers filled in, hidden tests removed) and the
  instructor's source (hidden tests included), each executed top to bottom with nbclient,
  wall time including kernel start, and the chapter page the same way;
- the staffing widget: building it from the store (what the page and question 10 pay once),
  and the figures of one slider move (median and max over many moves) computed by
  `StaffingCurve.compute`, the Python twin of what the browser computes (the browser's own
  latency is in bench_live_widgets.py, which finds the widget on the built page).
Not a test: timings on a shared machine vary; run `uptime` alongside.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from notebooks import learner_notebook, run

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ch5_customer_communication"
SOURCE_DIR = ROOT / "chapters"
NOTEBOOK = SOURCE_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
PAGE = SOURCE_DIR / ASSIGNMENT / "page.md"


def bench_notebooks() -> None:
    import jupytext

    from storeops.grading import source as src

    learner = run(learner_notebook(NOTEBOOK), NOTEBOOK.parent)
    source = run(src.read_notebook(NOTEBOOK), NOTEBOOK.parent)
    page = run(jupytext.read(PAGE), PAGE.parent)
    print(f"notebook, learner (reference answers, no hidden tests): {learner:6.2f} s")
    print(f"notebook, instructor source (hidden tests graded):      {source:6.2f} s")
    print(f"chapter page (the book build's execution):              {page:6.2f} s")


def bench_widget(moves: int) -> None:
    from storeops.chapters.ch5_customer_communication.widget import (
        BLOCK_NAMES,
        MAX_AGENTS,
        StaffingCurve,
        staffing_curve,
    )
    from storeops.data import load_store

    store = load_store()
    start = time.perf_counter()
    w = staffing_curve(store)
    built = time.perf_counter() - start
    print(f"staffing_curve(store), once per page or notebook:       {1000 * built:6.1f} ms")
    values = w.state_values()
    times = []
    for i in range(moves):
        block = BLOCK_NAMES[i % len(BLOCK_NAMES)]
        values[f"agents_{block}"] = (i * 7) % (MAX_AGENTS + 1)
        start = time.perf_counter()
        StaffingCurve.compute(values)
        times.append(1000 * (time.perf_counter() - start))
    print(
        f"StaffingCurve.compute per move: median {statistics.median(times):.3f} ms, "
        f"max {max(times):.3f} ms over {moves} moves"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.setdefault("STOREOPS_SOURCE_DIR", str(SOURCE_DIR))
    print(f"load: {os.getloadavg()[0]:.1f} (1-minute average) on {os.cpu_count()} cores")
    bench_notebooks()
    bench_widget(args.moves)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
