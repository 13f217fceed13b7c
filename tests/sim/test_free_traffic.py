"""Free traffic (F18): what the truth records of it, and that it follows the store's sales late."""

from __future__ import annotations

import pytest
import sim_facts as F
from sim_stores import SEEDS, store_for

from storeops.sim import Policy, default_policy, simulate
from storeops.sim.params import FREE_CHANNELS
from storeops.sim.policy import ChannelBudget, budget_by_day, budget_from_days


@pytest.mark.parametrize("seed", SEEDS)
def test_the_truth_records_free_traffic_response_and_lag(seed):
    truth = store_for(seed).truth["channels"]
    for ch in FREE_CHANNELS:
        t = truth[ch]
        assert t["kind"] == "free"
        assert 0 < t["rank_decay"] < 1 and t["rank_delay_days"] >= 1
        assert t["rank_elasticity"] > 0 and t["quality_elasticity"] > 0
        assert t["quality_score"] == truth["search"]["quality_score"]
        assert t["mean_rank"] > 0 and t["base_sessions"] > 0
        assert "expected_conversion" in t and "roi" not in t  # no spend, no ROI


def test_cutting_paid_ads_from_day_w_cuts_free_traffic_only_after_the_recorded_delay():
    seed, cut_day = SEEDS[0], 150
    own = default_policy(seed)
    budgets = []
    for b in own.budgets:
        plan = budget_by_day(b, "2025-01-01", 365)
        plan[cut_day:] = 0.0
        days = budget_from_days(b.channel, plan, "2025-01-01")
        budgets.append(ChannelBudget(b.channel, days.daily, days.periods, b.bid, b.bid_periods))
    base = F.free_sessions(store_for(seed)).to_numpy()
    cut = F.free_sessions(simulate(seed, Policy(budgets=budgets))).to_numpy()
    delay = store_for(seed).truth["channels"]["organic_search"]["rank_delay_days"]
    assert (cut[: cut_day + delay] == base[: cut_day + delay]).all()
    assert cut[cut_day + delay] != base[cut_day + delay]
    # the platform forgets slowly: a month later free traffic is still falling
    loss = 1 - cut / base
    assert 0 < loss[cut_day + 7 : cut_day + 14].mean() < loss[cut_day + 28 : cut_day + 35].mean()
