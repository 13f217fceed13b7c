"""The orders' helpers (sorting, merging repeats, the category race, the SKU pick, top-ups)
give what their definitions say, on keys with many ties and on more rows than one piece of
the work (a large store is done in pieces)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from storeops.sim.orders import (
    RACE_CHUNK_ROWS,
    TOP_UP_OVERSHOOT,
    _pick_sku_in_category,
    _race_category,
    _top_up_pick,
    merge_lines,
    stable_lexsort,
)

RNG = np.random.default_rng(12)


def test_stable_lexsort_keeps_tied_rows_in_their_order_like_numpy_lexsort():
    day = RNG.integers(0, 5, 10_000)
    minor = RNG.integers(0, 3, 10_000)  # most rows tie with others on both keys
    order = stable_lexsort((minor, day), (3, 5))
    assert order.tolist() == np.lexsort((minor, day)).tolist()


def test_merge_lines_sums_a_skus_repeats_in_an_order_and_sorts_by_order_then_sku():
    line_order = RNG.integers(0, 300, 2_000)
    sku = RNG.integers(0, 8, 2_000)
    qty = RNG.integers(1, 4, 2_000)
    merged = merge_lines(line_order, sku, qty, 8)
    expected = Counter()
    for o, s, q in zip(line_order.tolist(), sku.tolist(), qty.tolist(), strict=True):
        expected[(o, s)] += q
    got = list(zip(merged["order"].tolist(), merged["sku"].tolist(), strict=True))
    assert got == sorted(expected)
    assert merged["qty"].tolist() == [expected[k] for k in got]
    empty = merge_lines(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64), 8)
    assert all(v.size == 0 for v in empty.values())


def test_a_lines_category_is_the_first_arrival_of_its_day_whatever_lines_come_with_it():
    n, days, cats = 2 * RACE_CHUNK_ROWS + 5, 4, 3
    weight = RNG.uniform(0.5, 2.0, (days, cats))
    weight[1, 2] = 0.0  # a category out of the race that day
    day = RNG.integers(0, days, n)
    u = RNG.uniform(0, 1, (n, cats)).astype(np.float32)
    cat = _race_category(weight, day, u)
    with np.errstate(divide="ignore"):
        arrival = -np.log1p(-u) / weight.astype(np.float32)[day]
    assert cat.tolist() == np.argmin(arrival, axis=1).tolist()
    assert not (cat[day == 1] == 2).any()
    for i in (0, RACE_CHUNK_ROWS - 1, RACE_CHUNK_ROWS, n - 1):
        assert _race_category(weight, day[i : i + 1], u[i : i + 1])[0] == cat[i]


def test_a_top_up_closes_the_gap_with_a_launched_sku_and_a_repriced_one_moves_only_its_picks():
    n_sku = 40
    price = np.linspace(5.0, 200.0, n_sku)
    weight = RNG.uniform(0.1, 1.0, n_sku)
    launched = np.ones(n_sku, dtype=bool)
    launched[::7] = False
    key = np.arange(500, dtype=np.int64) * 977
    gap = RNG.uniform(1.0, 150.0, key.size)
    gap[0] = 1000.0  # nothing on sale closes this gap
    pick = _top_up_pick(3, key, gap, price, weight, launched)
    assert pick[0] == -1
    took = pick >= 0
    p, g = price[pick[took]], gap[took]
    assert launched[pick[took]].all()
    assert ((p >= g) & (p <= g + np.maximum(TOP_UP_OVERSHOOT * g, 10.0))).all()
    # a SKU priced out of every basket's reach loses its picks, and only those move
    priced_out = price.copy()
    priced_out[pick[1]] = 10_000.0
    again = _top_up_pick(3, key, gap, priced_out, weight, launched)
    moved = again != pick
    assert moved.any() and (pick[moved] == pick[1]).all()


def test_a_lines_sku_is_of_its_category_with_demand_that_day_whatever_lines_come_with_it():
    days, n_sku = 3, 12
    category_idx = np.repeat(np.arange(3), 4)  # the SKUs of a category are contiguous
    weight = RNG.uniform(0.5, 2.0, (days, n_sku))
    weight[0, 4:6] = 0.0  # two SKUs of category 1 sell nothing on day 0
    n = 2 * RACE_CHUNK_ROWS + 9
    day, cat = RNG.integers(0, days, n), RNG.integers(0, 3, n)
    u = RNG.uniform(0, 1, n).astype(np.float32)
    sku = _pick_sku_in_category(weight, category_idx, day, cat, u)
    assert (category_idx[sku] == cat).all() and (weight[day, sku] > 0).all()
    # a larger uniform never picks an earlier SKU of the same day and category
    mine = np.flatnonzero((day == 2) & (cat == 1))
    by_u = mine[np.argsort(u[mine])]
    assert (np.diff(sku[by_u]) >= 0).all()
    for i in (0, RACE_CHUNK_ROWS - 1, RACE_CHUNK_ROWS, n - 1):
        one = _pick_sku_in_category(
            weight, category_idx, day[i : i + 1], cat[i : i + 1], u[i : i + 1]
        )
        assert one[0] == sku[i]
