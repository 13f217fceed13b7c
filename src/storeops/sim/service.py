"""Customer-service chats: first-response time and its effect on consultation conversion."""

from __future__ import annotations

import numpy as np

from storeops.sim.params import HOUR_PROFILE

CHAT_SHARE_OF_ORDERS = 0.12
MEDIAN_RESPONSE_S = 18.0
SLOPE_PER_S = -0.012  # change in log-odds of conversion per second of first response
BASE_CONVERSION = 0.36  # chatters whose question went unanswered (left before an answer)
CHAT_UPLIFT = 0.16  # relative uplift from an answer at the median response time
UNANSWERED = 0.07


def answered_logit_intercept() -> float:
    """Intercept so that p(answered at the median time) = BASE_CONVERSION * (1 + CHAT_UPLIFT)."""
    p = BASE_CONVERSION * (1 + CHAT_UPLIFT)
    return float(np.log(p / (1 - p)) - SLOPE_PER_S * MEDIAN_RESPONSE_S)


def simulate_chats(
    rng: np.random.Generator,
    o_day: np.ndarray,
    o_sec: np.ndarray,
    o_cust: np.ndarray,
    first_day: np.ndarray,
    days: int,
) -> dict[str, np.ndarray]:
    """Chats per day: converted ones precede an order of the same customer; others do not."""
    per_day = np.bincount(o_day, minlength=days)
    mean = max(per_day.mean(), 1.0)
    load = (np.maximum(per_day, 1) / mean) ** 0.35
    base_p = BASE_CONVERSION * (1 + CHAT_UPLIFT)
    n_chats = rng.poisson(CHAT_SHARE_OF_ORDERS * per_day / base_p)
    c_day = np.repeat(np.arange(days), n_chats)
    m = c_day.size
    resp = np.round(MEDIAN_RESPONSE_S * load[c_day] * rng.lognormal(0, 0.55, m), 1)
    unanswered = rng.random(m) < UNANSWERED
    a0 = answered_logit_intercept()
    p = np.where(unanswered, BASE_CONVERSION, 1 / (1 + np.exp(-(a0 + SLOPE_PER_S * resp))))
    conv = rng.random(m) < p
    # match converted chats to orders on the same day (random orders, without replacement)
    starts = np.searchsorted(o_day, np.arange(days + 1))
    okey = np.argsort(o_day + rng.random(o_day.size))  # orders by day, random within a day
    rank_o = np.empty(o_day.size, dtype=np.int64)
    rank_o[okey] = np.arange(o_day.size) - starts[o_day[okey]]
    conv_idx = np.flatnonzero(conv)
    cd = c_day[conv_idx]
    cstarts = np.searchsorted(cd, np.arange(days + 1))
    crank = np.arange(cd.size) - cstarts[cd]
    ok = crank < per_day[cd]
    conv[conv_idx[~ok]] = False
    conv_idx, cd, crank = conv_idx[ok], cd[ok], crank[ok]
    # the order with rank r on day d: okey holds orders sorted by (day, random)
    chosen = okey[starts[cd] + crank]
    order_of_chat = np.full(m, -1, dtype=np.int64)
    order_of_chat[conv_idx] = chosen
    # times: converted chats start 1-30 min before their order; others follow the daily rhythm
    prof = np.asarray(HOUR_PROFILE, dtype=float)
    hour = np.searchsorted(np.cumsum(prof) / prof.sum(), rng.random(m), side="right")
    sec = np.minimum(hour, 23) * 3600 + rng.integers(0, 3600, m)
    t = c_day * 86400.0 + sec
    t[conv_idx] = o_day[chosen] * 86400.0 + o_sec[chosen] - rng.integers(60, 1800, conv_idx.size)
    # customers: converted = the order's customer; others: a known customer (60 %) or a visitor
    cust = np.full(m, -1, dtype=np.int64)
    cust[conv_idx] = o_cust[chosen]
    rest = np.flatnonzero(~conv)
    known = rest[rng.random(rest.size) < 0.6]
    if known.size and first_day.size:
        # a random customer acquired before the chat
        order_fd = np.argsort(first_day, kind="stable")
        n_before = np.searchsorted(first_day[order_fd], c_day[known], side="left")
        pick = (rng.random(known.size) * n_before).astype(np.int64)
        cust[known] = np.where(n_before > 0, order_fd[np.minimum(pick, first_day.size - 1)], -1)
    srt = np.argsort(t, kind="stable")
    resp_out = np.where(unanswered, np.nan, resp)
    return dict(
        time=t[srt],
        customer=cust[srt],
        first_response_s=resp_out[srt],
        converted=conv[srt],
        order=order_of_chat[srt],
    )


def service_truth() -> dict:
    """Ground truth of the chat model."""
    return dict(
        chat_share_of_orders=CHAT_SHARE_OF_ORDERS,
        median_first_response_s_at_average_load=MEDIAN_RESPONSE_S,
        response_slope_log_odds_per_second=SLOPE_PER_S,
        answered_intercept_log_odds=round(answered_logit_intercept(), 6),
        unanswered_conversion=BASE_CONVERSION,
        uplift_of_answer_at_median_response=CHAT_UPLIFT,
        unanswered_share=UNANSWERED,
        load_effect="response time scales with (orders that day / average day) ** 0.35",
    )
