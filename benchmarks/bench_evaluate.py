"""evaluate(seed, policy, start, days): seconds per plan, against the goal of 1 s for 90 days.

Prints figures; not a test (timings are noisy on a shared machine). Run with
``.venv/bin/python benchmarks/bench_evaluate.py [--repeat N]``.

Rows, side by side in one run (median of N after one warm-up call):

* generate: the default store, for scale;
* evaluate 90 days: the store's own plan over June-August, the figure the goal is about;
* evaluate 90 days, changed plan: search's budget doubled in the window (a plan a learner
  would try: nothing is cached between plans);
* evaluate 90 days, festival plan: 6.18 with a 20 % festival discount and a pre-sale (a
  festival decision also rebuilds the store's own festival effects for its planners);
* evaluate 365 days with tables: the whole year with the full store kept;
* best_budget: the search the grader runs for one channel's budget (grid of 8 plus 6
  golden-section steps), once.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

from storeops.grading.plans import best_budget, scale_budget
from storeops.sim import DEFAULT_SEED, default_policy, generate
from storeops.sim.calendar import Presale
from storeops.sim.evaluate import evaluate

START, DAYS = "2025-06-01", 90


def timed(fn, repeat: int) -> float:
    fn()  # warm-up: imports, first-touch of memory
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    plan = default_policy(DEFAULT_SEED)
    doubled = scale_budget(plan, "search", 2.0, START, DAYS)
    festival = replace(
        plan,
        festivals=[
            replace(f, discount=0.2, presale=Presale(0.2)) if f.festival == "618" else f
            for f in plan.festivals
        ],
    )
    rows = [
        ("generate (default store)", timed(lambda: generate(DEFAULT_SEED), args.repeat)),
        (
            "evaluate 90 days, own plan",
            timed(lambda: evaluate(DEFAULT_SEED, None, START, DAYS), args.repeat),
        ),
        (
            "evaluate 90 days, search x2",
            timed(lambda: evaluate(DEFAULT_SEED, doubled, START, DAYS), args.repeat),
        ),
        (
            "evaluate 90 days, festival plan",
            timed(lambda: evaluate(DEFAULT_SEED, festival, START, DAYS), args.repeat),
        ),
        (
            "evaluate 365 days, tables",
            timed(lambda: evaluate(DEFAULT_SEED, plan, tables=True), args.repeat),
        ),
    ]
    t0 = time.perf_counter()
    factor, best, own = best_budget(DEFAULT_SEED, "search", START, DAYS, progress=False)
    search_s = time.perf_counter() - t0
    base = rows[0][1]
    print(f"evaluate, seed {DEFAULT_SEED}, window {START} + {DAYS} days; median of {args.repeat}")
    print(f"{'':32} {'seconds':>8} {'x generate':>11}")
    for name, sec in rows:
        print(f"{name:32} {sec:8.3f} {sec / base:11.2f}")
    print(f"{'best_budget(search), once':32} {search_s:8.3f} {search_s / base:11.2f}")
    goal = all(sec < 1.0 for name, sec in rows if name.startswith("evaluate 90"))
    print(f"goal: a 90-day plan in under 1 s: {'met' if goal else 'NOT met'}")
    print(
        f"best search budget: x{factor:.2f} of the store's own, profit {best.profit:,.0f} "
        f"vs {own.profit:,.0f} under the own plan"
    )


if __name__ == "__main__":
    main()
