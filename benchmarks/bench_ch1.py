"""Chapter 1 (planning) figures: exercise notebook run time, decision grading, widget latency.

    .venv/bin/python benchmarks/bench_ch1.py [--callbacks 200] [--runs 2]

Prints, on the default store:
- the learner's notebook (the exercise with the reference answers filled in, hidden tests
  removed, as a student runs it) executed top to bottom with nbclient, wall time including
  kernel start (goal: under 10 s); and the instructor's source (hidden tests included, which
  build the decision keys: the best-plan searches, once per store);
- grading one decision answer against its key (goal: under 1 s): the answer's profit is one
  run of the simulator over the decision's window; a second answer with the same plan is
  memoised; and the best-plan search per key, for scale;
- the pacing widget's callback latency with the reference `month_to_date_gap` and with a stub
  (goal: under 50 ms).
Each figure has its CPU seconds beside the wall seconds (the notebook's CPU is the kernel's
and this process's), and the load average is printed first. Not a test: timings on a shared
machine vary.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import nbformat
from notebooks import learner_notebook, run, timed_call

ROOT = Path(__file__).resolve().parents[1]

ASSIGNMENT = "ch1_planning"
SOURCE_DIR = ROOT / "chapters"
NOTEBOOK = SOURCE_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def decisions() -> None:
    from storeops.chapters.ch1_planning import questions as ch1
    from storeops.data import load_store
    from storeops.grading import judges
    from storeops.sim import default_policy

    store = load_store()
    own = default_policy(store.meta["seed"])
    answers = {
        "q8": {"join": True, "discount": 0.0, "deposit": 0.45},
        "q9": {m: 0.3 * v for m, v in ch1.planned_media_by_month(own).items()},
    }
    for q, answer in answers.items():
        kind = getattr(ch1, q).kind
        start = time.perf_counter()
        key = judges.decision_key(kind, store)
        search = time.perf_counter() - start
        value = kind.evaluate(answer, store)
        first, first_cpu, score = timed_call(partial(kind.score, value, key))
        again, _, _ = timed_call(partial(kind.score, value, key))
        print(
            f"{q} ({type(kind).__name__}): grading one answer {first:6.2f} s wall "
            f"{first_cpu:6.2f} s CPU, the same plan again {1000 * again:6.2f} ms; best-plan "
            f"search for the key {search:6.1f} s (score of the answer {score:.2f})"
        )


def latency(func, store, callbacks: int) -> tuple[float, float, float, bool]:
    """Median and max wall ms of a callback, median CPU ms, and whether none showed a
    traceback."""
    from storeops.chapters.ch1_planning.widget import pacing_explorer

    box = pacing_explorer(func, store)
    month, day = box.children[0].children
    times, cpus, ok = [], [], True
    for i in range(callbacks):
        if i % 2:
            wall, cpu, _ = timed_call(partial(setattr, day, "value", 1 + (i * 7) % 28))
        else:
            pick = month.options[(i // 2) % len(month.options)]
            wall, cpu, _ = timed_call(partial(setattr, month, "value", pick))
        times.append(1000 * wall)
        cpus.append(1000 * cpu)
        ok &= "Traceback" not in box.view.value
    return statistics.median(times), max(times), statistics.median(cpus), ok


def run_cpu(nb, folder: Path) -> tuple[float, float]:
    """Wall seconds of `run` and the CPU seconds of this process and its finished children
    (the kernel, reaped at shutdown)."""

    def used() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    before = used()
    wall = run(nb, folder)
    return wall, used() - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=200)
    parser.add_argument("--runs", type=int, default=2, help="notebook runs (the best is shown)")
    args = parser.parse_args(argv)
    os.environ.setdefault("STOREOPS_SOURCE_DIR", str(SOURCE_DIR))

    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    learner, learner_cpu = min(
        run_cpu(learner_notebook(NOTEBOOK), NOTEBOOK.parent) for _ in range(args.runs)
    )
    print(
        f"{ASSIGNMENT}: learner notebook top to bottom  {learner:6.2f} s wall "
        f"{learner_cpu:6.2f} s CPU (best of {args.runs})"
    )
    source, source_cpu = run_cpu(nbformat.read(NOTEBOOK, as_version=4), NOTEBOOK.parent)
    print(
        f"{ASSIGNMENT}: source with hidden tests        {source:6.2f} s wall "
        f"{source_cpu:6.2f} s CPU (keys built in it)"
    )

    decisions()

    from storeops.grading.keys import reference

    ns = reference(ASSIGNMENT, "q10", SOURCE_DIR).namespace
    med, worst, cpu, ok = latency(ns["month_to_date_gap"], ns["store"], args.callbacks)
    print(
        f"pacing_explorer, reference month_to_date_gap: median {med:.2f} ms wall "
        f"{cpu:.2f} ms CPU, max {worst:.2f} ms"
    )

    def stub(month, day):
        raise NotImplementedError()

    med, worst, cpu, ok_stub = latency(stub, ns["store"], args.callbacks)
    print(
        f"pacing_explorer, stub (message shown):        median {med:.2f} ms wall "
        f"{cpu:.2f} ms CPU, max {worst:.2f} ms; no traceback: {ok and ok_stub}"
    )
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
