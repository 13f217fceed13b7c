"""Decisions as answers: a plan judged by the profit it earns on the learner's own store.

Shared by every chapter whose questions ask for a decision (a budget, a bid, a price). A
subclass says how an answer becomes a plan (:meth:`PlanDecision.plan_of`) and a policy
(:meth:`PlanDecision.policy`); the key (the store's own and the best plan's profit, the
window) comes from the grader (``storeops.grading.judges``), never from here: nothing in this
module searches for the best plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from storeops.checks.kinds import Kind


@dataclass
class PlanDecision(Kind):
    """A plan for a window of days, scored by what it earns on the learner's store.

    The grader runs the plan through the simulator (the learner's seed, common random
    numbers) and scores its profit against the store's own plan and the best plan found by a
    search (the key, built by ``storeops.grading.judges``): full marks from ``full_share`` of
    the best plan's gain, partial credit in proportion below, zero for a plan that earns no
    more than the store's own plan. A plan equal (within 2 %) to a catalogued mistake's plan
    is named by that mistake. The profit is one run of the whole store
    (:func:`storeops.sim.evaluate.evaluate`), or, when the key holds ``per_order``, the
    expected profit of :class:`storeops.analysis.plans.PlanProxy` (for a decision whose effect
    is about as small as the noise of one run).
    """

    full_share: float = 0.8
    # Full marks within this share of the best plan's profit too (0: none), for a decision
    # where the store's own plan is often already near the best and the noise between
    # neighbouring plans is a few per cent of the profit.
    near_best: float = 0.0
    check_timeout = 20.0  # the service runs the plan on the learner's store (about 0.6 s alone)

    def plan_of(self, value: Any) -> dict[str, float] | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def policy(self, own: Any, plan: dict[str, float]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def proxy_args(self, plan: dict[str, float]) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def evaluate(self, value: Any, store: Any) -> Any:
        plan = self.plan_of(value)
        return value if plan is None else {"plan": plan}

    def store_facts(self, store: Any) -> dict:
        """Nothing of the store (a plan is run on the seed in the key), but not None: the check
        service evaluates an answer only when its question has facts."""
        return {}

    def evaluate_with(self, value: Any, facts: Any) -> Any:
        return self.evaluate(value, None)

    def profit(self, answer: dict, key: dict) -> float:
        """The plan's profit over the decision window on the key's store (memoised)."""
        from storeops.sim.evaluate import evaluate
        from storeops.sim.policy import default_policy

        seed, expected = int(key["seed"]), "per_order" in key
        # one memo per store, window and value of an order: two questions may share a store
        memo = _PROFITS.setdefault((seed, key["start"], key["days"], key.get("per_order")), {})
        plan = tuple(sorted((k, round(float(v), 2)) for k, v in answer["plan"].items()))
        if plan in memo:
            return memo[plan]
        if expected:
            from storeops.analysis.plans import PlanProxy

            if "proxy" not in memo:
                memo["proxy"] = PlanProxy(
                    seed, key["start"], key["days"], per_order=key["per_order"]
                )
            memo[plan] = memo["proxy"].profit(**self.proxy_args(dict(plan)))
        else:
            if "own" not in memo:
                memo["own"] = default_policy(seed)
            policy = self.policy(memo["own"], dict(plan))
            memo[plan] = evaluate(seed, policy, key["start"], key["days"]).profit
        return memo[plan]

    def score(self, answer: Any, key: dict) -> float:
        """Share of the marks: 0 at or below the store's own plan's profit, 1 from
        ``full_share`` of the best plan's gain (or within ``near_best`` of the best plan's
        profit), in proportion between."""
        if not isinstance(answer, dict) or "plan" not in answer:
            return 0.0
        profit = self.profit(answer, key)
        if self.near_best and profit >= key["best_profit"] - self.near_best * abs(
            key["best_profit"]
        ):
            return 1.0
        gain = profit - key["own_profit"]
        best = key["best_profit"] - key["own_profit"]
        if gain <= 0 or best <= 0:
            return 0.0
        return float(min(1.0, gain / best / self.full_share))

    def equal(self, answer: Any, expected: Any) -> bool:
        if not isinstance(answer, dict) or "plan" not in answer:
            return False
        if isinstance(expected, dict) and "best_profit" in expected:
            return self.score(answer, expected) >= 1.0
        if not isinstance(expected, dict) or "plan" not in expected:
            return False
        return self.same_plan(answer["plan"], expected["plan"])

    def same_plan(self, a: dict[str, float], e: dict[str, float]) -> bool:
        """Whether two plans are the same decision (a catalogued mistake's plan is named when
        the learner's is the same): within 2 %, or 5 yuan of a budget, or 0.02 of a bid."""
        return sorted(a) == sorted(e) and all(
            np.isclose(a[k], e[k], rtol=0.02, atol=5.0 if len(a) > 1 else 0.02) for k in a
        )

    def canonical(self, value: Any, store: Any = None, key: dict | None = None) -> str:
        """One text for every plan with full marks (so the self-learner check accepts any of
        them); otherwise the plan rounded (so a catalogued mistake is named)."""
        good = "earns full marks on this store"
        if isinstance(value, dict) and "best_profit" in value:
            return good
        if isinstance(value, dict) and "plan" in value:
            if key is not None and self.score(value, key) >= 1.0:
                return good
            return json.dumps([[k, _round_sig(v)] for k, v in sorted(value["plan"].items())])
        return json.dumps(repr(value))


_PROFITS: dict[tuple, dict] = {}


def _round_sig(x: float) -> float:
    return float(f"{float(x):.2g}")
