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
Not a test: timings on a shared machine vary; run `uptime` alongside.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import nbformat
from notebooks import learner_notebook, run

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
        start = time.perf_counter()
        score = kind.score(value, key)
        first = time.perf_counter() - start
        start = time.perf_counter()
        kind.score(value, key)
        again = time.perf_counter() - start
        print(
            f"{q} ({type(kind).__name__}): grading one answer {first:6.2f} s, the same plan "
            f"again {1000 * again:6.2f} ms; best-plan search for the key {search:6.1f} s "
            f"(score of the answer {score:.2f})"
        )


def latency(func, store, callbacks: int) -> tuple[float, float, bool]:
    from storeops.chapters.ch1_planning.widget import pacing_explorer

    box = pacing_explorer(func, store)
    month, day = box.children[0].children
    times, ok = [], True
    for i in range(callbacks):
        start = time.perf_counter()
        if i % 2:
            day.value = 1 + (i * 7) % 28
        else:
            month.value = month.options[(i // 2) % len(month.options)]
        times.append(1000 * (time.perf_counter() - start))
        ok &= "Traceback" not in box.view.value
    return statistics.median(times), max(times), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=200)
    parser.add_argument("--runs", type=int, default=2, help="notebook runs (the best is shown)")
    args = parser.parse_args(argv)
    os.environ.setdefault("STOREOPS_SOURCE_DIR", str(SOURCE_DIR))

    learner = min(run(learner_notebook(NOTEBOOK), NOTEBOOK.parent) for _ in range(args.runs))
    print(f"{ASSIGNMENT}: learner notebook top to bottom  {learner:6.2f} s (best of {args.runs})")
    source = run(nbformat.read(NOTEBOOK, as_version=4), NOTEBOOK.parent)
    print(f"{ASSIGNMENT}: source with hidden tests        {source:6.2f} s (keys built in it)")

    decisions()

    from storeops.grading.keys import reference

    ns = reference(ASSIGNMENT, "q10", SOURCE_DIR).namespace
    med, worst, ok = latency(ns["month_to_date_gap"], ns["store"], args.callbacks)
    print(f"pacing_explorer, reference month_to_date_gap: median {med:.2f} ms, max {worst:.2f} ms")

    def stub(month, day):
        raise NotImplementedError()

    med, worst, ok_stub = latency(stub, ns["store"], args.callbacks)
    print(
        f"pacing_explorer, stub (message shown):        median {med:.2f} ms, max {worst:.2f} ms; "
        f"no traceback: {ok and ok_stub}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
