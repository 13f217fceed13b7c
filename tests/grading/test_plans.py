"""Plans judged by profit on the learner's own store: the best plan, and a plan's score."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from storeops.errors import StoreOpsError
from storeops.grading.plans import (
    best_budget,
    best_of,
    clearance_plan,
    scale_budget,
    score_clearance,
    score_plan,
)
from storeops.sim import DEFAULT_SEED, default_policy, generate
from storeops.sim.evaluate import STORE_DAYS, STORE_START, evaluate
from storeops.sim.policy import Period, SkuPrice, budget_by_day

START, DAYS = "2025-06-02", 90


def test_a_score_is_a_share_of_the_best_profit_and_of_the_best_improvement():
    s = score_plan(profit=150.0, own_plan_profit=100.0, best_profit=200.0)
    assert s.share_of_best == pytest.approx(0.75) and s.share_of_gain == pytest.approx(0.5)
    assert score_plan(200.0, 100.0, 200.0).share_of_gain == 1.0
    assert score_plan(80.0, 100.0, 200.0).share_of_gain == 0.0  # worse than doing nothing
    with pytest.raises(StoreOpsError, match="below the store's own plan"):
        score_plan(1.0, 100.0, 90.0)


def test_scaling_a_budget_touches_only_that_channel_inside_the_window():
    plan = default_policy(DEFAULT_SEED)
    scaled = scale_budget(plan, "search", 2.0, START, DAYS)
    offset = (np.datetime64(START) - np.datetime64(STORE_START)).astype(int)
    for old, new in zip(plan.budgets, scaled.budgets, strict=True):
        a, b = (budget_by_day(x, STORE_START, STORE_DAYS) for x in (old, new))
        if old.channel != "search":
            assert old == new
            continue
        inside = slice(offset, offset + DAYS)
        np.testing.assert_allclose(b[inside], np.round(a[inside] * 2.0, 2))
        np.testing.assert_array_equal(np.delete(b, np.r_[inside]), np.delete(a, np.r_[inside]))
    with pytest.raises(StoreOpsError, match="channel must be a paid channel"):
        scale_budget(plan, "email", 2.0, START, DAYS)


def test_the_best_budget_beats_every_plan_it_tried_and_the_store_own():
    factor, best, own = best_budget(
        DEFAULT_SEED, "display", START, DAYS, factors=(0.0, 1.0, 2.0), refine=2, progress=False
    )
    assert best.profit >= own.profit
    for f in (0.0, 1.0, 2.0):
        plan = scale_budget(default_policy(DEFAULT_SEED), "display", f, START, DAYS)
        assert evaluate(DEFAULT_SEED, plan, START, DAYS).profit <= best.profit + 1e-6
    # the store's own plan scores nothing of the improvement, the best plan all of it
    assert score_plan(own.profit, own.profit, best.profit).share_of_gain == 0.0
    assert score_plan(best.profit, own.profit, best.profit).share_of_best == 1.0
    assert 0.0 <= factor <= 2.0


def test_best_of_needs_plans_and_a_window_inside_the_store():
    with pytest.raises(StoreOpsError, match="at least one plan"):
        best_of(DEFAULT_SEED, [], START, DAYS)
    with pytest.raises(StoreOpsError, match="start"):
        best_of(DEFAULT_SEED, [default_policy(DEFAULT_SEED)], "2030-01-01", DAYS)


@pytest.fixture(scope="module")
def clearance_case():
    """The fashion SKU of the default store whose best clearance gains most, and its truth."""
    truth = generate(DEFAULT_SEED).truth
    fashion = {
        k: v
        for k, v in truth["clearance"]["skus"].items()
        if truth["products"]["skus"][k]["fashion"] and v["week_start"]
    }
    sku = max(fashion, key=lambda k: fashion[k]["gain_over_no_clearance"])
    return sku, fashion[sku], default_policy(DEFAULT_SEED)


def test_the_best_clearance_scores_full_and_no_clearance_less(clearance_case):
    sku, best, base = clearance_case
    top = score_clearance(
        DEFAULT_SEED,
        sku,
        clearance_plan(DEFAULT_SEED, sku, best["week_start"], best["depth"], base),
    )
    assert top.share_of_best == 1.0 and top.share_of_gain == 1.0
    none = score_clearance(DEFAULT_SEED, sku, clearance_plan(DEFAULT_SEED, sku, None, 0.0, base))
    assert none.share_of_best < 1.0 and none.share_of_gain == 0.0
    assert none.profit == none.own_plan_profit < top.profit == none.best_profit
    # a week late: part of the best's profit
    late = (date.fromisoformat(best["week_start"]) + timedelta(days=7)).isoformat()
    later = score_clearance(
        DEFAULT_SEED, sku, clearance_plan(DEFAULT_SEED, sku, late, best["depth"], base)
    )
    assert none.share_of_best < later.share_of_best < 1.0


def test_a_clearance_that_loses_money_on_the_sku_scores_zero(clearance_case):
    sku, best, base = clearance_case
    # 90 % off from the first possible day: every unit sold below its cost
    plan = replace(
        base,
        prices=tuple(
            p
            if p.sku != sku
            else SkuPrice(
                sku,
                (
                    *(q for q in p.periods if q.end < best["decision_start"]),
                    Period(best["decision_start"], best["season_end"], 0.1 * _list_price(sku)),
                ),
            )
            for p in base.prices
        ),
    )
    score = score_clearance(DEFAULT_SEED, sku, plan)
    assert score.profit < 0 and score.share_of_best == 0.0 and score.share_of_gain == 0.0


def _list_price(sku: str) -> float:
    products = generate(DEFAULT_SEED).products
    return float(products.set_index("sku").loc[sku, "list_price"])


def test_the_proxy_agrees_with_the_whole_store_on_moves_larger_than_its_noise():
    """PlanProxy (expected orders of the traffic phase, valued at the store's contribution per
    order) gives the gain of a plan with the sign and roughly the size of a whole run of the
    store, for moves whose effect is well above the noise of one run."""
    from storeops.analysis.plans import PlanProxy, set_bid, set_budgets

    start, days = "2025-07-01", 61
    own = default_policy(DEFAULT_SEED)
    base = evaluate(DEFAULT_SEED, own, start, days)
    proxy = PlanProxy(DEFAULT_SEED, start, days, base.kpis)
    moves = [
        ({"daily": {"display": 0.0}}, set_budgets(own, {"display": 0.0}, start, days)),
        ({"bid": {"search": 3.6}}, set_bid(own, "search", 3.6, start, days)),
    ]
    for args, policy in moves:
        whole = evaluate(DEFAULT_SEED, policy, start, days).profit - base.profit
        expected = proxy.profit(**args) - proxy.own
        assert abs(whole) > 30_000, args  # a move well above the noise
        assert np.sign(expected) == np.sign(whole), (args, expected, whole)
        assert expected == pytest.approx(whole, rel=0.35), (args, expected, whole)
    with pytest.raises(StoreOpsError, match="channel must be one of .* got 'tv'"):
        proxy.profit({"tv": 1.0})
    with pytest.raises(StoreOpsError, match="kpis .* or per_order"):
        PlanProxy(DEFAULT_SEED, start, days)


def test_a_bid_one_fen_away_scores_about_the_same():
    """A bid is judged by its expected profit averaged over the bids within BID_BAND of it, so
    from 0.6 to 1.2 times the best bid found a fen more moves the profit along a smooth curve:
    what a fen step adds differs from the next fen step's by at most 4 % of the best bid's gain
    (5 points of a score full from 80 % of it). One bid's own expected profit steps with the
    auction's rounding to the fen by more. Dave's store of the course: its best bid gains
    little, so the steps weigh most there (issue 14)."""
    from storeops.analysis.plans import BID_BAND
    from storeops.data import student_seed
    from storeops.grading.plans import best_bid

    seed = student_seed(20261122, "dave")
    bid, best, own, proxy = best_bid(seed, "search", "2025-07-01", 61)
    assert best > own
    fens = np.round(np.arange(round(0.6 * bid, 2), 1.2 * bid, 0.01), 2)
    jagged = {}
    for band in (BID_BAND, 0.0):
        curve = np.array([proxy.profit(bid={"search": b}, band=band) for b in fens])
        jagged[band] = float(np.abs(np.diff(curve, 2)).max() / (best - own))
    assert jagged[BID_BAND] <= 0.04 < jagged[0.0], jagged
    with pytest.raises(StoreOpsError, match="band must be a share .* got 1.5"):
        proxy.profit(bid={"search": bid}, band=1.5)
    with pytest.raises(StoreOpsError, match="one channel's bids, got \\['display', 'search'\\]"):
        proxy.profit(bid={"search": bid, "display": 1.0}, band=BID_BAND)
