"""Plans written as changes to the store's own plan inside a window (the decision questions'
answers become policies here, for the grader and for the learner's own check)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from storeops.errors import StoreOpsError
from storeops.sim.evaluate import STORE_DAYS, STORE_START, window
from storeops.sim.params import PAID_CHANNELS
from storeops.sim.policy import Policy, budget_by_day, budget_from_days


def set_budgets(plan: Policy, daily: dict[str, float], start=None, days=None) -> Policy:
    """`plan` with each listed paid channel's budget set to `daily[channel]` inside the window."""
    offset, _, days = window(start, days)
    for ch, value in daily.items():
        if ch not in PAID_CHANNELS:
            raise StoreOpsError(f"channel must be a paid channel {PAID_CHANNELS}, got {ch!r}")
        if not np.isfinite(value) or value < 0:
            raise StoreOpsError(f"budget of {ch} must be a number at least 0, got {value!r}")
    budgets = []
    for b in plan.budgets:
        if b.channel in daily:
            spelled = budget_by_day(b, STORE_START, STORE_DAYS)
            spelled[offset : offset + days] = round(float(daily[b.channel]), 2)
            new = budget_from_days(b.channel, spelled, STORE_START)
            b = replace(b, daily=new.daily, periods=new.periods)
        budgets.append(b)
    return replace(plan, budgets=tuple(budgets))


def set_bid(plan: Policy, channel: str, bid: float, start=None, days=None) -> Policy:
    """`plan` with `channel`'s per-click bid set to `bid` inside the window (a channel bought
    per click keeps its own bids outside it)."""
    offset, _, days = window(start, days)
    if not np.isfinite(bid) or bid <= 0:
        raise StoreOpsError(f"bid must be a number above 0, got {bid!r}")
    budgets = []
    for b in plan.budgets:
        if b.channel == channel:
            if b.bid is None:
                raise StoreOpsError(f"channel {channel!r} is not bought per click")
            spelled = budget_by_day(
                replace(b, daily=b.bid, periods=b.bid_periods), STORE_START, STORE_DAYS
            )
            spelled[offset : offset + days] = round(float(bid), 2)
            new = budget_from_days(channel, spelled, STORE_START)
            b = replace(b, bid=new.daily, bid_periods=new.periods)
        budgets.append(b)
    if not any(b.channel == channel for b in plan.budgets):
        raise StoreOpsError(f"channel must be a paid channel of the plan, got {channel!r}")
    return replace(plan, budgets=tuple(budgets))
