"""Member campaigns with hold-outs: who is targeted, sent or held out, who opts out, who buys
because of the message, and who redeems its coupon.

A `Campaign` picks, on its send date, the members its `Target` selects from what the tables
show at the end of the day before: a member is a customer whose first order is before the
send date and who has not opted out; their orders are the orders table's orders that were
not cancelled (a customer with none yet counts their first order, `customers.first_order_time`).
Each targeted member is held out with chance `holdout_share` (a uniform keyed by the
campaign's name and the customer: changing one campaign moves no other draw). A member sent
the message:

- opts out with a chance that grows with the messages they got in the last
  OPT_OUT_RECENT_DAYS days (more so if they have lapsed), and then gets nothing more and
  ignores this one;
- otherwise places one extra order within WINDOW_DAYS days with chance RESPONSE[segment]
  x the offer's pull (NO_OFFER[segment] without a coupon) x the channel's REACH (x LAPSED
  for a customer past their active lifetime); that order is kept, like any repeat order,
  with chance loyalty / LOYALTY_CAP on its day. Its basket and device are those of a
  completed order of the same day (picked by the member's uniform): campaign shoppers buy
  what the day's shoppers buy; they come back through the app (direct traffic). It ships from the
  supplier (drop-shipped, as member offers often are), not from the store's warehouse, so
  a campaign changes no stock and no purchase order (and `inventory.units_sold` counts the
  warehouse's units only). Campaign orders are few: about 1 % of a year's orders (a tenth of a member day's).

A message also moves the member's loyalty on its send date (`storeops.sim.loyalty`): read,
it is a small reminder (x RECEIVED, up to the cap); a member who opts out cools (x OPTED_OUT).
Their later repeat orders follow; the uplift recorded as truth is the window's extra order.

A coupon (`coupon_amount` off from `min_spend`) is redeemed on the first completed order of
a sent member (who did not opt out) within the window that reaches the minimum spend,
whether the message caused the order or not (buyers who would have come anyway redeem too:
that is what makes a coupon to loyal members dear); it adds to the order's discount. Every
message sent costs its channel's COST_PER_MESSAGE, booked as ad spend on the send date. A
campaign changes nothing before its send date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from storeops.sim.loyalty import LOYALTY_CAP
from storeops.sim.params import CHANNEL_PARAMS, SEGMENTS
from storeops.sim.rng import keyed_uniforms

CAMPAIGN_CHANNELS = ("sms", "push", "email", "member_message")
# a platform member message (会员消息) costs the store a little, like a push
COST_PER_MESSAGE = dict(
    sms=CHANNEL_PARAMS["sms"]["cost"],
    push=CHANNEL_PARAMS["push"]["cost"],
    email=CHANNEL_PARAMS["email"]["cost"],
    member_message=0.02,
)
WINDOW_DAYS = 14  # a message's pull lasts this long; its coupon is valid as long
# chance of one extra order in the window from a 10-off coupon by SMS, for an active member
RESPONSE = dict(loyal=0.012, regular=0.04, occasional=0.03, deal_seeker=0.09)
# the pull of a message without a coupon, as a share of the 10-off pull: deal seekers come
# for the coupon, loyal members for the reminder
NO_OFFER = dict(loyal=0.6, regular=0.5, occasional=0.4, deal_seeker=0.2)
COUPON_PULL_BASE = 0.6  # a coupon's pull is this + amount / 25 of the 10-off pull ...
COUPON_PULL_PER_CNY = 1 / 25
COUPON_PULL_MAX = 1.8  # ... at most this
REACH = dict(sms=1.0, member_message=0.9, push=0.6, email=0.4)  # who reads it
LAPSED = 0.35  # a member past their active lifetime responds this much
OPT_OUT = dict(sms=0.004, member_message=0.002, push=0.003, email=0.002)  # first message
OPT_OUT_RECENT_DAYS = 30
OPT_OUT_PER_RECENT = 1.0  # each message of the last 30 days adds the first's chance again
OPT_OUT_LAPSED = 2.0  # a lapsed member opts out this much more readily
# loyalty (`storeops.sim.loyalty`) on the send date: a message read is a small reminder of the
# store; a member annoyed enough to opt out has cooled on it
RECEIVED = 1.02
OPTED_OUT = 0.9
# per (campaign, customer) uniforms
CU_HOLD, CU_OUT, CU_RESPOND, CU_DAY, CU_KEEP, CU_HOUR, CU_SEC, CU_BASKET = range(8)
CAMPAIGN_UNIFORMS = 8


@dataclass(frozen=True)
class Target:
    """Whom a campaign goes to: the members matching every rule that is set.

    `bought_within_days`: their last order at most this many days before the send date (an
    order on the day before is 1 day before); `not_bought_within_days`: no order in as many
    days; `min_orders`: at least this many orders before the send date; `segment`: the true
    segment (loyal, regular, occasional, deal_seeker; instructor-only, as a store cannot see
    it).
    """

    bought_within_days: int | None = None
    not_bought_within_days: int | None = None
    min_orders: int = 0
    segment: str | None = None


@dataclass(frozen=True)
class Campaign:
    """One member campaign: sent on `send_date` (ISO date) by `channel` (sms, push, email or
    member_message) to the members `target` selects, `holdout_share` of them held out at
    random; an offer of `coupon_amount` off an order from `min_spend` (0: no coupon)."""

    name: str
    send_date: str
    channel: str
    target: Target = field(default_factory=Target)
    coupon_amount: float = 0.0
    min_spend: float = 0.0
    holdout_share: float = 0.1

    def __post_init__(self):
        if isinstance(self.send_date, date):
            object.__setattr__(self, "send_date", self.send_date.isoformat())
        if isinstance(self.target, dict):
            object.__setattr__(self, "target", Target(**self.target))


# the store's own campaigns of a year: (month, day, name, channel, target, coupon, min spend,
# hold-out share); none is sent on a festival's days (a window may run into a presale)
OWN_CAMPAIGNS = (
    (3, 10, "spring-winback", "sms", Target(not_bought_within_days=120), 15.0, 99.0, 0.2),
    (5, 20, "member-day", "member_message", Target(bought_within_days=180), 10.0, 79.0, 0.15),
    (7, 15, "summer-reactivation", "push", Target(not_bought_within_days=90), 20.0, 149.0, 0.2),
    (9, 20, "autumn-members", "email", Target(bought_within_days=120), 10.0, 99.0, 0.1),
    (10, 8, "pre-double11-winback", "sms", Target(not_bought_within_days=150), 20.0, 129.0, 0.2),
    (12, 16, "year-end-vip", "member_message", Target(90, None, 2), 30.0, 199.0, 0.15),
)


def own_campaigns(start: date, days: int) -> list[Campaign]:
    """The store's own campaigns whose send date falls in the run, in date order."""
    last = start + timedelta(days=days - 1)
    out = []
    for year in range(start.year, last.year + 1):
        for month, day, name, channel, target, amount, spend, hold in OWN_CAMPAIGNS:
            send = date(year, month, day)
            if start <= send <= last:
                out.append(
                    Campaign(
                        f"{name}-{year}", send.isoformat(), channel, target, amount, spend, hold
                    )
                )
    return sorted(out, key=lambda c: c.send_date)


@dataclass(frozen=True)
class PlannedCampaign:
    """A checked campaign as the engine uses it: days and indices instead of names."""

    name: str
    day: int
    channel: str
    bought_within: int | None
    not_bought_within: int | None
    min_orders: int
    segment: int  # -1: any
    amount: float
    min_spend: float
    holdout: float

    def pull(self, segment: np.ndarray, lapsed: np.ndarray) -> np.ndarray:
        """Chance of an extra order of members of `segment`, lapsed or not, sent this one."""
        base = np.array([RESPONSE[s] for s in SEGMENTS])[segment]
        if self.amount > 0:
            offer = min(COUPON_PULL_BASE + self.amount * COUPON_PULL_PER_CNY, COUPON_PULL_MAX)
        else:
            offer = np.array([NO_OFFER[s] for s in SEGMENTS])[segment]
        return base * offer * REACH[self.channel] * np.where(lapsed, LAPSED, 1.0)


class CampaignRun:
    """The members' state through the customer loop, and what the campaigns do to it.

    `assign_customers` tells it who joins (`join`), who bought on a day (`bought`) and asks
    each day for the campaigns' extra orders (`start_day`).
    """

    def __init__(self, seed: int, plans: list[PlannedCampaign], n_max: int, days: int):
        self.seed, self.plans, self.days = seed, plans, days
        self.last_day = np.full(n_max, -np.inf)
        self.n_orders = np.zeros(n_max, dtype=np.int64)
        self.until = np.zeros(n_max)  # end of the active lifetime
        self.segment = np.zeros(n_max, dtype=np.int64)
        self.opted_out = np.zeros(n_max, dtype=bool)
        self.n_members = 0
        self.messages: list[tuple[int, np.ndarray]] = []  # (day, members sent)
        self.pending: list[list[np.ndarray]] = [[] for _ in range(days)]  # send rows due
        self.sends: list[dict[str, np.ndarray]] = []
        self.n_rows = 0
        self.orders: list[tuple[int, np.ndarray]] = []  # (day, send rows that ordered)
        self._cols: dict[str, np.ndarray] | None = None  # the send rows' columns, joined

    def join(self, ids: np.ndarray, segment: np.ndarray, first: np.ndarray, until) -> None:
        """New members (ids in order): segment, first order time (days) and lifetime's end."""
        self.segment[ids], self.last_day[ids], self.until[ids] = segment, first, until
        self.n_members = int(ids[-1]) + 1 if ids.size else self.n_members

    def bought(self, customers: np.ndarray, day: int) -> None:
        """Orders (not cancelled) of `customers` on `day`."""
        self.last_day[customers] = day
        np.add.at(self.n_orders, customers, 1)

    def start_day(self, d: int, loyalty: np.ndarray) -> np.ndarray:
        """Send the day's campaigns; the members whose extra order falls today and is kept."""
        for i, plan in enumerate(self.plans):
            if plan.day == d:
                self._send(i, plan, d, loyalty)
        if not self.pending[d]:
            return np.empty(0, dtype=np.int64)
        rows = np.concatenate(self.pending[d])
        self.pending[d] = []
        who = self.column("customer")[rows]
        kept = self.column("u")[rows, CU_KEEP] * LOYALTY_CAP < loyalty[who]
        self.orders.append((d, rows[kept]))
        return who[kept]

    def column(self, name: str) -> np.ndarray:
        """One column of every send row so far."""
        if self._cols is None:
            self._cols = {k: np.concatenate([s[k] for s in self.sends]) for k in self.sends[0]}
        return self._cols[name]

    def _recent(self, d: int, n: int) -> np.ndarray:
        """Messages each of the first `n` members got in the last OPT_OUT_RECENT_DAYS days."""
        recent = [ids for day, ids in self.messages if day > d - OPT_OUT_RECENT_DAYS]
        if not recent:
            return np.zeros(n, dtype=np.int64)
        return np.bincount(np.concatenate(recent), minlength=n)[:n]

    def _targets(self, plan: PlannedCampaign, d: int) -> np.ndarray:
        n = self.n_members
        ok = ~self.opted_out[:n]
        last = self.last_day[:n]
        if plan.bought_within is not None:
            ok &= last >= d - plan.bought_within
        if plan.not_bought_within is not None:
            ok &= last < d - plan.not_bought_within
        if plan.min_orders:
            ok &= self.n_orders[:n] >= plan.min_orders
        if plan.segment >= 0:
            ok &= self.segment[:n] == plan.segment
        return np.flatnonzero(ok)

    def _send(self, i: int, plan: PlannedCampaign, d: int, loyalty: np.ndarray) -> None:
        who = self._targets(plan, d)
        u = keyed_uniforms(self.seed, f"campaign:{plan.name}", who, CAMPAIGN_UNIFORMS)
        held = u[:, CU_HOLD] < plan.holdout
        lapsed = self.until[who] < d
        recent = self._recent(d, self.n_members)[who]
        p_out = (
            OPT_OUT[plan.channel]
            * (1 + OPT_OUT_PER_RECENT * recent)
            * np.where(lapsed, OPT_OUT_LAPSED, 1.0)
        )
        out = ~held & (u[:, CU_OUT] < p_out)
        segment = self.segment[who]
        pull = np.where(held | out, 0.0, plan.pull(segment, lapsed))
        responds = u[:, CU_RESPOND] < pull
        rows = self.n_rows + np.arange(who.size)
        self.n_rows += who.size
        self.sends.append(
            dict(
                campaign=np.full(who.size, i),
                customer=who,
                held_out=held,
                opted_out=out,
                segment=segment,
                lapsed=lapsed,
                # the true uplift: expected extra orders, at the loyalty of the send date
                uplift=pull * np.minimum(loyalty[who], LOYALTY_CAP) / LOYALTY_CAP,
                u=u,
            )
        )
        self._cols = None
        self.opted_out[who[out]] = True
        read = who[~held & ~out]
        loyalty[read] = np.minimum(loyalty[read] * RECEIVED, LOYALTY_CAP)
        loyalty[who[out]] *= OPTED_OUT
        self.messages.append((d, who[~held]))
        due = d + (u[:, CU_DAY] * WINDOW_DAYS).astype(np.int64)
        for day in np.unique(due[responds & (due < self.days)]):
            self.pending[day].append(rows[responds & (due == day)])

    def result(self) -> dict:
        """Every send row (with its uniforms) and the campaign orders as (day, send row)."""
        if not self.sends:
            return dict(rows={}, order_day=np.empty(0, dtype=np.int64), order_row=np.empty(0))
        days = [np.full(r.size, d) for d, r in self.orders]
        rows = [r for _, r in self.orders]
        return dict(
            rows={k: self.column(k) for k in self.sends[0]},
            order_day=np.concatenate(days) if days else np.empty(0, dtype=np.int64),
            order_row=np.concatenate(rows) if rows else np.empty(0, dtype=np.int64),
        )


def planned(campaign: Campaign, start: date, segment: int = -1) -> PlannedCampaign:
    """The engine's form of a campaign (unchecked: `storeops.sim.policy` checks it first)."""
    t = campaign.target
    return PlannedCampaign(
        campaign.name,
        (date.fromisoformat(campaign.send_date) - start).days,
        campaign.channel,
        t.bought_within_days,
        t.not_bought_within_days,
        int(t.min_orders),
        SEGMENTS.index(t.segment) if t.segment is not None else segment,
        float(campaign.coupon_amount),
        float(campaign.min_spend),
        float(campaign.holdout_share),
    )


def describe_target(plan: PlannedCampaign) -> str:
    """A campaign's rule in words, as the campaigns table shows it."""
    parts = []
    if plan.bought_within is not None:
        parts.append(f"an order in the last {plan.bought_within} days")
    if plan.not_bought_within is not None:
        parts.append(f"no order in the last {plan.not_bought_within} days")
    if plan.min_orders:
        parts.append(f"at least {plan.min_orders} orders")
    if plan.segment >= 0:
        parts.append(f"segment {SEGMENTS[plan.segment]}")
    return "members with " + " and ".join(parts) if parts else "all members"


def redeem(
    plans: list[PlannedCampaign],
    rows: dict[str, np.ndarray],
    order_customer: np.ndarray,
    order_day: np.ndarray,
    usable: np.ndarray,
    gross: np.ndarray,
) -> np.ndarray:
    """The order (-1: none) on which each send row's coupon was redeemed: the first usable
    order (completed, not a pre-sale) of the member sent it (who did not opt out) in the
    window reaching the minimum spend, one coupon per order, campaigns in the order of their
    send dates."""
    redeemed = np.full(rows["customer"].size if rows else 0, -1, dtype=np.int64)
    taken = np.zeros(order_day.size, dtype=bool)
    n = max(order_customer.max(initial=-1), rows["customer"].max(initial=-1) if rows else -1)
    row_of = np.full(int(n) + 1, -1, dtype=np.int64)
    for i in sorted(range(len(plans)), key=lambda i: plans[i].day):
        plan = plans[i]
        if plan.amount <= 0:
            continue
        mine = np.flatnonzero((rows["campaign"] == i) & ~rows["held_out"] & ~rows["opted_out"])
        row_of[:] = -1
        row_of[rows["customer"][mine]] = mine
        in_window = (order_day >= plan.day) & (order_day < plan.day + WINDOW_DAYS)
        cand = np.flatnonzero(usable & in_window & (gross >= plan.min_spend) & ~taken)
        cand = cand[order_customer[cand] >= 0]  # -1: a day the run left out
        cand = cand[row_of[order_customer[cand]] >= 0]
        _, first = np.unique(order_customer[cand], return_index=True)
        won = cand[first]
        taken[won] = True
        redeemed[row_of[order_customer[won]]] = won
    return redeemed


def campaign_model_truth() -> dict:
    """The campaign model (instructor-only)."""
    return dict(
        rule=(
            "a sent member who does not opt out places one extra order within window_days "
            "with chance response[segment] x offer x reach[channel] (x lapsed past their "
            "active lifetime), kept with chance loyalty / loyalty_cap on its day; offer is "
            "min(0.6 + coupon / 25, 1.8) with a coupon, no_offer[segment] without"
        ),
        window_days=WINDOW_DAYS,
        response_with_10_off_by_sms=RESPONSE,
        no_offer=NO_OFFER,
        reach=REACH,
        lapsed=LAPSED,
        opt_out=dict(
            first_message=OPT_OUT,
            recent_days=OPT_OUT_RECENT_DAYS,
            per_recent_message=OPT_OUT_PER_RECENT,
            lapsed=OPT_OUT_LAPSED,
            rule="first_message x (1 + per_recent_message x messages in recent_days) (x lapsed)",
        ),
        cost_per_message=COST_PER_MESSAGE,
        loyalty=dict(
            message_received=RECEIVED,
            opted_out=OPTED_OUT,
            rule="on the send date, loyalty x message_received (capped) or x opted_out",
        ),
    )
