"""Chapter 4 (product) figures: notebook run time, decision grading cost, widget latency.

    .venv/bin/python benchmarks/bench_ch4.py [--callbacks 300] [--no-notebooks]

Prints, on the default store:
- the learner's notebook (reference answers filled in, hidden tests removed) and the
  instructor's source (hidden tests included), each executed top to bottom with nbclient,
  wall time including kernel start;
- grading the two decisions, the reorder rule (question 9) and the price (question 12), side
  by side: the key built cold (the best plan searched over runs of the simulator, what the
  grader pays once per store), built again by a fresh worker (read from the instructor's
  private cache) and looked up in the same worker; then one submission graded with the key
  warm (a plan not seen before: one run of the simulator, which for a reorder rule reuses the
  store's own market and orders placed that the search kept; the same plan again: a lookup),
  and a new plan in a worker that keeps no market (its first submission on a store whose key
  it read from the disk cache). Each figure in wall seconds and in this process's CPU seconds
  (on a loaded machine the CPU figure is what the grading costs, the wall figure what it
  waited); and the parts of one run: the store's own plan, the lean run that builds every
  table (what a SKU's run was), the SKU's run with a new market and with a kept one, and the
  SKU's contribution;
- the price explorer's callback latency (median and max over many slider moves) with the
  notebook's `units_at`, and with a stub (which must answer with a message).
Not a test: timings on a shared machine vary; run `uptime` alongside.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from nbclient import NotebookClient
from notebooks import timed_call

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


def bench_decision(cache: Path) -> None:
    from storeops.chapters.ch4_product import questions as ch4
    from storeops.data import load_store
    from storeops.grading import judges
    from storeops.sim import policy as policy_module
    from storeops.sim.finance import DEFAULT_COSTS, LEDGER_TABLES, sku_contribution
    from storeops.sim.policy import default_policy, simulate

    store = load_store()
    os.environ["STOREOPS_CACHE"] = str(cache)  # an empty private cache: the first key is cold
    answers = {"q9": {"service_level": 0.93, "cover_days": 40.0}, "q12": None}
    others = {"q9": {"service_level": 0.94, "cover_days": 41.0}, "q12": None}
    rows, keys = {}, {}
    for name in ("q9", "q12"):
        kind = getattr(ch4, name).kind
        cold = timed_call(lambda kind=kind: judges.sku_decision_key(kind, store))
        keys[name] = cold[2]
        judges._KEYS.clear()  # a fresh grading worker: nothing in memory, the disk cache warm
        ch4._PROFITS.clear()
        disk = timed_call(lambda kind=kind: judges.sku_decision_key(kind, store))
        warm = timed_call(lambda kind=kind: judges.sku_decision_key(kind, store))
        if answers[name] is None:  # prices not searched: 7 and 8 % above the list price
            listed = store.products.set_index("sku").loc[keys[name]["sku"], "list_price"]
            answers[name], others[name] = round(1.07 * listed, 2), round(1.08 * listed, 2)
        answer = kind.evaluate(answers[name], store)
        new = timed_call(lambda kind=kind, a=answer, k=keys[name]: kind.score(a, k))
        again = timed_call(lambda kind=kind, a=answer, k=keys[name]: kind.score(a, k))
        policy_module._DEMAND.clear()  # a worker that keeps no market
        other = kind.evaluate(others[name], store)
        bare = timed_call(lambda kind=kind, a=other, k=keys[name]: kind.score(a, k))
        rows[name] = (cold, disk, warm, new, again, bare)
    print(f"decision grading ({'wall s / cpu s':>15}): {'q9 reorder':>17} {'q12 price':>17}")
    labels = (
        "key, cold (search)",
        "key, fresh worker (disk)",
        "key, same worker (memory)",
        "submission, new plan (1 run)",
        "submission, same plan again",
        "submission, new plan, no market kept",
    )
    for i, label in enumerate(labels):
        cells = " ".join(f"{rows[q][i][0]:7.3f} / {rows[q][i][1]:7.3f}" for q in ("q9", "q12"))
        print(f"  {label:34s} {cells}")
    q12 = rows["q12"]
    print(
        f"  q12: cold key / submission (wall) {q12[0][0] / q12[3][0]:.0f}x; "
        f"fresh-worker key / submission {q12[1][0] / q12[3][0]:.3f}"
    )
    key = keys["q9"]
    seed = key["seed"]
    policy_s, _, own = timed_call(lambda: default_policy(seed))
    lean = timed_call(lambda: simulate(seed, own, lean=True))
    policy_module._DEMAND.clear()
    ledger = dict(lean=True, reuse=True, only=LEDGER_TABLES)
    built = timed_call(lambda: simulate(seed, own, **ledger))
    kept_s, kept_cpu, run = timed_call(lambda: simulate(seed, own, **ledger))
    contrib_s, _, _ = timed_call(
        lambda: sku_contribution(run.tables, DEFAULT_COSTS, key["first"], key["last"])
    )
    print(
        f"  parts of one run (wall s / cpu s): default_policy {policy_s:.2f} (once per seed); "
        f"lean run, every table {lean[0]:.2f} / {lean[1]:.2f}; the SKU's run, new market "
        f"{built[0]:.2f} / {built[1]:.2f}, kept market {kept_s:.2f} / {kept_cpu:.2f}; "
        f"sku_contribution {contrib_s:.2f}"
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
    os.environ.setdefault("STOREOPS_SOURCE_DIR", str(SOURCE_DIR))
    parser.add_argument("--no-notebooks", action="store_true", help="skip the notebook runs")
    args = parser.parse_args(argv)
    print(f"load: {os.getloadavg()[0]:.1f} (1-minute average) on {os.cpu_count()} cores")
    if not args.no_notebooks:
        bench_notebooks()
    with tempfile.TemporaryDirectory() as tmp:
        bench_decision(Path(tmp) / "stores")
    bench_widget(args.callbacks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
