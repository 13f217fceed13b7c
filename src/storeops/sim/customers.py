"""Customers: segments with their own purchase and churn rates, a loyalty that follows what
they live through (`storeops.sim.loyalty`); who placed which order."""

from __future__ import annotations

import numpy as np

from storeops.sim.campaigns import CampaignRun, PlannedCampaign
from storeops.sim.loyalty import FESTIVAL_START, LOYALTY_CAP
from storeops.sim.params import CHANNELS, SEGMENT_PARAMS, SEGMENTS
from storeops.sim.rng import keyed_uniforms, stream

DAY_BITS = 11  # a repeat order's uniform is keyed by (customer << DAY_BITS) + day

# which orders go to returning customers first: owned channels, then direct, search, social, display
PRIORITY = {
    "email": 0,
    "push": 0,
    "sms": 0,
    "direct": 1,
    "organic_search": 2,
    "search": 2,
    "recommendation": 3,
    "social": 3,
    "display": 4,
}


def assign_customers(
    seed: int,
    o_day: np.ndarray,
    o_sec: np.ndarray,
    o_ch: np.ndarray,
    festive_day: np.ndarray,
    days: int,
    scale: float,
    experience: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    cancelled: np.ndarray | None = None,
    campaigns: list[PlannedCampaign] | None = None,
    until: int | None = None,
) -> dict:
    """Assign every order (sorted by time) to a new or returning customer; returns arrays.

    `experience` (order, day, loyalty factor), sorted by day (`loyalty.experiences`): each
    multiplies the loyalty of the order's customer at the end of its day, and a repeat order
    due is kept with chance loyalty / LOYALTY_CAP (the customer's uniform of the day). Each
    day draws from its own stream, so nothing a decision changes moves an earlier day. Who
    places which order on a day still depends on every order of that day (customers are
    matched to orders after the fact). `campaigns` (checked, with `cancelled` per order) are
    sent on their days (`storeops.sim.campaigns`): their extra orders are returned under
    "campaigns", on top of the orders given. With `until` the days from it on are left out
    (their orders' customer is -1).
    """
    rate, life, p_norm, p_fest = (
        np.array([SEGMENT_PARAMS[s][k] for s in SEGMENTS])
        for k in ("rate", "lifetime", "share", "festival_share")
    )
    rate = rate * LOYALTY_CAP
    # pending[day]: arrays of customer ids due to order again that day
    pending: list[list[np.ndarray]] = [[] for _ in range(days)]
    rng = stream(seed, "customers")
    seg0, t00, life0 = _existing_customers(rng, scale, p_norm, life)
    n0 = seg0.size
    ids0 = np.arange(n0)
    # events after the start: window [0, t0 + life)
    _schedule_repeats(rng, pending, rate[seg0], ids0, np.full(n0, -1.0), t00 + life0 + 1.0)
    book = _Book(seg0, t00, n0)
    o_cust, until = np.full(o_day.size, -1, dtype=np.int64), min(until or days, days)
    loyalty = Loyalty(o_cust, n0 + o_day.size, experience, days)
    run = CampaignRun(seed, campaigns, n0 + o_day.size, days) if campaigns else None
    if run:
        run.join(ids0, seg0, t00, t00 + life0)
    prio = np.array([PRIORITY[c] for c in CHANNELS], dtype=float)
    starts = np.searchsorted(o_day, np.arange(days + 1))
    for d in range(until):
        loyalty.live_through(d - 1)
        extra = run.start_day(d, loyalty.value) if run else None
        lo, hi = starts[d], starts[d + 1]
        due = loyalty.keep(seed, np.concatenate(pending[d]) if pending[d] else None, d)
        pending[d] = []
        if hi > lo:
            rng = stream(seed, "customers", d)
            rng.shuffle(due)
            rank = np.argsort(prio[o_ch[lo:hi]] + rng.random(hi - lo))
            n_rep = min(due.size, hi - lo)
            o_cust[lo + rank[:n_rep]] = due[:n_rep]
            new = np.sort(lo + rank[n_rep:])
            if new.size:
                ids = book.next_id + np.arange(new.size)
                o_cust[new] = ids
                loyalty.value[ids] = FESTIVAL_START if festive_day[d] else 1.0
                p = p_fest if festive_day[d] else p_norm
                seg, tf, lt = _acquired(rng, pending, new, d, o_sec, p, rate, life, ids)
                book.add(seg, tf, o_ch[new], bool(festive_day[d]))
                if run:
                    run.join(ids, seg, tf, tf + lt)
        if run:
            run.bought(o_cust[lo:hi][~cancelled[lo:hi]], d)
            run.bought(extra, d)
    loyalty.live_through(until - 1)
    return dict(
        **book.result(),
        order_customer=o_cust,
        n_existing=n0,
        loyalty=loyalty.value[: book.next_id],
        campaigns=run.result() if run else None,
    )


def _acquired(rng, pending, new, d, o_sec, p, rate, life, ids) -> tuple[np.ndarray, ...]:
    """New customers' segment, first order time and active lifetime; their repeat orders
    filed in `pending`."""
    seg = rng.choice(len(SEGMENTS), size=new.size, p=p)
    tf = d + o_sec[new] / 86400.0
    lt = rng.exponential(life[seg])
    _schedule_repeats(rng, pending, rate[seg], ids, tf, lt)
    return seg, tf, lt


class _Book:
    """The customers drawn so far: segment, first order time, acquisition channel, festival."""

    def __init__(self, seg0: np.ndarray, t00: np.ndarray, n0: int) -> None:
        self.seg, self.first, self.ch = [seg0], [t00], [np.full(n0, -1)]
        self.fest = [np.zeros(n0, dtype=bool)]
        self.next_id = n0

    def add(self, seg: np.ndarray, first: np.ndarray, ch: np.ndarray, festive: bool) -> None:
        self.seg.append(seg)
        self.first.append(first)
        self.ch.append(ch)
        self.fest.append(np.full(seg.size, festive))
        self.next_id += seg.size

    def result(self) -> dict:
        return dict(
            segment=np.concatenate(self.seg),
            first_day=np.concatenate(self.first),
            acq_channel=np.concatenate(self.ch),
            acq_festival=np.concatenate(self.fest),
        )


class Loyalty:
    """Every customer's loyalty through the run, and the experiences still to come."""

    def __init__(self, o_cust: np.ndarray, n_max: int, experience, days: int) -> None:
        self.o_cust = o_cust
        self.value = np.ones(n_max)
        empty = np.empty(0, dtype=np.int64)
        self.order, self.day, self.factor = experience or (empty, empty, np.empty(0))
        self.starts = np.searchsorted(self.day, np.arange(days + 1))

    def live_through(self, d: int) -> None:
        """Apply the experiences of day `d` (their orders are placed by then)."""
        if d < 0:
            return
        a, b = self.starts[d], self.starts[d + 1]
        if a == b:
            return
        who = self.o_cust[self.order[a:b]]
        np.multiply.at(self.value, who, self.factor[a:b])
        # only these moved (every other loyalty is at most the cap already)
        self.value[who] = np.minimum(self.value[who], LOYALTY_CAP)

    def keep(self, seed: int, due: np.ndarray | None, d: int) -> np.ndarray:
        """The customers due on day `d` whose repeat order their loyalty keeps."""
        if due is None:
            return np.empty(0, dtype=np.int64)
        u = keyed_uniforms(seed, "repeat", (due.astype(np.int64) << DAY_BITS) + d, 1)[:, 0]
        return due[u * LOYALTY_CAP < self.value[due]]


def _existing_customers(
    rng: np.random.Generator, scale: float, p_norm: np.ndarray, life: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers who bought before the window and are still active at its start.

    Returns their segment, first purchase day (negative) and active lifetime.
    """
    n0 = int(round(42000 * scale))
    seg0 = rng.choice(len(SEGMENTS), size=n0, p=p_norm)
    t00 = -rng.uniform(1, 900, n0)
    life0 = rng.exponential(life[seg0])
    alive = t00 + life0 > 0
    return seg0[alive], t00[alive], life0[alive]


def _schedule_repeats(
    rng: np.random.Generator,
    pending: list[list[np.ndarray]],
    rate: np.ndarray,
    ids: np.ndarray,
    t_first: np.ndarray,
    lifetime: np.ndarray,
) -> None:
    """Draw each customer's repeat orders while active and file their ids under the day."""
    days = len(pending)
    lo = np.maximum(np.floor(t_first) + 1, 0)
    hi = np.minimum(t_first + lifetime, days)
    length = np.clip(hi - lo, 0, None)
    k = rng.poisson(rate * length)
    if k.sum() == 0:
        return
    who = np.repeat(ids, k)
    t = np.repeat(lo, k) + rng.random(who.size) * np.repeat(length, k)
    event_day = np.minimum(t.astype(np.int64), days - 1)
    order = np.argsort(event_day.astype(np.int16), kind="stable")  # radix sort: days < 2**15
    event_day, who = event_day[order], who[order]
    cuts = np.flatnonzero(np.r_[True, event_day[1:] != event_day[:-1]])
    # plain ints: indexing and slicing with numpy scalars cost more than the appends
    ends = [*cuts[1:].tolist(), event_day.size]
    for day, a, b in zip(event_day[cuts].tolist(), cuts.tolist(), ends, strict=True):
        pending[day].append(who[a:b])


def segment_truth() -> dict:
    """Segment purchase and churn rates as recorded in the truth."""
    return {
        s: dict(
            purchase_rate_per_day=round(p["rate"], 6),
            mean_active_lifetime_days=p["lifetime"],
            churn_rate_per_day=round(1 / p["lifetime"], 6),
            share_of_new_customers_ordinary_days=p["share"],
            share_of_new_customers_festival=p["festival_share"],
        )
        for s, p in SEGMENT_PARAMS.items()
    }
