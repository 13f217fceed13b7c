"""Clearance: the most profitable clearance week and depth of each seasonal and fashion SKU.

A clearance plan for a SKU keeps its own prices (without the store's own clearance) until a
Monday in its decline, then sells at list price x (1 - depth) until its season end, when what
is left is written down (`storeops.sim.products.season_ends`). For every such plan the truth
runs a fast model on the true curves, not the whole store:

- demand: the SKU's expected units of the default run, day by day, times the change of its
  own demand weight (price / reference price, with the true elasticity). The store converts in
  proportion to its summed demand weights, so a SKU's expected units follow its own weight and
  no other SKU's (`truth.price_model.substitution`); the part wanted by free shoppers also
  follows the platform's exposure of the SKU under the plan (`traffic.product_exposure`).
  Expected, not realised: see `expected_units`;
- stock: from the store's own stock on the SKU's first candidate day, with the purchase
  orders of its own run arriving as they did: a fashion item is bought no more in its decline
  (exact); a seasonal SKU's reorders would answer a clearance's extra sales a little (not
  modelled). The season end writes down what is left by the rule of `inventory._write_down`;
- money per unit sold: the amount paid (less the default run's coupon share), less returns at
  the category's true return rate, commission, payment fee, the cost of the units kept,
  return handling and shipping (per unit: the default run's orders per unit sold); the
  outlet's salvage share of the written-down cost; holding on the stock left each day.

`tests/sim/test_clearance.py` checks that the plan it picks beats its neighbouring weeks and
depths in `evaluate` on the same seed, by what they earn on the SKU
(`storeops.grading.plans.sku_profit`): the store's whole profit moves by more than a SKU's
clearance is worth when one price reshuffles the lines of its category between other SKUs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from storeops.sim.finance import DAYS_PER_YEAR, Costs
from storeops.sim.inventory import InventoryResult
from storeops.sim.params import CATEGORIES
from storeops.sim.products import (
    SEASON_CARRY_DAYS,
    SEASONS,
    ProductModel,
    SeasonEnds,
    price_response,
    reference_prices,
)
from storeops.sim.traffic import product_exposure

DEPTHS = (0.2, 0.3, 0.4, 0.5, 0.6)  # clearance depths searched
MAX_WEEKS = 8  # Mondays searched: at most this many weeks before the season end
CLEARANCE_RULE = (
    "a clearance plan keeps the SKU's own prices without the store's own clearance "
    "until a Monday in its decline (a fashion item's from its decline start, a "
    "seasonal SKU's from its category's peak), then sells at list price x (1 - depth) "
    "until its season end; the best week and depth of "
    f"{', '.join(f'{d:.0%}' for d in DEPTHS)} maximise the fast model's profit "
    "(storeops.sim.clearance) under the default costs; week_start null: no clearance "
    "is best. decision_start: the first day a clearance could start (plans agree "
    "before it); gain_over_no_clearance and margin_over_neighbours (over the best of "
    "a week earlier or later, or the next depth) are the model's profit differences"
)


@dataclass(frozen=True)
class Plans:
    """Candidate clearance plans, one per column: SKU, first and last day, depth."""

    sku: np.ndarray
    start: np.ndarray  # first clearance day (-1: no clearance)
    end: np.ndarray  # the SKU's season end (the clearance's last day)
    depth: np.ndarray


@dataclass(frozen=True)
class UnitMoney:
    """Per-unit money of a sale, per SKU (see the module docstring)."""

    paid_share: float  # amount paid per unit of price (coupons taken off)
    keep: np.ndarray  # per SKU: (1 - return rate)
    commission: np.ndarray
    fee: float
    unit_cost: np.ndarray
    per_unit_cost: np.ndarray  # per SKU: return handling and shipping per unit sold


def no_clearance_prices(products: ProductModel) -> np.ndarray:
    """The store's own prices per [day, sku] with its own clearance days at the list price."""
    price = products.price.copy()
    list_price = products.table["list_price"].to_numpy(dtype=float)
    for sku in np.flatnonzero(products.own_clearance[:, 0] >= 0):
        first, last = products.own_clearance[sku, :2].astype(int)
        price[first : last + 1, sku] = list_price[sku]
    return price


def season_end_day(seasons: SeasonEnds, sku: int) -> int:
    """The SKU's first season end in the run (-1: none)."""
    days = np.flatnonzero(seasons.end[:, sku])
    return int(days[0]) if days.size else -1


def candidate_plans(products: ProductModel, t0: pd.Timestamp, skip: set[int]) -> Plans:
    """No clearance and every (Monday, depth) in each seasonal or fashion SKU's decline.

    A fashion item declines from its last buying day (its last order is placed that day, so
    its clearance starts after it); a seasonal SKU from its category's peak.
    """
    seasons = products.seasons
    days = seasons.end.shape[0]
    dates = pd.date_range(t0, periods=days, freq="D")
    doy = dates.day_of_year.to_numpy()
    mondays = np.flatnonzero(dates.day_of_week == 0)
    cats = list(CATEGORIES)
    rows = []
    for sku in np.flatnonzero(seasons.fashion | seasons.seasonal):
        end = season_end_day(seasons, sku)
        if end < 0 or sku in skip:
            continue
        first = seasons.last_buy[sku]
        if not seasons.fashion[sku]:
            peaks = np.flatnonzero(doy[: end + 1] == SEASONS[cats[products.category_idx[sku]]][0])
            first = peaks[-1] if peaks.size else 0
        weeks = mondays[(mondays > first) & (mondays <= end)][-MAX_WEEKS:]
        rows.append((sku, -1, end, 0.0))
        rows += [(sku, int(w), end, d) for w in weeks for d in DEPTHS]
    sku, start, end, depth = (np.array(c) for c in zip(*rows, strict=True)) if rows else [[]] * 4
    return Plans(
        np.asarray(sku, dtype=np.int64),
        np.asarray(start, dtype=np.int64),
        np.asarray(end, dtype=np.int64),
        np.asarray(depth, dtype=float),
    )


def plan_prices(
    products: ProductModel, base: np.ndarray, plans: Plans, day: np.ndarray
) -> np.ndarray:
    """Prices per [row, plan] on days `day` [row, plan]: the SKU's prices without clearance
    (`base`), the plan's cut from its start to its end."""
    list_price = products.table["list_price"].to_numpy(dtype=float)
    on = (plans.start >= 0) & (day >= plans.start) & (day <= plans.end)
    cut = np.round(list_price[plans.sku] * (1 - plans.depth), 2)
    return np.where(on, cut[None, :], base[day, plans.sku[None, :]])


def plan_units(
    products: ProductModel, demand: np.ndarray, free_demand: np.ndarray, plans: Plans
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fast model's expected units per [row, plan], rows the days from the plan's SKU's
    first candidate day (a SKU's plans agree before it) to its season end; also the day of
    each row and the plan's price that day. `free_demand` is the part of the default run's
    `demand` wanted by free shoppers.

    Rows past a plan's season end (shorter plans of a SKU) hold 0 units.
    """
    list_price = products.table["list_price"].to_numpy(dtype=float)
    elasticity = products.elasticity_by_sku
    j, days = plans.sku, demand.shape[0]
    first = _first_days(plans)
    day = np.minimum(
        first[None, :] + np.arange(int((plans.end - first).max()) + 1)[:, None], days - 1
    )
    on = day <= plans.end[None, :]
    base = no_clearance_prices(products)
    own = price_response(products.price, list_price, elasticity)
    price = plan_prices(products, base, plans, day)
    memory = reference_prices(base, list_price)[first, j]
    response = price_response(price, list_price[j], elasticity[j], memory)
    ratio = response / own[day, j]
    # free shoppers' part also follows the platform's exposure of the SKU under the plan
    seen = _plan_exposure(price_response(base, list_price, elasticity)[:, j], response, day)
    free_ratio = ratio * seen / products.free_exposure[day, j]
    share = free_share(demand, free_demand)[day, j]
    wanted = expected_units(products, demand)[day, j] * ((1 - share) * ratio + share * free_ratio)
    return day, price, np.where(on, wanted, 0.0)


def expected_units(products: ProductModel, demand: np.ndarray) -> np.ndarray:
    """Units per [day, sku] the store's own prices are expected to sell: the SKU's demand
    weight x the day's units per weight (all SKUs' demand over their weights) x the SKU's own
    units per weight over the run relative to the store's (its units per line, its bundles).

    Not the SKU's realised units of the day: a deep cut multiplies them and their noise, and
    the plan's own lines in the store do not share that noise, so a lucky week looked like a
    sharp optimum (`tests/sim/test_clearance.py`).
    """
    weight = products.demand_weight
    per_weight = demand.sum(axis=1) / np.maximum(weight.sum(axis=1), 1e-300)
    level = per_weight[:, None] * weight
    own = demand.sum(axis=0) / np.maximum(level.sum(axis=0), 1e-300)
    return level * own[None, :]


def free_share(demand: np.ndarray, free_demand: np.ndarray, window: int = 28) -> np.ndarray:
    """Per [day, sku], the share of a SKU's units wanted by free shoppers over the `window`
    days around the day: smooth, as the expected units are (a day's few units would make it
    0 or 1)."""
    pad = window // 2

    def around(x: np.ndarray) -> np.ndarray:
        cum = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
        days = np.arange(x.shape[0])
        lo, hi = np.maximum(days - pad, 0), np.minimum(days + pad + 1, x.shape[0])
        return cum[hi] - cum[lo]

    return around(free_demand) / np.maximum(around(demand), 1e-9)


def plan_profits(
    products: ProductModel,
    demand: np.ndarray,
    free_demand: np.ndarray,
    expected: np.ndarray,
    inventory: InventoryResult,
    money: UnitMoney,
    plans: Plans,
    salvage: float,
    holding_rate: float,
) -> np.ndarray:
    """The fast model's profit of each plan from its SKU's first candidate day to its season
    end: sales margin, less the write-down and holding (comparable between a SKU's plans).

    `demand` is the default run's demand per [day, sku] (`free_demand` its free shoppers'
    part); rows are days from that first day.
    """
    j, days = plans.sku, demand.shape[0]
    day, price, plan_demand = plan_units(products, demand, free_demand, plans)
    on = day <= plans.end[None, :]
    first = day[0]
    receipts = np.where(on, inventory.receipts[day, j], 0.0)
    cost = money.unit_cost[j]
    margin = price * money.paid_share * (money.keep[j] * (1 - money.commission[j]) - money.fee) - (
        cost * money.keep[j] + money.per_unit_cost[j]
    )
    # stock at the start of the first day, as in the store's own run
    stock = inventory.available[first, j] - inventory.receipts[first, j]
    sold, held = np.zeros(j.size), np.zeros(j.size)
    for row in range(day.shape[0]):
        avail = stock + receipts[row]
        sell = np.minimum(plan_demand[row], avail)
        stock = avail - sell
        sold += sell * margin[row]
        held += np.where(on[row], stock, 0.0)
    left = _written(products.seasons, expected, plans, stock, days)
    return sold - (1 - salvage) * cost * left - holding_rate / DAYS_PER_YEAR * cost * held


def _plan_exposure(before: np.ndarray, response: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The platform's exposure [row, plan] of each plan's SKU on days `day` [row, plan]:
    its price response is `before` [day, plan] until the plan's first row, `response`
    [row, plan] from there."""
    full = before.copy()
    np.put_along_axis(full, day, response, axis=0)
    return np.take_along_axis(product_exposure(full), day, axis=0)


def _neighbours(plans: Plans, best: int, mine: np.ndarray) -> np.ndarray:
    """Which of a SKU's plans `mine` are next to plan `best`: a week earlier or later at its
    depth, or the next depth either way in its week (none for no clearance)."""
    if plans.start[best] < 0:
        return np.zeros(mine.size, dtype=bool)
    step = np.diff(DEPTHS).min()
    same_depth = np.isclose(plans.depth[mine], plans.depth[best])
    same_week = plans.start[mine] == plans.start[best]
    week_apart = np.abs(plans.start[mine] - plans.start[best]) == 7
    depth_apart = np.isclose(np.abs(plans.depth[mine] - plans.depth[best]), step)
    return (same_depth & week_apart) | (same_week & depth_apart)


def _first_days(plans: Plans) -> np.ndarray:
    """Per plan, its SKU's earliest clearance start: the plans of a SKU part from there."""
    first = np.full(plans.sku.size, np.iinfo(np.int64).max)
    for j in np.unique(plans.sku):
        mine = plans.sku == j
        starts = plans.start[mine & (plans.start >= 0)]
        first[mine] = starts.min() if starts.size else plans.end[mine][0]
    return first


def _written(
    seasons: SeasonEnds, expected: np.ndarray, plans: Plans, stock: np.ndarray, days: int
) -> np.ndarray:
    """Units written down at the season end (the rule of `inventory._write_down`): a fashion
    item's whole stock, a seasonal SKU's beyond the expected demand of its next
    SEASON_CARRY_DAYS days."""
    cum = np.vstack([np.zeros(expected.shape[1]), np.cumsum(expected, axis=0)])
    after = np.minimum(plans.end + 1 + SEASON_CARRY_DAYS, days)
    need = cum[after, plans.sku] - cum[np.minimum(plans.end + 1, days), plans.sku]
    return np.where(seasons.fashion[plans.sku], stock, np.floor(np.maximum(stock - need, 0.0)))


def unit_money(
    products: ProductModel,
    costs: Costs,
    return_rate: dict[str, float],
    coupon_share: float,
    orders_per_unit: float,
) -> UnitMoney:
    """Per-unit money of a sale under `costs` (see the module docstring)."""
    cats = list(CATEGORIES)
    idx = products.category_idx
    rate = np.array([return_rate[c] for c in cats])[idx]
    return UnitMoney(
        paid_share=1 - coupon_share,
        keep=1 - rate,
        commission=np.array([costs.commission[c] for c in cats])[idx],
        fee=costs.payment_fee,
        unit_cost=products.table["unit_cost"].to_numpy(dtype=float),
        per_unit_cost=rate * costs.return_handling_per_parcel
        + orders_per_unit * costs.shipping_per_parcel,
    )


def clearance_truth(
    products: ProductModel,
    demand: np.ndarray,
    free_demand: np.ndarray,
    expected: np.ndarray,
    inventory: InventoryResult,
    money: UnitMoney,
    costs: Costs,
    t0: pd.Timestamp,
) -> dict:
    """Each seasonal and fashion SKU's most profitable clearance week and depth."""
    skip = set() if inventory.incident is None else {inventory.incident["sku_index"]}
    plans = candidate_plans(products, t0, skip)
    if plans.sku.size == 0:
        return dict(rule=CLEARANCE_RULE, depths=list(DEPTHS), skus={})
    profit = plan_profits(
        products,
        demand,
        free_demand,
        expected,
        inventory,
        money,
        plans,
        costs.outlet_salvage_share,
        costs.holding_rate,
    )
    skus = products.table["sku"].to_numpy(dtype=object)
    out = {}

    def day(d) -> str | None:
        return str((t0 + pd.Timedelta(days=int(d))).date()) if d >= 0 else None

    first = _first_days(plans)
    for j in np.unique(plans.sku):
        mine = np.flatnonzero(plans.sku == j)
        none = mine[plans.start[mine] < 0][0]
        best = mine[np.argmax(profit[mine])]
        near = mine[_neighbours(plans, best, mine)]
        out[str(skus[j])] = dict(
            week_start=day(plans.start[best]),
            depth=float(plans.depth[best]),
            decision_start=day(first[best]),
            season_end=day(plans.end[best]),
            gain_over_no_clearance=round(float(profit[best] - profit[none]), 2),
            margin_over_neighbours=round(float(profit[best] - profit[near].max()), 2)
            if near.size
            else None,
        )
    return dict(rule=CLEARANCE_RULE, depths=list(DEPTHS), skus=out)
