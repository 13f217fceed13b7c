"""Self-checks of the Chapter 3 exercises (chapters/ch3_promotion): promotion.

The notebook's first cell is ``from storeops.chapters.ch3_promotion.questions import *``. Kinds say
what each answer is (type, shape, plausible range), never what it equals. Question 8
(a new budget split) is judged against the simulator's true response curves, so it
uses its own kind, :class:`BudgetSplit`, instead of comparing with one reference value.
Nothing here reads the truth: the key (true curves, best gain) comes from the grader or,
in the self-learner edition, from the book's key blob (``storeops.grading.judges``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from storeops.chapters.ch3_promotion.promo_data import MEDIA, festival_windows, ordinary_dates
from storeops.chapters.ch3_promotion.widget import budget_allocator, current_daily_spend
from storeops.checks import Function, Kind, Number, Question, Series, self_learner_edition
from storeops.data import load_store

__all__ = [
    "NormalDist",
    "budget_allocator",
    "current_daily_spend",
    "festival_windows",
    "load_store",
    "np",
    "ordinary_dates",
    "pd",
    "q1",
    "q10",
    "q11",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
    "q8",
    "q9",
    "self_learner_edition",
]

A = "ch3_promotion"


# -- what the store has (shapes, never values) ----------------------------------------------
def _media(store) -> list[str]:
    present = set(store.traffic["channel"])
    return [c for c in MEDIA if c in present]


def _n_with_impressions(store) -> int:
    return int((store.traffic.groupby("channel")["impressions"].sum() > 0).sum())


def _n_with_spend(store) -> int:
    return int((store.traffic.groupby("channel")["spend"].sum() > 0).sum())


def _spend_cases(store) -> list[tuple]:
    """Two channels' daily spend series, with a short and a long carry-over."""
    spend = store.traffic.groupby("channel")["spend"].sum()
    chans = [c for c in _media(store) if spend.get(c, 0) > 0] or list(spend[spend > 0].index)
    cases = []
    for ch, decay in zip((chans * 2)[:2], (0.3, 0.7), strict=True):
        rows = store.traffic[store.traffic["channel"] == ch]
        cases.append((rows.set_index("date")["spend"].astype(float), decay))
    return cases


def _curve_cases(store) -> list[tuple]:
    today = current_daily_spend(store, _media(store))
    return [(ch, float(f * today[ch])) for ch in today.index for f in (0.5, 1.5)]


# -- question 8: a budget split, judged on the true response curves ------------------------
def true_daily_revenue(split: pd.Series, channels_truth: dict, aov: float) -> float:
    """Steady-state daily revenue of a split on an ordinary day, on given channel curves.

    ``channels_truth`` is the simulator's truth per channel (or the subset a key carries),
    which a graded class does not ship. Clicks = ctr * A / (1 + A / K) with A the impressions a day's
    spend buys at the channel's CPM (for search, bought per click: the cost of a thousand
    impressions at the store's own bid on an ordinary day, so the curve is the one its own bid
    gives); revenue = clicks x landing rate x conversion x AOV.
    """
    from storeops.sim.params import CHANNEL_PARAMS

    total = 0.0
    for ch, s in split.items():
        t = channels_truth[ch]
        a = max(float(s), 0.0) / t["cpm"] * 1000.0
        clicks = t["base_ctr"] * a / (1.0 + a / t["saturation_half_impressions"])
        total += clicks * CHANNEL_PARAMS[ch]["land"] * t["expected_conversion"] * aov
    return total


@dataclass
class BudgetSplit(Kind):
    """A daily budget per channel that keeps today's total and beats today's split.

    Graded on the true curves: the total must stay within ``budget_rtol`` of today's and
    the split must add at least ``share_of_best`` of what the best split of that total
    would add. Catalogued mistakes are recognised by their split (within 1 %).
    """

    budget_rtol: float = 0.01
    share_of_best: float = 0.25

    @staticmethod
    def _as_series(value: Any) -> pd.Series | None:
        if isinstance(value, dict):
            value = pd.Series(value)
        if not isinstance(value, pd.Series):
            return None
        return value

    def plausible(self, value: Any, store: Any) -> list[str]:
        s = self._as_series(value)
        if s is None:
            return [
                f"expected a pandas Series of daily budgets by channel, got {type(value).__name__}"
            ]
        if not pd.api.types.is_numeric_dtype(s.dtype) or s.isna().any():
            return ["every budget must be a number (no NaN)"]
        problems = []
        if (s < 0).any():
            problems.append("a budget cannot be negative")
        if store is not None:
            today = current_daily_spend(store, _media(store))
            if sorted(map(str, s.index)) != sorted(today.index):
                problems.append(f"expected one budget for each of {', '.join(today.index)}")
            elif abs(s.sum() - today.sum()) > self.budget_rtol * today.sum():
                problems.append(
                    f"the split must keep today's total of about ¥{today.sum():,.0f} a day; "
                    f"yours adds up to ¥{s.sum():,.0f}"
                )
        return problems

    def evaluate(self, value: Any, store: Any) -> Any:
        if self._as_series(value) is None or store is None:
            return value
        return self.evaluate_with(value, self.store_facts(store))

    def store_facts(self, store: Any) -> dict:
        """Today's daily spend per channel and the average order value: all a split's
        evaluation needs of the store."""
        done = store.orders[store.orders["status"] == "completed"]
        return {
            "today": current_daily_spend(store, _media(store)),
            "aov": float(done["revenue"].mean()),
        }

    def evaluate_with(self, value: Any, facts: Any) -> Any:
        s = self._as_series(value)
        if s is None or facts is None:
            return value
        s = s.astype(float)
        s.index = s.index.map(str)
        return {"split": s, "today": facts["today"], "aov": float(facts["aov"])}

    def judge(self, answer: Any, key: dict) -> bool:
        """True when ``answer`` (evaluated) keeps the budget and earns enough on the true
        curves; ``key`` (from ``storeops.grading.judges``) holds the curves and best gain."""
        if not isinstance(answer, dict) or "split" not in answer:
            return False
        split, today, aov = answer["split"], answer["today"], answer["aov"]
        if sorted(split.index) != sorted(today.index) or (split < 0).any():
            return False
        if abs(split.sum() - today.sum()) > self.budget_rtol * today.sum():
            return False
        curves = key["curves"]
        now = true_daily_revenue(today, curves, aov)
        gain = true_daily_revenue(split, curves, aov) - now
        return gain > 0 and gain >= self.share_of_best * key["best_gain"]

    def equal(self, answer: Any, expected: Any) -> bool:
        if isinstance(expected, dict) and "best_gain" in expected:
            return self.judge(answer, expected)
        if not (isinstance(answer, dict) and isinstance(expected, dict)):
            return False
        a, e = answer.get("split"), expected.get("split")
        if a is None or e is None or sorted(a.index) != sorted(e.index):
            return False
        return bool(np.allclose(a.sort_index(), e.sort_index(), rtol=0.01, atol=1.0))

    def canonical(self, value: Any, store: Any = None, key: dict | None = None) -> str:
        """One text for every good split (so the self-learner check accepts any of them);
        otherwise the split rounded to 10 yuan (so a catalogued mistake is named).
        ``key``: the self-learner blob's judge key for this store; without it no split
        counts as good here."""
        good = "beats today's split on the true curves"
        if isinstance(value, dict) and "best_gain" in value:
            return good
        if isinstance(value, dict) and "split" in value:
            if key is not None and self.judge(value, key):
                return good
            split = value["split"].sort_index()
            return json.dumps([[k, round(float(v), -1)] for k, v in split.items()])
        return json.dumps(repr(value))


# -- the questions ------------------------------------------------------------------------------
q1 = Question(
    A,
    "q1",
    var="ctr_by_channel",
    kind=Series(length=_n_with_impressions, index_type="str", min=0, max=1),
    hints=[
        "CTR is clicks divided by impressions; use `store.traffic`, and only the ordinary days "
        "(`ordinary_dates(store.calendar)` lists them).",
        "Sum clicks and impressions per channel over those days first, then divide the sums; "
        "leave out channels with no impressions.",
        "`t.groupby('channel')[['clicks', 'impressions']].sum()`, keep rows with impressions > 0, "
        "then divide the two columns.",
    ],
)

q2 = Question(
    A,
    "q2",
    var="roas_by_channel",
    kind=Series(length=_n_with_spend, index_type="str", min=0),
    hints=[
        "ROAS is revenue brought in per yuan spent. Which orders bring revenue?",
        "Sum the revenue of completed orders by channel, and the spend in `store.traffic` by "
        "channel; keep the channels with spend.",
        "Divide revenue by spend (not the other way round), aligned on the channel.",
    ],
)

q3 = Question(
    A,
    "q3",
    var="cost_per_order",
    kind=Series(length=_n_with_spend, index_type="str", min=0),
    hints=[
        "Cost per order is what a channel cost divided by the orders it brought.",
        "Count the completed orders per channel; a cancelled order is not an order you keep.",
        "Divide each channel's total spend by its number of completed orders (channels with spend).",
    ],
)

q4 = Question(
    A,
    "q4",
    var="carryover",
    kind=Function(cases=_spend_cases, returns=Series(index_type="datetime", min=0)),
    hints=[
        "Walk through the days in order, keeping a running level.",
        "Start the level at the first day's spend; each day the new level is "
        "(1 - decay) x today's spend + decay x yesterday's level.",
        "Collect the levels in a list and return them as a Series with the same index as `spend`.",
    ],
)

q5 = Question(
    A,
    "q5",
    var="ad_elasticity",
    kind=Series(
        length=lambda store: len(_media(store)), index_type="str", min=-5, max=5, rtol=1e-4
    ),
    hints=[
        "Use only ordinary days, and one channel at a time.",
        "Take the natural log of the day's spend and of the day's clicks.",
        "`np.polyfit(np.log(spend), np.log(clicks), 1)[0]` is the slope of log clicks on log spend.",
    ],
)

q6 = Question(
    A,
    "q6",
    var="marginal_roi",
    kind=Series(
        length=lambda store: len(_media(store)), index_type="str", min=-50, max=50, rtol=1e-4
    ),
    hints=[
        "For a power curve, the next yuan earns the elasticity times the average return.",
        "The average return here is the ROAS of ordinary days only: completed revenue on those "
        "days divided by spend on those days.",
        "Compute the elasticity as in question 5 and multiply it by that ordinary-day ROAS.",
    ],
)

q7 = Question(
    A,
    "q7",
    var="predicted_revenue",
    kind=Function(cases=_curve_cases, returns=Number(min=0, rtol=1e-4)),
    hints=[
        "The curve goes through the channel's average ordinary day: its mean daily spend and "
        "mean daily revenue.",
        "Away from that day, revenue changes with spend raised to the power of the elasticity.",
        "revenue0 * (daily_spend / spend0) ** elasticity, all three from ordinary days.",
    ],
)

q8 = Question(
    A,
    "q8",
    var="new_split",
    kind=BudgetSplit(),
    truth=lambda truth: {"channels_truth": truth["channels"]},
    hints=[
        "Keep the total of `today` unchanged; only move money between channels.",
        "Move budget away from the channel whose marginal ROI is lowest towards the one whose "
        "marginal ROI is highest, a few hundred yuan at a time.",
        "Stop when the marginal ROIs in the widget are about equal; do not empty a channel "
        "completely: the curves are guesses far from today's spend.",
    ],
)

q9 = Question(
    A,
    "q9",
    var="ab_z",
    kind=Number(min=-1000, max=1000, rtol=1e-6),
    hints=[
        "Sum impressions and clicks per variant over the whole test.",
        "Under 'no difference' both variants share one pooled CTR: all clicks / all impressions.",
        "z = (ctr_B - ctr_A) / sqrt(p (1 - p) (1/n_A + 1/n_B)) with p the pooled CTR.",
    ],
)

q10 = Question(
    A,
    "q10",
    var="impressions_needed",
    kind=Number(min=1, rtol=1e-6),
    hints=[
        "p1 is variant A's CTR over the test; the lift is relative: p2 = p1 x 1.10.",
        "Two-sided 5 % uses the 97.5 % normal quantile; 80 % power uses the 80 % quantile "
        "(`NormalDist().inv_cdf(0.975)` is the first).",
        "n = (z_a + z_b)^2 (p1 (1 - p1) + p2 (1 - p2)) / (p2 - p1)^2.",
    ],
)

q11 = Question(
    A,
    "q11",
    var="d11_net_uplift",
    kind=Number(rtol=1e-6),
    hints=[
        "The calendar marks the festival's days (`festival`) and phases (`festival_phase`).",
        "Baseline: the mean daily revenue (completed orders) of the 28 ordinary days just before "
        "the first pre-sale day.",
        "Sum, over every pre-sale, peak and dip day, the day's revenue minus the baseline.",
    ],
)
