"""Chapter 3's decision keys: seconds per student to find the best plans (media budgets of
question 8, search bid of question 13), before and after the expected-profit proxy.

    .venv/bin/python benchmarks/bench_ch3_keys.py [--students 3] [--before 1]

For each store (the default one, then per-student stores of one course) it prints, in one
run, side by side:

* after: the keys as the grader builds them (`storeops.grading.judges.decision_key`): the
  media plan searched on `storeops.analysis.plans.PlanProxy` and checked by one `evaluate`
  run, the bid searched on the proxy, the own plan's profit read off the store;
* before (on the first `--before` stores): the search run on `evaluate` itself, as the keys
  were built before (every point of the grid a whole run of the store), and what it found
  against what the proxy found (gain over the store's own plan, same measure).

Also the cost of grading one answer of each question (the kind's profit of a new plan).
Not a test: timings on a shared machine vary; the load is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import time


def _store(student: str | None):
    from storeops.data import load_store

    if student is None:
        os.environ.pop("STOREOPS_STUDENT", None)
        os.environ.pop("STOREOPS_COURSE_SEED", None)
    else:
        os.environ.update(STOREOPS_COURSE_SEED="20261122", STOREOPS_STUDENT=student)
    return load_store()


def after(store) -> tuple[float, float, dict]:
    from storeops.chapters.ch3_promotion import questions as ch3
    from storeops.grading import judges

    t0 = time.perf_counter()
    media = judges.decision_key(ch3.q8.kind, store)
    t1 = time.perf_counter()
    bid = judges.decision_key(ch3.q13.kind, store)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, {"q8": media, "q13": bid}


def before(store, keys: dict) -> tuple[float, float, float, float]:
    from storeops.chapters.ch3_promotion import questions as ch3
    from storeops.grading.plans import best_bid, best_media_plan

    seed, start, days = int(store.meta["seed"]), ch3.DECISION_START, ch3.DECISION_DAYS
    t0 = time.perf_counter()
    _, media = best_media_plan(seed, list(ch3.BOUGHT_PER_MILLE), start, days, exhaustive=True)
    t1 = time.perf_counter()
    bid, _, _, _ = best_bid(seed, "search", start, days, exhaustive=True)
    t2 = time.perf_counter()
    # the exhaustive bid, in the measure q13 is scored in (expected profit)
    bid_gain = ch3.q13.kind.profit({"plan": {"search": bid}}, keys["q13"])
    return t1 - t0, t2 - t1, media, bid_gain


def grading_cost(store, keys: dict) -> tuple[float, float]:
    from storeops.chapters.ch3_promotion import questions as ch3
    from storeops.chapters.ch3_promotion.widget import current_daily_spend

    today = current_daily_spend(store)[list(ch3.BOUGHT_PER_MILLE)]
    t0 = time.perf_counter()
    ch3.q8.kind.profit({"plan": (today * 0.37).to_dict()}, keys["q8"])
    t1 = time.perf_counter()
    ch3.q13.kind.profit({"plan": {"search": 1.23}}, keys["q13"])
    return t1 - t0, time.perf_counter() - t1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=3, help="per-student stores after the default")
    ap.add_argument("--before", type=int, default=1, help="stores also searched the old way")
    args = ap.parse_args()
    students = [None, *["alice", "bob", "carol", "dave", "erin", "frank"][: args.students]]
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    print(
        f"{'store':8} {'q8 s':>6} {'q13 s':>6} {'both s':>7} | {'before q8':>9} {'q13':>6} "
        f"{'ratio':>6} | {'q8 gain now/before':>18} {'q13':>6} | grade q8 / q13 s"
    )
    for i, student in enumerate(students):
        store = _store(student)
        t_media, t_bid, keys = after(store)
        row = f"{student or 'default':8} {t_media:6.1f} {t_bid:6.1f} {t_media + t_bid:7.1f} | "
        if i < args.before:
            b_media, b_bid, media, bid_profit = before(store, keys)
            own8, own13 = keys["q8"]["own_profit"], keys["q13"]["own_profit"]
            now8, now13 = keys["q8"]["best_profit"] - own8, keys["q13"]["best_profit"] - own13
            ratio = (b_media + b_bid) / (t_media + t_bid)
            row += f"{b_media:9.1f} {b_bid:6.1f} {ratio:5.0f}x | "
            row += f"{now8 / (media - own8):18.3f} {now13 / (bid_profit - own13):6.3f} | "
        else:
            row += f"{'':9} {'':6} {'':6} | {'':18} {'':6} | "
        g8, g13 = grading_cost(store, keys)
        print(row + f"{g8:.2f} / {g13:.2f}", flush=True)


if __name__ == "__main__":
    main()
