"""Benchmark of the store simulator: rows per second and peak memory at 1x, 10x and 100x.

Each scale runs in a fresh process so that its peak memory (max RSS) is its own.

    python benchmarks/bench_sim.py                   # scales 1, 10, 100
    python benchmarks/bench_sim.py --scales 1,10 --write   # also time writing Parquet + CSV
    python benchmarks/bench_sim.py --scales 1 --repeat 5   # median of 5 runs
    python benchmarks/bench_sim.py --class-size 100        # 100 per-student stores (progress bar)
    python benchmarks/bench_sim.py --scales 1 --repeat 5 --baseline /tmp/base/src
        # the same runs, alternating, on another version of the code (e.g. from
        # `git archive <rev> src | tar -x -C /tmp/base`): before/after under the same load
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from baseline import run_child

CHILD = r"""
import json, resource, sys, tempfile, time
from storeops.sim import generate
scale, seed, write = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
t0 = time.perf_counter()
store = generate(seed=seed, scale=scale)
gen = time.perf_counter() - t0
rows = sum(len(df) for df in store.tables.values())
out = dict(scale=scale, orders=len(store.orders), rows=rows, seconds=gen,
           table_mb=sum(df.memory_usage(deep=True).sum() for df in store.tables.values()) / 1e6)
if write:
    from storeops.data import write_store
    with tempfile.TemporaryDirectory() as d:
        t1 = time.perf_counter()
        write_store(store, d + "/pq", formats=("parquet",))
        out["parquet_seconds"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        write_store(store, d + "/csv", formats=("csv",), include_truth=False)
        out["csv_seconds"] = time.perf_counter() - t1
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
import storeops
out["package"] = storeops.__file__
print(json.dumps(out))
"""


def run_scale(scale: float, seed: int, write: bool, src: str | None = None) -> dict:
    return run_child(["-c", CHILD, str(scale), str(seed), "1" if write else "0"], src)


def _median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda x: x["seconds"])[len(runs) // 2]


def _row(scale: float, r: dict, write: bool) -> str:
    line = f"{scale:>6g} {r['orders']:>11,} {r['rows']:>12,} {r['seconds']:>7.2f} {r['rows'] / r['seconds']:>11,.0f} {r['peak_mb']:>8,.0f} {r['table_mb']:>9,.0f}"
    if write:
        line += f" {r['parquet_seconds']:>9.2f} {r['csv_seconds']:>7.2f}"
    return line


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs per scale (the median time is shown)"
    )
    ap.add_argument("--write", action="store_true", help="also time writing Parquet and CSV")
    ap.add_argument(
        "--class-size", type=int, default=0, help="time `storeops data --students N` (Parquet only)"
    )
    ap.add_argument(
        "--baseline",
        metavar="SRC",
        help="a src/ folder of another version: its runs alternate with these, ratios shown",
    )
    args = ap.parse_args()
    from storeops.sim import DEFAULT_SEED, GENERATOR_VERSION

    seed = DEFAULT_SEED if args.seed is None else args.seed
    print(f"storeops.sim {GENERATOR_VERSION}, seed {seed}, one year; {os.cpu_count()} CPUs")
    head = f"{'scale':>6} {'orders':>11} {'rows':>12} {'gen s':>7} {'rows/s':>11} {'peak MB':>8} {'tables MB':>9}"
    if args.write:
        head += f" {'parquet s':>9} {'csv s':>7}"
    print(head)
    base = None
    for s in [float(x) for x in args.scales.split(",")]:
        runs, before = [], []
        for _ in range(args.repeat):  # alternating, so that both versions see the same load
            runs.append(run_scale(s, seed, args.write))
            if args.baseline:
                before.append(run_scale(s, seed, args.write, args.baseline))
        r = _median(runs)
        print(_row(s, r, args.write), flush=True)
        if before:
            b = _median(before)
            print(_row(s, b, args.write) + "  (baseline)", flush=True)
            print(
                f"{'':>6} this version: time x{r['seconds'] / b['seconds']:.2f}, rows/s "
                f"x{(r['rows'] / r['seconds']) / (b['rows'] / b['seconds']):.2f}, peak memory "
                f"x{r['peak_mb'] / b['peak_mb']:.2f} of the baseline; same rows: "
                f"{r['rows'] == b['rows'] and r['orders'] == b['orders']}",
                flush=True,
            )
        if base is None:
            base = r
        else:
            print(
                f"{'':>6} time x{r['seconds'] / base['seconds']:.1f} and rows x{r['rows'] / base['rows']:.1f} vs scale {base['scale']:g}",
                flush=True,
            )
    if args.class_size:
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "storeops.cli",
                    "data",
                    "--out",
                    d,
                    "--students",
                    str(args.class_size),
                    "--course-seed",
                    "2025",
                    "--format",
                    "parquet",
                    "--no-truth",
                ],
                check=True,
            )
            dt = time.perf_counter() - t
        print(
            f"class of {args.class_size} per-student stores (Parquet): {dt:.1f} s, {dt / args.class_size:.2f} s per student"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
