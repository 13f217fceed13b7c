"""Benchmark of the customers' texts: what writing the reviews', returns' and chats' texts adds
to the default store's `generate`, against a version without them.

Each run is a fresh process that generates the default store twice: the first call pays for
starting up (compiling the grammars, the first large allocations), the second is a warm one
(a class of stores made in one process). Both wall and CPU seconds are shown, and the time
spent in `customer_texts` itself; runs alternate with the baseline so that both see the
same load.

    python benchmarks/bench_texts.py --baseline /tmp/base/src --repeat 5
        # /tmp/base from `git archive <rev> src | tar -x -C /tmp/base`, a rev before the texts
"""

from __future__ import annotations

import argparse
import statistics

from baseline import run_child

CHILD = r"""
import json, time
import storeops
import sys, storeops.sim
G = sys.modules["storeops.sim.generate"]
from storeops.sim import generate
spent = []
texts = getattr(G, "customer_texts", None)
if texts is not None:
    def timed(*a, **k):
        t = time.perf_counter(); out = texts(*a, **k); spent.append(time.perf_counter() - t)
        return out
    G.customer_texts = timed
out = dict(package=storeops.__file__)
for run in ("first", "warm"):
    w, c = time.perf_counter(), time.process_time()
    store = None
    store = generate()
    out[run] = time.perf_counter() - w
    out[run + "_cpu"] = time.process_time() - c
out["texts_first"], out["texts_warm"] = (spent + [0.0, 0.0])[:2]
out["texts"] = sum(
    len(store.tables[t]) for t in ("reviews", "returns", "service_chats")
    if "language" in store.tables[t]
)
print(json.dumps(out))
"""

FIELDS = ("first", "first_cpu", "warm", "warm_cpu", "texts_first", "texts_warm")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", metavar="SRC", help="a src/ folder of a version without texts")
    ap.add_argument("--repeat", type=int, default=5, help="fresh processes per version")
    args = ap.parse_args()
    runs, before = [], []
    for _ in range(args.repeat):
        runs.append(run_child(["-c", CHILD]))
        if args.baseline:
            before.append(run_child(["-c", CHILD], args.baseline))
    med = {k: statistics.median(r[k] for r in runs) for k in FIELDS}
    print(f"texts written: {runs[0]['texts']:,} (median of {args.repeat} fresh processes, s)")
    print(f"{'':>10} {'first':>7} {'cpu':>7} {'warm':>7} {'cpu':>7}   texts first / warm")
    print(
        f"{'this':>10} {med['first']:7.2f} {med['first_cpu']:7.2f} {med['warm']:7.2f} "
        f"{med['warm_cpu']:7.2f}   {med['texts_first']:.3f} / {med['texts_warm']:.3f}"
    )
    if before:
        b = {k: statistics.median(r[k] for r in before) for k in FIELDS[:4]}
        print(
            f"{'baseline':>10} {b['first']:7.2f} {b['first_cpu']:7.2f} {b['warm']:7.2f} "
            f"{b['warm_cpu']:7.2f}"
        )
        print(
            "ratios: " + ", ".join(f"{k} x{med[k] / b[k]:.2f}" for k in FIELDS[:4]) + "; "
            f"texts' share of this version: first {med['texts_first'] / med['first']:.0%}, "
            f"warm {med['texts_warm'] / med['warm']:.0%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
