"""Instructor-only judges: the keys of decision questions, the best plans on a learner's store.

Kept out of every module a student imports (a chapter's ``questions``, ``storeops.checks``):
the search for the best plan would hand out the best answer. The grader builds a question's
key here (:func:`truth_key`); the book build writes the same key into the self-learner blob
for the public default store only (``storeops.book.pages``).
"""

from __future__ import annotations

from typing import Any

from storeops.chapters.ch3_promotion.questions import MEDIA, MediaBudget, PlanDecision, SearchBid
from storeops.grading.plans import best_bid, best_media_plan

# Best plans found, per (decision kind, seed, window): the search costs tens of evaluations,
# and a grading worker asks for a key once per answer it grades.
_KEYS: dict[tuple, dict] = {}


def decision_key(kind: PlanDecision, store: Any) -> dict:
    """What :meth:`PlanDecision.score` needs on ``store``: its seed, the window, the profit of
    the store's own plan and of the best plan found (plain JSON, for the self-learner blob)."""
    from storeops.chapters.ch3_promotion.questions import DECISION_DAYS, DECISION_START

    seed = int(store.meta["seed"])
    cache = (type(kind).__name__, seed, DECISION_START, DECISION_DAYS)
    if cache not in _KEYS:
        if isinstance(kind, MediaBudget):
            channels = [c for c in MEDIA if c in set(store.traffic["channel"])]
            _, best, own = best_media_plan(seed, channels, DECISION_START, DECISION_DAYS)
        elif isinstance(kind, SearchBid):
            _, best, own = best_bid(seed, "search", DECISION_START, DECISION_DAYS)
        else:  # pragma: no cover - a new decision kind needs its search here
            raise TypeError(f"no best-plan search for {type(kind).__name__}")
        _KEYS[cache] = {
            "seed": seed,
            "start": DECISION_START,
            "days": DECISION_DAYS,
            "own_profit": float(own),
            "best_profit": float(max(best, own)),
        }
    return _KEYS[cache]


def truth_key(q: Any, truth: dict, store: Any) -> Any:
    """The expected value of a question graded on the truth (``q.truth`` set), on ``store``."""
    if isinstance(q.kind, PlanDecision):
        return decision_key(q.kind, store)
    return q.truth(truth)
