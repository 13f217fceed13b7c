"""Customer service: agents per hour, chats through a queue, waits, abandoned chats, and a
consultation conversion that falls with the wait.

Chats come in two kinds. A **pre-sale** question comes from a shopper before an order: a share
of the funnel's intended orders (`CHAT_SHARE`, drawn per order) are placed by shoppers who ask
first, and for each of them `(1 - P0) / P0` other shoppers of the same hour ask without meaning
to buy (a Poisson count per hour), so that a chat answered at once converts with probability
`P0`. A shopper who asks and would buy goes ahead with probability p(first response) / P0.
A chat is abandoned when the first response would come after the shopper's patience. One who
leaves before an answer could be due (within `ANSWER_DUE_S`) left of their own accord and buys
as a shopper who never asked would (`BASE_CONVERSION`, the yardstick of the chat's uplift);
one who gave up waiting mostly buys elsewhere (`ABANDONED_CONVERSION`, below a slow answer):
fewer agents, longer waits, fewer orders. An
**after-sale** contact follows a delivery (more often when it was late) or a return (nearly
always for a defect).

The agents of an hour serve both kinds, pre-sale first (it earns money: a pre-sale chat jumps
the after-sale queue), through an M/M/c queue per hour (Erlang C): a chat waits with
probability C(c, a) and then an exponential time with its class's mean wait (`queue_waits`),
drawn by inverting the chat's own uniform, so that more agents never lengthen a wait. Past `RHO_CAP` of capacity a backlog grows
through the hour. The load a is what the agents carry: an abandoned chat is never handled and
takes no agent time, so an hour's load is that of its chats that are answered, found as the
fixed point of the hour's waits (`carried_waits`). Every draw is keyed by
the order or by the (day, hour, number) of the chat, so a staffing change in one hour moves only
that hour's chats and the orders that follow them.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from storeops.sim.params import HOUR_PROFILE
from storeops.sim.rng import keyed_uniforms, poisson_quantile

HOURS = 24
CHAT_SHARE = 0.30  # intended orders whose buyer asks a pre-sale question first
MEDIAN_RESPONSE_S = 18.0  # the first response at which an answer lifts conversion by CHAT_UPLIFT
SLOPE_PER_S = -0.012  # change in log-odds of conversion per second of first response
BASE_CONVERSION = 0.36  # the yardstick: a chatter who left before an answer could be due
CHAT_UPLIFT = 0.16  # relative uplift from an answer at the median response time
ANSWER_DUE_S = 20.0  # leaving sooner is the shopper's own doing, not the shop's wait
# a shopper who gave up waiting mostly buys elsewhere: about what a 3-minute answer converts
ABANDONED_CONVERSION = 0.08
PRESALE_HANDLE_S = 150.0  # mean agent time a pre-sale chat takes (agents juggle chats)
AFTERSALE_HANDLE_S = 300.0
REPLY_MEDIAN_S = 14.0  # an agent's first reply once free: reading and typing
REPLY_LOG_SD = 0.45
PATIENCE_S = dict(presale=120.0, aftersale=600.0)  # mean patience (Weibull, shape 2)
RHO_CAP = 0.97  # past this share of capacity the queue grows through the hour
CONTACT_AFTER_DELIVERY = 0.05  # buyers who contact the shop once their parcel arrives ...
CONTACT_PER_LATE_DAY = 0.06  # ... and more for each courier day past three
CONTACT_ON_RETURN = 0.5  # a return with a question; a defect always
ESCALATE = dict(delivery=0.06, return_=0.12, defect=0.35)
OCCUPANCY_TARGET = 0.45  # the store's own plan: agents for this share of the load they carry
FESTIVAL_FORESIGHT = 0.4  # the store staffs a festival for (its lift) ** this
PRESALE, AFTERSALE = 0, 1
OUTCOMES = ("resolved", "escalated", "abandoned")
KINDS = ("pre-sale", "after-sale")
CHAT_KEY_BITS = 20  # a browsing chatter's key: (day x 24 + hour), then its number in the hour
# a pre-sale chat's uniforms: asks?, converts?, minutes before the order, then the queue's
PU_CHAT, PU_CONV, PU_LAG, PU_WAIT, PU_PATIENCE, PU_REPLY, PU_HANDLE, PU_AGENT, PU_CUSTOMER = range(
    9
)
PRESALE_UNIFORMS = 9
# an after-sale contact's: contacts?, hour, second, then the queue's, escalated?
AU_CONTACT, AU_HOUR, AU_SEC, AU_WAIT, AU_PATIENCE, AU_REPLY, AU_HANDLE, AU_ESCALATE, AU_AGENT = (
    range(9)
)
AFTERSALE_UNIFORMS = 9


def answered_logit_intercept() -> float:
    """Intercept so that p(answered at the median time) = BASE_CONVERSION * (1 + CHAT_UPLIFT)."""
    p = BASE_CONVERSION * (1 + CHAT_UPLIFT)
    return float(np.log(p / (1 - p)) - SLOPE_PER_S * MEDIAN_RESPONSE_S)


P0 = float(1 / (1 + np.exp(-answered_logit_intercept())))  # conversion of an instant answer
# the share of intended orders a planner expects to go ahead: askers answered at the median
PLANNED_GO_AHEAD = 1 - CHAT_SHARE * (1 - BASE_CONVERSION * (1 + CHAT_UPLIFT) / P0)


def conversion(first_response_s: np.ndarray, waited_s: np.ndarray) -> np.ndarray:
    """Chance that a pre-sale chatter orders. Abandoned chats (first response NaN) convert at
    BASE_CONVERSION if the shopper left before ANSWER_DUE_S, else at ABANDONED_CONVERSION."""
    r = np.asarray(first_response_s, dtype=float)
    p = 1 / (1 + np.exp(-(answered_logit_intercept() + SLOPE_PER_S * np.nan_to_num(r))))
    left = np.where(np.asarray(waited_s) < ANSWER_DUE_S, BASE_CONVERSION, ABANDONED_CONVERSION)
    return np.where(np.isnan(r), left, p)


def erlang_c(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Probability that a chat waits in an M/M/c queue (c = agents, load in Erlangs < c).

    Erlang B by its recursion up to the largest c, then C = c B / (c - a (1 - B)).
    """
    agents = np.asarray(agents, dtype=np.int64)
    load = np.asarray(load, dtype=float)
    b = np.ones(load.shape)
    out = np.ones(load.shape)
    for k in range(1, int(agents.max(initial=0)) + 1):
        b = load * b / (k + load * b)
        at = agents == k
        out[at] = b[at]
    c = np.maximum(agents, 1)
    return np.where(agents > 0, np.clip(c * out / (c - load * (1 - out)), 0.0, 1.0), 1.0)


def queue_waits(
    agents: np.ndarray,
    load_ahead: np.ndarray,
    load_own: np.ndarray,
    handle_s: float,
    handle_ahead_s: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How long a class's chats wait for a first response in an hour with `agents` where
    `load_ahead` is served before them and they bring `load_own` (Erlangs); the class's
    chats take `handle_s` of agent time on average, those ahead `handle_ahead_s`.

    Returns, per hour, the chance to wait, the mean wait of one who waits (exponential) and
    the backlog (s per second into the hour) past RHO_CAP of capacity. The mean wait is the
    class's in a priority M/M/c queue (Cobham): chats ahead jump the queue, but an agent who
    has picked a chat up has answered it, so the wait to a first response is that of a
    non-preemptive priority, C(c, a) h c / ((c - a_ahead) (c - a)) at the chats' mean handle
    time h. No agents: an endless wait (every chat is abandoned).
    """
    c = np.maximum(agents, 1).astype(float)
    total = load_ahead + load_own
    # the mean handle time of all chats of the hour, each chat weighing one
    chats = load_own / handle_s + load_ahead / handle_ahead_s
    handle = np.where(chats > 0, total / np.maximum(chats, 1e-300), handle_s)
    a, ahead = np.minimum(total, RHO_CAP * c), np.minimum(load_ahead, RHO_CAP * c)
    p_wait = erlang_c(agents, a)
    mean = np.where(agents > 0, handle * c / ((c - ahead) * (c - a)), np.inf)
    backlog = np.maximum(total / c - RHO_CAP, 0.0)
    return p_wait, mean, backlog


def _waits(terms, u: np.ndarray, sec_in_hour: np.ndarray) -> np.ndarray:
    """Each chat's wait from its hour's `queue_waits` terms, by inverting its uniform `u`."""
    p_wait, mean, backlog = terms
    wait = np.where(u < p_wait, mean * np.log(p_wait / np.minimum(u, p_wait)), 0.0)
    return np.where(np.isinf(mean), np.inf, wait + backlog * sec_in_hour)


def serve(
    kind: str, wait: np.ndarray, u_patience: np.ndarray, u_reply: np.ndarray, u_handle: np.ndarray
) -> dict[str, np.ndarray]:
    """Abandoned (first response beyond patience), first response, time waited and agent
    handle time."""
    patience, reply = _patience_and_reply(kind, u_patience, u_reply)
    abandoned = wait + reply > patience
    handle_mean = PRESALE_HANDLE_S if kind == "presale" else AFTERSALE_HANDLE_S
    handle = -handle_mean * np.log(u_handle)
    return dict(
        abandoned=abandoned,
        first_response_s=np.where(abandoned, np.nan, np.round(wait + reply, 1)),
        wait_s=np.round(np.where(abandoned, patience, wait), 1),
        handle_s=np.where(abandoned, np.nan, np.round(handle + reply, 1)),
    )


def _patience_and_reply(
    kind: str, u_patience: np.ndarray, u_reply: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A chatter's patience (s) and an agent's first reply once free (s)."""
    # few leave in the first seconds: a Weibull of shape 2 (mean = scale x 0.886)
    patience = PATIENCE_S[kind] / 0.8862 * np.sqrt(-np.log(u_patience))
    return patience, REPLY_MEDIAN_S * np.exp(REPLY_LOG_SD * ndtri(u_reply))


CARRY_STEPS = 12  # bisection steps of an hour's carried share (to 1/4096)


def carried_waits(
    kind: str,
    slot: np.ndarray,
    agents: np.ndarray,
    load_ahead: np.ndarray,
    u: np.ndarray,
    sec_in_hour: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Queue waits of a class's chats (`slot` per chat) and the load (Erlangs per slot) its
    answered chats carry; `agents` and `load_ahead` per slot, `u` the chats' (wait,
    patience, reply) uniforms.

    An abandoned chat is never handled, so the agents carry only the answered chats' load:
    per slot the share s of the offered load at which the chats answered are that share,
    s = answered(s), found by bisection (fewer answered, shorter waits, more answered). The
    waits are those at that load; a slot's share depends on its own chats only.
    """
    handle_s = PRESALE_HANDLE_S if kind == "presale" else AFTERSALE_HANDLE_S
    hours, at = np.unique(slot, return_inverse=True)
    count = np.bincount(at, minlength=hours.size)
    offered = count * handle_s / 3600
    patience, reply = _patience_and_reply(kind, u[:, 1], u[:, 2])
    lo, hi = np.zeros(hours.size), np.ones(hours.size)

    def waits(share):
        terms = queue_waits(
            agents[hours], load_ahead[hours], offered * share, handle_s, PRESALE_HANDLE_S
        )
        return _waits(tuple(t[at] for t in terms), u[:, 0], sec_in_hour)

    for _ in range(CARRY_STEPS):
        mid = (lo + hi) / 2
        answered = np.bincount(at, weights=waits(mid) + reply <= patience, minlength=hours.size)
        above = mid > answered / count  # carrying more than is answered: the share is lower
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    carried = np.zeros(agents.size)
    carried[hours] = offered * hi  # the upper end: waits never shorter than at the fixed point
    return waits(hi), carried


def _hour_cdf() -> np.ndarray:
    prof = np.asarray(HOUR_PROFILE, dtype=float)
    return np.cumsum(prof) / prof.sum()


def own_staffing(typical_orders: float, festival_lift: np.ndarray, busy: np.ndarray) -> np.ndarray:
    """The store's own agents [day, hour]: enough for OCCUPANCY_TARGET of the planned load of an
    ordinary day, and on festival days for part of the festival's lift (FESTIVAL_FORESIGHT).

    The load is planned from the typical day under the store's own plan (a yardstick no
    decision moves): pre-sale chats of CHAT_SHARE / P0 per order, after-sale contacts about
    0.12 per order.
    """
    hour_share = np.asarray(HOUR_PROFILE, dtype=float) / np.sum(HOUR_PROFILE)
    per_order = CHAT_SHARE / P0 * PRESALE_HANDLE_S + 0.12 * AFTERSALE_HANDLE_S
    lift = np.where(busy, np.maximum(festival_lift, 1.0) ** FESTIVAL_FORESIGHT, 1.0)
    load = typical_orders * per_order / 3600 * lift[:, None] * hour_share[None, :]
    return np.maximum(np.ceil(load / OCCUPANCY_TARGET), 1).astype(np.int64)


def presale_chats(
    seed: int, orders: dict[str, np.ndarray], agents: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Pre-sale chats of the intended orders (sorted by time) and who else asked that hour.

    Returns the chats (with `order`: the intended order's row, -1 for a browser) and which
    intended orders go ahead (those whose buyer did not chat, and converted chatters).
    """
    days = agents.shape[0]
    u = keyed_uniforms(seed, "presale-chat", orders["key"], PRESALE_UNIFORMS)
    asks = np.flatnonzero(u[:, PU_CHAT] < CHAT_SHARE)
    ua = u[asks]
    # the chat opens 1-30 minutes before the order, never before midnight of its day
    sec = np.maximum(orders["sec"][asks] - (60 + np.floor(ua[:, PU_LAG] * 1740)), 0).astype(
        np.int64
    )
    day = orders["day"][asks].astype(np.int64)
    slot = day * HOURS + sec // 3600
    buyers = np.bincount(slot, minlength=days * HOURS)
    browsers = _browsers(seed, buyers, days)
    chats = dict(
        slot=np.r_[slot, browsers["slot"]],
        sec=np.r_[sec, browsers["sec"]],
        order=np.r_[asks, np.full(browsers["slot"].size, -1)],
        u=np.r_[ua, browsers["u"]],
        # what the chat's text is keyed by: the intended order's key, or the browser's
        key=np.r_[orders["key"][asks], browsers["key"]],
        source=np.r_[np.zeros(asks.size, np.int8), np.ones(browsers["slot"].size, np.int8)],
    )
    flat = agents.reshape(-1)
    s = chats["slot"]
    wait, chats["carried"] = carried_waits(
        "presale",
        s,
        flat,
        np.zeros(flat.size),
        chats["u"][:, [PU_WAIT, PU_PATIENCE, PU_REPLY]],
        chats["sec"] % 3600,
    )
    chats.update(
        serve("presale", wait, *(chats["u"][:, k] for k in (PU_PATIENCE, PU_REPLY, PU_HANDLE)))
    )
    p = conversion(chats["first_response_s"], chats["wait_s"])
    chats["converted"] = (chats["order"] >= 0) & (chats["u"][:, PU_CONV] < p / P0)
    chats["agents"] = flat[s]
    chats["agent_u"] = chats["u"][:, PU_AGENT]
    goes_ahead = np.ones(orders["day"].size, dtype=bool)
    goes_ahead[asks] = chats["converted"][: asks.size]
    return chats, goes_ahead


def _browsers(seed: int, buyers: np.ndarray, days: int) -> dict[str, np.ndarray]:
    """Chatters who do not mean to buy: (1 - P0) / P0 per asking buyer of the hour (Poisson)."""
    n = poisson_quantile(
        keyed_uniforms(seed, "presale-browsers", np.arange(buyers.size), 1)[:, 0].astype(float),
        buyers * (1 - P0) / P0,
    )
    slot = np.repeat(np.arange(buyers.size), n)
    first = np.repeat(np.cumsum(n) - n, n)
    key = (slot.astype(np.int64) << CHAT_KEY_BITS) + (np.arange(slot.size) - first)
    u = keyed_uniforms(seed, "presale-browser", key, PRESALE_UNIFORMS)
    # a browser's minutes-before-an-order uniform gives its second in the hour instead
    sec = (slot % HOURS) * 3600 + np.floor(u[:, PU_LAG] * 3600).astype(np.int64)
    return dict(slot=slot, sec=sec, u=u, key=key)


def aftersale_chats(
    seed: int,
    order_key: np.ndarray,
    delivered_day: np.ndarray,
    courier_days: np.ndarray,
    return_order: np.ndarray,
    return_day: np.ndarray,
    return_defect: np.ndarray,
    agents: np.ndarray,
    presale_load: np.ndarray,
) -> dict[str, np.ndarray]:
    """After-sale contacts about delivered orders (`delivered_day` -1: none in the run) and
    returns (one per order and return day), queued behind the load the hour's pre-sale chats
    carry (`presale_load`, Erlangs per slot)."""
    du = keyed_uniforms(seed, "delivery-chat", order_key, AFTERSALE_UNIFORMS)
    late = np.maximum(courier_days - 3, 0)
    p_contact = CONTACT_AFTER_DELIVERY + CONTACT_PER_LATE_DAY * late
    d_idx = np.flatnonzero((delivered_day >= 0) & (du[:, AU_CONTACT] < p_contact))
    return_key = order_key[return_order] * 2048 + return_day
    ru = keyed_uniforms(seed, "return-chat", return_key, AFTERSALE_UNIFORMS)
    r_idx = np.flatnonzero((return_defect) | (ru[:, AU_CONTACT] < CONTACT_ON_RETURN))
    u = np.r_[du[d_idx], ru[r_idx]]
    day = np.r_[delivered_day[d_idx], return_day[r_idx]].astype(np.int64)
    hour = np.minimum(np.searchsorted(_hour_cdf(), u[:, AU_HOUR], side="right"), HOURS - 1)
    sec = hour * 3600 + np.floor(u[:, AU_SEC] * 3600).astype(np.int64)
    slot = day * HOURS + hour
    flat = agents.reshape(-1)
    wait, _ = carried_waits(
        "aftersale", slot, flat, presale_load, u[:, [AU_WAIT, AU_PATIENCE, AU_REPLY]], sec % 3600
    )
    chats = serve("aftersale", wait, u[:, AU_PATIENCE], u[:, AU_REPLY], u[:, AU_HANDLE])
    cause_p = np.r_[
        np.full(d_idx.size, ESCALATE["delivery"]),
        np.where(return_defect[r_idx], ESCALATE["defect"], ESCALATE["return_"]),
    ]
    escalated = ~chats["abandoned"] & (u[:, AU_ESCALATE] < cause_p)
    chats.update(
        slot=slot,
        sec=sec,
        order=np.r_[d_idx, return_order[r_idx]],
        outcome=np.where(chats["abandoned"], 2, np.where(escalated, 1, 0)),
        agents=flat[slot],
        agent_u=u[:, AU_AGENT],
        key=np.r_[order_key[d_idx], return_key[r_idx]],
        source=np.r_[np.full(d_idx.size, 2, np.int8), np.full(r_idx.size, 3, np.int8)],
    )
    return chats


def service_truth(agents: np.ndarray) -> dict:
    """Ground truth of the service model (instructor-only)."""
    return dict(
        pre_sale_chat_share_of_intended_orders=CHAT_SHARE,
        browsing_chatters_per_asking_buyer=round((1 - P0) / P0, 6),
        median_first_response_s_reference=MEDIAN_RESPONSE_S,
        response_slope_log_odds_per_second=SLOPE_PER_S,
        answered_intercept_log_odds=round(answered_logit_intercept(), 6),
        conversion_of_an_instant_answer=round(P0, 6),
        left_before_an_answer_was_due_conversion=BASE_CONVERSION,
        answer_due_s=ANSWER_DUE_S,
        gave_up_waiting_conversion=ABANDONED_CONVERSION,
        uplift_of_answer_at_median_response=CHAT_UPLIFT,
        queue=(
            "M/M/c per hour (Erlang C), agents = servers; pre-sale chats jump the after-sale "
            "queue (priority to the first response: an after-sale chat once picked up is "
            "answered); abandoned chats take no agent time (the load is the answered "
            f"chats'); past {RHO_CAP:.0%} of capacity a backlog grows through the hour"
        ),
        mean_handle_s=dict(pre_sale=PRESALE_HANDLE_S, after_sale=AFTERSALE_HANDLE_S),
        reply_s=dict(median=REPLY_MEDIAN_S, log_sd=REPLY_LOG_SD),
        mean_patience_s=dict(PATIENCE_S),
        patience="Weibull of shape 2 with the mean patience",
        contacts=dict(
            after_delivery=CONTACT_AFTER_DELIVERY,
            per_courier_day_past_three=CONTACT_PER_LATE_DAY,
            on_return=CONTACT_ON_RETURN,
            on_defect_return=1.0,
        ),
        escalation=dict(ESCALATE),
        store_staffing=dict(
            occupancy_target=OCCUPANCY_TARGET,
            festival_foresight=FESTIVAL_FORESIGHT,
            agent_hours=int(agents.sum()),
        ),
    )


def all_chats(
    presale: dict[str, np.ndarray],
    presale_order: np.ndarray,
    aftersale: dict[str, np.ndarray],
    buyers: dict | None,
) -> dict[str, np.ndarray]:
    """Both kinds of chats as columns, sorted by time: kind, customer, agent (-1: abandoned),
    waits, outcome, converted and the order (the one a pre-sale chat led to, or the one an
    after-sale contact is about)."""
    n_pre = presale["slot"].size
    converted = np.r_[presale_order >= 0, np.zeros(aftersale["slot"].size, dtype=bool)]
    order = np.r_[presale_order, aftersale["order"]]
    slot = np.r_[presale["slot"], aftersale["slot"]]
    time = (slot // HOURS) * 86400.0 + np.r_[presale["sec"], aftersale["sec"]]
    abandoned = np.r_[presale["abandoned"], aftersale["abandoned"]]
    agents = np.r_[presale["agents"], aftersale["agents"]]
    agent_u = np.r_[presale["agent_u"], aftersale["agent_u"]]
    agent = np.where(abandoned, -1, np.minimum(agent_u * agents, agents - 1).astype(np.int64))
    outcome = np.r_[np.where(presale["abandoned"], 2, 0), aftersale["outcome"]]
    customer = np.full(order.size, -1, dtype=np.int64)
    if buyers is not None:
        customer[order >= 0] = buyers["order_customer"][order[order >= 0]]
        browsing = np.flatnonzero(presale["order"] < 0)
        customer[browsing] = _known_customer(
            buyers["first_day"], slot[browsing] // HOURS, presale["u"][browsing, PU_CUSTOMER]
        )
    srt = np.argsort(time, kind="stable")
    cols = dict(
        time=time,
        kind=np.r_[np.zeros(n_pre, dtype=np.int8), np.ones(order.size - n_pre, dtype=np.int8)],
        customer=customer,
        agent=agent,
        first_response_s=np.r_[presale["first_response_s"], aftersale["first_response_s"]],
        wait_s=np.r_[presale["wait_s"], aftersale["wait_s"]],
        handle_s=np.r_[presale["handle_s"], aftersale["handle_s"]],
        outcome=outcome,
        converted=converted,
        order=order,
        # what its text is keyed by, and the key's kind (texts.CHAT_SOURCES)
        key=np.r_[presale["key"], aftersale["key"]],
        source=np.r_[presale["source"], aftersale["source"]],
    )
    return {k: v[srt] for k, v in cols.items()}


def _known_customer(first_day: np.ndarray, day: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A browsing chatter is a known customer (60 %: one who had bought before) or not (-1)."""
    by_first = np.argsort(first_day, kind="stable")
    n_before = np.searchsorted(first_day[by_first], day, side="left")
    out = np.full(day.size, -1, dtype=np.int64)
    known = np.flatnonzero((u < 0.6) & (n_before > 0))
    pick = (u[known] / 0.6 * n_before[known]).astype(np.int64)
    out[known] = by_first[np.minimum(pick, n_before[known] - 1)]
    return out
