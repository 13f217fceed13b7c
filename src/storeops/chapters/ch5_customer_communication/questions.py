"""Self-checks of the Chapter 5 exercises (chapters/ch5_customer_communication): customer
communication.

The notebook's first cell is ``from storeops.chapters.ch5_customer_communication.questions
import *``. Kinds say what each answer is (type, shape, plausible range), never what it equals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from storeops.chapters.ch5_customer_communication.cx import plot_stars
from storeops.chapters.ch5_customer_communication.widget import (
    MAX_AGENTS,
    mean_wait_s,
    staffing_curve,
    staffing_inputs,
    staffing_view,
)
from storeops.checks import Number, Question, Text, self_learner_edition
from storeops.checks.decisions import PlanDecision
from storeops.data import load_store

__all__ = [
    "MAX_AGENTS",
    "PEAK_BLOCKS",
    "load_store",
    "mean_wait_s",
    "np",
    "pd",
    "plot_stars",
    "q1",
    "q10",
    "q12",
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


# The festival staffing decision's blocks of hours [first, end): the midnight rush of a
# festival's first hours is staffed apart, or its agents would sit idle through the night.
PEAK_BLOCKS = {"0-1": (0, 2), "2-8": (2, 9), "9-17": (9, 18), "18-23": (18, 24)}
MAX_PEAK_AGENTS = 40
_PROFITS: dict[tuple, Any] = {}  # (seed, day, plan) -> profit; (seed, "own") -> the own plan


@dataclass
class PeakStaffing(PlanDecision):
    """Agents on duty in each block of `PEAK_BLOCKS` on the store's busiest day of chats
    (the key's ``start``), the store's own staffing on every other day; scored by the profit
    of that one day on the learner's store (one lean run of the simulator): a day's window
    keeps the later days' draws, which a change of staff moves, out of the score."""

    def plan_of(self, value: Any) -> dict | None:
        if not isinstance(value, dict) or sorted(value) != sorted(PEAK_BLOCKS):
            return None
        counts = list(value.values())
        if any(isinstance(n, bool) or not isinstance(n, int | np.integer) for n in counts):
            return None
        return {k: int(v) for k, v in value.items()}

    def plausible(self, value: Any, store: Any) -> list[str]:
        if self.plan_of(value) is None:
            blocks = ", ".join(f'"{k}": agents' for k in PEAK_BLOCKS)
            return [f"expected a dict {{{blocks}}} of whole numbers of agents"]
        return [
            f"agents of hours {k} must be from 0 to {MAX_PEAK_AGENTS}, got {n!r}"
            for k, n in value.items()
            if not 0 <= n <= MAX_PEAK_AGENTS
        ]

    def policy(self, own: Any, plan: dict, day: str) -> Any:
        """The store's own plan with `plan`'s agents on `day`."""
        from dataclasses import replace

        from storeops.sim.policy import Shift, StaffingPeriod

        shifts = tuple(Shift(lo, hi - 1, int(plan[k])) for k, (lo, hi) in PEAK_BLOCKS.items())
        kept = tuple(p for p in own.service.periods if not p.start <= day <= p.end)
        periods = (*kept, StaffingPeriod(day, day, shifts))
        return replace(own, service=replace(own.service, periods=periods))

    def profit(self, answer: dict, key: dict) -> float:
        """The day's net profit under the plan on the key's store (memoised)."""
        from storeops.sim.evaluate import evaluate
        from storeops.sim.policy import default_policy

        seed, day = int(key["seed"]), key["start"]
        memo = (seed, day, json.dumps(answer["plan"], sort_keys=True))
        if memo not in _PROFITS:
            if (seed, "own") not in _PROFITS:
                _PROFITS[seed, "own"] = default_policy(seed)
            policy = self.policy(_PROFITS[seed, "own"], answer["plan"], day)
            _PROFITS[memo] = evaluate(seed, policy, day, 1).profit
        return _PROFITS[memo]

    def same_plan(self, a: dict, e: dict) -> bool:
        """The same agents in every block (a single agent is a different decision)."""
        return sorted(a) == sorted(e) and all(int(a[k]) == int(e[k]) for k in a)


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
q12 = Question(
    A,
    "q12",
    var="peak_agents",
    kind=PeakStaffing(),
    truth=lambda truth: {},
    hints=[
        "An agent costs a wage every hour of the block; a chat answered late loses part of "
        "an order's margin. Each block is a trade between the two.",
        "The widget's model prices both: an hour's mean wait from Erlang C, the conversion "
        "lost per second of wait (at most what a quick answer converts), the margin of an "
        "order and the wage of an agent-hour, all measured on the store.",
        "Method: for each block and each number of agents from 0 to 40, add over the "
        "block's hours the pre-sale chats x the conversion lost to the mean wait x the "
        "margin, plus agents x hours x wage; keep the number with the smallest total (the "
        "fewest agents of a tie).",
    ],
)
