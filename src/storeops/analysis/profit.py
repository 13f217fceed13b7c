"""Ads judged on profit: what a yuan of revenue leaves before ads, and what a channel's spend
earns once that share has paid for it (the chapter on promotion, its widget and its tests)."""

from __future__ import annotations

import numpy as np


def profit_after_ads(revenue, spend, share_left: float):
    """Contribution left after the ads: ``revenue x share_left - spend`` (arrays work)."""
    return np.asarray(revenue, dtype=float) * share_left - np.asarray(spend, dtype=float)


def next_yuan_profit(revenue, revenue_next, step: float, share_left: float):
    """Profit per yuan of the next ``step`` yuan of spend: the revenue it adds per yuan times
    ``share_left``, minus the yuan itself (negative: the next yuan loses money)."""
    added = (np.asarray(revenue_next, dtype=float) - np.asarray(revenue, dtype=float)) / step
    return added * share_left - 1.0
