"""Loyalty that follows experience: what each order's buyer lives through, and when.

A customer's repeat orders are drawn at acquisition from the segment's purchase rate x
LOYALTY_CAP (`storeops.sim.customers`); each one is kept with chance loyalty / LOYALTY_CAP,
so a customer of loyalty 1 buys at the segment's rate. Loyalty starts at 1 (a buyer won in a
festival at FESTIVAL_START: bargain hunters, F6) and is multiplied by each experience on the
day it happens (`experiences`): a late parcel, a return (a defect more), a pre-sale chat
answered slowly, an after-sale chat abandoned or escalated, a low review; and a member
campaign's message on its send date (`storeops.sim.campaigns`). A complaint handled
well (an after-sale chat resolved without a long wait) raises it, by less than a bad one
lowers it (F23). The chance of a kept repeat order uses the customer's own uniform of the
day, so a decision from day W changes no loyalty and no repeat order before W.
"""

from __future__ import annotations

import numpy as np

LOYALTY_CAP = 1.25  # loyalty can rise to this; repeat orders are drawn at rate x this
FESTIVAL_START = 0.7  # a festival-acquired buyer's starting loyalty
LATE_PER_DAY = 0.04  # loyalty lost per courier day past three (at most LATE_MAX)
LATE_MAX = 0.35
RETURNED = 0.85
DEFECT = 0.65  # a return as defective
SLOW_PRESALE_S = 60.0  # a pre-sale answer slower than this ...
SLOW_PRESALE = 0.95  # ... leaves the buyer a little cooler
ABANDONED = 0.7  # an after-sale contact nobody answered in time
ESCALATED = 0.85  # an after-sale contact passed on, not settled in the chat
WELL_HANDLED = 1.06  # an after-sale contact answered within WELL_HANDLED_S and resolved
WELL_HANDLED_S = 60.0
LOW_REVIEW = 0.85  # a review of 1 or 2 stars (the buyer put the let-down in words)


def experiences(
    order_day: np.ndarray,
    completed: np.ndarray,
    courier_days: np.ndarray,
    delivered_day: np.ndarray,
    returns: tuple[np.ndarray, np.ndarray, np.ndarray],
    presale: tuple[np.ndarray, np.ndarray],
    aftersale: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    reviews: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every experience as (order, day, loyalty factor), sorted by day.

    `returns`: (order, day, defective) per returned line; `presale`: (order, first response s)
    per pre-sale chat that led to an order; `aftersale`: (order, day, outcome code 0 resolved
    1 escalated 2 abandoned, wait s) per contact; `reviews`: (order, day, stars) per review.
    A delivery counts on its day (-1: not in the run), a pre-sale chat on its order's day.
    """
    late = np.flatnonzero(completed & (delivered_day >= 0) & (courier_days > 3))
    late_factor = 1 - np.minimum(LATE_PER_DAY * (courier_days[late] - 3), LATE_MAX)
    r_order, r_day, r_defect = returns
    p_order, p_first = presale
    slow = np.flatnonzero(p_first > SLOW_PRESALE_S)
    a_order, a_day, a_outcome, a_wait = aftersale
    a_factor = np.select(
        [a_outcome == 2, a_outcome == 1, a_wait <= WELL_HANDLED_S],
        [ABANDONED, ESCALATED, WELL_HANDLED],
        1.0,
    )
    v_order, v_day, v_stars = reviews
    low = np.flatnonzero(v_stars <= 2)
    order = np.r_[late, r_order, p_order[slow], a_order, v_order[low]]
    day = np.r_[delivered_day[late], r_day, order_day[p_order[slow]], a_day, v_day[low]]
    factor = np.r_[
        late_factor,
        np.where(r_defect, DEFECT, RETURNED),
        np.full(slow.size, SLOW_PRESALE),
        a_factor,
        np.full(low.size, LOW_REVIEW),
    ]
    keep = factor != 1.0
    srt = np.argsort(day[keep], kind="stable")
    return order[keep][srt].astype(np.int64), day[keep][srt].astype(np.int64), factor[keep][srt]


def loyalty_truth() -> dict:
    """The loyalty model (instructor-only)."""
    return dict(
        rule=(
            "a repeat order drawn at the segment's rate x loyalty_cap is kept with chance "
            "loyalty / loyalty_cap (the customer's own uniform of the day); loyalty starts at "
            "1 (festival-acquired: festival_start) and is multiplied by each experience on "
            "its day, capped at loyalty_cap"
        ),
        loyalty_cap=LOYALTY_CAP,
        festival_start=FESTIVAL_START,
        late_delivery=dict(per_courier_day_past_three=-LATE_PER_DAY, at_most=-LATE_MAX),
        returned=RETURNED,
        returned_defective=DEFECT,
        slow_presale_answer=dict(over_s=SLOW_PRESALE_S, factor=SLOW_PRESALE),
        aftersale_abandoned=ABANDONED,
        aftersale_escalated=ESCALATED,
        aftersale_well_handled=dict(within_s=WELL_HANDLED_S, factor=WELL_HANDLED),
        review_of_1_or_2_stars=LOW_REVIEW,
    )
