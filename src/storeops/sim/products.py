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
    cost_ratio = np.where(role == "traffic", 0.92, np.where(role == "profit", 0.32, cost_ratio))
    unit_cost = np.round(list_price * cost_ratio * rng.uniform(0.92, 1.08, n), 2)
    share = np.array([CATEGORIES[c]["share"] for c in cats])
    pop = rng.lognormal(0, 1.25, n)
    pop *= np.where(role == "traffic", 4.0, np.where(role == "profit", 0.8, 1.0))
    # normalise so that each category gets its demand share (by units)
    for ci in range(len(cats)):
        m = cidx == ci
        pop[m] *= share[ci] / pop[m].sum()
    # life cycle: launch, ramp-up, maturity, decline
    t0 = pd.Timestamp(start)
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
    # prices: weekly promotions, exogenous to demand
    week = (np.arange(days) + t0.weekday()) // 7
    nweeks = week[-1] + 1
    promo = rng.random((nweeks, n)) < PROMO_PROB
    depth = rng.choice(PROMO_DEPTHS, p=[0.3, 0.3, 0.25, 0.15], size=(nweeks, n))
    disc = np.where(promo, depth, 0.0)
    price = np.round(list_price[None, :] * (1 - disc[week]), 2)
    for sku, periods in (prices or {}).items():
        price[:, sku] = np.round(list_price[sku], 2)
        for first, last, value in periods:
            price[first : last + 1, sku] = value
    # competitor prices: weekly AR(1) around a SKU-specific level
    lvl = rng.normal(0.0, 0.08, n)
    eps = rng.normal(0.0, 0.08, (nweeks, n))
    ar = np.zeros((nweeks, n))
    ar[0] = eps[0] / np.sqrt(1 - 0.7**2)
    for w in range(1, nweeks):
        ar[w] = 0.7 * ar[w - 1] + eps[w]
    comp_w = np.round(list_price[None, :] * np.exp(lvl[None, :] + ar), 2)
    comp = comp_w[week]
    e = np.array([elasticity[c] for c in cats])[cidx]
    x = np.array([cross[c] for c in cats])[cidx]
    dw = pop[None, :] * life * (price / list_price) ** e * (comp / list_price) ** x
    # a few SKUs (not the top sellers) have a quality problem that raises returns
    defective = (rng.random(n) < 0.04) & (pop < np.quantile(pop, 0.8))
    skus = np.array([f"SKU{i + 1:04d}" for i in range(n)])
    words = [NAME_WORDS[cats[c]] for c in cidx]
    names = [
        f"{ADJ[rng.integers(len(ADJ))]} {w[rng.integers(len(w))]} {i + 1:03d}"
        for i, w in enumerate(words)
    ]
    table = pd.DataFrame(
        {
            "sku": pd.array(skus, dtype="str"),
            "name": pd.array(names, dtype="str"),
            "category": pd.array(np.array(cats)[cidx], dtype="str"),
            "role": pd.array(role, dtype="str"),
            "list_price": list_price,
            "unit_cost": unit_cost,
            "launch_date": (t0 + pd.to_timedelta(launch_off, unit="D")).astype("datetime64[ns]"),
            "bundle_partner": pd.array(
                np.where(partner >= 0, skus[np.maximum(partner, 0)], None), dtype="str"
            ),
        }
    )
    # competitor table: weekly, from the first day of each week in the window, launched SKUs
    wk_first = np.array([np.flatnonzero(week == w)[0] for w in range(nweeks)])
    ww, ss = np.nonzero(launched[wk_first])
    comp_tab = pd.DataFrame(
        {
            "date": (t0 + pd.to_timedelta(wk_first[ww], unit="D")).astype("datetime64[ns]"),
            "sku": pd.array(skus[ss], dtype="str"),
            "competitor_price": comp_w[ww, ss],
        }
    )
    stage_end, clear = _stages(age[-1], ramp, peak_age, launched[-1]), []
    for i in range(n):
        dstart = launch_off[i] + peak_age[i]
        clear.append(str((t0 + pd.Timedelta(days=float(np.ceil(dstart)))).date()))
    truth = {
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
            for i in range(n)
        },
        "promotions": {"weekly_promo_probability": PROMO_PROB, "depths": list(PROMO_DEPTHS)},
    }
    return ProductModel(
        table, cidx, pop, life, launched, price, comp, dw, partner, defective, comp_tab, truth
    )


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
