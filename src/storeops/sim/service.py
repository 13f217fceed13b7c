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
    day, u, day_orders, first_order = _draw_chats(seed, per_day)
    resp = np.round(MEDIAN_RESPONSE_S * load[day] * np.exp(0.55 * ndtri(u[:, 0])), 1)
    unanswered = u[:, 1] < UNANSWERED
    a0 = answered_logit_intercept()
    p = np.where(unanswered, BASE_CONVERSION, 1 / (1 + np.exp(-(a0 + SLOPE_PER_S * resp))))
    # converted chats go to the day's orders in a random order, one chat per order at most
    conv = u[:, 2] < p
    converted_so_far = np.cumsum(conv)
    first_chat = np.searchsorted(day, day, side="left")
    rank = converted_so_far - 1 - np.where(first_chat > 0, converted_so_far[first_chat - 1], 0)
    conv &= rank < per_day[day]
    conv_idx = np.flatnonzero(conv)
    chosen = day_orders[first_order[day[conv_idx]] + rank[conv_idx]]
    order_of_chat = np.full(day.size, -1, dtype=np.int64)
    order_of_chat[conv_idx] = chosen
    # times: converted chats start 1-30 min before their order; others follow the rhythm
    hour_cdf = np.cumsum(HOUR_PROFILE) / np.sum(HOUR_PROFILE)
    hour = np.minimum(np.searchsorted(hour_cdf, u[:, 3], side="right"), 23)
    t = day * 86400.0 + hour * 3600 + np.floor(u[:, 4] * 3600)
    # (never before midnight: a chat belongs to its day, so a change from day W on moves
    # nothing before W)
    t[conv_idx] = day[conv_idx] * 86400.0 + np.maximum(
        o_sec[chosen] - (60 + np.floor(u[conv_idx, 4] * 1740)), 0.0
    )
    cust = _chat_customers(buyers, day, u[:, 5], conv, conv_idx, chosen)
    srt = np.argsort(t, kind="stable")
    return dict(
        time=t[srt],
        customer=cust[srt],
        first_response_s=np.where(unanswered, np.nan, resp)[srt],
        converted=conv[srt],
        order=order_of_chat[srt],
    )


def _draw_chats(
    seed: int, per_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each day's draws from its own stream: how many chats, their uniforms, and the day's
    orders in a random order. Returns the chats' days and uniforms, the orders of the days
    with chats in their drawn order one day after the other, and where each day starts."""
    days_of = [np.empty(0, dtype=np.int64)]
    uniforms = [np.empty((0, 6))]
    orders = [np.empty(0, dtype=np.int64)]
    first_order_of_day = np.cumsum(per_day) - per_day  # orders are sorted by time
    drawn = np.zeros(per_day.size, dtype=np.int64)  # orders drawn in a random order per day
    base_p = BASE_CONVERSION * (1 + CHAT_UPLIFT)
    for d in range(per_day.size):
        rng = stream(seed, "service", d)
        m = int(rng.poisson(CHAT_SHARE_OF_ORDERS * per_day[d] / base_p))
        if m == 0:
            continue
        days_of.append(np.full(m, d, dtype=np.int64))
        uniforms.append(rng.random((m, 6)))
        orders.append(first_order_of_day[d] + rng.permutation(per_day[d]))
        drawn[d] = per_day[d]
    return (
        np.concatenate(days_of),
        np.concatenate(uniforms),
        np.concatenate(orders),
        np.cumsum(drawn) - drawn,
    )


def _chat_customers(
    buyers: dict | None,
    day: np.ndarray,
    u: np.ndarray,
    conv: np.ndarray,
    conv_idx: np.ndarray,
    chosen: np.ndarray,
) -> np.ndarray:
    """Converted chats: the order's customer; others a known customer (60 %) or not (-1)."""
    cust = np.full(day.size, -1, dtype=np.int64)
    if buyers is None:
        return cust
    cust[conv_idx] = buyers["order_customer"][chosen]
    first_day = buyers["first_day"]
    order_fd = np.argsort(first_day, kind="stable")
    n_before = np.searchsorted(first_day[order_fd], day, side="left")
    known = np.flatnonzero(~conv & (u < 0.6) & (n_before > 0))
    pick = (u[known] / 0.6 * n_before[known]).astype(np.int64)
    cust[known] = order_fd[np.minimum(pick, n_before[known] - 1)]
    return cust


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
