"""The operator's decisions as an input: `Policy`, `default_policy(seed)` and `simulate(seed, policy)`.

A `Policy` lists the decisions it sets; whatever it leaves out stays as the store's own plan,
so `simulate(seed, Policy())` is the default store and `default_policy(seed)` spells that plan
out in full. Only decisions the engine consumes are held:

- the planned daily budget of each paid channel (display and social: delivered spend is the
  budget times a daily pacing noise; search: spend is clicks x cost per click, at most the
  budget); impressions, clicks, sessions, the brand carry-over into direct traffic and, with a
  lag, the free traffic that follows the store's sales (organic search, recommendations);
- the per-click bid of each channel bought per click (search), by period: with the store's
  quality score it sets the ad's average position, its click-through rate and its actual cost
  per click (below the bid);
- the selling price of each SKU by period (the list price outside the periods), which drives
  the SKU's demand through the store's price elasticity;
- the reorder rule of each SKU: reorder when stock plus stock on order falls to
  forecast x (lead time x safety factor + the days of any logistics stop before the promised
  arrival), then order up to forecast x (days to the promised arrival + cover days), at least
  the minimum order quantity. Lead times are the supplier's, not a decision; every reorder is
  a purchase order (the `purchase_orders` table). Instead of a safety factor a rule
  may give a target (cycle) service level, which maps to the safety factor
  1 + z(level) x sqrt(lead_cv^2 + 0.3^2) with the SKU's supplier's lead-time variability
  (`storeops.sim.supply.safety_for_service_level`).

- the store's threshold coupons (满减) by period (`CouponPeriod`, a `Coupon`: tiers of threshold
  -> amount off, how often a tier may stack, the share of orders that hold it); days outside
  every period keep the store's ordinary coupon (22 % of orders: 10 off from 99, 20 off from
  199). A coupon moves order values: shoppers a little short of its next threshold top their
  basket up (凑单), and its cost is the `discounts` line of the finance table;
- what the store does in each festival of the calendar (`FestivalPlan`, by festival and year):
  whether it joins (staying out loses the festival's lift in traffic and conversion in the
  presale and peak, its festival coupon and its festival shoppers), a storewide festival
  discount on the presale and peak days (acting on demand as any temporary price cut, through
  the reference price), the coupon every order gets on those days (which replaces the day's
  ordinary coupon), and a pre-sale (`Presale`: the deposit share; see
  `storeops.sim.calendar.Presale`). Festivals not listed keep the store's own plan: joined,
  no festival discount, 40 off per 300 up to 3x, no pre-sale;
- the service team's agents on duty each hour of the day (`ServicePlan`: `Shift`s of hours
  with a number of agents, and `StaffingPeriod`s of dates with shifts of their own, e.g. for
  festival days); an hour no shift covers has no agent, and its chats are abandoned. Agents
  answer pre-sale questions before after-sale contacts; waits follow from the queue of each
  hour (see `storeops.sim.service`) and each agent-hour costs a wage (`finance`);
- the member campaigns (`Campaign`: a send date, a channel, a `Target` rule over the members'
  orders or a true segment, a coupon and a hold-out share; see `storeops.sim.campaigns`).
  `campaigns=None` keeps the store's own calendar of campaigns; a tuple replaces it whole
  (an empty one: no campaigns).
"""

from __future__ import annotations

import copy
import hashlib
import json
import numbers
import pickle
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from storeops.errors import StoreOpsError
from storeops.sim.calendar import FestivalPlan, Presale, festival_windows
from storeops.sim.campaigns import (
    CAMPAIGN_CHANNELS,
    Campaign,
    PlannedCampaign,
    Target,
    own_campaigns,
    planned,
)
from storeops.sim.generate import build_market, check_args, place_demand, run_store
from storeops.sim.inventory import draw_reorder_rule
from storeops.sim.orders import ORDINARY_COUPON, Coupon, CouponTier
from storeops.sim.params import (
    CATEGORIES,
    CHANNEL_PARAMS,
    CPC_CHANNELS,
    DEFAULT_SEED,
    FESTIVALS,
    PAID_CHANNELS,
    SEGMENTS,
)
from storeops.sim.rng import stream
from storeops.sim.store import Store
from storeops.sim.supply import draw_suppliers, safety_for_service_level


def _iso_dates(period) -> None:
    """Write a period's `start` and `end` given as dates as ISO text (as JSON holds them)."""
    for name in ("start", "end"):
        day = getattr(period, name)
        if isinstance(day, date):
            object.__setattr__(period, name, day.isoformat())


@dataclass(frozen=True)
class Period:
    """A value that holds from `start` to `end` (ISO dates, both included)."""

    start: str
    end: str
    value: float

    def __post_init__(self):
        _iso_dates(self)


@dataclass(frozen=True)
class ChannelBudget:
    """Planned daily budget (currency per day) of one paid channel; `periods` override `daily`.

    A channel bought per click (search) also takes a per-click `bid` (currency per click),
    overridden by `bid_periods`; without a bid it keeps the store's own bids.
    """

    channel: str
    daily: float
    periods: tuple[Period, ...] = ()
    bid: float | None = None
    bid_periods: tuple[Period, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "periods", _periods(self.periods))
        object.__setattr__(self, "bid_periods", _periods(self.bid_periods))


@dataclass(frozen=True)
class SkuPrice:
    """Selling price of one SKU by period; days outside every period sell at the list price."""

    sku: str
    periods: tuple[Period, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "periods", _periods(self.periods))


@dataclass(frozen=True)
class ReorderRule:
    """Reorder settings of one SKU (see the module docstring for the rule).

    Give either `safety_factor` or `target_service_level` (between 0 and 1), not both.
    """

    sku: str
    safety_factor: float | None
    cover_days: float
    min_order_qty: float
    target_service_level: float | None = None


@dataclass(frozen=True)
class CouponPeriod:
    """The store's threshold coupon from `start` to `end` (ISO dates, both included)."""

    start: str
    end: str
    coupon: Coupon

    def __post_init__(self):
        _iso_dates(self)


@dataclass(frozen=True)
class Shift:
    """`agents` on duty each hour from `first_hour` to `last_hour` (0-23, both included)."""

    first_hour: int
    last_hour: int
    agents: int


@dataclass(frozen=True)
class StaffingPeriod:
    """The shifts of the days from `start` to `end` (ISO dates, both included)."""

    start: str
    end: str
    shifts: tuple[Shift, ...]

    def __post_init__(self):
        _iso_dates(self)
        object.__setattr__(self, "shifts", _shifts(self.shifts))


@dataclass(frozen=True)
class ServicePlan:
    """Agents per hour: `shifts` on every day outside the `periods`, whose shifts replace them."""

    shifts: tuple[Shift, ...]
    periods: tuple[StaffingPeriod, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "shifts", _shifts(self.shifts))
        periods = tuple(
            p if isinstance(p, StaffingPeriod) else StaffingPeriod(*p) for p in self.periods
        )
        object.__setattr__(self, "periods", periods)


def _shifts(shifts) -> tuple[Shift, ...]:
    return tuple(s if isinstance(s, Shift) else Shift(*s) for s in shifts)


@dataclass(frozen=True)
class Policy:
    """The operator's decisions; anything not listed keeps the store's own plan."""

    budgets: tuple[ChannelBudget, ...] = field(default_factory=tuple)
    prices: tuple[SkuPrice, ...] = field(default_factory=tuple)
    reorder: tuple[ReorderRule, ...] = field(default_factory=tuple)
    coupons: tuple[CouponPeriod, ...] = field(default_factory=tuple)
    festivals: tuple[FestivalPlan, ...] = field(default_factory=tuple)
    service: ServicePlan | None = None  # None: the store's own staffing
    campaigns: tuple[Campaign, ...] | None = None  # None: the store's own campaigns

    def __post_init__(self):
        for name in ("budgets", "prices", "reorder", "coupons", "festivals"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.campaigns is not None:
            object.__setattr__(self, "campaigns", tuple(self.campaigns))

    def to_json(self) -> str:
        """The policy as JSON text (floats written exactly, so `from_json` gives it back)."""
        return json.dumps(asdict(self), indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Policy:
        """Read a policy written by `to_json`; StoreOpsError names a missing or unknown field."""
        try:
            raw = json.loads(text)
            return cls(
                budgets=[
                    ChannelBudget(
                        b["channel"],
                        b["daily"],
                        [Period(**p) for p in b["periods"]],
                        b.get("bid"),
                        [Period(**p) for p in b.get("bid_periods", [])],
                    )
                    for b in raw.get("budgets", [])
                ],
                prices=[
                    SkuPrice(p["sku"], [Period(**q) for q in p["periods"]])
                    for p in raw.get("prices", [])
                ],
                reorder=[ReorderRule(**r) for r in raw.get("reorder", [])],
                coupons=[
                    CouponPeriod(c["start"], c["end"], _coupon_from(c["coupon"]))
                    for c in raw.get("coupons", [])
                ],
                festivals=[_festival_from(f) for f in raw.get("festivals", [])],
                service=_service_from(raw.get("service")),
                campaigns=_campaigns_from(raw.get("campaigns")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreOpsError(f"not a policy: {type(exc).__name__}: {exc}") from None


def _coupon_from(raw: dict) -> Coupon:
    return Coupon(
        [CouponTier(**t) for t in raw["tiers"]], raw.get("max_stack", 1), raw.get("share", 1.0)
    )


def _campaigns_from(raw: list | None) -> list[Campaign] | None:
    if raw is None:
        return None
    return [Campaign(**dict(c, target=Target(**c.get("target", {})))) for c in raw]


def _service_from(raw: dict | None) -> ServicePlan | None:
    if raw is None:
        return None
    return ServicePlan(
        [Shift(**s) for s in raw["shifts"]],
        [
            StaffingPeriod(p["start"], p["end"], [Shift(**s) for s in p["shifts"]])
            for p in raw.get("periods", [])
        ],
    )


def _festival_from(raw: dict) -> FestivalPlan:
    extra = {}
    if "coupon" in raw:  # absent: the store's own festival coupon; null: none
        extra["coupon"] = None if raw["coupon"] is None else _coupon_from(raw["coupon"])
    presale = raw.get("presale")
    return FestivalPlan(
        raw["festival"],
        raw["year"],
        raw.get("join", True),
        raw.get("discount"),
        presale=None if presale is None else Presale(**presale),
        **extra,
    )


def _periods(periods) -> tuple[Period, ...]:
    return tuple(p if isinstance(p, Period) else Period(*p) for p in periods)


@dataclass(frozen=True)
class _Frame:
    """What a policy is checked against: the store's dates, paid channels and SKUs."""

    start: date
    days: int
    channels: tuple[str, ...]
    skus: dict[str, int]
    festivals: tuple[tuple[str, int], ...]  # (festival, year of its peak) with a day in the run


def _frame(start: date, days: int, channels: tuple[str, ...]) -> _Frame:
    n = sum(int(c["n_skus"]) for c in CATEGORIES.values())
    skus = {f"SKU{i + 1:04d}": i for i in range(n)}
    festivals = tuple((name, year) for name, year, *_ in festival_windows(start, days))
    return _Frame(start, days, tuple(c for c in PAID_CHANNELS if c in channels), skus, festivals)


def _number(where: str, value, minimum: float, strict: bool = False) -> float:
    """A finite number >= minimum (> minimum if strict), else one StoreOpsError naming it."""
    ok = (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and np.isfinite(value)
        and (value > minimum if strict else value >= minimum)
    )
    if not ok:
        bound = f"{'above' if strict else 'at least'} {minimum:g}"
        raise StoreOpsError(f"{where} must be a number {bound}, got {value!r}")
    return float(value)


def _day(where: str, value, frame: _Frame) -> int:
    """Day index of an ISO date inside the store's window."""
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise StoreOpsError(f"{where} must be a date like 2025-01-01, got {value!r}")
    last = frame.start + timedelta(days=frame.days - 1)
    if not frame.start <= day <= last:
        raise StoreOpsError(
            f"{where} {value!r} is outside the store's dates {frame.start} to {last}"
        )
    return (day - frame.start).days


def _windows(where: str, periods, frame: _Frame) -> list[tuple[int, int]]:
    """Validated (first day, last day) of non-overlapping periods, listed as `where`[i]."""
    out = []
    for i, p in enumerate(periods):
        at = f"{where}[{i}]"
        first, last = _day(f"{at}.start", p.start, frame), _day(f"{at}.end", p.end, frame)
        if last < first:
            raise StoreOpsError(f"{at}.end {p.end!r} is before its start {p.start!r}")
        out.append((first, last))
    order = sorted(range(len(out)), key=lambda i: out[i][0])
    for a, b in zip(order, order[1:], strict=False):
        if out[b][0] <= out[a][1]:
            raise StoreOpsError(
                f"{where}[{b}] ({periods[b].start} to {periods[b].end}) overlaps "
                f"{where}[{a}] ({periods[a].start} to {periods[a].end})"
            )
    return out


def _spans(
    where: str, periods, frame: _Frame, minimum: float, strict: bool
) -> list[tuple[int, int, float]]:
    """Validated (first day, last day, value) of non-overlapping periods."""
    days = _windows(f"{where}.periods", periods, frame)
    return [
        (first, last, _number(f"{where}.periods[{i}].value", p.value, minimum, strict))
        for i, ((first, last), p) in enumerate(zip(days, periods, strict=True))
    ]


def _share(where: str, value, low_open: bool, high_open: bool) -> float:
    """A share between 0 and 1 (each end excluded if open), else one StoreOpsError naming it."""
    ok = (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and np.isfinite(value)
        and (value > 0 if low_open else value >= 0)
        and (value < 1 if high_open else value <= 1)
    )
    if not ok:
        lo = "above 0" if low_open else "at least 0"
        hi = "below 1" if high_open else "at most 1"
        raise StoreOpsError(f"{where} must be a share {lo} and {hi}, got {value!r}")
    return float(value)


def _check_coupon(where: str, coupon) -> Coupon:
    """A coupon with positive thresholds, each amount below its threshold."""
    if not isinstance(coupon, Coupon):
        raise StoreOpsError(f"{where} must be a Coupon, got {coupon!r}")
    for i, tier in enumerate(coupon.tiers):
        at = f"{where}.tiers[{i}]"
        threshold = _number(f"{at}.threshold", tier.threshold, 0.0, strict=True)
        amount = _number(f"{at}.amount", tier.amount, 0.0, strict=True)
        if amount >= threshold:
            raise StoreOpsError(
                f"{at}.amount must be below its threshold {threshold:g}, got {tier.amount!r}"
            )
    stack = coupon.max_stack
    if isinstance(stack, bool) or not isinstance(stack, numbers.Integral) or not 1 <= stack <= 20:
        raise StoreOpsError(f"{where}.max_stack must be a whole number from 1 to 20, got {stack!r}")
    _share(f"{where}.share", coupon.share, low_open=False, high_open=False)
    return coupon


def _coupons(policy: Policy, frame: _Frame) -> list[tuple[int, int, Coupon]]:
    """Validated (first day, last day, coupon) of the policy's coupon periods."""
    days = _windows("coupons", policy.coupons, frame)
    return [
        (first, last, _check_coupon(f"coupons[{i}].coupon", p.coupon))
        for i, ((first, last), p) in enumerate(zip(days, policy.coupons, strict=True))
    ]


def _festivals(policy: Policy, frame: _Frame) -> dict[tuple[str, int], FestivalPlan]:
    """Validated festival plans by (festival, year), leaving out those that are the own plan."""
    out, seen = {}, set()
    for i, f in enumerate(policy.festivals):
        where = f"festivals[{i}]"
        if f.festival not in FESTIVALS:
            raise StoreOpsError(
                f"{where}.festival is an unknown festival: {f.festival!r}; "
                f"festivals: {', '.join(FESTIVALS)}"
            )
        if (f.festival, f.year) not in frame.festivals:
            last = frame.start + timedelta(days=frame.days - 1)
            raise StoreOpsError(
                f"{where}: festival {f.festival!r} of year {f.year!r} is not in the store's "
                f"dates {frame.start} to {last}"
            )
        _key(where, (f.festival, f.year), frame.festivals, "festival", seen)
        if not isinstance(f.join, bool):
            raise StoreOpsError(f"{where}.join must be True or False, got {f.join!r}")
        if f.discount is not None:
            _share(f"{where}.discount", f.discount, low_open=True, high_open=True)
        if f.coupon is not None:
            _check_coupon(f"{where}.coupon", f.coupon)
        if f.presale is not None:
            if not isinstance(f.presale, Presale):
                raise StoreOpsError(f"{where}.presale must be a Presale, got {f.presale!r}")
            share = f.presale.deposit_share
            _share(f"{where}.presale.deposit_share", share, low_open=True, high_open=True)
        if not f.join and (f.discount is not None or f.presale is not None):
            what = "discount" if f.discount is not None else "presale"
            raise StoreOpsError(f"{where}.{what} needs join=True, got join={f.join!r}")
        if f != FestivalPlan(f.festival, f.year):
            out[(f.festival, f.year)] = f
    return out


def _key(where: str, value, known, kind: str, seen: set) -> None:
    if value not in known:
        raise StoreOpsError(f"{where} is an unknown {kind}: {value!r}")
    if value in seen:
        raise StoreOpsError(f"{where} {value!r} is listed twice")
    seen.add(value)


def _budgets(policy: Policy, frame: _Frame) -> dict[str, np.ndarray]:
    out, seen = {}, set()
    for i, b in enumerate(policy.budgets):
        where = f"budgets[{i}]"
        _key(f"{where}.channel", b.channel, frame.channels, "paid channel", seen)
        plan = np.full(frame.days, _number(f"{where}.daily", b.daily, 0.0))
        for first, last, value in _spans(where, b.periods, frame, 0.0, strict=False):
            plan[first : last + 1] = value
        out[b.channel] = plan
    return out


def _bids(policy: Policy, frame: _Frame) -> dict[str, np.ndarray]:
    """Per-click bids [day] of the channels bought per click that the policy sets."""
    out = {}
    for i, b in enumerate(policy.budgets):
        where = f"budgets[{i}]"
        if b.bid is None:
            if b.bid_periods:
                raise StoreOpsError(f"{where}.bid_periods needs a {where}.bid, got None")
            continue
        if b.channel not in CPC_CHANNELS:
            raise StoreOpsError(
                f"{where}.bid: {b.channel!r} is bought per thousand impressions, not per click; "
                f"got bid {b.bid!r}"
            )
        plan = np.full(frame.days, _number(f"{where}.bid", b.bid, 0.0, strict=True))
        for first, last, value in _spans(f"{where}.bid", b.bid_periods, frame, 0.0, strict=True):
            plan[first : last + 1] = value
        out[b.channel] = plan
    return out


def _prices(policy: Policy, frame: _Frame) -> dict[int, list[tuple[int, int, float]]]:
    out, seen = {}, set()
    for i, p in enumerate(policy.prices):
        where = f"prices[{i}]"
        _key(f"{where}.sku", p.sku, frame.skus, "SKU", seen)
        out[frame.skus[p.sku]] = _spans(where, p.periods, frame, 0.0, strict=True)
    return out


def _reorder(policy: Policy, frame: _Frame, seed: int) -> dict[int, tuple[float, float, float]]:
    out, seen = {}, set()
    suppliers = None
    for i, r in enumerate(policy.reorder):
        where = f"reorder[{i}]"
        _key(f"{where}.sku", r.sku, frame.skus, "SKU", seen)
        j = frame.skus[r.sku]
        if (r.safety_factor is None) == (r.target_service_level is None):
            raise StoreOpsError(
                f"{where} needs either safety_factor or target_service_level, not "
                + ("both" if r.safety_factor is not None else "neither")
            )
        if r.safety_factor is not None:
            safety = _number(f"{where}.safety_factor", r.safety_factor, 0.0)
        else:
            level = _number(f"{where}.target_service_level", r.target_service_level, 0.0, True)
            if level >= 1:
                raise StoreOpsError(
                    f"{where}.target_service_level must be below 1, got {r.target_service_level!r}"
                )
            suppliers = suppliers or draw_suppliers(seed)
            safety = safety_for_service_level(level, suppliers.lead_cv[suppliers.of_sku[j]])
        out[j] = (
            safety,
            _number(f"{where}.cover_days", r.cover_days, 0.0),
            _number(f"{where}.min_order_qty", r.min_order_qty, 1.0),
        )
    return out


def _hours(where: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= 23:
        raise StoreOpsError(f"{where} must be an hour of the day from 0 to 23, got {value!r}")
    return int(value)


def _day_of_shifts(where: str, shifts) -> np.ndarray:
    """Agents per hour of one day from its shifts (hours no shift covers: none)."""
    agents = np.zeros(24, dtype=np.int64)
    covered = np.full(24, -1)
    for i, shift in enumerate(shifts):
        at = f"{where}[{i}]"
        if not isinstance(shift, Shift):
            raise StoreOpsError(f"{at} must be a Shift, got {shift!r}")
        first = _hours(f"{at}.first_hour", shift.first_hour)
        last = _hours(f"{at}.last_hour", shift.last_hour)
        if last < first:
            raise StoreOpsError(f"{at}.last_hour {last!r} is before its first_hour {first!r}")
        n = shift.agents
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise StoreOpsError(f"{at}.agents must be a whole number of at least 0, got {n!r}")
        taken = np.flatnonzero(covered[first : last + 1] >= 0)
        if taken.size:
            other = int(covered[first + taken[0]])
            raise StoreOpsError(
                f"{at} (hours {first}-{last}) overlaps {where}[{other}] at hour {first + taken[0]}"
            )
        covered[first : last + 1] = i
        agents[first : last + 1] = int(n)
    return agents


def _staffing(policy: Policy, frame: _Frame) -> np.ndarray | None:
    """Validated agents [day, hour] of the policy's service plan (None: the store's own)."""
    plan = policy.service
    if plan is None:
        return None
    if not isinstance(plan, ServicePlan):
        raise StoreOpsError(f"service must be a ServicePlan, got {plan!r}")
    agents = np.tile(_day_of_shifts("service.shifts", plan.shifts), (frame.days, 1))
    days = _windows("service.periods", plan.periods, frame)
    for i, ((first, last), p) in enumerate(zip(days, plan.periods, strict=True)):
        agents[first : last + 1] = _day_of_shifts(f"service.periods[{i}].shifts", p.shifts)
    return agents


def _whole(where: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise StoreOpsError(f"{where} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)


def _check_target(where: str, target) -> None:
    if not isinstance(target, Target):
        raise StoreOpsError(f"{where} must be a Target, got {target!r}")
    for name in ("bought_within_days", "not_bought_within_days"):
        if getattr(target, name) is not None:
            _whole(f"{where}.{name}", getattr(target, name), 1)
    _whole(f"{where}.min_orders", target.min_orders, 0)
    if target.segment is not None and target.segment not in SEGMENTS:
        raise StoreOpsError(
            f"{where}.segment is an unknown segment: {target.segment!r}; "
            f"segments: {', '.join(SEGMENTS)}"
        )


def _campaigns(policy: Policy, frame: _Frame) -> list[PlannedCampaign] | None:
    """Validated campaigns in the engine's form (None: the store's own)."""
    if policy.campaigns is None:
        return None
    out, seen = [], set()
    for i, c in enumerate(policy.campaigns):
        where = f"campaigns[{i}]"
        if not isinstance(c, Campaign):
            raise StoreOpsError(f"{where} must be a Campaign, got {c!r}")
        if not isinstance(c.name, str) or not c.name.strip():
            raise StoreOpsError(f"{where}.name must be a non-empty text, got {c.name!r}")
        if c.name in seen:
            raise StoreOpsError(f"{where}.name {c.name!r} is listed twice")
        seen.add(c.name)
        _day(f"{where}.send_date", c.send_date, frame)
        if c.channel not in CAMPAIGN_CHANNELS:
            raise StoreOpsError(
                f"{where}.channel is an unknown campaign channel: {c.channel!r}; "
                f"channels: {', '.join(CAMPAIGN_CHANNELS)}"
            )
        _check_target(f"{where}.target", c.target)
        amount = _number(f"{where}.coupon_amount", c.coupon_amount, 0.0)
        spend = _number(f"{where}.min_spend", c.min_spend, 0.0)
        if amount > 0 and amount >= spend:
            raise StoreOpsError(
                f"{where}.min_spend must be above the coupon_amount {amount:g}, got {c.min_spend!r}"
            )
        _share(f"{where}.holdout_share", c.holdout_share, low_open=False, high_open=False)
        out.append(planned(c, frame.start))
    return out


def simulate(
    seed: int = DEFAULT_SEED,
    policy: Policy | None = None,
    start: str | date = "2025-01-01",
    days: int = 365,
    scale: float = 1.0,
    channels=None,
    *,
    lean: bool = False,
    until: int | None = None,
    reuse: bool = False,
    only: tuple[str, ...] | None = None,
) -> Store:
    """Run the store under `policy`; the whole policy is checked before anything runs.

    `lean` (for `evaluate`) skips what a plan's outcome does not need, and with `until` (a day
    index) what only days from it on need: see `run_store`. `reuse` (a search over plans that
    differ in their reorder rules or campaigns only) keeps the market and the orders placed
    (`place_demand`) of the last runs with `reuse` for the next one with the same market: the
    run is the same, a third sooner (its calendar, products and traffic tables are shared by
    those runs: read them, never change them in place). `only` (with `lean`): the tables to
    build, and no truth.
    """
    seed, start, days, scale, channels = check_args(seed, start, days, scale, channels)
    policy = Policy() if policy is None else policy
    if not isinstance(policy, Policy):
        raise StoreOpsError(f"policy must be a Policy, got {type(policy).__name__}")
    frame = _frame(start, days, channels)
    budgets, prices = _budgets(policy, frame), _prices(policy, frame)
    bids, reorder = _bids(policy, frame), _reorder(policy, frame, seed)
    coupons, festivals = _coupons(policy, frame), _festivals(policy, frame)
    staffing, campaigns = _staffing(policy, frame), _campaigns(policy, frame)
    inputs = (seed, start, days, scale, channels, budgets, prices, bids, festivals, coupons)
    if not reuse:
        market, demand = build_market(*inputs, staffing), None
    else:
        market, demand = _market_and_demand(inputs, staffing)
    return run_store(
        market, seed, start, days, scale, channels, reorder, lean, campaigns, until, demand, only
    )


# the markets last built with `reuse` and their demand (about 30 MB each for the default
# store), most recent first, by a digest of what they are built from: (digest, market,
# (funnel, placed orders), the incidents stream's state after them). Two: a grader that
# alternates a reorder question (the store's own market) with a price question (a new market
# each time) keeps the store's own.
REUSED_MARKETS = 2
_DEMAND: list[tuple] = []


def _market_and_demand(inputs: tuple, staffing: np.ndarray | None) -> tuple:
    """`build_market(*inputs, staffing)` and its `place_demand`, or those last built from the
    same inputs: a copy of the market whose incidents stream is its own, where `place_demand`
    left it (the kept market is never run on, so runs may share it)."""
    digest = hashlib.sha256(pickle.dumps((inputs, staffing), protocol=5)).digest()
    hit = next((i for i, entry in enumerate(_DEMAND) if entry[0] == digest), None)
    if hit is None:
        market = build_market(*inputs, staffing)
        demand = place_demand(market, inputs[0])
        entry = (digest, market, demand, copy.deepcopy(market.incident_rng.bit_generator.state))
    else:
        entry = _DEMAND.pop(hit)
    _DEMAND[:] = [entry, *_DEMAND][:REUSED_MARKETS]
    _, market, demand, state = entry
    stream = type(market.incident_rng.bit_generator)()
    stream.state = copy.deepcopy(state)
    return replace(market, incident_rng=np.random.Generator(stream)), demand


def _runs(values: np.ndarray, start: date) -> list[Period]:
    """Periods of equal consecutive values (one per run)."""
    cuts = np.flatnonzero(values[1:] != values[:-1]) + 1
    bounds = zip(np.r_[0, cuts], np.r_[cuts, values.size], strict=True)
    return [
        Period(
            (start + timedelta(days=int(a))).isoformat(),
            (start + timedelta(days=int(b) - 1)).isoformat(),
            float(values[a]),
        )
        for a, b in bounds
    ]


def budget_by_day(budget: ChannelBudget, start: str | date, days: int) -> np.ndarray:
    """A channel budget spelled out day by day over `days` days from `start` (unchecked)."""
    start = date.fromisoformat(start) if isinstance(start, str) else start
    plan = np.full(days, float(budget.daily))
    for p in budget.periods:
        first = (date.fromisoformat(p.start) - start).days
        last = (date.fromisoformat(p.end) - start).days
        plan[max(first, 0) : max(last + 1, 0)] = p.value
    return plan


def budget_from_days(channel: str, plan: np.ndarray, start: str | date) -> ChannelBudget:
    """A channel budget from a day-by-day plan: one period per run of equal days."""
    start = date.fromisoformat(start) if isinstance(start, str) else start
    plan = np.asarray(plan, dtype=float)
    return ChannelBudget(channel, float(plan[0]), _runs(plan, start))


def default_policy(
    seed: int = DEFAULT_SEED,
    start: str | date = "2025-01-01",
    days: int = 365,
    scale: float = 1.0,
    channels=None,
) -> Policy:
    """The decisions the store takes by itself for this seed, written out in full."""
    seed, start, days, scale, channels = check_args(seed, start, days, scale, channels)
    market = build_market(seed, start, days, scale, channels)
    bids = market.traffic.planned_bid
    budgets = [
        ChannelBudget(
            ch,
            float(CHANNEL_PARAMS[ch]["spend"] * scale),
            _runs(plan, start),
            float(CHANNEL_PARAMS[ch]["bid"]) if ch in bids else None,
            _runs(bids[ch], start) if ch in bids else (),
        )
        for ch, plan in market.traffic.planned_budget.items()
    ]
    list_price = market.products.table["list_price"].to_numpy(dtype=float)
    skus = market.products.table["sku"].to_numpy(dtype=object)
    prices = []
    for j, sku in enumerate(skus):
        runs = _runs(market.products.price[:, j], start)
        prices.append(SkuPrice(str(sku), [p for p in runs if p.value != list_price[j]]))
    rule = draw_reorder_rule(stream(seed, "inventory"), len(skus))
    reorder = [
        ReorderRule(
            str(sku),
            float(rule["safety_factor"][j]),
            float(rule["cover_days"][j]),
            float(rule["min_order_qty"][j]),
        )
        for j, sku in enumerate(skus)
    ]
    last = (start + timedelta(days=days - 1)).isoformat()
    coupons = [CouponPeriod(start.isoformat(), last, ORDINARY_COUPON)]
    festivals = [FestivalPlan(name, year) for name, year, *_ in festival_windows(start, days)]
    return Policy(
        budgets,
        prices,
        reorder,
        coupons,
        festivals,
        service_plan(market.agents, start),
        own_campaigns(start, days),
    )


def _day_shifts(agents: np.ndarray) -> list[Shift]:
    """Shifts of one day: one per run of hours with the same agents."""
    cuts = np.flatnonzero(agents[1:] != agents[:-1]) + 1
    bounds = zip(np.r_[0, cuts], np.r_[cuts, agents.size], strict=True)
    return [Shift(int(a), int(b) - 1, int(agents[a])) for a, b in bounds]


def service_plan(agents: np.ndarray, start: str | date) -> ServicePlan:
    """A service plan from agents [day, hour]: the most common day's shifts, and a period for
    each run of days with other shifts."""
    start = date.fromisoformat(start) if isinstance(start, str) else start
    rows, inverse, counts = np.unique(agents, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    usual = int(np.argmax(counts))
    periods = []
    for run in _runs(inverse.astype(float), start):
        if int(run.value) != usual:
            periods.append(StaffingPeriod(run.start, run.end, _day_shifts(rows[int(run.value)])))
    return ServicePlan(_day_shifts(rows[usual]), periods)
