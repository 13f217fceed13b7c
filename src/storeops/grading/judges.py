"""Instructor-only judges: answers checked against the simulator's true curves.

Kept out of every module a student imports (a chapter's ``questions``, ``storeops.checks``):
the optimiser over the true response curves would hand out the best answer. The grader
builds a question's key here (:func:`truth_key`); the book build writes the same key into
the self-learner blob for the public default store only (``storeops.book.pages``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from storeops.chapters.ch3_promotion.questions import BudgetSplit, true_daily_revenue
from storeops.sim.params import CHANNEL_PARAMS

# What true_daily_revenue reads of a channel's truth; the rest of the truth stays out of keys.
CURVE_FIELDS = ("cpm", "base_ctr", "saturation_half_impressions", "expected_conversion")


def best_split(total: float, channels: list[str], curves: dict, aov: float) -> pd.Series:
    """The split of ``total`` that maximises ``true_daily_revenue`` (equal marginal ROI)."""
    value = {
        ch: curves[ch]["base_ctr"]
        * 1000.0
        / curves[ch]["cpm"]
        * CHANNEL_PARAMS[ch]["land"]
        * curves[ch]["expected_conversion"]
        * aov
        for ch in channels
    }

    def spend_at(lam: float) -> dict:
        out = {}
        for ch in channels:
            k = curves[ch]["saturation_half_impressions"]
            a = max(0.0, k * (np.sqrt(value[ch] / lam) - 1.0))
            out[ch] = a * curves[ch]["cpm"] / 1000.0
        return out

    lo, hi = 1e-12, 1e6
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if sum(spend_at(mid).values()) > total else (lo, mid)
    return pd.Series(spend_at(hi))


def budget_split_key(kind: BudgetSplit, channels_truth: dict, store: Any) -> dict:
    """What :meth:`BudgetSplit.judge` needs on ``store``: the curves of today's channels and
    the gain of the best split of today's total (plain JSON, for the self-learner blob)."""
    ev = kind.evaluate(pd.Series(dtype=float), store)
    today, aov = ev["today"], ev["aov"]
    curves = {
        str(ch): {f: float(channels_truth[ch][f]) for f in CURVE_FIELDS} for ch in today.index
    }
    now = true_daily_revenue(today, curves, aov)
    best = best_split(float(today.sum()), list(today.index), curves, aov)
    return {"curves": curves, "best_gain": float(true_daily_revenue(best, curves, aov) - now)}


def truth_key(q: Any, truth: dict, store: Any) -> Any:
    """The expected value of a question graded on the truth (``q.truth`` set), on ``store``."""
    value = q.truth(truth)
    if isinstance(q.kind, BudgetSplit):
        return budget_split_key(q.kind, value["channels_truth"], store)
    return value
