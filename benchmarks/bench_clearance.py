"""Clearance: what the truth's best clearance costs `generate`, and what judging a plan costs.

Prints figures; not a test (timings are noisy on a shared machine). Run with
``.venv/bin/python benchmarks/bench_clearance.py [--repeat N]``.

Rows, side by side in one run (median of N after one warm-up call):

* generate: the default store, whose truth holds every seasonal and fashion SKU's best
  clearance week and depth;
* clearance truth: that part of it alone (the fast model over every candidate plan), and its
  share of generate;
* sku_profit: one clearance plan judged by the SKU's contribution in evaluate's tables
  (a whole-year run with tables);
* score_clearance: a learner's plan scored, no clearance and the best plan already judged
  (they are cached per seed and SKU).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench_evaluate import timed  # the benchmarks' folder is on the path when run as a script

from storeops.grading.plans import clearance_plan, score_clearance, sku_profit
from storeops.sim import DEFAULT_SEED, default_policy, generate

SEED = DEFAULT_SEED


def clearance_part(repeat: int) -> float:
    """Median seconds of the clearance truth inside generate."""
    module = sys.modules["storeops.sim.generate"]
    inner, spent = module._clearance_truth, []

    def clocked(*args):
        t0 = time.perf_counter()
        out = inner(*args)
        spent.append(time.perf_counter() - t0)
        return out

    module._clearance_truth = clocked
    try:
        for _ in range(repeat + 1):
            generate(SEED)
    finally:
        module._clearance_truth = inner
    return statistics.median(spent[1:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    truth = generate(SEED).truth
    sku = max(
        truth["clearance"]["skus"],
        key=lambda k: truth["clearance"]["skus"][k]["gain_over_no_clearance"],
    )
    best = truth["clearance"]["skus"][sku]
    plan = clearance_plan(SEED, sku, best["week_start"], best["depth"], default_policy(SEED))
    gen = timed(lambda: generate(SEED), args.repeat)
    part = clearance_part(args.repeat)
    rows = [
        ("generate (default store)", gen),
        (f"clearance truth ({len(truth['clearance']['skus'])} SKUs)", part),
        (f"sku_profit ({sku}, one plan)", timed(lambda: sku_profit(SEED, sku, plan), args.repeat)),
        (
            "score_clearance (one plan)",
            timed(lambda: score_clearance(SEED, sku, plan), args.repeat),
        ),
    ]
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:7.3f} s")
    print(f"{'clearance truth / generate':<{width}}  {part / gen:7.1%}")


if __name__ == "__main__":
    main()
