"""Customer-service chats: first-response time and its effect on consultation conversion."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from storeops.sim.params import HOUR_PROFILE
from storeops.sim.rng import stream

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
    seed: int,
    o_day: np.ndarray,
    o_sec: np.ndarray,
    buyers: dict | None,
    days: int,
    typical_orders: float,
) -> dict[str, np.ndarray]:
    """Chats per day: converted ones precede an order of the same customer; others do not.

    Response times rise with the day's orders against a typical day; each day draws from its
    own stream (common random numbers). `buyers` (see `assign_customers`) names the customers;
    without them every chat's customer is -1 and nothing else changes, since no draw depends
    on who the customers are.
    """
    per_day = np.bincount(o_day, minlength=days)
    load = (np.maximum(per_day, 1) / max(typical_orders, 1.0)) ** 0.35
    base_p = BASE_CONVERSION * (1 + CHAT_UPLIFT)
    a0 = answered_logit_intercept()
    hour_cdf = np.cumsum(HOUR_PROFILE) / np.sum(HOUR_PROFILE)
    o_cust = None if buyers is None else buyers["order_customer"]
    first_day = np.empty(0) if buyers is None else buyers["first_day"]
    order_fd = np.argsort(first_day, kind="stable")
    first_sorted = first_day[order_fd]
    starts = np.searchsorted(o_day, np.arange(days + 1))
    parts = []
    for d in range(days):
        rng = stream(seed, "service", d)
        m = int(rng.poisson(CHAT_SHARE_OF_ORDERS * per_day[d] / base_p))
        if m == 0:
            continue
        u = rng.random((m, 6))
        resp = np.round(MEDIAN_RESPONSE_S * load[d] * np.exp(0.55 * ndtri(u[:, 0])), 1)
        unanswered = u[:, 1] < UNANSWERED
        p = np.where(unanswered, BASE_CONVERSION, 1 / (1 + np.exp(-(a0 + SLOPE_PER_S * resp))))
        conv = u[:, 2] < p
        # converted chats go to the day's orders in a random order, one chat per order at most
        day_orders = starts[d] + rng.permutation(per_day[d])
        conv_idx = np.flatnonzero(conv)[: day_orders.size]
        conv[:] = False
        conv[conv_idx] = True
        order_of_chat = np.full(m, -1, dtype=np.int64)
        chosen = day_orders[: conv_idx.size]
        order_of_chat[conv_idx] = chosen
        # times: converted chats start 1-30 min before their order; others follow the rhythm
        hour = np.minimum(np.searchsorted(hour_cdf, u[:, 3], side="right"), 23)
        t = d * 86400.0 + hour * 3600 + np.floor(u[:, 4] * 3600)
        # (never before midnight: a chat belongs to its day, so a change from day W on moves
        # nothing before W)
        t[conv_idx] = d * 86400.0 + np.maximum(
            o_sec[chosen] - (60 + np.floor(u[conv_idx, 4] * 1740)), 0.0
        )
        # customers: converted = the order's customer; others a known customer (60 %) or not
        cust = np.full(m, -1, dtype=np.int64)
        if o_cust is not None:
            cust[conv_idx] = o_cust[chosen]
        n_before = int(np.searchsorted(first_sorted, d, side="left"))
        known = np.flatnonzero(~conv & (u[:, 5] < 0.6))
        if known.size and n_before:
            pick = (u[known, 5] / 0.6 * n_before).astype(np.int64)
            cust[known] = order_fd[np.minimum(pick, n_before - 1)]
        parts.append((t, cust, np.where(unanswered, np.nan, resp), conv, order_of_chat))
    if not parts:
        empty = np.empty(0)
        return dict(
            time=empty,
            customer=empty.astype(np.int64),
            first_response_s=empty,
            converted=empty.astype(bool),
            order=empty.astype(np.int64),
        )
    t, cust, resp, conv, order_of_chat = (np.concatenate(x) for x in zip(*parts, strict=True))
    srt = np.argsort(t, kind="stable")
    return dict(
        time=t[srt],
        customer=cust[srt],
        first_response_s=resp[srt],
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
        load_effect="response time scales with (orders that day / typical ordinary day) ** 0.35",
    )
