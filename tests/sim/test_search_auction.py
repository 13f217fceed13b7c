"""Search bought per click (F17): the auction's curves and what the truth records of them."""

from __future__ import annotations

import numpy as np
import pytest
from sim_stores import SEEDS, store_for

from storeops.sim.traffic import (
    RANK_GAMMA,
    TOP_RANK,
    auction_cpc,
    auction_position,
    quality_score,
)


def _bid_for(position: float, quality: float) -> float:
    """The bid that holds `position` with quality score `quality` on an ordinary day."""
    return TOP_RANK / quality * position ** (-1 / RANK_GAMMA)


@pytest.mark.parametrize("position", [1.5, 3.0, 6.0])
def test_a_better_quality_score_holds_the_same_position_for_less(position):
    cheap, dear = (
        float(auction_cpc(_bid_for(position, q), q)) for q in (quality_score(1.2, 0.04), 5.0)
    )
    assert auction_position(_bid_for(position, 5.0), 5.0) == pytest.approx(position)
    assert cheap < dear


def test_quality_score_rises_with_click_through_and_conversion():
    assert quality_score(1.1, 0.035) > quality_score(1.0, 0.035)
    assert quality_score(1.0, 0.040) > quality_score(1.0, 0.035)
    assert 1 <= quality_score(0.01, 0.001) and quality_score(100, 1) <= 10


def test_cpc_stays_below_the_bid_and_rises_with_it():
    bids = np.linspace(0.3, 5.0, 60)
    cpc = auction_cpc(bids, 6.0)
    assert (cpc <= bids).all()
    assert (np.diff(cpc) >= 0).all() and cpc[-1] > cpc[0]
    assert (np.diff(auction_position(bids, 6.0)) <= 0).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_the_truth_records_the_auction(seed):
    t = store_for(seed).truth["channels"]["search"]
    assert t["kind"] == "paid_per_click"
    assert 1 <= t["quality_score"] <= 10
    assert t["quality_score"] == pytest.approx(
        quality_score(t["relevance"], t["expected_conversion_for_quality"]), abs=1e-3
    )
    assert 0.3 <= t["own_cpc"] < t["own_bid"]
    assert t["own_position"] >= 1
    for key in ("top_rank", "rank_gamma", "ctr_position_decay", "share_decay", "top_ctr"):
        assert key in t["auction"]
    # the ordinary-day curve chapter 3 grades on, in the form of the other paid channels
    assert t["cpm"] > 0 and t["base_ctr"] > 0 and t["saturation_half_impressions"] > 0
