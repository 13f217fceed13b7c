"""Chapter 5 (customer communication) figures: notebook and page run time, widget latency.

    .venv/bin/python benchmarks/bench_ch5.py [--moves 300] [--no-notebooks]

Prints, on the default store:
- the learner's notebook (reference answers filled in, hidden tests removed) and the
  instructor's source (hidden tests included), each executed top to bottom with nbclient,
  wall time including kernel start, and the chapter page the same way;
- grading the staffing decision (question 12): the key built cold (the best plan searched
  over runs of the simulator on the peak day, what the grader pays once per store), built
  again by a fresh worker (read from the instructor's private cache) and looked up in the
  same worker; one submission graded with the key warm (a plan not seen before: one lean run
  of the simulator to the peak day; the same plan again: a lookup), in wall and CPU seconds;
  and the runs the search made;
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
import tempfile
import time
from pathlib import Path

from notebooks import learner_notebook, run, timed_call

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


def bench_decision(cache: Path) -> None:
    from storeops.chapters.ch5_customer_communication import questions as ch5
    from storeops.data import load_store
    from storeops.grading import judges

    store = load_store()
    os.environ["STOREOPS_CACHE"] = str(cache)  # an empty private cache: the first key is cold
    kind = ch5.q12.kind
    cold = timed_call(lambda: judges.peak_staffing_key(kind, store))
    runs = sum(1 for k in ch5._PROFITS if len(k) == 3)
    judges._KEYS.clear()  # a fresh grading worker: nothing in memory, the disk cache warm
    ch5._PROFITS.clear()
    disk = timed_call(lambda: judges.peak_staffing_key(kind, store))
    warm = timed_call(lambda: judges.peak_staffing_key(kind, store))
    key = warm[2]
    answer = kind.evaluate({"0-1": 17, "2-8": 4, "9-17": 7, "18-23": 9}, store)
    new = timed_call(lambda: kind.score(answer, key))
    again = timed_call(lambda: kind.score(answer, key))
    print(f"decision grading, q12 peak staffing ({'wall s / cpu s':>15}):")
    for label, (wall, cpu, _) in (
        (f"key, cold (search: {runs} runs)", cold),
        ("key, fresh worker (disk)", disk),
        ("key, same worker (memory)", warm),
        ("submission, new plan (1 run)", new),
        ("submission, same plan again", again),
    ):
        print(f"  {label:34s} {wall:7.3f} / {cpu:7.3f}")


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
    parser.add_argument("--no-notebooks", action="store_true", help="skip the notebook runs")
    args = parser.parse_args(argv)
    os.environ.setdefault("STOREOPS_SOURCE_DIR", str(SOURCE_DIR))
    print(f"load: {os.getloadavg()[0]:.1f} (1-minute average) on {os.cpu_count()} cores")
    if not args.no_notebooks:
        bench_notebooks()
    with tempfile.TemporaryDirectory() as tmp:
        bench_decision(Path(tmp) / "stores")
    bench_widget(args.moves)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
