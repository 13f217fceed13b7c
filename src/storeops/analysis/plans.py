"""Plans written as changes to the store's own plan inside a window (the decision questions'
answers become policies here, for the grader and for the learner's own check)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from storeops.errors import StoreOpsError
from storeops.sim.evaluate import STORE_DAYS, STORE_START, window
from storeops.sim.funnel import VIEWS_PER_SESSION, funnel_rates
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


class PlanProxy:
    """Expected profit of a paid-traffic plan over a window, read off the traffic phase alone.

    `evaluate` runs the whole store (about a second); the traffic phase is a fortieth of that
    and already holds every channel's response to the plan, brand and free traffic included
    (common random numbers, so the same draws as the full run). Its sessions, times the
    funnel's order rate of the day, are the plan's expected orders; each is worth the store's
    own contribution before ads per order in the window (`per_order`, or from `kpis`, the own
    plan's window totals). Unlike one run of the whole store it has no noise from which
    orders a plan wins or loses (their values, the stock they hit), so it tells apart plans
    whose difference is smaller than that noise (a search bid); a search uses it to propose
    plans that `evaluate` then checks.
    """

    def __init__(self, seed: int, start, days: int, kpis: dict | None = None, per_order=None):
        from storeops.sim.generate import build_market, check_args

        seed, first, n, scale, channels = check_args(seed, STORE_START, STORE_DAYS, 1.0, None)
        self.seed, self.scale, self.channels = seed, scale, channels
        self.offset, _, self.days = window(start, days)
        market = build_market(seed, first, n, scale, channels)
        self.effects, self.busy = market.effects, market.busy
        atc, c2o = funnel_rates(market.effects)
        atc = np.clip(atc * market.products.price_index[:, None, None], 0, 0.9)
        self.order_rate = VIEWS_PER_SESSION[None, None, :] * atc * c2o
        self.budgets = dict(market.traffic.planned_budget)
        self.bids = dict(market.traffic.planned_bid)
        if per_order is None and kpis is None:
            raise StoreOpsError("PlanProxy needs kpis (the own plan's window totals) or per_order")
        orders, spend = self._run(market.traffic)
        if per_order is None:
            per_order = (kpis["contribution"] + kpis["ad_spend"]) / orders
        self.per_order = float(per_order)
        self.own = self.per_order * orders - spend

    def _run(self, traffic) -> tuple[float, float]:
        w = slice(self.offset, self.offset + self.days)
        orders = float((traffic.sessions[w] * self.order_rate[w]).sum())
        spend = traffic.table["spend"].to_numpy().reshape(len(self.busy), -1)[w].sum()
        return orders, float(spend)

    def profit(self, daily: dict[str, float] | None = None, bid: dict[str, float] | None = None):
        """Proxy profit with the listed channels' daily budgets and bids set in the window."""
        from storeops.sim.rng import stream
        from storeops.sim.traffic import build_traffic

        w = slice(self.offset, self.offset + self.days)
        budgets, bids = dict(self.budgets), dict(self.bids)
        for plan, values in ((budgets, daily or {}), (bids, bid or {})):
            for ch, v in values.items():
                if ch not in plan:
                    raise StoreOpsError(f"channel must be one of {sorted(plan)}, got {ch!r}")
                plan[ch] = plan[ch].copy()
                plan[ch][w] = round(float(v), 2)
        traffic = build_traffic(
            self.seed,
            self.effects,
            self.busy,
            self.scale,
            self.channels,
            stream(self.seed, "incidents"),
            budgets,
            bids,
        )
        orders, spend = self._run(traffic)
        return self.per_order * orders - spend
