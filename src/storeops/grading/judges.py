"""Instructor-only judges: the keys of decision questions, the best plans on a learner's store.

Kept out of every module a student imports (a chapter's ``questions``, ``storeops.checks``):
the search for the best plan would hand out the best answer. The grader builds a question's
key here (:func:`truth_key`); the book build writes the same key into the self-learner blob
for the public default store only (``storeops.book.pages``).
"""

from __future__ import annotations

from typing import Any

from storeops.chapters.ch3_promotion.questions import (
    BOUGHT_PER_MILLE,
    MediaBudget,
    PlanDecision,
    SearchBid,
)
from storeops.grading.plans import best_bid, best_media_plan

# Best plans found, per (decision kind, seed, window): a search costs a few seconds, and a
# grading worker asks for a key once per answer it grades.
_KEYS: dict[tuple, dict] = {}


def decision_key(kind: PlanDecision, store: Any) -> dict:
    """What :meth:`PlanDecision.score` needs on ``store``: its seed, the window, the profit of
    the store's own plan and of the best plan found (plain JSON, for the self-learner blob);
    for a bid, scored on expected profit, also the contribution per order it is valued at."""
    from storeops.chapters.ch3_promotion.questions import DECISION_DAYS, DECISION_START

    seed = int(store.meta["seed"])
    cache = (type(kind).__name__, seed, DECISION_START, DECISION_DAYS)
    if cache not in _KEYS:
        kpis = window_kpis(store, DECISION_START, DECISION_DAYS)
        key = {"seed": seed, "start": DECISION_START, "days": DECISION_DAYS}
        if isinstance(kind, MediaBudget):
            channels = [c for c in BOUGHT_PER_MILLE if c in set(store.traffic["channel"])]
            _, best = best_media_plan(seed, channels, DECISION_START, DECISION_DAYS, kpis)
            own = kpis["net_profit"]
        elif isinstance(kind, SearchBid):
            _, best, proxy = best_bid(seed, "search", DECISION_START, DECISION_DAYS, kpis)
            own, key["per_order"] = proxy.own, proxy.per_order
        else:  # pragma: no cover - a new decision kind needs its search here
            raise TypeError(f"no best-plan search for {type(kind).__name__}")
        _KEYS[cache] = {**key, "own_profit": float(own), "best_profit": float(max(best, own))}
    return _KEYS[cache]


def window_kpis(store: Any, start, days: int) -> dict:
    """The store's own P&L totals over the window (the learner's store is the own plan run, so
    this is what :func:`storeops.sim.evaluate.evaluate` of the own plan would return)."""
    from storeops.sim.evaluate import window, window_finance
    from storeops.sim.finance import profit_and_loss

    _, first, days = window(start, days)
    daily = window_finance(store.tables["finance"], first, days)
    return {k: float(v) for k, v in profit_and_loss(daily).items()}


def truth_key(q: Any, truth: dict, store: Any) -> Any:
    """The expected value of a question graded on the truth (``q.truth`` set), on ``store``."""
    if isinstance(q.kind, PlanDecision):
        return decision_key(q.kind, store)
    return q.truth(truth)
