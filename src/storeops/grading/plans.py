"""Instructor-side plan judging: the best plan for a decision, and a learner's plan scored.

A plan is judged by what it earns on the learner's own store (`storeops.sim.evaluate`), never
by its revenue. The best plan comes from a search over `evaluate` (common random numbers make
the comparison fair: two plans differ only in what their decisions cause). A learner's plan
scores its share of the best achievable profit and its share of the improvement over the
store's own plan; the second separates good plans from the store's own much better, since a
window's profit is mostly earned whatever the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
from tqdm.auto import tqdm

from storeops.analysis.plans import (
    BID_BAND,
    PlanProxy,
    scale_budget,
    set_bid,
    set_budgets,
    without_days,
)
from storeops.errors import StoreOpsError
from storeops.sim import generate
from storeops.sim.evaluate import STORE_DAYS, STORE_START, Outcome, evaluate, window
from storeops.sim.finance import DEFAULT_COSTS, sku_contribution
from storeops.sim.policy import (
    Period,
    Policy,
    SkuPrice,
    budget_by_day,
    default_policy,
)

GOLDEN = (np.sqrt(5) - 1) / 2


@dataclass(frozen=True)
class PlanScore:
    """A plan's profit against the store's own plan and the best plan found."""

    profit: float
    own_plan_profit: float
    best_profit: float
    share_of_best: float  # profit / best profit, clipped to [0, 1]
    share_of_gain: float  # (profit - own) / (best - own), clipped to [0, 1]


def score_plan(profit: float, own_plan_profit: float, best_profit: float) -> PlanScore:
    """Score a plan's profit; the best must be at least the store's own plan."""
    if best_profit < own_plan_profit:
        raise StoreOpsError(
            f"best_profit {best_profit!r} is below the store's own plan {own_plan_profit!r}: "
            "the search missed the store's own plan"
        )
    share_best = profit / best_profit if best_profit > 0 else float(profit >= best_profit)
    gain = best_profit - own_plan_profit
    share_gain = (profit - own_plan_profit) / gain if gain > 0 else float(profit >= best_profit)
    return PlanScore(
        profit,
        own_plan_profit,
        best_profit,
        float(np.clip(share_best, 0.0, 1.0)),
        float(np.clip(share_gain, 0.0, 1.0)),
    )


def best_of(
    seed: int,
    candidates: Sequence[Policy],
    start=None,
    days: int | None = None,
    progress: bool = True,
) -> tuple[int, list[Outcome]]:
    """Evaluate every candidate plan; the index of the most profitable and all outcomes."""
    if not candidates:
        raise StoreOpsError("candidates must hold at least one plan, got none")
    window(start, days)  # a bad window fails before the first run
    outcomes = [
        evaluate(seed, p, start, days)
        for p in tqdm(candidates, desc="plans", disable=not progress, leave=False)
    ]
    best = int(np.argmax([o.profit for o in outcomes]))
    return best, outcomes


def best_budget(
    seed: int,
    channel: str,
    start=None,
    days: int | None = None,
    factors: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0),
    refine: int = 6,
    progress: bool = True,
) -> tuple[float, Outcome, Outcome]:
    """The multiple of the store's own budget for `channel` in the window that earns most.

    A grid over `factors`, then `refine` golden-section steps around the best grid point.
    Returns the factor, its outcome and the store's own plan's outcome (factor 1).
    """
    own = default_policy(seed)
    memo: dict[float, Outcome] = {}

    def run(f: float) -> Outcome:
        f = round(float(f), 4)
        if f not in memo:
            memo[f] = evaluate(seed, scale_budget(own, channel, f, start, days), start, days)
        return memo[f]

    grid = sorted(set(factors) | {1.0})
    for f in tqdm(grid, desc=f"{channel} budget", disable=not progress, leave=False):
        run(f)
    i = int(np.argmax([memo[round(f, 4)].profit for f in grid]))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    _golden(lambda f: run(f).profit, lo, hi, refine)
    best = max(memo, key=lambda f: memo[f].profit)
    return best, memo[best], memo[1.0]


def _golden(f: Callable[[float], float], lo: float, hi: float, steps: int) -> None:
    """Golden-section search for a maximum of `f` on [lo, hi] (results kept by the caller)."""
    a, b = lo, hi
    c, d = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(steps):
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - GOLDEN * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + GOLDEN * (b - a)
            fd = f(d)


# The price search: multiples of the list price, then golden-section steps between the
# neighbours of the best multiple.
PRICE_MULTIPLES = (0.8, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
PRICE_REFINE = 3


def best_price(
    profit: Callable[[float], float],
    list_price: float,
    multiples: Sequence[float] = PRICE_MULTIPLES,
    refine: int = PRICE_REFINE,
) -> float:
    """The price (yuan, to the fen) that earns most by `profit` (a price's profit: a run of
    the simulator): `multiples` of the list price, then `refine` golden-section steps between
    the neighbours of the best of them."""
    if not np.isfinite(list_price) or list_price <= 0:
        raise StoreOpsError(f"list_price must be a number above 0, got {list_price!r}")
    seen: dict[float, float] = {}

    def run(price: float) -> float:
        price = round(float(price), 2)
        if price not in seen:
            seen[price] = profit(price)
        return seen[price]

    grid = sorted(round(list_price * m, 2) for m in multiples)
    i = int(np.argmax([run(p) for p in grid]))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    _golden(run, lo, hi, refine)
    return max(seen, key=seen.get)


RETURNS_AFTER = 30  # days after a season end in which its clearance's returns still count


@dataclass(frozen=True)
class ClearanceFacts:
    """What judging a SKU's clearance needs from the truth of store `seed`."""

    list_price: float
    own_clearance: tuple[str, str] | None  # the store's own clearance (first, last day)
    decision_start: str  # the first day a clearance could start (plans agree before it)
    season_end: str
    best_week: str | None  # the truth's most profitable clearance Monday (None: no clearance)
    best_depth: float

    @property
    def window(self) -> tuple[str, str]:
        """The days a clearance's profit is counted: from the decision to RETURNS_AFTER days
        after the season end (its returns), at most to the store's last day."""
        last = date.fromisoformat(self.season_end) + timedelta(days=RETURNS_AFTER)
        end = min(last, STORE_START + timedelta(days=STORE_DAYS - 1))
        return self.decision_start, end.isoformat()


@lru_cache(maxsize=8)
def _clearance_truth(seed: int) -> tuple[dict, dict, dict]:
    store = generate(seed)
    prices = dict(zip(store.products["sku"], store.products["list_price"], strict=True))
    return prices, store.truth["products"]["skus"], store.truth["clearance"]["skus"]


def clearance_facts(seed: int, sku: str) -> ClearanceFacts:
    """The season end, the store's own clearance and the truth's best clearance of `sku`."""
    prices, skus, clearance = _clearance_truth(seed)
    if sku not in clearance:
        raise StoreOpsError(
            f"sku {sku!r} has no clearance to judge in store {seed}: only seasonal and fashion "
            "SKUs with a season end in the store's dates have one"
        )
    own, best = skus[sku]["own_clearance"], clearance[sku]
    return ClearanceFacts(
        float(prices[sku]),
        (own["start"], own["end"]) if own else None,
        best["decision_start"],
        best["season_end"],
        best["week_start"],
        float(best["depth"]),
    )


def sku_profit(seed: int, sku: str, plan: Policy) -> float:
    """What `plan` earns on `sku` over its clearance window (`ClearanceFacts.window`): the
    SKU's contribution in the finance table's terms (`storeops.sim.finance.sku_contribution`).

    The store's profit would bury a one-SKU decision under the noise of the lines it moves
    between other SKUs; their expected units do not change.
    """
    first, last = clearance_facts(seed, sku).window
    store = evaluate(seed, plan, tables=True).store
    # evaluate's store runs at scale 1 under the default costs
    table = sku_contribution(store.tables, DEFAULT_COSTS, first, last)
    return float(table.loc[sku, "contribution"])


def clearance_plan(
    seed: int, sku: str, week_start: str | None, depth: float, base: Policy | None = None
) -> Policy:
    """`base` (default: the store's own plan) with `sku` sold at list price x (1 - depth) from
    `week_start` to its season end, and without the store's own clearance of it.

    `week_start` None: no clearance at all (the SKU's own prices, its own clearance days at
    the list price). This is the plan family of the truth's best clearance
    (`storeops.sim.clearance`).
    """
    facts = clearance_facts(seed, sku)
    if week_start is not None and not 0 < depth < 1:
        raise StoreOpsError(f"depth must be a share between 0 and 1, got {depth!r}")
    if week_start is not None and not STORE_START.isoformat() <= week_start <= facts.season_end:
        raise StoreOpsError(
            f"week_start {week_start!r} is not between the store's start and {sku}'s season "
            f"end {facts.season_end}"
        )
    base = default_policy(seed) if base is None else base
    prices = []
    for item in base.prices:
        if item.sku == sku:
            periods = list(item.periods)
            if facts.own_clearance:
                periods = without_days(periods, *facts.own_clearance)
            if week_start is not None:
                periods = without_days(periods, week_start, facts.season_end)
                cut = round(facts.list_price * (1 - depth), 2)
                periods.append(Period(week_start, facts.season_end, cut))
            item = SkuPrice(sku, tuple(sorted(periods, key=lambda p: p.start)))
        prices.append(item)
    return replace(base, prices=tuple(prices))


@lru_cache(maxsize=64)
def _clearance_bounds(seed: int, sku: str) -> tuple[float, float]:
    """What no clearance and the truth's best clearance earn on `sku`."""
    facts = clearance_facts(seed, sku)
    base = default_policy(seed)
    none = sku_profit(seed, sku, clearance_plan(seed, sku, None, 0.0, base))
    if facts.best_week is None:
        return none, none
    best_plan = clearance_plan(seed, sku, facts.best_week, facts.best_depth, base)
    return none, max(none, sku_profit(seed, sku, best_plan))


def score_clearance(seed: int, sku: str, plan: Policy) -> PlanScore:
    """A learner's clearance plan for `sku` (a whole plan: typically the store's own with a
    price period for the SKU) scored by what it earns on the SKU (`sku_profit`).

    share_of_best is the score: the plan's profit on the SKU as a share of the best
    clearance's (the truth's week and depth, or the plan itself if it earns more); a plan that
    loses money on the SKU scores 0. own_plan_profit is no clearance's.
    """
    none, best = _clearance_bounds(seed, sku)
    profit = sku_profit(seed, sku, plan)
    return score_plan(profit, none, max(best, profit))


def own_window(
    seed: int, start, days: int, kpis: dict | None = None
) -> tuple[Policy, dict[str, float], dict]:
    """The store's own plan, its paid channels' mean daily budget (and `<channel>_bid`) in the
    window, and the window's totals under it (`kpis` when the caller has them: the learner's
    store holds them; else one run of `evaluate`)."""
    own = default_policy(seed)
    offset, _, days = window(start, days)
    spelled = {}
    for b in own.budgets:
        spelled[b.channel] = budget_by_day(b, STORE_START, STORE_DAYS)
        if b.bid is not None:
            bids = replace(b, daily=b.bid, periods=b.bid_periods)
            spelled[f"{b.channel}_bid"] = budget_by_day(bids, STORE_START, STORE_DAYS)
    mean = {k: float(v[offset : offset + days].mean()) for k, v in spelled.items()}
    return own, mean, kpis if kpis is not None else evaluate(seed, own, start, days).kpis


def _coordinate(profit: Callable[[dict], float], plan: dict, grids: dict) -> dict:
    """Coordinate search: each value in turn set to the best of its grid, the others held."""
    plan = dict(plan)
    for name, grid in grids.items():
        plan[name] = max(grid, key=lambda x, name=name: profit({**plan, name: x}))
    return plan


def _coarse_fine(
    profit: Callable[[dict], float], base: dict, lo: float, hi: float, n: int = 11
) -> dict:
    """Coordinate search over multiples of `base` from `lo` to `hi`: `n` points, then `n`
    points between the neighbours of the values found."""
    step = (hi - lo) / (n - 1)
    coarse = {k: [round(v * f, 2) for f in np.linspace(lo, hi, n)] for k, v in base.items()}
    plan = _coordinate(profit, base, coarse)
    fine = {
        k: sorted({round(max(plan[k] + base[k] * f, 0.0), 2) for f in np.linspace(-step, step, n)})
        for k in base
    }
    return _coordinate(profit, plan, fine)


TOP_RUNS = 3  # plans of the proxy's best that `best_media_plan` runs through `evaluate`


def best_media_plan(
    seed: int,
    channels: Sequence[str],
    start,
    days: int,
    kpis: dict | None = None,
    exhaustive: bool = False,
) -> tuple[dict[str, float], float]:
    """The daily budgets of `channels` in the window that earn most, and their profit.

    The search tries 0 to 2.5 times each channel's own mean budget in the window, one channel
    at a time, on :class:`PlanProxy` (11 points, then 11 between the neighbours of the best);
    the `TOP_RUNS` plans it rates best are each run once through `evaluate`, and the one that
    earns most is the answer. `exhaustive`
    searches on `evaluate` itself (9 points a channel; tens of seconds, for benchmarks).
    `kpis`: the own plan's window totals, when known (the learner's store has them).
    """
    own, mean, own_kpis = own_window(seed, start, days, kpis)
    if exhaustive:

        def profit(plan: dict) -> float:
            return evaluate(seed, set_budgets(own, plan, start, days), start, days).profit

        grids = {c: [round(mean[c] * f, 2) for f in np.linspace(0.0, 2.0, 9)] for c in channels}
        plan = _coordinate(_memo(profit), {c: mean[c] for c in channels}, grids)
    else:
        proxy = PlanProxy(seed, start, days, own_kpis)
        expected = _memo(proxy.profit)
        _coarse_fine(expected, {c: mean[c] for c in channels}, 0.0, 2.5)
        # the proxy's few best plans differ by less than one run's noise: run each, keep the best
        tops = sorted(expected.seen.items(), key=lambda kv: kv[1], reverse=True)[:TOP_RUNS]
        runs = [
            (dict(k), evaluate(seed, set_budgets(own, dict(k), start, days), start, days).profit)
            for k, _ in tops
        ]
        return max(runs, key=lambda r: r[1])
    return plan, evaluate(seed, set_budgets(own, plan, start, days), start, days).profit


def best_bid(
    seed: int, channel: str, start, days: int, kpis: dict | None = None, exhaustive: bool = False
) -> tuple[float, float, float, PlanProxy | None]:
    """The per-click bid of `channel` in the window that earns most in expected profit (0.2 to
    2.2 times the store's own mean bid in the window on :class:`PlanProxy`, 42 points, each
    averaged over the bids within `BID_BAND` of it, as a learner's bid is scored): the bid,
    its expected profit, the store's own bid's in the same measure, and the proxy. A bid
    moves a few hundred orders, whose value in one run of the whole store varies by about as
    much as the bid's effect, so bids are compared on expected profit. `exhaustive`: the same
    points run through `evaluate` (tens of seconds, for benchmarks); then the proxy is None."""
    own, mean, own_kpis = own_window(seed, start, days, kpis)
    base = mean[f"{channel}_bid"]
    if exhaustive:

        def profit(plan: dict) -> float:
            policy = set_bid(own, channel, plan[channel], start, days)
            return evaluate(seed, policy, start, days).profit

        proxy = None
    else:
        proxy = PlanProxy(seed, start, days, own_kpis)

        def profit(plan: dict) -> float:
            return proxy.profit(bid=plan, band=BID_BAND)

    profit = _memo(profit)
    bid = _coarse_fine(profit, {channel: base}, 0.2, 2.2, n=21)[channel]
    return bid, profit({channel: bid}), profit({channel: base}), proxy


def best_channel_budget(
    seed: int, channel: str, start, days: int, kpis: dict | None = None
) -> tuple[float, float, PlanProxy]:
    """The daily budget of one paid channel in the window that earns most in expected profit
    (0 to 2.5 times the store's own mean budget in the window on :class:`PlanProxy`, 11
    points then 11 between the neighbours of the best): the budget, its expected profit and
    the proxy (its `own` is the store's own budget's)."""
    _, mean, own_kpis = own_window(seed, start, days, kpis)
    proxy = PlanProxy(seed, start, days, own_kpis)
    profit = _memo(lambda plan: proxy.profit(daily=plan))
    plan = _coarse_fine(profit, {channel: mean[channel]}, 0.0, 2.5)
    return plan[channel], profit(plan), proxy


def _memo(profit: Callable[[dict], float]) -> Callable[[dict], float]:
    """`profit` remembering the plans already asked (a search asks some twice)."""
    seen: dict[tuple, float] = {}

    def once(plan: dict) -> float:
        key = tuple(sorted(plan.items()))
        if key not in seen:
            seen[key] = profit(plan)
        return seen[key]

    once.seen = seen  # every plan asked, for a search that keeps more than one
    return once
