"""Products (roles, prices, costs, life cycles), daily selling prices and competitor prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from storeops.sim.params import CATEGORIES
from storeops.sim.traffic import product_exposure

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
FASHION_SHARE = 0.5  # of the regular apparel items
# seasonal categories: (day of year of the peak, peak-to-trough ratio of their demand); the
# months around the peak sell 2-5 times the opposite months (F20) once clearances, whose
# price cuts also win off-season free traffic (traffic.product_exposure), are counted in
SEASONS = {"apparel": (350, 3.4), "sports": (190, 3.5)}
STAGES = ("not_launched", "introduction", "growth", "maturity", "decline", "ended")
# a fashion item's season ends this many decay times after its decline starts (its demand is
# down to about 14 % of its plateau); it is then taken off sale and its stock written down
SEASON_END_DECAYS = 2.0
# a seasonal category's season ends this long after its peak (its wave falls back through 1)
SEASON_END_AFTER_PEAK = 365.25 / 4
# at a seasonal category's season end, stock beyond this many days of expected demand goes
SEASON_CARRY_DAYS = 30
# the store's own clearance routine: a share of its fashion items are marked down, at a drawn
# depth, from a drawn week in the last CLEARANCE_WEEKS weeks before their season end
CLEARANCE_SHARE = 0.5
CLEARANCE_DEPTHS = (0.2, 0.3, 0.4, 0.5)
CLEARANCE_WEEKS = (1, 4)
REFERENCE_DAYS = 28  # shoppers' memory of a SKU's past prices
PERMANENT_SHARE = 0.5  # a lasting price change moves demand half as much as a temporary one
ADJ = ("Classic", "Soft", "Pro", "Lite", "Daily", "Premium", "Mini", "Eco", "Plus", "Smart")


@dataclass
class ProductModel:
    """Everything about products the other sub-models need (arrays indexed [day, sku])."""

    table: pd.DataFrame
    category_idx: np.ndarray  # category index per SKU
    role: np.ndarray  # traffic, profit, bundle or regular (an answer: truth only)
    popularity: np.ndarray  # base demand weight per SKU
    life: np.ndarray  # [day, sku] life-cycle multiplier (0 before launch)
    season: np.ndarray  # [day, sku] seasonal multiplier of the SKU's category
    launched: np.ndarray  # [day, sku] bool: on sale (launched, and a fashion item not ended)
    seasons: SeasonEnds
    own_clearance: np.ndarray  # [sku, (first day, last day, depth)]; first -1: none
    elasticity_by_sku: np.ndarray  # the true own-price elasticity of each SKU's category
    price: np.ndarray  # [day, sku] selling price
    comp_price: np.ndarray  # [day, sku] competitor price
    demand_weight: np.ndarray  # [day, sku] popularity x life x price effects
    price_index: np.ndarray  # [day] how prices lift the store's conversion (1: its own plan)
    category_weight: np.ndarray  # [day, category] summed demand weights of the category
    # [day, sku] the platform's exposure of the SKU to free visitors (traffic.product_exposure)
    free_exposure: np.ndarray
    partner: np.ndarray  # bundle partner index or -1
    defective: np.ndarray  # bool per SKU: a quality problem raising returns
    competitor_table: pd.DataFrame
    truth: dict


@dataclass
class SeasonEnds:
    """When the stock of seasonal and fashion SKUs is written down (see `season_ends`)."""

    end: np.ndarray  # [day, sku] bool: the SKU's season ends at the end of that day
    delisted: np.ndarray  # bool per SKU: a fashion item, off sale after its season end
    last_buy: np.ndarray  # per SKU: last day the planner may reorder (fashion: decline start)
    fashion: np.ndarray  # bool per SKU
    seasonal: np.ndarray  # bool per SKU: not fashion, in a seasonal category
    end_day: np.ndarray  # per SKU: a fashion item's last day on sale (-1: none in the run)


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
    fashion: np.ndarray  # bool per SKU: a short-lived fashion item
    decay: np.ndarray  # days for demand to fall by a factor e after the decline starts
    end_offset: np.ndarray  # a fashion item's last day on sale (day index; inf for others)


def build_products(
    rng: np.random.Generator,
    fashion_rng: np.random.Generator,
    start: date,
    days: int,
    elasticity: dict,
    cross: dict,
    prices: dict[int, list[tuple[int, int, float]]] | None = None,
    festival_discount: np.ndarray | None = None,
) -> ProductModel:
    """Draw the catalogue and its daily prices, competitor prices and life cycles.

    `prices` maps a SKU index to (first day, last day, price) periods that replace its drawn
    promotions: those days sell at the given price, its other days at the list price.
    `festival_discount` [day] cuts every price of the day by that share on top.
    """
    cats = list(CATEGORIES)
    catalogue = _draw_catalogue(rng, cats)
    t0 = pd.Timestamp(start)
    cats_of = np.array(cats)[catalogue.category_idx]
    cycle = _draw_life_cycle(
        rng,
        fashion_rng,
        catalogue.list_price.size,
        days,
        (cats_of == "apparel") & (catalogue.role == "regular"),
    )
    week = (np.arange(days) + t0.weekday()) // 7
    seasons = season_ends(cycle, cats_of, t0, days)
    clearance = _draw_clearance(fashion_rng, seasons, week)
    price, drawn = _daily_prices(rng, catalogue.list_price, week, prices, clearance)
    if festival_discount is not None and festival_discount.any():
        cut = festival_discount > 0
        price[cut] = np.round(price[cut] * (1 - festival_discount[cut, None]), 2)
    comp_weekly = _competitor_prices(rng, catalogue.list_price, week[-1] + 1)
    comp = comp_weekly[week]
    idx = catalogue.category_idx
    elasticity_by_sku = np.array([elasticity[c] for c in cats])[idx]
    cross_by_sku = np.array([cross[c] for c in cats])[idx]
    list_price, pop = catalogue.list_price, catalogue.popularity
    season = season_multiplier(t0, days, cats)[:, idx]
    interest = pop[None, :] * cycle.life * season * (comp / list_price) ** cross_by_sku
    response = price_response(price, list_price, elasticity_by_sku)
    demand_weight = interest * response
    # prices act at the funnel: the store converts in proportion to its summed demand weights,
    # scaled so that the store's own drawn prices convert as the funnel's base rates say
    own = interest * price_response(drawn, list_price, elasticity_by_sku)
    total = np.maximum(interest.sum(axis=1), 1e-300)
    price_index = demand_weight.sum(axis=1) / total / np.mean(own.sum(axis=1) / total)
    category_weight = np.stack(
        [demand_weight[:, idx == k].sum(axis=1) for k in range(len(cats))], axis=1
    )
    # a few SKUs (not the top sellers) have a quality problem that raises returns
    defective = (rng.random(pop.size) < 0.04) & (pop < np.quantile(pop, 0.8))
    skus = np.array([f"SKU{i + 1:04d}" for i in range(pop.size)])
    table = _product_table(rng, cats, catalogue, cycle, skus, t0)
    table["season_end"] = _dates(t0, seasons.end_day)
    return ProductModel(
        table,
        idx,
        catalogue.role,
        pop,
        cycle.life,
        season,
        cycle.launched,
        seasons,
        clearance,
        elasticity_by_sku,
        price,
        comp,
        demand_weight,
        price_index,
        category_weight,
        product_exposure(response),
        catalogue.partner,
        defective,
        _competitor_table(comp_weekly, week, cycle.launched, skus, t0),
        _product_truth(cats, catalogue, cycle, defective, skus, t0, clearance),
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


def _draw_life_cycle(
    rng: np.random.Generator,
    fashion_rng: np.random.Generator,
    n: int,
    days: int,
    fashion_candidate: np.ndarray,
) -> LifeCycle:
    """Launch day, ramp-up, maturity and decline of each SKU; multiplier per day.

    Fashion items (FASHION_SHARE of the candidates) come in collections through the year and
    sell for about 8-20 weeks: a short ramp, a plateau of 3-8 weeks, a fast decline.
    """
    new = rng.random(n) < 0.22
    launch_off = np.where(new, rng.integers(0, max(days - 45, 1), n), -rng.integers(60, 1100, n))
    ramp = rng.uniform(10, 40, n)
    peak_age = rng.uniform(200, 1000, n)
    decay = rng.uniform(60, 220, n)
    # fashion draws come from their own stream: the rest of the catalogue stays as it was
    fashion = fashion_candidate & (fashion_rng.random(n) < FASHION_SHARE)
    launch_off = np.where(fashion, fashion_rng.integers(-60, max(days - 60, 1), n), launch_off)
    ramp = np.where(fashion, fashion_rng.uniform(4, 10, n), ramp)
    peak_age = np.where(fashion, fashion_rng.uniform(21, 56, n), peak_age)
    decay = np.where(fashion, fashion_rng.uniform(12, 30, n), decay)
    # a fashion item is taken off sale at its season end
    end = np.where(fashion, np.ceil(launch_off + peak_age + SEASON_END_DECAYS * decay), np.inf)
    d = np.arange(days)[:, None]
    age = d - launch_off[None, :]
    launched = (age >= 0) & (d <= end[None, :])
    life = np.where(launched, 1 - np.exp(-(age + 1) / ramp), 0.0)
    life *= np.where(age > peak_age, np.exp(-(age - peak_age) / decay), 1.0)
    return LifeCycle(launch_off, ramp, peak_age, age, launched, life, fashion, decay, end)


def season_ends(cycle: LifeCycle, cats_of: np.ndarray, t0: pd.Timestamp, days: int) -> SeasonEnds:
    """The days on which seasonal and fashion SKUs' seasons end.

    A fashion item's season ends SEASON_END_DECAYS decay times after its decline starts; the
    planner buys it no more once its decline starts. A seasonal category's season ends
    SEASON_END_AFTER_PEAK days after its peak, every year, for its SKUs that are not fashion.
    """
    n = cats_of.size
    end = np.zeros((days, n), dtype=bool)
    fashion = cycle.fashion
    in_run = fashion & (cycle.end_offset >= 0) & (cycle.end_offset < days)
    end_day = np.where(in_run, cycle.end_offset, -1).astype(np.int64)
    end[end_day[in_run], np.flatnonzero(in_run)] = True
    doy = pd.date_range(t0, periods=days, freq="D").day_of_year.to_numpy()
    seasonal = np.isin(cats_of, list(SEASONS)) & ~fashion
    for cat, (peak, _) in SEASONS.items():
        last = (round(peak + SEASON_END_AFTER_PEAK) - 1) % 365 + 1
        mine = seasonal & (cats_of == cat)
        end[np.ix_(doy == last, mine)] = True
    end &= cycle.launched
    last_buy = np.where(fashion, np.floor(cycle.launch_offset + cycle.peak_age), days)
    return SeasonEnds(end, fashion.copy(), last_buy.astype(np.int64), fashion, seasonal, end_day)


def _draw_clearance(
    fashion_rng: np.random.Generator, seasons: SeasonEnds, week: np.ndarray
) -> np.ndarray:
    """The store's own clearance per SKU: [start day, last day, depth] (start -1: none).

    CLEARANCE_SHARE of the fashion items whose season ends in the run are marked down by a
    drawn depth from the Monday of a drawn week, 1-4 weeks before their season end's week,
    until their season end (drawn for every SKU, so the draws do not depend on which are
    fashion items).
    """
    n = seasons.end_day.size
    marked = fashion_rng.random(n) < CLEARANCE_SHARE
    depth = fashion_rng.choice(CLEARANCE_DEPTHS, size=n)
    weeks = fashion_rng.integers(CLEARANCE_WEEKS[0], CLEARANCE_WEEKS[1] + 1, n)
    last = seasons.end_day
    has = marked & (last >= 0)
    week_start = np.searchsorted(week, np.arange(week[-1] + 1))
    start_week = np.maximum(week[np.maximum(last, 0)] - weeks + 1, 0)
    start = np.where(has, week_start[start_week], -1)
    return np.stack([start, last, np.where(has, depth, 0.0)], axis=1)


def _daily_prices(
    rng: np.random.Generator,
    list_price: np.ndarray,
    week: np.ndarray,
    prices: dict[int, list[tuple[int, int, float]]] | None,
    clearance: np.ndarray,
) -> np.ndarray:
    """Selling price per [day, sku] and the store's own prices (drawn promotions, clearance)
    that it replaces where `prices` says."""
    n, nweeks = list_price.size, week[-1] + 1
    promo = rng.random((nweeks, n)) < PROMO_PROB
    depth = rng.choice(PROMO_DEPTHS, p=[0.3, 0.3, 0.25, 0.15], size=(nweeks, n))
    disc = np.where(promo, depth, 0.0)
    drawn = np.round(list_price[None, :] * (1 - disc[week]), 2)
    for sku in np.flatnonzero(clearance[:, 0] >= 0):
        first, last, cut = int(clearance[sku, 0]), int(clearance[sku, 1]), clearance[sku, 2]
        drawn[first : last + 1, sku] = np.round(list_price[sku] * (1 - cut), 2)
    price = drawn.copy()
    for sku, periods in (prices or {}).items():
        price[:, sku] = np.round(list_price[sku], 2)
        for first, last, value in periods:
            price[first : last + 1, sku] = value
    return price, drawn


def season_multiplier(t0: pd.Timestamp, days: int, cats: list[str]) -> np.ndarray:
    """Demand multiplier per [day, category]: 1 for all-year categories, a yearly wave for
    the seasonal ones (geometric mean 1 over the year)."""
    doy = pd.date_range(t0, periods=days, freq="D").day_of_year.to_numpy()
    out = np.ones((days, len(cats)))
    for k, cat in enumerate(cats):
        if cat in SEASONS:
            peak, ratio = SEASONS[cat]
            out[:, k] = np.exp(0.5 * np.log(ratio) * np.cos(2 * np.pi * (doy - peak) / 365.25))
    return out


def reference_prices(
    price: np.ndarray, list_price: np.ndarray, start: np.ndarray | None = None
) -> np.ndarray:
    """The price shoppers expect per [day, sku]: their memory of its past prices.

    Exponential smoothing over about REFERENCE_DAYS days of the SKU's own prices before the
    day, starting from the list price (or from `start`, the reference on the first row).
    """
    ref = np.empty_like(price, dtype=float)
    memory = np.asarray(list_price if start is None else start, dtype=float).copy()
    alpha = 1.0 / REFERENCE_DAYS
    for d in range(price.shape[0]):
        ref[d] = memory
        memory += alpha * (price[d] - memory)
    return ref


def price_response(
    price: np.ndarray,
    list_price: np.ndarray,
    elasticity: np.ndarray,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Demand multiplier of prices per [day, sku]: a cut below the reference price moves units
    with the full elasticity; a lasting change, once remembered, PERMANENT_SHARE of it.
    `start`: the reference prices on the first row (default: the list prices)."""
    ref = reference_prices(price, list_price, start)
    return (price / ref) ** elasticity * (ref / list_price) ** (PERMANENT_SHARE * elasticity)


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


def _dates(t0: pd.Timestamp, day: np.ndarray) -> np.ndarray:
    """Dates of day indices (NaT where the index is negative)."""
    day = np.asarray(day, dtype=np.int64)
    when = np.datetime64(t0, "ns") + day.astype("timedelta64[D]").astype("timedelta64[ns]")
    return np.where(day >= 0, when, np.datetime64("NaT", "ns"))


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
    clearance: np.ndarray,
) -> dict:
    """Per-SKU roles, popularity, life-cycle stage, defects and the store's own clearance;
    the promotion and season-end rules."""
    cidx, role, partner, pop = (
        catalogue.category_idx,
        catalogue.role,
        catalogue.partner,
        catalogue.popularity,
    )
    launch_off, peak_age = cycle.launch_offset, cycle.peak_age
    stage_end = _stages(cycle.age[-1], cycle.ramp, peak_age, cycle.launched[-1])
    # the stage on the first day of every week of the run, one letter per week
    week_first = np.arange(0, cycle.age.shape[0], 7)
    by_week = np.array(
        [_stages(cycle.age[d], cycle.ramp, peak_age, cycle.launched[d]) for d in week_first]
    )
    cleared = clearance[:, 0] >= 0

    def day(d) -> str:
        return str((t0 + pd.Timedelta(days=int(d))).date())

    letter = {s: s[0] for s in STAGES}
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
                fashion=bool(cycle.fashion[i]),
                stage_by_week="".join(letter[s] for s in by_week[:, i]),
                defective=bool(defective[i]),
                own_clearance=dict(
                    start=day(clearance[i, 0]),
                    end=day(clearance[i, 1]),
                    depth=float(clearance[i, 2]),
                )
                if cleared[i]
                else None,
            )
            for i in range(skus.size)
        },
        "promotions": {"weekly_promo_probability": PROMO_PROB, "depths": list(PROMO_DEPTHS)},
        "own_clearance_rule": (
            f"{CLEARANCE_SHARE:.0%} of the fashion items whose season ends in the run, drawn "
            f"at random, are marked down by {', '.join(f'{d:.0%}' for d in CLEARANCE_DEPTHS)} "
            f"(drawn) from the Monday {CLEARANCE_WEEKS[0]}-{CLEARANCE_WEEKS[1]} weeks (drawn) "
            "before their season end's week until their season end"
        ),
        "season_end_rule": (
            f"a fashion item's season ends {SEASON_END_DECAYS:g} decay times after its decline "
            "starts (products.season_end): it is taken off sale and its stock left that day is "
            "written down; the planner buys it no more once its decline starts. A seasonal "
            f"category's season ends {SEASON_END_AFTER_PEAK:g} days after its peak each year: "
            "the stock of its other SKUs beyond the planner's expected demand of the next "
            f"{SEASON_CARRY_DAYS} days is written down. Written-down stock goes to an outlet at "
            "a salvage share of its cost (Costs.outlet_salvage_share)"
        ),
        "stage_letters": {s[0]: s for s in STAGES},
        "stage_by_week_starts": str(t0.date()),
        "seasons": {
            c: dict(peak_day_of_year=peak, peak_to_trough=ratio)
            for c, (peak, ratio) in SEASONS.items()
        },
    }


def _stages(
    age: np.ndarray, ramp: np.ndarray, peak_age: np.ndarray, launched: np.ndarray
) -> list[str]:
    """Life-cycle stage of each SKU at a given age (`launched`: on sale)."""
    out = np.where(
        ~launched,
        np.where(age >= 0, "ended", "not_launched"),
        np.where(
            age < ramp,
            "introduction",
            np.where(age < 3 * ramp, "growth", np.where(age < peak_age, "maturity", "decline")),
        ),
    )
    return out.tolist()
