"""evaluate(seed, policy, start, days): seconds per plan, against the goal of 1 s for 90 days.

Prints figures; not a test (timings are noisy on a shared machine). Run with
``.venv/bin/python benchmarks/bench_evaluate.py [--repeat N] [--baseline SRC]``.

Rows, side by side in one run (median of N after one warm-up call):

* generate: the default store, for scale;
* evaluate 90 days: the store's own plan over June-August, the figure the goal is about;
* evaluate 90 days, changed plan: search's budget doubled in the window (a plan a learner
  would try: nothing a plan changes is cached between plans);
* evaluate 90 days, festival plan: 6.18 with a 20 % festival discount and a pre-sale (a
  festival decision also needs the store's own festival effects for its planners);
* evaluate 90 days, campaign plan: the store's own plan with two more member campaigns in
  the window (a targeting plan a learner would try; campaigns need the customers drawn);
* evaluate 90 days, no campaigns: the own plan without any campaign (what they cost in time);
* evaluate 90 days, service plan: other shifts on the ordinary days (a staffing plan);
* campaign_profit, once: one campaign's incremental profit (two runs: with and without it);
* evaluate 90 days, tables: the same with the full store kept (customers, truth): what the
  lean run of `evaluate` saves;
* evaluate 365 days with tables: the whole year with the full store kept;
* best_budget: the search the grader runs for one channel's budget (grid of 8 plus 6
  golden-section steps), once.

`--baseline SRC` runs the same rows on another version of the code (a src/ folder, e.g. from
`git archive <rev> src | tar -x -C /tmp/base`), in a process of its own right after this
version's, and prints the ratios: before and after under the same load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace

from baseline import run_child

START, DAYS = "2025-06-01", 90


def timed(fn, repeat: int) -> float:
    fn()  # warm-up: imports, first-touch of memory
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(repeat: int) -> dict:
    """Seconds per row, measured in this process."""
    import storeops
    from storeops.grading.plans import best_budget, scale_budget
    from storeops.sim import DEFAULT_SEED, default_policy, generate
    from storeops.sim.evaluate import evaluate

    plan = default_policy(DEFAULT_SEED)
    doubled = scale_budget(plan, "search", 2.0, START, DAYS)
    rows = {
        "generate (default store)": timed(lambda: generate(DEFAULT_SEED), repeat),
        "evaluate 90 days, own plan": timed(
            lambda: evaluate(DEFAULT_SEED, None, START, DAYS), repeat
        ),
        "evaluate 90 days, search x2": timed(
            lambda: evaluate(DEFAULT_SEED, doubled, START, DAYS), repeat
        ),
        **festival_row(plan, repeat),
        **campaign_rows(plan, repeat),
        **service_rows(plan, repeat),
        "evaluate 90 days, tables": timed(
            lambda: evaluate(DEFAULT_SEED, doubled, START, DAYS, tables=True), repeat
        ),
        "evaluate 365 days, tables": timed(
            lambda: evaluate(DEFAULT_SEED, plan, tables=True), repeat
        ),
    }
    t0 = time.perf_counter()
    factor, best, own = best_budget(DEFAULT_SEED, "search", START, DAYS, progress=False)
    rows["best_budget(search), once"] = time.perf_counter() - t0
    return dict(
        rows=rows,
        package=storeops.__file__,
        best=f"best search budget: x{factor:.2f} of the store's own, profit {best.profit:,.0f} "
        f"vs {own.profit:,.0f} under the own plan",
    )


def festival_row(plan, repeat: int) -> dict:
    """The festival plan's row, on code that has festival decisions (a baseline may not)."""
    try:
        from storeops.sim.calendar import Presale
    except ImportError:
        return {}
    from storeops.sim import DEFAULT_SEED
    from storeops.sim.evaluate import evaluate

    festivals = [
        replace(f, discount=0.2, presale=Presale(0.2)) if f.festival == "618" else f
        for f in plan.festivals
    ]
    festival = replace(plan, festivals=festivals)
    return {
        "evaluate 90 days, festival plan": timed(
            lambda: evaluate(DEFAULT_SEED, festival, START, DAYS), repeat
        )
    }


def campaign_rows(plan, repeat: int) -> dict:
    """The campaign plans' rows, on code that has member campaigns (a baseline may not)."""
    try:
        from storeops.sim.campaigns import Campaign, Target
        from storeops.sim.evaluate import campaign_profit
    except ImportError:
        return {}
    from storeops.sim import DEFAULT_SEED
    from storeops.sim.evaluate import evaluate

    extra = (
        Campaign("june-members", "2025-06-24", "sms", Target(bought_within_days=60), 15.0, 129.0),
        Campaign(
            "july-winback", "2025-07-22", "push", Target(not_bought_within_days=90), 20.0, 149.0
        ),
    )
    targeting = replace(plan, campaigns=(*plan.campaigns, *extra))
    none = replace(plan, campaigns=())
    rows = {
        "evaluate 90 days, campaign plan": timed(
            lambda: evaluate(DEFAULT_SEED, targeting, START, DAYS), repeat
        ),
        "evaluate 90 days, no campaigns": timed(
            lambda: evaluate(DEFAULT_SEED, none, START, DAYS), repeat
        ),
    }
    t0 = time.perf_counter()
    campaign_profit(DEFAULT_SEED, targeting, "june-members", START, DAYS)
    rows["campaign_profit, once"] = time.perf_counter() - t0
    return rows


def service_rows(plan, repeat: int) -> dict:
    """A staffing plan's row: other shifts on the ordinary days (more agents in the day and
    the evening), on code whose plans have a service team (a baseline may not)."""
    try:
        from storeops.sim.policy import ServicePlan, Shift
    except ImportError:
        return {}
    from storeops.sim import DEFAULT_SEED
    from storeops.sim.evaluate import evaluate

    shifts = (Shift(0, 8, 2), Shift(9, 17, 6), Shift(18, 23, 8))
    # the ordinary days' shifts change; the store's own festival periods keep theirs
    staffed = replace(plan, service=ServicePlan(shifts, plan.service.periods))
    return {
        "evaluate 90 days, service plan": timed(
            lambda: evaluate(DEFAULT_SEED, staffed, START, DAYS), repeat
        )
    }


def measure_in_child(repeat: int, src: str | None) -> dict:
    """`measure` in a fresh process, on the code in `src` if given."""
    return run_child([__file__, "--child", "--repeat", str(repeat)], src)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline", metavar="SRC", help="a src/ folder of another version")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.repeat)))
        return
    from storeops.sim import DEFAULT_SEED

    now = measure_in_child(args.repeat, None)
    before = measure_in_child(args.repeat, args.baseline) if args.baseline else None
    rows = now["rows"]
    base = rows["generate (default store)"]
    print(f"evaluate, seed {DEFAULT_SEED}, window {START} + {DAYS} days; median of {args.repeat}")
    head = f"{'':32} {'seconds':>8} {'x generate':>11}"
    if before:
        head += f" {'baseline s':>11} {'x baseline':>11}"
    print(head)
    for name, sec in rows.items():
        line = f"{name:32} {sec:8.3f} {sec / base:11.2f}"
        old = before["rows"].get(name) if before else None
        if old:
            line += f" {old:11.3f} {sec / old:11.2f}"
        print(line)
    goal = all(
        sec < 1.0
        for name, sec in rows.items()
        if name.startswith("evaluate 90") and "tables" not in name
    )
    print(f"goal: a 90-day plan in under 1 s: {'met' if goal else 'NOT met'}")
    print(now["best"])
    if before and before["best"] != now["best"]:
        print(f"baseline: {before['best']}  (DIFFERENT)")


if __name__ == "__main__":
    main()
