"""Products (roles, prices, costs, life cycles), daily selling prices and competitor prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from storeops.sim.params import CATEGORIES

NAME_WORDS = {
    "apparel": ("T-shirt", "Hoodie", "Jeans", "Dress", "Jacket", "Skirt", "Socks", "Coat"),
    "beauty": ("Serum", "Lipstick", "Cleanser", "Sunscreen", "Mask", "Toner", "Cream"),
    "home": ("Towel", "Pillow", "Lamp", "Storage box", "Mug", "Blanket", "Rug"),
    "electronics": ("Earbuds", "Charger", "Power bank", "Speaker", "Phone case", "Cable", "Mouse"),
    "food": ("Tea", "Coffee", "Nuts", "Snack box", "Noodles", "Chocolate", "Honey"),
    "baby": ("Diapers", "Wipes", "Bottle", "Stroller toy", "Bib", "Baby lotion"),
    "sports": ("Yoga mat", "Running shoes", "Dumbbell", "Water bottle", "Jump rope", "Shorts"),
    "books": ("Novel", "Cookbook", "Notebook", "Workbook", "Comic", "Planner"),
}
PROMO_PROB = 0.22
PROMO_DEPTHS = (0.10, 0.20, 0.30, 0.40)
ADJ = ("Classic", "Soft", "Pro", "Lite", "Daily", "Premium", "Mini", "Eco", "Plus", "Smart")


@dataclass
class ProductModel:
    """Everything about products the other sub-models need (arrays indexed [day, sku])."""

    table: pd.DataFrame
    category_idx: np.ndarray  # category index per SKU
    popularity: np.ndarray  # base demand weight per SKU
    life: np.ndarray  # [day, sku] life-cycle multiplier (0 before launch)
    launched: np.ndarray  # [day, sku] bool
    price: np.ndarray  # [day, sku] selling price
    comp_price: np.ndarray  # [day, sku] competitor price
    demand_weight: np.ndarray  # [day, sku] popularity x life x price effects
    partner: np.ndarray  # bundle partner index or -1
    defective: np.ndarray  # bool per SKU: a quality problem raising returns
    competitor_table: pd.DataFrame
    truth: dict


@dataclass
class Catalogue:
    """The drawn SKUs before any day is simulated."""

    category_idx: np.ndarray
    role: np.ndarray  # traffic, profit, bundle or regular
    partner: np.ndarray  # bundle partner index or -1
    list_price: np.ndarray
    unit_cost: np.ndarray
    popularity: np.ndarray


@dataclass
class LifeCycle:
    """Launch, ramp-up, maturity and decline of every SKU over the run."""

    launch_offset: np.ndarray  # launch day relative to the first day (negative: before the run)
    ramp: np.ndarray
    peak_age: np.ndarray
    age: np.ndarray  # [day, sku] days since launch
    launched: np.ndarray  # [day, sku] bool
    life: np.ndarray  # [day, sku] multiplier


def build_products(
    rng: np.random.Generator,
    start: date,
    days: int,
    elasticity: dict,
    cross: dict,
    prices: dict[int, list[tuple[int, int, float]]] | None = None,
) -> ProductModel:
    """Draw the catalogue and its daily prices, competitor prices and life cycles.

    `prices` maps a SKU index to (first day, last day, price) periods that replace its drawn
    promotions: those days sell at the given price, its other days at the list price.
    """
    cats = list(CATEGORIES)
    catalogue = _draw_catalogue(rng, cats)
    t0 = pd.Timestamp(start)
    cycle = _draw_life_cycle(rng, catalogue.list_price.size, days)
    week = (np.arange(days) + t0.weekday()) // 7
    price = _daily_prices(rng, catalogue.list_price, week, prices)
    comp_weekly = _competitor_prices(rng, catalogue.list_price, week[-1] + 1)
    comp = comp_weekly[week]
    idx = catalogue.category_idx
    elasticity_by_sku = np.array([elasticity[c] for c in cats])[idx]
    cross_by_sku = np.array([cross[c] for c in cats])[idx]
    list_price, pop = catalogue.list_price, catalogue.popularity
    demand_weight = (
        pop[None, :]
        * cycle.life
        * (price / list_price) ** elasticity_by_sku
        * (comp / list_price) ** cross_by_sku
    )
    # a few SKUs (not the top sellers) have a quality problem that raises returns
    defective = (rng.random(pop.size) < 0.04) & (pop < np.quantile(pop, 0.8))
    skus = np.array([f"SKU{i + 1:04d}" for i in range(pop.size)])
    table = _product_table(rng, cats, catalogue, cycle, skus, t0)
    return ProductModel(
        table,
        idx,
        pop,
        cycle.life,
        cycle.launched,
        price,
        comp,
        demand_weight,
        catalogue.partner,
        defective,
        _competitor_table(comp_weekly, week, cycle.launched, skus, t0),
        _product_truth(cats, catalogue, cycle, defective, skus, t0),
    )


def _draw_catalogue(rng: np.random.Generator, cats: list[str]) -> Catalogue:
    """SKUs per category with roles, bundle pairs, list prices, costs and popularity."""
    rows = []
    for ci, cat in enumerate(cats):
        rows += [ci] * int(CATEGORIES[cat]["n_skus"])
    cidx = np.array(rows)
    n = len(cidx)
    # roles: per category ~8 % traffic, 15 % profit, 12 % bundle (pairs), the rest regular
    role = np.full(n, "regular", dtype=object)
    partner = np.full(n, -1)
    for ci in range(len(cats)):
        idx = rng.permutation(np.flatnonzero(cidx == ci))
        k = len(idx)
        nt, npf, nb = max(2, round(0.08 * k)), max(3, round(0.15 * k)), 2 * max(1, round(0.06 * k))
        role[idx[:nt]] = "traffic"
        role[idx[nt : nt + npf]] = "profit"
        b = idx[nt + npf : nt + npf + nb]
        role[b] = "bundle"
        partner[b[0::2]] = b[1::2]
        partner[b[1::2]] = b[0::2]
    med = np.array([CATEGORIES[c]["price"] for c in cats])[cidx]
    mult = np.where(role == "traffic", 0.55, np.where(role == "profit", 1.35, 1.0))
    raw = med * mult * np.exp(rng.normal(0, 0.45, n))
    list_price = np.maximum(np.round(raw / 10) * 10 - 1, 9.0)
    cost_ratio = np.array([CATEGORIES[c]["cost_ratio"] for c in cats])[cidx]
    cost_ratio = np.where(role == "traffic", 0.80, np.where(role == "profit", 0.32, cost_ratio))
    unit_cost = np.round(list_price * cost_ratio * rng.uniform(0.92, 1.08, n), 2)
    share = np.array([CATEGORIES[c]["share"] for c in cats])
    pop = rng.lognormal(0, 1.25, n)
    pop *= np.where(role == "traffic", 4.0, np.where(role == "profit", 0.8, 1.0))
    # normalise so that each category gets its demand share (by units)
    for ci in range(len(cats)):
        m = cidx == ci
        pop[m] *= share[ci] / pop[m].sum()
    return Catalogue(cidx, role, partner, list_price, unit_cost, pop)


def _draw_life_cycle(rng: np.random.Generator, n: int, days: int) -> LifeCycle:
    """Launch day, ramp-up, maturity and decline of each SKU; multiplier per day."""
    new = rng.random(n) < 0.22
    launch_off = np.where(new, rng.integers(0, max(days - 45, 1), n), -rng.integers(60, 1100, n))
    ramp = rng.uniform(10, 40, n)
    peak_age = rng.uniform(200, 1000, n)
    decay = rng.uniform(60, 220, n)
    d = np.arange(days)[:, None]
    age = d - launch_off[None, :]
    launched = age >= 0
    life = np.where(launched, 1 - np.exp(-(age + 1) / ramp), 0.0)
    life *= np.where(age > peak_age, np.exp(-(age - peak_age) / decay), 1.0)
    return LifeCycle(launch_off, ramp, peak_age, age, launched, life)


def _daily_prices(
    rng: np.random.Generator,
    list_price: np.ndarray,
    week: np.ndarray,
    prices: dict[int, list[tuple[int, int, float]]] | None,
) -> np.ndarray:
    """Selling price per [day, sku]: weekly promotions, exogenous to demand, or `prices`."""
    n, nweeks = list_price.size, week[-1] + 1
    promo = rng.random((nweeks, n)) < PROMO_PROB
    depth = rng.choice(PROMO_DEPTHS, p=[0.3, 0.3, 0.25, 0.15], size=(nweeks, n))
    disc = np.where(promo, depth, 0.0)
    price = np.round(list_price[None, :] * (1 - disc[week]), 2)
    for sku, periods in (prices or {}).items():
        price[:, sku] = np.round(list_price[sku], 2)
        for first, last, value in periods:
            price[first : last + 1, sku] = value
    return price


def _competitor_prices(rng: np.random.Generator, list_price: np.ndarray, nweeks: int) -> np.ndarray:
    """Competitor price per [week, sku]: weekly AR(1) around a SKU-specific level."""
    n = list_price.size
    lvl = rng.normal(0.0, 0.08, n)
    eps = rng.normal(0.0, 0.08, (nweeks, n))
    ar = np.zeros((nweeks, n))
    ar[0] = eps[0] / np.sqrt(1 - 0.7**2)
    for w in range(1, nweeks):
        ar[w] = 0.7 * ar[w - 1] + eps[w]
    return np.round(list_price[None, :] * np.exp(lvl[None, :] + ar), 2)


def _product_table(
    rng: np.random.Generator,
    cats: list[str],
    catalogue: Catalogue,
    cycle: LifeCycle,
    skus: np.ndarray,
    t0: pd.Timestamp,
) -> pd.DataFrame:
    """The products table, with drawn names such as "Soft Hoodie 012"."""
    cidx, partner = catalogue.category_idx, catalogue.partner
    words = [NAME_WORDS[cats[c]] for c in cidx]
    names = [
        f"{ADJ[rng.integers(len(ADJ))]} {w[rng.integers(len(w))]} {i + 1:03d}"
        for i, w in enumerate(words)
    ]
    return pd.DataFrame(
        {
            "sku": pd.array(skus, dtype="str"),
            "name": pd.array(names, dtype="str"),
            "category": pd.array(np.array(cats)[cidx], dtype="str"),
            "role": pd.array(catalogue.role, dtype="str"),
            "list_price": catalogue.list_price,
            "unit_cost": catalogue.unit_cost,
            "launch_date": (t0 + pd.to_timedelta(cycle.launch_offset, unit="D")).astype(
                "datetime64[ns]"
            ),
            "bundle_partner": pd.array(
                np.where(partner >= 0, skus[np.maximum(partner, 0)], None), dtype="str"
            ),
        }
    )


def _competitor_table(
    comp_weekly: np.ndarray,
    week: np.ndarray,
    launched: np.ndarray,
    skus: np.ndarray,
    t0: pd.Timestamp,
) -> pd.DataFrame:
    """Weekly competitor prices, from the first day of each week in the run, launched SKUs."""
    wk_first = np.array([np.flatnonzero(week == w)[0] for w in range(comp_weekly.shape[0])])
    ww, ss = np.nonzero(launched[wk_first])
    return pd.DataFrame(
        {
            "date": (t0 + pd.to_timedelta(wk_first[ww], unit="D")).astype("datetime64[ns]"),
            "sku": pd.array(skus[ss], dtype="str"),
            "competitor_price": comp_weekly[ww, ss],
        }
    )


def _product_truth(
    cats: list[str],
    catalogue: Catalogue,
    cycle: LifeCycle,
    defective: np.ndarray,
    skus: np.ndarray,
    t0: pd.Timestamp,
) -> dict:
    """Per-SKU roles, popularity, life-cycle stage and defects; the promotion rule."""
    cidx, role, partner, pop = (
        catalogue.category_idx,
        catalogue.role,
        catalogue.partner,
        catalogue.popularity,
    )
    launch_off, peak_age = cycle.launch_offset, cycle.peak_age
    stage_end = _stages(cycle.age[-1], cycle.ramp, peak_age, cycle.launched[-1])
    clear = []
    for i in range(skus.size):
        dstart = launch_off[i] + peak_age[i]
        clear.append(str((t0 + pd.Timedelta(days=float(np.ceil(dstart)))).date()))
    return {
        "skus": {
            skus[i]: dict(
                category=cats[cidx[i]],
                role=role[i],
                popularity=round(float(pop[i]), 6),
                bundle_partner=skus[partner[i]] if partner[i] >= 0 else None,
                life_cycle_stage_at_end=stage_end[i],
                decline_start=clear[i],
                defective=bool(defective[i]),
            )
            for i in range(skus.size)
        },
        "promotions": {"weekly_promo_probability": PROMO_PROB, "depths": list(PROMO_DEPTHS)},
    }


def _stages(
    age: np.ndarray, ramp: np.ndarray, peak_age: np.ndarray, launched: np.ndarray
) -> list[str]:
    """Life-cycle stage of each SKU at a given age."""
    out = np.where(
        ~launched,
        "not_launched",
        np.where(
            age < ramp,
            "introduction",
            np.where(age < 3 * ramp, "growth", np.where(age < peak_age, "maturity", "decline")),
        ),
    )
    return out.tolist()
