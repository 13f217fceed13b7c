"""Service capacity as a decision: agents per hour, the queue, and what waiting costs (F12, F22).

Realism is checked from the tables on five seeds; the counterfactuals run the default store
twice on one seed, once with one staffing decision changed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import sim_facts as F

from storeops.errors import StoreOpsError
from storeops.sim import DEFAULT_SEED, simulate
from storeops.sim.evaluate import evaluate
from storeops.sim.policy import Policy, ServicePlan, Shift, StaffingPeriod
from storeops.sim.rng import keyed_uniforms
from storeops.sim.service import AFTERSALE_HANDLE_S, carried_waits, serve

SEED = DEFAULT_SEED
START = date(2025, 1, 1)
FIRST, LAST = 127, 140  # two weeks of May, between the store's festival periods


def _chats_per_agent_hour(store) -> pd.DataFrame:
    """Chats, agents and waits per day and hour, from the tables."""
    ch = store.service_chats
    hours = ch.assign(date=ch["chat_time"].dt.normalize(), hour=ch["chat_time"].dt.hour)
    by_hour = hours.groupby(["date", "hour"]).agg(
        chats=("chat_id", "size"),
        wait=("wait_s", "mean"),
        abandoned=("outcome", lambda x: (x == "abandoned").mean()),
    )
    staff = store.service_staffing.set_index(["date", "hour"])
    out = by_hour.join(staff, how="inner")
    return out[out["agents"] > 0].assign(per_agent=lambda d: d["chats"] / d["agents"])


def test_f22_waits_rise_steeply_as_chats_per_agent_approach_capacity(store):
    h = _chats_per_agent_hour(store)
    bins = pd.cut(h["per_agent"], [0, 5, 10, 15, 20, np.inf])
    wait = h.groupby(bins, observed=True)["wait"].mean()
    assert len(wait) == 5
    low, mid, high, top = wait.iloc[0], wait.iloc[1], wait.iloc[3], wait.iloc[4]
    assert wait.is_monotonic_increasing
    # steep near capacity: the last steps add far more than the first
    assert top - high > 2 * (mid - low)
    assert top > 4 * low


def test_f22_evening_and_festival_peaks_get_more_agents_and_run_busier(store):
    st = store.service_staffing
    by_hour = st.groupby("hour")["agents"].mean()
    assert by_hour.loc[20:22].mean() > 1.5 * by_hour.loc[2:5].mean()
    cal = store.calendar.set_index("date")["festival_phase"]
    phase = st["date"].map(cal)
    peak_agents = st.loc[phase == "peak"].groupby("date")["agents"].sum().mean()
    usual_agents = st.loc[phase == ""].groupby("date")["agents"].sum().mean()
    assert peak_agents > 1.5 * usual_agents
    # the store staffs a festival for less than its lift: peak hours are busier per agent
    h = _chats_per_agent_hour(store).reset_index()
    h_phase = h["date"].map(cal)
    assert h.loc[h_phase == "peak", "per_agent"].mean() > h.loc[h_phase == "", "per_agent"].mean()


def test_f22_chats_have_an_agent_a_wait_a_handle_time_and_an_outcome(store):
    ch = store.service_chats
    answered = ch["outcome"] != "abandoned"
    assert ch.loc[answered, "agent_id"].notna().all() and ch.loc[~answered, "agent_id"].isna().all()
    assert ch.loc[~answered, "first_response_s"].isna().all()
    assert (ch.loc[answered, "first_response_s"] >= ch.loc[answered, "wait_s"]).all()
    assert set(ch["kind"]) == {"pre-sale", "after-sale"}
    assert not ch.loc[ch["kind"] == "after-sale", "converted"].any()
    after = ch[ch["kind"] == "after-sale"]
    assert 0.02 <= (after["outcome"] == "escalated").mean() <= 0.25
    assert 0.02 <= (ch["outcome"] == "abandoned").mean() <= 0.25


def test_f22_detailed_seller_ratings_average_high_and_follow_their_causes(store):
    r = store.seller_ratings
    assert r["order_id"].isin(store.reviews["order_id"]).all()
    for aspect in ("description", "service", "logistics"):
        assert 4.6 <= r[aspect].mean() <= 4.9, aspect
    # each aspect falls with its own cause, seen in the tables
    unlike = store.returns["reason"].isin(["defective", "not_as_described"])
    defect = store.returns.loc[unlike, "order_id"]
    o = store.orders.set_index("order_id")
    late = r["order_id"].map(o["delivery_days"]) >= 6
    ch = store.service_chats
    waited = ch["first_response_s"].fillna(ch["wait_s"]).groupby(ch["order_id"]).max()
    long_wait = r["order_id"].map(waited) >= 120
    quick = r["order_id"].map(waited) < 30
    for aspect, hit, miss in (
        ("description", r["order_id"].isin(defect), ~r["order_id"].isin(defect)),
        ("logistics", late, ~late),
        ("service", long_wait, quick),
    ):
        assert r.loc[hit, aspect].mean() < r.loc[miss, aspect].mean() - 0.3, aspect
    # a cause moves its own aspect, not the others
    assert abs(r.loc[late, "description"].mean() - r.loc[~late, "description"].mean()) < 0.1


def test_after_sale_chats_are_seldom_abandoned_on_usual_days_more_in_delivery_waves(store):
    # a buyer with a problem waits minutes (patience ~600 s): a few per cent give up on a
    # usual day, more when a festival's parcels all arrive at once
    after = store.service_chats.query("kind == 'after-sale'")
    daily = (after["outcome"] == "abandoned").groupby(after["chat_time"].dt.normalize())
    days = pd.DataFrame(dict(chats=daily.size(), abandoned=daily.mean()))
    usual = days.loc[days["chats"] <= days["chats"].median(), "abandoned"].mean()
    wave = days.loc[days["chats"] >= days["chats"].quantile(0.97), "abandoned"].mean()
    assert 0.005 <= usual <= 0.06
    assert wave > 2 * usual


def test_abandoned_chats_take_no_agent_time():
    """One agent, sixty after-sale chats in an hour: it carries the chats it answers (about
    an hour of them), not all sixty, and they wait as that load says."""
    n, handle = 60, AFTERSALE_HANDLE_S
    u = keyed_uniforms(SEED, "abandon-test", np.arange(n), 3)
    sec = np.sort(keyed_uniforms(SEED, "abandon-test-sec", np.arange(n), 1)[:, 0] * 3600)
    slot, agents = np.zeros(n, dtype=np.int64), np.ones(1, dtype=np.int64)
    wait, carried = carried_waits("aftersale", slot, agents, np.zeros(1), u, sec)
    answered = ~serve("aftersale", wait, u[:, 1], u[:, 2], np.full(n, 0.5))["abandoned"]
    offered = n * handle / 3600
    assert 0 < answered.sum() < n and carried[0] < 0.8 * offered
    # the load carried is the answered chats' (to the bisection's step and one chat)
    assert abs(carried[0] - answered.sum() * handle / 3600) <= offered / 4096 + handle / 3600


def test_after_sale_contacts_follow_late_deliveries(default_store):
    o = default_store.orders
    o = o[o["status"] == "completed"]
    after = default_store.service_chats.query("kind == 'after-sale'")
    contacted = o["order_id"].isin(after["order_id"])
    late = o["delivery_days"] >= 6
    assert contacted[late].mean() > 1.5 * contacted[~late].mean()


def test_shoppers_who_give_up_waiting_mostly_buy_elsewhere(store):
    # a minute or more without an answer: well past the 10-40 s of a typical first response
    ch = store.service_chats
    pre = ch[ch["kind"] == "pre-sale"]
    left = pre[pre["first_response_s"].isna()]
    gave_up = left.loc[left["wait_s"] >= 60, "converted"].mean()
    left_at_once = left.loc[left["wait_s"] < 10, "converted"].mean()
    answered = pre["first_response_s"].dropna()
    slow = pre.loc[answered.index[answered > answered.quantile(0.8)], "converted"].mean()
    assert gave_up < 0.5 * slow
    assert gave_up < 0.5 * left_at_once


def test_the_response_time_effect_on_consultation_conversion_is_recovered(store):
    # stated tolerance: the logistic slope within 0.004 log-odds per second of the truth
    r = F.f12_service(store)
    assert abs(r["slope"] - store.truth["service"]["response_slope_log_odds_per_second"]) <= 0.004


def _with_period(plan: Policy, first: int, last: int, shifts) -> Policy:
    """The store's own plan with `shifts` on days first..last (the own periods there dropped)."""
    day = lambda i: (START + timedelta(days=i)).isoformat()  # noqa: E731
    own = plan.service
    keep = [p for p in own.periods if p.end < day(first) or p.start > day(last)]
    new = StaffingPeriod(day(first), day(last), shifts)
    return replace(
        plan, service=ServicePlan(own.shifts, sorted([*keep, new], key=lambda p: p.start))
    )


@pytest.fixture(scope="module")
def more_agents(plan):
    """Twice the store's own agents every hour of two weeks."""
    assert all(p.end < "2025-05-08" or p.start > "2025-05-21" for p in plan.service.periods)
    doubled = [Shift(s.first_hour, s.last_hour, 2 * s.agents) for s in plan.service.shifts]
    return simulate(SEED, _with_period(plan, FIRST, LAST, doubled))


def _between(table: pd.DataFrame, column: str, first: int, last: int) -> pd.DataFrame:
    when = table[column]
    lo = pd.Timestamp(START + timedelta(days=first))
    hi = pd.Timestamp(START + timedelta(days=last + 1))
    return table[(when >= lo) & (when < hi)].reset_index(drop=True)


DATED = {
    "traffic": "date",
    "funnel": "date",
    "orders": "order_time",
    "customers": "first_order_time",
    "inventory": "date",
    "purchase_orders": "order_date",
    "service_staffing": "date",
    "service_chats": "chat_time",
    "returns": "return_date",
    "reviews": "review_date",
    "seller_ratings": "rating_date",
    "finance": "date",
}


def test_the_default_plan_spells_out_the_store_own_staffing(base, plan):
    assert isinstance(plan.service, ServicePlan) and plan.service.periods
    again = Policy.from_json(plan.to_json())
    assert again.service == plan.service
    agents = base.service_staffing["agents"].to_numpy().reshape(-1, 24)
    usual = np.zeros(24, dtype=int)
    for s in plan.service.shifts:
        usual[s.first_hour : s.last_hour + 1] = s.agents
    assert (agents == usual).all(axis=1).mean() > 0.8


def test_more_agents_change_nothing_before_the_period(base, more_agents):
    for table, column in DATED.items():
        pd.testing.assert_frame_equal(
            _between(more_agents.tables[table], column, 0, FIRST - 1),
            _between(base.tables[table], column, 0, FIRST - 1),
            check_exact=True,
            obj=table,
        )


def test_more_agents_shorten_waits_raise_orders_and_staff_cost_in_the_period(base, more_agents):
    a = _between(base.service_chats, "chat_time", FIRST, LAST)
    b = _between(more_agents.service_chats, "chat_time", FIRST, LAST)
    assert b["wait_s"].mean() < 0.7 * a["wait_s"].mean()
    assert (b["outcome"] == "abandoned").mean() < (a["outcome"] == "abandoned").mean()
    # traffic and the funnel's steps before checkout do not move; orders do
    for table in ("traffic",):
        pd.testing.assert_frame_equal(more_agents.tables[table], base.tables[table])
    fa, fb = (_between(s.finance, "date", FIRST, LAST) for s in (base, more_agents))
    assert fb["orders"].sum() > fa["orders"].sum()
    agent_hours = _between(base.service_staffing, "date", FIRST, LAST)["agents"].sum()
    wage = base.meta["costs"]["wage_per_agent_hour"]
    assert fb["staff"].sum() - fa["staff"].sum() == pytest.approx(wage * agent_hours)
    # what differs among the orders is what the chats decided: orders after a pre-sale chat
    conv_a = a.loc[a["kind"] == "pre-sale", "converted"].sum()
    conv_b = b.loc[b["kind"] == "pre-sale", "converted"].sum()
    assert conv_b > conv_a


def test_profit_has_an_interior_optimum_in_agents(plan):
    """Over 90 days, one agent all day loses the orders of shoppers who give up waiting, and
    a roster far above need (20 agents all day) pays wages the orders do not return: both earn
    less than the store's own roster."""
    start, days = "2025-05-01", 90
    own = evaluate(SEED, plan, start, days)
    thin = evaluate(SEED, replace(plan, service=ServicePlan([Shift(0, 23, 1)])), start, days)
    fat = evaluate(SEED, replace(plan, service=ServicePlan([Shift(0, 23, 20)])), start, days)
    assert thin.kpis["staff"] < own.kpis["staff"] < fat.kpis["staff"]
    assert thin.kpis["paid_orders"] < own.kpis["paid_orders"] < fat.kpis["paid_orders"]
    assert thin.profit < own.profit
    assert fat.profit < own.profit


@pytest.mark.parametrize(
    ("service", "named"),
    [
        (
            ServicePlan([Shift(0, 23, -1)]),
            "service.shifts[0].agents must be a whole number of at least 0, got -1",
        ),
        (
            ServicePlan([Shift(0, 24, 1)]),
            "service.shifts[0].last_hour must be an hour of the day from 0 to 23, got 24",
        ),
        (
            ServicePlan([Shift(-1, 5, 1)]),
            "service.shifts[0].first_hour must be an hour of the day from 0 to 23, got -1",
        ),
        (ServicePlan([Shift(9, 8, 1)]), "service.shifts[0].last_hour 8 is before its first_hour 9"),
        (
            ServicePlan([Shift(0, 12, 1), Shift(10, 23, 2)]),
            "service.shifts[1] (hours 10-23) overlaps service.shifts[0] at hour 10",
        ),
        (
            ServicePlan([Shift(0, 23, 2.5)]),
            "service.shifts[0].agents must be a whole number of at least 0, got 2.5",
        ),
        (
            ServicePlan(
                [Shift(0, 23, 1)],
                [
                    StaffingPeriod("2025-06-01", "2025-06-10", [Shift(0, 23, 2)]),
                    StaffingPeriod("2025-06-10", "2025-06-12", [Shift(0, 23, 3)]),
                ],
            ),
            "service.periods[1] (2025-06-10 to 2025-06-12) overlaps service.periods[0] (2025-06-01 to 2025-06-10)",
        ),
        (
            ServicePlan(
                [Shift(0, 23, 1)], [StaffingPeriod("2025-06-01", "2025-06-02", [Shift(3, 30, 2)])]
            ),
            "service.periods[0].shifts[0].last_hour must be an hour of the day from 0 to 23, got 30",
        ),
        (
            ServicePlan(
                [Shift(0, 23, 1)], [StaffingPeriod("2026-06-01", "2026-06-02", [Shift(0, 23, 2)])]
            ),
            "service.periods[0].start '2026-06-01' is outside the store's dates",
        ),
    ],
)
def test_a_bad_service_plan_is_one_clear_error_before_anything_runs(service, named, monkeypatch):
    import storeops.sim.policy as policy_module

    def never(*args, **kwargs):
        raise AssertionError("the store ran")

    monkeypatch.setattr(policy_module, "build_market", never)
    with pytest.raises(StoreOpsError) as err:
        simulate(SEED, Policy(service=service))
    assert named in str(err.value)
    assert "\n" not in str(err.value)
