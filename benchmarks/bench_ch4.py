"""Chapter 4 (product) figures: notebook run time, decision grading cost, widget latency.

    .venv/bin/python benchmarks/bench_ch4.py [--callbacks 300]

Prints, on the default store:
- the learner's notebook (reference answers filled in, hidden tests removed) and the
  instructor's source (hidden tests included), each executed top to bottom with nbclient,
  wall time including kernel start;
- grading the reorder decision (question 9): building its key once (the best rule found by
  a search over runs of the simulator: what a grading worker pays once per store) and scoring
  one answer not seen before (one run) and one already scored (a lookup), and the same run's
  parts (the store's own plan, the lean simulation, the SKU's contribution);
- the price explorer's callback latency (median and max over many slider moves) with the
  notebook's `units_at`, and with a stub (which must answer with a message).
Not a test: timings on a shared machine vary; run `uptime` alongside.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ch4_product"
SOURCE_DIR = ROOT / "chapters"
NOTEBOOK = SOURCE_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def seconds(nb) -> float:
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    return time.perf_counter() - start


def bench_notebooks() -> None:
    from storeops.grading import source as src

    source = src.read_notebook(NOTEBOOK)
    learner = src.read_notebook(NOTEBOOK)
    for cell in learner.cells:
        if cell.cell_type == "code":
            cell.source = src.strip_solution_markers(cell.source)
            if src.is_test_cell(cell):
                cell.source = cell.source.split(src.BEGIN_HIDDEN)[0].rstrip()
    print(f"notebook, learner (reference answers, no hidden tests): {seconds(learner):6.2f} s")
    print(f"notebook, instructor source (hidden tests graded):      {seconds(source):6.2f} s")


def bench_decision() -> None:
    from storeops.chapters.ch4_product.questions import q9
    from storeops.data import load_store
    from storeops.grading.judges import sku_decision_key
    from storeops.sim.finance import DEFAULT_COSTS, sku_contribution
    from storeops.sim.policy import default_policy, simulate

    store = load_store()
    start = time.perf_counter()
    key = sku_decision_key(q9.kind, store)
    print(
        f"q9 key (own rule read off the store, best rule searched): {time.perf_counter() - start:6.2f} s"
    )
    answer = q9.kind.evaluate({"service_level": 0.93, "cover_days": 40.0}, store)
    start = time.perf_counter()
    q9.kind.score(answer, key)
    new = time.perf_counter() - start
    start = time.perf_counter()
    q9.kind.score(answer, key)
    again = time.perf_counter() - start
    print(f"q9 score, a rule not seen before (one run):               {new:6.2f} s")
    print(f"q9 score, the same rule again (memoised):                 {1000 * again:6.2f} ms")
    seed = key["seed"]
    start = time.perf_counter()
    own = default_policy(seed)
    policy_s = time.perf_counter() - start
    start = time.perf_counter()
    run = simulate(seed, own, lean=True)
    sim_s = time.perf_counter() - start
    start = time.perf_counter()
    sku_contribution(run.tables, DEFAULT_COSTS, key["first"], key["last"])
    contrib_s = time.perf_counter() - start
    print(
        f"  parts of sku_window_profit: default_policy {policy_s:.2f} s (once per seed), "
        f"lean simulate {sim_s:.2f} s, sku_contribution {contrib_s:.2f} s"
    )


def bench_widget(callbacks: int) -> None:
    from storeops.chapters.ch4_product.widget import price_explorer

    def units_at(price, _list=100.0):
        return 50.0 * (price / _list) ** -2.0

    def stub(price):
        raise NotImplementedError()

    for name, func in (("units_at", units_at), ("stub", stub)):
        box = price_explorer(func, 100.0, 45.0, 0.22)
        slider = box.children[0].children[0]
        times = []
        for i in range(callbacks):
            start = time.perf_counter()
            slider.value = slider.options[(i * 7) % len(slider.options)]
            times.append(1000 * (time.perf_counter() - start))
        print(
            f"price_explorer, {name:8s}: median {statistics.median(times):.2f} ms, "
            f"max {max(times):.2f} ms over {callbacks} callbacks"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.setdefault("STOREOPS_SOURCE_DIR", str(SOURCE_DIR))
    print(f"load: {os.getloadavg()[0]:.1f} (1-minute average) on {os.cpu_count()} cores")
    bench_notebooks()
    bench_decision()
    bench_widget(args.callbacks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
