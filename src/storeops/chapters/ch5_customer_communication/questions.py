"""Self-checks of the Chapter 5 exercises (chapters/ch5_customer_communication): customer
communication.

The notebook's first cell is ``from storeops.chapters.ch5_customer_communication.questions
import *``. Kinds say what each answer is (type, shape, plausible range), never what it equals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from storeops.chapters.ch5_customer_communication.cx import plot_stars
from storeops.chapters.ch5_customer_communication.widget import (
    MAX_AGENTS,
    staffing_curve,
    staffing_inputs,
    staffing_view,
)
from storeops.checks import Number, Question, Text, self_learner_edition
from storeops.data import load_store

__all__ = [
    "MAX_AGENTS",
    "load_store",
    "np",
    "pd",
    "plot_stars",
    "q1",
    "q10",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
    "q8",
    "q9",
    "self_learner_edition",
    "staffing_curve",
    "staffing_inputs",
    "staffing_view",
]

A = "ch5_customer_communication"

CONCEPT_DENOMINATOR = (
    "paid order lines",
    "all order lines, cancelled orders included",
    "visitors",
)
CONCEPT_HOLDOUT = (
    "to measure what the members would have done without the message",
    "to save the cost of the messages",
    "to keep the best members from getting too many messages",
)
CONCEPT_RATINGS = (
    "the share of one- and two-star reviews",
    "the mean star rating",
    "the number of five-star reviews",
)


def _skus(store) -> list[str]:
    return [str(s) for s in store.products["sku"]]


q1 = Question(
    A,
    "q1",
    var="slow_conversion",
    kind=Number(min=0, max=1, rtol=1e-4),
    hints=[
        "Consultation conversion is about the questions shoppers ask before buying.",
        "A chat the shopper left before any reply has no first-response time: it waited "
        "longer than any reply, so it belongs with the slow chats.",
        "Method: keep the pre-sale chats; keep those whose first response was not under "
        "30 s (an empty first response counts as slow); the share of them that converted.",
    ],
)
q2 = Question(
    A,
    "q2",
    var="november_refund_rate",
    kind=Number(min=0, max=1, rtol=1e-4),
    hints=[
        "By count, the platform divides refunded sub-orders (order lines) by paid ones.",
        "A cancelled order was never paid: its lines cannot be refunded and do not count.",
        "Method: completed orders placed in November; their order lines (the denominator) "
        "and the rows of `returns` for those orders (the numerator); divide the counts.",
    ],
)
q3 = Question(
    A,
    "q3",
    var="defective_sku",
    kind=Text(options=_skus),
    hints=[
        "A defect shows in the reason the buyer gave, and in the reviews of the same SKU.",
        "A best seller has many returns of every kind; compare SKUs by a rate, not a count.",
        "Method: per SKU, returns with reason 'defective' over the SKU's lines in completed "
        "orders; keep the SKUs with at least 50 such lines; take the highest rate.",
    ],
)
q4 = Question(
    A,
    "q4",
    var="april_cohort_month3",
    kind=Number(min=0, max=1, rtol=1e-4),
    hints=[
        "A cohort is the customers whose first order ever fell in the month; the "
        "`customers` table says when that was.",
        "Month 0 is April itself, so month 3 is July.",
        "Method: the customers whose first order time is in April of the store's year; the "
        "share of them with a completed order placed in July.",
    ],
)
q5 = Question(
    A,
    "q5",
    var="back_after_return",
    kind=Number(min=0, max=1, rtol=1e-4),
    hints=[
        "Keep new customers only: their first order ever is an order of the period.",
        "Only first orders at least 90 days before the period's last order have a full "
        "window; a return of any line of the first order counts.",
        "Method: completed first orders (order time = the customer's first order time) at "
        "least 90 days before the last order time, with a row in `returns`; the share of "
        "those customers with another completed order within 90 days after it.",
    ],
)
q6 = Question(
    A,
    "q6",
    var="campaign_uplift",
    kind=Number(min=-1e4, max=1e4, rtol=1e-4, atol=1e-6),
    hints=[
        "The hold-out group is what the members would have spent without the message.",
        "Count only the orders the coupon could bring: those placed in the 14 days from the "
        "send date.",
        "Method: per targeted member of the campaign, the revenue of their completed orders "
        "in the window (0 without one); the mean of the sent group minus the mean of the "
        "held-out group.",
    ],
)
q7 = Question(
    A,
    "q7",
    var="refund_denominator",
    kind=Text(options=lambda store: CONCEPT_DENOMINATOR),
    hints=[
        "Which orders could be refunded at all?",
        "A cancelled order was never paid.",
        "Method: the denominator holds exactly what the numerator could come from.",
    ],
)
q8 = Question(
    A,
    "q8",
    var="holdout_purpose",
    kind=Text(options=lambda store: CONCEPT_HOLDOUT),
    hints=[
        "Some members would have bought in those two weeks anyway.",
        "The hold-out is chosen at random from the same members the rule selected.",
        "Method: the difference between the two groups is what the message caused.",
    ],
)
q9 = Question(
    A,
    "q9",
    var="rating_summary",
    kind=Text(options=lambda store: CONCEPT_RATINGS),
    hints=[
        "Look at the shape of the bars: where are the reviews, and where are few?",
        "A mean sits between the two ends of a J and describes neither of them.",
        "Method: the unhappy end of the J is what a problem shows in.",
    ],
)
q10 = Question(
    A,
    "q10",
    var="explored_evening_agents",
    kind=Number(integer=True, min=0, max=MAX_AGENTS),
    hints=[
        "Move only the evening slider; leave the night and day ones where they start.",
        "The figure to make smallest is the last one: staff plus the lost orders' margin, "
        "not the wait and not the staff cost alone.",
        "Method: try every number of evening agents and keep the one with the smallest "
        "total (the fewest agents of a tie).",
    ],
)
