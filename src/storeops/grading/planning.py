"""Instructor-only keys of the planning chapter's decisions: the best Double 11 plan and the
best fourth-quarter media budget on a learner's store, found by a search over `evaluate`.

Kept out of what a student imports (the search would hand out the best plan). A key holds the
seed, the window, the profit of the store's own plan and of the best plan found: what
:meth:`storeops.checks.decisions.PlanDecision.score` needs.
"""

from __future__ import annotations

from typing import Any

from storeops.chapters.ch1_planning.questions import (
    FESTIVAL_DAYS,
    FESTIVAL_START,
    QUARTER_DAYS,
    QUARTER_MONTHS,
    QUARTER_START,
    FestivalDecision,
    QuarterBudget,
    planned_media_by_month,
)
from storeops.errors import StoreOpsError
from storeops.sim.evaluate import evaluate
from storeops.sim.policy import default_policy

DEPOSITS = (0.0, 0.3, 0.4, 0.5)  # pre-sale deposit shares tried (0: none)
DISCOUNTS = (0.05, 0.1)  # storewide festival cuts tried on the best pre-sale
FACTORS = (0.0, 0.25, 0.5, 1.0)  # quarter budget: the own plan's months scaled alike
MONTH_FACTORS = (0.0, 0.125, 0.25, 0.5)  # then each month on its own

# The grids are small on purpose: every grading worker builds a store's key once, one run of
# the simulator per plan tried; on three stores (the chapter's slow tests) the best plans lie
# inside them (deposits 0.3-0.5 peak, and ads that earn back a fifth to two fifths of their cost
# are best cut to a quarter or less).
_KEYS: dict[tuple, dict] = {}


def _profits(kind, seed: int, start: str, days: int):
    own = default_policy(seed)
    memo: dict[tuple, float] = {}

    def profit(plan: dict[str, float]) -> float:
        k = tuple(sorted((m, round(float(v), 2)) for m, v in plan.items()))
        if k not in memo:
            memo[k] = evaluate(seed, kind.policy(own, plan), start, days).profit
        return memo[k]

    return own, profit


def best_festival_plan(seed: int) -> tuple[dict[str, float], float, float]:
    """The most profitable Double 11 plan found on store `seed`: the plan, its profit and the
    own plan's profit (a grid over the pre-sale deposit, then discounts and staying out)."""
    kind = FestivalDecision()
    _, profit = _profits(kind, seed, FESTIVAL_START, FESTIVAL_DAYS)
    plans = [{"join": 1.0, "discount": 0.0, "deposit": d} for d in DEPOSITS]
    best = max(plans, key=profit)
    plans += [{**best, "discount": c} for c in DISCOUNTS]
    plans.append({"join": 0.0, "discount": 0.0, "deposit": 0.0})
    best = max(plans, key=profit)
    return best, profit(best), profit(plans[0])


def best_quarter_budget(seed: int) -> tuple[dict[str, float], float, float]:
    """The most profitable display + social budget by month of the fourth quarter found on
    store `seed`: the plan, its profit and the own plan's profit (the months scaled alike,
    then each month in turn around the best)."""
    kind = QuarterBudget()
    own, profit = _profits(kind, seed, QUARTER_START, QUARTER_DAYS)
    planned = planned_media_by_month(own)
    scaled = [{m: planned[m] * f for m in QUARTER_MONTHS} for f in FACTORS]
    best = max(scaled, key=profit)
    for m in QUARTER_MONTHS:
        best = max([best] + [{**best, m: planned[m] * f} for f in MONTH_FACTORS], key=profit)
    return best, profit(best), profit(planned)


def planning_key(kind: Any, store: Any) -> dict:
    """The key of a planning decision on `store` (memoised per kind and seed)."""
    seed = int(store.meta["seed"])
    cache = (type(kind).__name__, seed)
    if cache not in _KEYS:
        if isinstance(kind, FestivalDecision):
            _, best, own = best_festival_plan(seed)
            start, days = FESTIVAL_START, FESTIVAL_DAYS
        elif isinstance(kind, QuarterBudget):
            _, best, own = best_quarter_budget(seed)
            start, days = QUARTER_START, QUARTER_DAYS
        else:
            raise StoreOpsError(f"kind must be a planning decision, got {type(kind).__name__}")
        _KEYS[cache] = {
            "seed": seed,
            "start": start,
            "days": days,
            "own_profit": float(own),
            "best_profit": float(max(best, own)),
        }
    return _KEYS[cache]
