"""Plans written as changes to the store's own plan inside a window (the decision questions'
answers become policies here, for the grader and for the learner's own check)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from storeops.errors import StoreOpsError
from storeops.sim.evaluate import STORE_DAYS, STORE_START, window
from storeops.sim.funnel import VIEWS_PER_SESSION, funnel_rates
from storeops.sim.params import PAID_CHANNELS
from storeops.sim.policy import Period, Policy, SkuPrice, budget_by_day, budget_from_days


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


def without_days(periods: Sequence[Period], first: str, last: str) -> list[Period]:
    """`periods` with the days from `first` to `last` (ISO dates, both included) taken out."""
    out = []
    day = date.fromisoformat
    for p in periods:
        if p.end < first or p.start > last:
            out.append(p)
            continue
        if p.start < first:
            out.append(Period(p.start, (day(first) - timedelta(days=1)).isoformat(), p.value))
        if p.end > last:
            out.append(Period((day(last) + timedelta(days=1)).isoformat(), p.end, p.value))
    return out


def set_sku_price(
    plan: Policy,
    sku: str,
    price: float | None,
    first: str,
    last: str,
    drop: tuple[str, str] | None = None,
) -> Policy:
    """`plan` with `sku` sold at `price` from `first` to `last` (ISO dates, both included);
    `price` None: at its list price on those days. `drop` (first, last): days whose own price
    periods are taken out too (back to the list price), e.g. the store's own clearance."""
    if price is not None and (not np.isfinite(price) or price <= 0):
        raise StoreOpsError(f"price of {sku} must be a number above 0, got {price!r}")
    if not any(item.sku == sku for item in plan.prices):
        raise StoreOpsError(f"sku must be a SKU of the plan, got {sku!r}")
    prices = []
    for item in plan.prices:
        if item.sku == sku:
            periods = without_days(item.periods, first, last)
            if drop:
                periods = without_days(periods, *drop)
            if price is not None:
                periods.append(Period(first, last, round(float(price), 2)))
            item = SkuPrice(sku, tuple(sorted(periods, key=lambda p: p.start)))
        prices.append(item)
    return replace(plan, prices=tuple(prices))


def sku_window_profit(seed: int, plan: Policy, sku: str, first: str, last: str) -> float:
    """What `plan` earns on `sku` from `first` to `last` (ISO dates, both included): the SKU's
    contribution in the finance table's terms (`storeops.sim.finance.sku_contribution`), from
    a lean run that builds only the tables the SKU's ledger reads (row for row the full
    run's), and shares the market and the orders placed with the last runs of plans that
    differ only in reorder rules (a search over a reorder rule, or the store's own plan).

    The store's whole profit would bury a one-SKU decision under the noise of the lines it
    moves between other SKUs; the other SKUs' expected units do not change."""
    from storeops.sim.finance import DEFAULT_COSTS, LEDGER_TABLES, sku_contribution
    from storeops.sim.policy import simulate

    store = simulate(seed, plan, lean=True, reuse=True, only=LEDGER_TABLES)
    table = sku_contribution(store.tables, DEFAULT_COSTS, first, last)
    return float(table.loc[sku, "contribution"])


# A bid is scored by its expected profit averaged over every bid, fen by fen, within BID_BAND
# of it: the auction's price is rounded to the fen, so one bid's clicks step up and down with
# that rounding (by a tenth of a bid's gain from one fen to the next); and the competitors'
# bids move the price of a click by more than a fen, so a fen-level bid is not a decision the
# bidder controls.
BID_BAND = 0.05
FEN = 0.01


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
        self._seen: dict[tuple, float] = {}
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

    def profit(
        self,
        daily: dict[str, float] | None = None,
        bid: dict[str, float] | None = None,
        band: float = 0.0,
    ) -> float:
        """Proxy profit with the listed channels' daily budgets and bids set in the window;
        `band` > 0: averaged over every bid, fen by fen, from 1 - band to 1 + band times the
        one listed bid (`BID_BAND`)."""
        if not np.isfinite(band) or not 0 <= band < 1:
            raise StoreOpsError(f"band must be a share from 0 to below 1, got {band!r}")
        daily, bid = daily or {}, bid or {}
        if not band or not bid:
            return self._profit(daily, bid)
        if len(bid) > 1:
            raise StoreOpsError(f"a band averages over one channel's bids, got {sorted(bid)}")
        ((ch, v),) = bid.items()
        lo, hi = round(v * (1 - band) / FEN), round(v * (1 + band) / FEN)
        return float(np.mean([self._profit(daily, {ch: n * FEN}) for n in range(lo, hi + 1)]))

    def _profit(self, daily: dict[str, float], bid: dict[str, float]) -> float:
        """One plan's proxy profit (remembered: a band's bids overlap its neighbours')."""
        from storeops.sim.rng import stream
        from storeops.sim.traffic import build_traffic

        asked = tuple(
            tuple(sorted((c, round(float(v), 2)) for c, v in x.items())) for x in (daily, bid)
        )
        if asked in self._seen:
            return self._seen[asked]
        w = slice(self.offset, self.offset + self.days)
        budgets, bids = dict(self.budgets), dict(self.bids)
        for plan, values in ((budgets, daily), (bids, bid)):
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
        self._seen[asked] = self.per_order * orders - spend
        return self._seen[asked]
