"""Member campaigns with hold-outs (issue 13, requirement 3): F24 from the tables, opt-outs that
rise with frequency, common random numbers, the plan's incremental profit, clear errors."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import storeops.sim.policy as policy_module
from storeops.errors import StoreOpsError
from storeops.sim import DEFAULT_SEED, Policy, simulate
from storeops.sim.campaigns import WINDOW_DAYS, CampaignRun, PlannedCampaign, own_campaigns
from storeops.sim.evaluate import STORE_DAYS, STORE_START, campaign_profit, evaluate
from storeops.sim.loyalty import LOYALTY_CAP
from storeops.sim.params import SEGMENTS
from storeops.sim.policy import Campaign, Target
from storeops.sim.schema import validate

SEED = DEFAULT_SEED


def _window_orders(store) -> pd.DataFrame:
    """One row per targeted member and campaign: group, and the orders (not cancelled) the
    member placed from the send date to WINDOW_DAYS days after, from the tables alone."""
    sends = store.campaign_sends.merge(
        store.campaigns[["campaign_id", "send_date"]], on="campaign_id"
    )
    o = store.orders.loc[store.orders["status"] != "cancelled", ["customer_id", "order_time"]]
    both = sends.merge(o, on="customer_id", how="left")
    start = both["send_date"]
    inside = (both["order_time"] >= start) & (
        both["order_time"] < start + pd.Timedelta(days=WINDOW_DAYS)
    )
    n = inside.groupby([both["campaign_id"], both["customer_id"]]).sum().rename("orders")
    return sends.merge(n.reset_index(), on=["campaign_id", "customer_id"])


def _lift(rows: pd.DataFrame, column: str = "orders") -> tuple[float, float]:
    """Sent minus held-out mean of `column` and its standard error, campaign by campaign,
    averaged with the campaigns' sent members as weights (pooling the groups instead would
    mix campaigns of different hold-out shares and base rates)."""
    lifts, errors, weights = [], [], []
    for _, one in rows.groupby("campaign_id"):
        sent = one.loc[one["group"] == "sent", column].astype(float)
        held = one.loc[one["group"] != "sent", column].astype(float)
        if len(sent) < 2 or len(held) < 2:
            continue
        lifts.append(sent.mean() - held.mean())
        errors.append(np.sqrt(sent.var() / len(sent) + held.var() / len(held)))
        weights.append(len(sent))
    w = np.array(weights) / np.sum(weights)
    return float(w @ np.array(lifts)), float(np.sqrt(w**2 @ np.array(errors) ** 2))


def _true_segments(store, customer_id: pd.Series) -> np.ndarray:
    codes = np.frombuffer(store.truth["customers"]["segment_by_customer"].encode(), np.uint8) - 48
    return np.array(SEGMENTS)[codes[customer_id.str[1:].astype(int).to_numpy() - 1]]


def _true_uplift(store, segment: str | None = None) -> float:
    """The truth's expected extra orders per member sent, over the campaigns (sent-weighted)."""
    pairs = []
    for c in store.truth["campaigns"]["campaigns"]:
        parts = [c["by_segment"][segment]] if segment else c["by_segment"].values()
        pairs += [(p["sent"], p["true_uplift"]) for p in parts]
    sent = np.array([n for n, _ in pairs], dtype=float)
    return float((sent * np.array([u for _, u in pairs])).sum() / sent.sum())


def test_the_default_store_has_campaigns_with_holdouts_that_add_up(default_store):
    s = default_store
    c, sends = s.campaigns, s.campaign_sends
    assert len(c) == len(own_campaigns(STORE_START, STORE_DAYS)) >= 5
    validate(s)  # keys, and ad spend = traffic spend + message costs
    by = sends.groupby("campaign_id")
    assert (by.size().reindex(c["campaign_id"]).to_numpy() == c["targeted"].to_numpy()).all()
    held = sends["group"].eq("held_out").groupby(sends["campaign_id"]).mean()
    assert np.allclose(held.reindex(c["campaign_id"]), c["holdout_share"], atol=0.03)
    # a redeemed coupon is the member's own order in the window, reaching the minimum spend,
    # and it shows in the order's discount
    used = sends.dropna(subset=["redeemed_order_id"]).merge(c, on="campaign_id")
    assert len(used) > 100 and (used["group"] == "sent").all()
    o = s.orders.set_index("order_id").loc[used["redeemed_order_id"]]
    assert (o["customer_id"].to_numpy() == used["customer_id"].to_numpy()).all()
    days = (o["order_time"].to_numpy() - used["send_date"].to_numpy()) / pd.Timedelta(days=1)
    assert ((days >= 0) & (days < WINDOW_DAYS)).all()
    assert (o["discount"].to_numpy() >= used["coupon_amount"].to_numpy()).all()
    assert (
        o["revenue"].to_numpy() + o["discount"].to_numpy() >= used["min_spend"].to_numpy()
    ).all()


def test_f24_a_campaign_lifts_purchases_against_its_holdout_by_segment(default_store):
    rows = _window_orders(default_store)
    rows["bought"] = rows["orders"] > 0
    # the share of members buying in the window rises by 0.5-5 points ...
    share, _ = _lift(rows, "bought")
    assert 0.005 <= share <= 0.05, share
    # ... and orders per member by what the truth says, within the noise
    lift, se = _lift(rows)
    assert abs(lift - _true_uplift(default_store)) < 3 * se, (lift, se)
    # each campaign's own lift against its hold-out is its true uplift, within the noise
    truth = {c["name"]: c["true_uplift"] for c in default_store.truth["campaigns"]["campaigns"]}
    names = default_store.campaigns.set_index("campaign_id")["name"]
    for cid, one in rows.groupby("campaign_id"):
        value, err = _lift(one)
        assert abs(value - truth[names[cid]]) < 3.5 * err, (names[cid], value, err)
    # the lift differs by segment: deal seekers come for the coupons far more than occasional
    # buyers, and each segment's lift is its true uplift within the noise
    rows["segment"] = _true_segments(default_store, rows["customer_id"])
    lifts = {s: _lift(rows[rows["segment"] == s]) for s in SEGMENTS}
    for s, (value, err) in lifts.items():
        assert abs(value - _true_uplift(default_store, s)) < 3.5 * err, (s, value, err)
    (deal, e1), (occasional, e2) = lifts["deal_seeker"], lifts["occasional"]
    assert deal - occasional > 4 * np.hypot(e1, e2), lifts


def test_f24_holds_on_five_seeds(store):
    rows = _window_orders(store)
    rows["bought"] = rows["orders"] > 0
    share, _ = _lift(rows, "bought")
    assert 0.005 <= share <= 0.05, share
    rows["segment"] = _true_segments(store, rows["customer_id"])
    (deal, e1), (occasional, e2) = (
        _lift(rows[rows["segment"] == s]) for s in ("deal_seeker", "occasional")
    )
    assert deal - occasional > 3 * np.hypot(e1, e2), (deal, occasional)
    # opted-out members redeem nothing
    sends = store.campaign_sends
    assert sends.loc[sends["opted_out"], "redeemed_order_id"].isna().all()


def _messaging(every_days: int) -> Policy:
    """An SMS with a 10-off coupon to every member each `every_days` days, from February."""
    sends = pd.date_range("2025-02-03", "2025-06-01", freq=f"{every_days}D")
    return Policy(
        campaigns=[
            Campaign(f"sms-{d.date()}", d.date().isoformat(), "sms", Target(), 10.0, 99.0, 0.1)
            for d in sends
        ]
    )


def test_opt_outs_rise_with_message_frequency():
    monthly = simulate(SEED, _messaging(28), days=180).campaigns
    fortnightly = simulate(SEED, _messaging(14), days=180).campaigns
    assert len(fortnightly) >= 2 * len(monthly) - 1
    per_message = [c["opted_out"].sum() / c["sent"].sum() for c in (monthly, fortnightly)]
    assert per_message[1] > 1.2 * per_message[0], per_message
    assert fortnightly["opted_out"].sum() > 1.5 * monthly["opted_out"].sum()


DATED = {
    "orders": "order_time",
    "customers": "first_order_time",
    "service_chats": "chat_time",
    "returns": "return_date",
    "reviews": "review_date",
    "finance": "date",
    "campaigns": "send_date",
}


def test_a_campaign_changes_nothing_before_its_send_date(base, plan):
    send = "2025-08-05"
    extra = Campaign("august-flash", send, "sms", Target(bought_within_days=200), 20.0, 149.0)
    changed = simulate(SEED, replace(plan, campaigns=(*plan.campaigns, extra)))
    cut = pd.Timestamp(send)
    for name, column in DATED.items():
        before = [t.tables[name] for t in (base, changed)]
        before = [t[t[column] < cut].reset_index(drop=True) for t in before]
        pd.testing.assert_frame_equal(before[1], before[0], check_exact=True, obj=name)
    # the earlier campaigns' sends are untouched; the new one targets, sends and sells
    earlier = base.campaigns.loc[base.campaigns["send_date"] < cut, "campaign_id"]
    sends = [t.campaign_sends for t in (base, changed)]
    sends = [t[t["campaign_id"].isin(earlier)].reset_index(drop=True) for t in sends]
    assert len(sends[0]) > 10000
    pd.testing.assert_frame_equal(sends[1], sends[0], check_exact=True)
    new = changed.campaigns.iloc[-1]
    assert new["name"] == "august-flash" and new["sent"] > 1000 and new["redeemed"] > 0
    assert len(changed.orders) > len(base.orders)


def test_holdouts_are_drawn_per_campaign_and_member():
    """Changing one campaign does not reshuffle another's hold-out: a member targeted by
    both runs is held out in both or in neither."""
    first, *rest = own_campaigns(STORE_START, 200)
    bigger = replace(first, holdout_share=0.6, coupon_amount=30.0, min_spend=199.0)
    a = simulate(SEED, Policy(campaigns=(first, *rest)), days=200).campaign_sends
    b = simulate(SEED, Policy(campaigns=(bigger, *rest)), days=200).campaign_sends
    assert (b.loc[b["campaign_id"] == "CP001", "group"] == "held_out").mean() > 0.5
    later = a.merge(b, on=["campaign_id", "customer_id"], suffixes=("_a", "_b"))
    later = later[later["campaign_id"] != "CP001"]
    assert len(later) > 10000 and (later["group_a"] == later["group_b"]).all()


def test_evaluate_scores_a_campaign_by_its_incremental_profit(default_store):
    last = default_store.truth["campaigns"]["campaigns"][-1]
    # the year's last campaign: no later campaign's targets depend on it, so the difference of
    # the two plans' profits is the campaign's own incremental profit in the truth (to the cent
    # per day of rounding)
    gain = campaign_profit(SEED, None, last["name"], "2025-12-01", 31)
    assert abs(gain - last["incremental_profit"]) < 1.0, (gain, last["incremental_profit"])
    none = evaluate(SEED, Policy(campaigns=()), "2025-12-01", 31)
    own = evaluate(SEED, None, "2025-12-01", 31, tables=True)
    assert none.kpis["campaign_messages"] == 0 and own.kpis["campaign_messages"] > 0
    assert own.kpis["campaign_coupon_discount"] > 0
    lean = evaluate(SEED, None, "2025-12-01", 31)
    pd.testing.assert_frame_equal(lean.daily, own.daily, check_exact=True)
    with pytest.raises(StoreOpsError, match="'no-such'"):
        campaign_profit(SEED, None, "no-such")


def _campaign(**changes) -> Policy:
    good = Campaign("c", "2025-04-01", "sms", Target(), 10.0, 99.0, 0.1)
    return Policy(campaigns=[replace(good, **changes)])


BAD = {
    "unknown segment": (
        _campaign(target=Target(segment="vip")),
        ["campaigns[0].target.segment", "'vip'"],
    ),
    "hold-out above 1": (_campaign(holdout_share=1.5), ["campaigns[0].holdout_share", "1.5"]),
    "negative hold-out": (_campaign(holdout_share=-0.1), ["campaigns[0].holdout_share", "-0.1"]),
    "unknown channel": (_campaign(channel="fax"), ["campaigns[0].channel", "'fax'"]),
    "negative coupon": (_campaign(coupon_amount=-5.0), ["campaigns[0].coupon_amount", "-5.0"]),
    "coupon above its minimum spend": (
        _campaign(coupon_amount=50.0, min_spend=30.0),
        ["campaigns[0].min_spend", "30.0"],
    ),
    "send date outside the store": (
        _campaign(send_date="2026-02-01"),
        ["campaigns[0].send_date", "'2026-02-01'"],
    ),
    "negative minimum orders": (
        _campaign(target=Target(min_orders=-1)),
        ["campaigns[0].target.min_orders", "-1"],
    ),
    "zero-day rule": (
        _campaign(target=Target(not_bought_within_days=0)),
        ["campaigns[0].target.not_bought_within_days", "0"],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_campaign_is_one_clear_error_and_nothing_runs(case, monkeypatch):
    policy, named = BAD[case]

    def ran(*args, **kw):
        raise AssertionError("the store ran on a bad plan")

    monkeypatch.setattr(policy_module, "build_market", ran)
    with pytest.raises(StoreOpsError) as err:
        simulate(SEED, policy)
    message = str(err.value)
    assert "\n" not in message
    for part in named:
        assert part in message


def test_a_campaign_listed_twice_is_an_error():
    c = Campaign("twice", "2025-04-01", "email")
    with pytest.raises(StoreOpsError, match=r"campaigns\[1\]\.name 'twice' is listed twice"):
        simulate(SEED, Policy(campaigns=[c, replace(c, send_date="2025-05-01")]))


def test_a_plan_with_campaigns_survives_json(plan):
    again = Policy.from_json(plan.to_json())
    assert again.campaigns == plan.campaigns
    assert Policy.from_json(Policy(campaigns=()).to_json()).campaigns == ()


def test_a_lean_outcome_that_ends_inside_a_campaigns_window_is_the_full_one():
    """The lean run stops drawing customers where the window ends (2025-05-25, in the middle
    of the member-day campaign's fortnight): the window's outcome is the full store's."""
    lean = evaluate(SEED, None, "2025-05-01", 25)
    full = evaluate(SEED, None, "2025-05-01", 25, tables=True)
    pd.testing.assert_frame_equal(lean.daily, full.daily, check_exact=True)
    assert lean.kpis == full.kpis
    assert lean.kpis["campaign_coupons_redeemed"] > 0


def test_a_message_moves_the_loyalty_of_those_it_reached_and_of_those_it_annoyed():
    """Read, a message is a small reminder (loyalty up, never past the cap); a member who
    opts out cools; a held-out member's loyalty does not move."""
    n, d = 20_000, 10
    plan = PlannedCampaign("test", d, "sms", None, None, 0, -1, 10.0, 99.0, 0.3)
    run = CampaignRun(DEFAULT_SEED, [plan], n, 40)
    rng = np.random.default_rng(0)
    run.join(np.arange(n), rng.integers(0, len(SEGMENTS), n), np.zeros(n), np.full(n, 400.0))
    before = rng.uniform(0.5, LOYALTY_CAP, n)
    loyalty = before.copy()
    run.start_day(d, loyalty)
    sent = run.column("customer")
    held, out = run.column("held_out"), run.column("opted_out")
    assert sent.size == n and held.any() and out.any()
    read = sent[~held & ~out]
    assert np.allclose(loyalty[read], np.minimum(before[read] * 1.02, LOYALTY_CAP))
    assert (loyalty[read] <= LOYALTY_CAP).all() and (loyalty[read] > before[read]).any()
    assert np.allclose(loyalty[sent[out]], before[sent[out]] * 0.9)
    assert np.array_equal(loyalty[sent[held]], before[sent[held]])
