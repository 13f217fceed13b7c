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

import numpy as np
from tqdm.auto import tqdm

from storeops.analysis.plans import set_bid, set_budgets
from storeops.errors import StoreOpsError
from storeops.sim.evaluate import STORE_DAYS, STORE_START, Outcome, evaluate, window
from storeops.sim.params import PAID_CHANNELS
from storeops.sim.policy import Policy, budget_by_day, budget_from_days, default_policy

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


def scale_budget(plan: Policy, channel: str, factor: float, start=None, days=None) -> Policy:
    """`plan` with `channel`'s budget multiplied by `factor` inside the window."""
    if channel not in PAID_CHANNELS:
        raise StoreOpsError(f"channel must be a paid channel {PAID_CHANNELS}, got {channel!r}")
    if not np.isfinite(factor) or factor < 0:
        raise StoreOpsError(f"factor must be a number at least 0, got {factor!r}")
    offset, _, days = window(start, days)
    budgets = []
    for b in plan.budgets:
        if b.channel == channel:
            daily = budget_by_day(b, STORE_START, STORE_DAYS)
            daily[offset : offset + days] = np.round(daily[offset : offset + days] * factor, 2)
            b = budget_from_days(channel, daily, STORE_START)
        budgets.append(b)
    return replace(plan, budgets=tuple(budgets))


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


def best_by_search(
    profit: Callable[[float], float], grid: Sequence[float], refine: int = 4
) -> float:
    """The value that earns most: a grid, then `refine` golden-section steps between the best
    grid point's neighbours (`profit` should memoise: points are asked again)."""
    grid = sorted(grid)
    i = int(np.argmax([profit(x) for x in grid]))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    tried: dict[float, float] = {x: profit(x) for x in grid}

    def f(x: float) -> float:
        tried[x] = profit(x)
        return tried[x]

    _golden(f, lo, hi, refine)
    return max(tried, key=tried.get)


def best_media_plan(
    seed: int, channels: Sequence[str], start, days: int, refine: int = 3
) -> tuple[dict[str, float], float, float]:
    """The daily budgets of `channels` in the window that earn most (one pass of coordinate
    search over multiples of the store's own mean budget in the window, each a grid and
    golden-section steps); returns the budgets, their profit and the store's own plan's profit."""
    own = default_policy(seed)
    offset, _, days = window(start, days)
    mean = {
        b.channel: float(budget_by_day(b, STORE_START, STORE_DAYS)[offset : offset + days].mean())
        for b in own.budgets
        if b.channel in channels
    }
    memo: dict[tuple, float] = {}

    def run(daily: dict[str, float]) -> float:
        key = tuple(round(daily[c], 2) for c in channels)
        if key not in memo:
            memo[key] = evaluate(seed, set_budgets(own, daily, start, days), start, days).profit
        return memo[key]

    plan = dict(mean)
    own_profit = evaluate(seed, own, start, days).profit
    for ch in channels:

        def profit(f: float, ch=ch) -> float:
            return run({**plan, ch: mean[ch] * f})

        plan[ch] = mean[ch] * best_by_search(profit, (0.0, 0.25, 0.5, 0.75, 1.0), refine)
    return {c: round(plan[c], 2) for c in channels}, run(plan), own_profit


def best_bid(
    seed: int, channel: str, start, days: int, refine: int = 4
) -> tuple[float, float, float]:
    """The per-click bid of `channel` in the window that earns most (grid over 0.4 to 2.2
    times the store's own bid, then golden-section steps); the bid, its profit and the
    store's own plan's profit."""
    own = default_policy(seed)
    base = next(b.bid for b in own.budgets if b.channel == channel)
    memo: dict[float, float] = {}

    def profit(f: float) -> float:
        bid = round(base * f, 2)
        if bid not in memo:
            memo[bid] = evaluate(seed, set_bid(own, channel, bid, start, days), start, days).profit
        return memo[bid]

    f = best_by_search(profit, (0.4, 0.55, 0.7, 0.85, 1.0, 1.3), refine)
    return round(base * f, 2), profit(f), evaluate(seed, own, start, days).profit
