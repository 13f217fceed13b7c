"""The calendar table, the festival multipliers that drive traffic and conversion, and logistics.

The festivals are the platform's: the calendar table shows them whatever the store does. What
the store does in each (`FestivalPlan`: join or not, a festival discount, its festival coupon,
a pre-sale with deposits) decides which of the festival's effects reach the store
(`StoreFestivals`). A store that stays out gets no festival lift in traffic or conversion in
the presale and peak (the post-festival dip is the platform's and stays), no festival coupon
and no festival shoppers.

Besides the shopping festivals, the calendar holds two public holidays that move goods, not
shoppers: Chinese New Year, around which couriers and suppliers stop for about twelve days
(orders still come in; they are delivered, and purchase orders arrive, after the stop), and the
National Day golden week (1-7 October), when couriers are slower. `Logistics` does the
working-day arithmetic both deliveries and purchase orders use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from storeops.sim.orders import FESTIVAL_COUPON, Coupon
from storeops.sim.params import FESTIVAL_SPECS, WEEKDAY_MULT

# First day of the lunar year (Spring Festival). Years outside the table use the 19-year
# (Metonic) cycle, after which new moons fall on about the same dates.
# fmt: off
CHINESE_NEW_YEAR = {
    2000: (2, 5), 2001: (1, 24), 2002: (2, 12), 2003: (2, 1), 2004: (1, 22), 2005: (2, 9),
    2006: (1, 29), 2007: (2, 18), 2008: (2, 7), 2009: (1, 26), 2010: (2, 14), 2011: (2, 3),
    2012: (1, 23), 2013: (2, 10), 2014: (1, 31), 2015: (2, 19), 2016: (2, 8), 2017: (1, 28),
    2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22),
    2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13),
    2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
    2036: (1, 28), 2037: (2, 15), 2038: (2, 4), 2039: (1, 24), 2040: (2, 12),
}
# fmt: on
CNY_HOLIDAY = (-1, 6)  # public holiday: New Year's Eve to the 7th day (offsets from the day)
CNY_LOGISTICS_STOP = (-6, 5)  # couriers and suppliers stop: 12 days around the New Year
NATIONAL_DAY = ((10, 1), (10, 7))  # golden week
NATIONAL_DAY_SLOWDOWN = 1.0  # extra mean courier days for orders placed in the golden week
HOLIDAYS = ("chinese_new_year", "national_day")
LOGISTICS_MARGIN = 400  # days after the run that purchase orders and deliveries may reach


def chinese_new_year(year: int) -> date:
    """The first day of the lunar year that starts in `year`."""
    known = min(CHINESE_NEW_YEAR), max(CHINESE_NEW_YEAR)
    ref = year
    while ref < known[0]:
        ref += 19
    while ref > known[1]:
        ref -= 19
    return date(year, *CHINESE_NEW_YEAR[ref])


def _holiday_windows(first: pd.Timestamp, last: pd.Timestamp) -> list[dict]:
    """Chinese New Year and National Day of every year touching [first, last]."""
    out = []
    for year in range(first.year - 1, last.year + 2):
        cny = pd.Timestamp(chinese_new_year(year))
        out.append(
            dict(
                holiday="chinese_new_year",
                day=cny,
                holiday_days=(
                    cny + pd.Timedelta(days=CNY_HOLIDAY[0]),
                    cny + pd.Timedelta(days=CNY_HOLIDAY[1]),
                ),
                stop=(
                    cny + pd.Timedelta(days=CNY_LOGISTICS_STOP[0]),
                    cny + pd.Timedelta(days=CNY_LOGISTICS_STOP[1]),
                ),
            )
        )
        a, b = (pd.Timestamp(year, *md) for md in NATIONAL_DAY)
        out.append(dict(holiday="national_day", day=a, holiday_days=(a, b), stop=None))
    return out


@dataclass(frozen=True)
class Logistics:
    """Which days couriers and suppliers work, from the run's first day to well after its end.

    Deliveries and purchase orders count working days: one that needs n days from day d
    arrives on the day by which n working days after d have passed, so a stop lengthens what
    spans it and nothing arrives inside it.
    """

    stop: np.ndarray  # bool per day from day 0: couriers and suppliers stop
    slowdown: np.ndarray  # extra mean courier days for an order placed that day
    worked: np.ndarray  # working days in [0, day] (cumulative)

    @classmethod
    def build(cls, start: date, days: int) -> Logistics:
        n = days + LOGISTICS_MARGIN
        d0 = pd.Timestamp(start)
        stop, slowdown = np.zeros(n, dtype=bool), np.zeros(n)
        for w in _holiday_windows(d0, d0 + pd.Timedelta(days=n - 1)):
            if w["stop"] is not None:
                a, b = ((x - d0).days for x in w["stop"])
                stop[max(a, 0) : max(b + 1, 0)] = True
            if w["holiday"] == "national_day":
                a, b = ((x - d0).days for x in w["holiday_days"])
                slowdown[max(a, 0) : max(b + 1, 0)] = NATIONAL_DAY_SLOWDOWN
        return cls(stop, slowdown, np.cumsum(~stop))

    def after(self, day, n) -> np.ndarray:
        """The day by which `n` (>= 1) working days after `day` have passed."""
        target = self.worked[np.asarray(day)] + np.asarray(n)
        return np.searchsorted(self.worked, target, side="left")

    def first_working(self, day) -> np.ndarray:
        """`day` itself if couriers and suppliers work then, else the first day after the stop."""
        day = np.asarray(day)
        before = np.where(day > 0, self.worked[np.maximum(day - 1, 0)], 0)
        return np.searchsorted(self.worked, before + 1, side="left")

    def delivery_days(self, order_day: np.ndarray, courier_days: np.ndarray) -> np.ndarray:
        """Days from order to delivery for deliveries that take `courier_days` working days."""
        return self.after(order_day, courier_days) - order_day


@dataclass(frozen=True)
class Presale:
    """A festival pre-sale (定金/尾款): orders placed in the presale pay `deposit_share` of
    their value as a deposit and the balance on the peak day.

    Shoppers can lock the festival price early, so more carts turn into orders in the presale
    (the cart-to-order rate rises by PRESALE_C2O_LIFT x (1 - deposit_share)); some never pay
    the balance and lose their deposit (a share FORFEIT_BASE x (1 - deposit_share) ** 2, so
    a larger deposit commits them more but wins fewer orders).
    """

    deposit_share: float


PRESALE_C2O_LIFT = 0.3
FORFEIT_BASE = 0.25
PRESALE_RULE = (
    f"orders placed in the presale of a festival with a pre-sale pay deposit_share of their "
    f"value, the balance on the peak day, and ship then; the presale's cart-to-order rate is "
    f"x (1 + {PRESALE_C2O_LIFT} x (1 - deposit_share)); a share {FORFEIT_BASE} x "
    f"(1 - deposit_share)^2 never pay the balance: cancelled, deposit kept by the store"
)


def presale_c2o_multiplier(deposit_share: float) -> float:
    """How much a pre-sale raises the presale's cart-to-order rate."""
    return 1.0 + PRESALE_C2O_LIFT * (1.0 - deposit_share)


def forfeit_share(deposit_share: float) -> float:
    """Expected share of pre-sale orders whose balance is never paid."""
    return FORFEIT_BASE * (1.0 - deposit_share) ** 2


@dataclass(frozen=True)
class FestivalPlan:
    """What the store does in one festival (`festival` as in the calendar, `year` of its peak).

    `join`: whether the store takes part. `discount`: a storewide cut (a share of the day's
    price, between 0 and 1) on the presale and peak days, None for none. `coupon`: the coupon
    every festival order gets on those days (None: the day's ordinary coupon). `presale`:
    deposit terms, None for no pre-sale. The defaults are the store's own plan.
    """

    festival: str
    year: int
    join: bool = True
    discount: float | None = None
    coupon: Coupon | None = FESTIVAL_COUPON
    presale: Presale | None = None


@dataclass(frozen=True)
class StoreFestivals:
    """What the store's festival plans mean day by day (arrays over the run's days)."""

    festive: np.ndarray  # presale or peak day of a festival the store joins
    discount: np.ndarray  # storewide festival discount (0: none)
    coupon: np.ndarray  # index into `coupons` of the day's festival coupon (-1: ordinary)
    coupons: tuple[Coupon, ...]
    deposit_share: np.ndarray  # deposit share of a pre-sale order placed that day (0: none)
    balance_day: np.ndarray  # day the balance of an order placed that day is due (-1: none)
    forfeit: np.ndarray  # share of that day's pre-sale orders that never pay the balance
    plans: tuple[dict, ...]  # each festival of the run and what the store did in it (truth)


def festival_windows(start: date, days: int):
    """(name, peak year, spec, {phase: (first day index, last day index)}) of every festival
    with a day in the run; day indices may fall outside it."""
    dates = pd.date_range(pd.Timestamp(start), periods=days, freq="D")
    d0 = pd.Timestamp(start)
    for year in range(dates[0].year - 1, dates[-1].year + 2):
        for name, spec in FESTIVAL_SPECS.items():
            peak = (pd.Timestamp(year, *spec["peak"]) - d0).days
            windows = {
                "presale": (peak + spec["presale"][0], peak + spec["presale"][1]),
                "peak": (peak, peak),
                "dip": (peak + spec["dip"][0], peak + spec["dip"][1]),
            }
            if any(max(a, 0) <= min(b, days - 1) for a, b in windows.values()):
                yield name, year, spec, windows


def _store_festivals(start: date, days: int, plans: dict) -> StoreFestivals:
    """Per day, what the store's plans (by (festival, year); others: its own plan) decide."""
    festive, discount = np.zeros(days, dtype=bool), np.zeros(days)
    coupon, coupons = np.full(days, -1, dtype=np.int64), []
    deposit, forfeit = np.zeros(days), np.zeros(days)
    balance = np.full(days, -1, dtype=np.int64)
    truth = []
    for name, year, _, windows in festival_windows(start, days):
        plan = plans.get((name, year)) or FestivalPlan(name, year)
        truth.append(_plan_truth(plan))
        if not plan.join:
            continue
        lo, hi = max(windows["presale"][0], 0), min(windows["peak"][1], days - 1)
        if lo > hi:
            continue
        festive[lo : hi + 1] = True
        discount[lo : hi + 1] = plan.discount or 0.0
        if plan.coupon is not None:
            if plan.coupon not in coupons:
                coupons.append(plan.coupon)
            coupon[lo : hi + 1] = coupons.index(plan.coupon)
        if plan.presale is not None:
            a, b = max(windows["presale"][0], 0), min(windows["presale"][1], days - 1)
            share = plan.presale.deposit_share
            deposit[a : b + 1], forfeit[a : b + 1] = share, forfeit_share(share)
            balance[a : b + 1] = windows["peak"][0]
    return StoreFestivals(
        festive, discount, coupon, tuple(coupons), deposit, balance, forfeit, tuple(truth)
    )


def _plan_truth(plan: FestivalPlan) -> dict:
    share = plan.presale.deposit_share if plan.presale else None
    return dict(
        festival=plan.festival,
        year=plan.year,
        joined=plan.join,
        discount=plan.discount,
        coupon=plan.coupon.as_dict() if plan.coupon else None,
        presale_deposit_share=share,
        presale_forfeit_share=None if share is None else round(forfeit_share(share), 6),
        presale_cart_to_order_multiplier=None
        if share is None
        else round(presale_c2o_multiplier(share), 6),
    )


def _festival_truth(name: str, spec: dict, windows: dict, start: date) -> dict:
    """One festival of the run with its dates and the platform's effects."""
    d0 = pd.Timestamp(start)

    def day(i: int) -> str:
        return str((d0 + pd.Timedelta(days=i)).date())

    return dict(
        festival=name,
        presale_start=day(windows["presale"][0]),
        peak=day(windows["peak"][0]),
        dip_end=day(windows["dip"][1]),
        traffic_uplift=spec["traffic"],
        add_to_cart_uplift=spec["atc"],
        cart_to_order_uplift=spec["c2o"],
        ad_budget_multiplier=spec["budget"],
    )


def build_calendar(
    start: date, days: int, plans: dict | None = None
) -> tuple[pd.DataFrame, dict[str, np.ndarray], list[dict]]:
    """Return the calendar table, per-day effect arrays and the festival list for the truth.

    The effects also hold `logistics`, the working days of couriers and suppliers, and
    `store_festivals`, what the store's festival `plans` ((festival, year) -> FestivalPlan;
    the others: the store's own plan) mean day by day; the effects are the store's.
    """
    dates = pd.date_range(pd.Timestamp(start), periods=days, freq="D")
    weekday = dates.day_of_week.to_numpy()
    festival = np.full(days, "", dtype=object)
    phase = np.full(days, "", dtype=object)
    eff = {k: np.ones(days) for k in ("traffic", "atc", "c2o", "budget")}
    festivals = []
    plans = plans or {}
    for name, year, spec, windows in festival_windows(start, days):
        plan = plans.get((name, year)) or FestivalPlan(name, year)
        for ph, (ia, ib) in windows.items():
            lo, hi = max(ia, 0), min(ib, days - 1)
            if lo > hi:
                continue
            festival[lo : hi + 1] = name
            phase[lo : hi + 1] = ph
            # the platform's budgets and bids rise whatever the store does
            eff["budget"][lo : hi + 1] = spec["budget"][ph]
            if plan.join or ph == "dip":
                for k in ("traffic", "atc", "c2o"):
                    eff[k][lo : hi + 1] = spec[k][ph]
            if ph == "presale" and plan.join and plan.presale is not None:
                eff["c2o"][lo : hi + 1] *= presale_c2o_multiplier(plan.presale.deposit_share)
        festivals.append(_festival_truth(name, spec, windows, start))
    doy = dates.day_of_year.to_numpy()
    season = 1.0 + 0.06 * np.cos(2 * np.pi * (doy - 340) / 365.25)
    eff["traffic"] = eff["traffic"] * season * np.asarray(WEEKDAY_MULT)[weekday]
    eff["season"] = season
    holiday = np.full(days, "", dtype=object)
    d0 = pd.Timestamp(start)
    for w in _holiday_windows(dates[0], dates[-1]):
        a, b = ((x - d0).days for x in w["holiday_days"])
        holiday[max(a, 0) : max(b + 1, 0)] = w["holiday"]
    logistics = Logistics.build(start, days)
    eff["logistics"] = logistics
    eff["store_festivals"] = _store_festivals(start, days, plans)
    cal = pd.DataFrame(
        {
            "date": dates.astype("datetime64[ns]"),
            "weekday": pd.array(dates.day_name().to_numpy(), dtype="str"),
            "is_weekend": weekday >= 5,
            "festival": pd.array(festival, dtype="str"),
            "festival_phase": pd.array(phase, dtype="str"),
            "holiday": pd.array(holiday, dtype="str"),
            "logistics_stop": logistics.stop[:days].copy(),
        }
    )
    return cal, eff, festivals
