"""Instructor-only judges: the keys of decision questions, the best plans on a learner's store.

Kept out of every module a student imports (a chapter's ``questions``, ``storeops.checks``):
the search for the best plan would hand out the best answer. The grader builds a question's
key here (:func:`truth_key`); the book build writes the same key into the self-learner blob
for the public default store only (``storeops.book.pages``).
"""

from __future__ import annotations

from typing import Any

from storeops.chapters.ch1_planning.questions import FestivalDecision, QuarterBudget
from storeops.chapters.ch2_data_analysis.questions import (
    DailyBudget,
    IncidentBudget,
    channel_digest,
)
from storeops.chapters.ch3_promotion.questions import (
    BOUGHT_PER_MILLE,
    MediaBudget,
    PlanDecision,
    SearchBid,
)
from storeops.chapters.ch4_product.questions import Price, Reorder, SkuDecision
from storeops.chapters.ch5_customer_communication.questions import PeakStaffing
from storeops.grading.plans import (
    PRICE_MULTIPLES,
    PRICE_REFINE,
    best_bid,
    best_channel_budget,
    best_media_plan,
    best_price,
)

# Best plans found, per (decision kind, seed, window): a search costs a few seconds, and a
# grading worker asks for a key once per answer it grades.
_KEYS: dict[tuple, dict] = {}


def decision_key(kind: PlanDecision, store: Any) -> dict:
    """What :meth:`PlanDecision.score` needs on ``store``: its seed, the window, the profit of
    the store's own plan and of the best plan found (plain JSON, for the self-learner blob);
    for a bid, scored on expected profit, also the contribution per order it is valued at."""
    from storeops.chapters.ch3_promotion.questions import DECISION_DAYS, DECISION_START

    if isinstance(kind, FestivalDecision | QuarterBudget):
        from storeops.grading.planning import planning_key

        return planning_key(kind, store)
    seed = int(store.meta["seed"])
    cache = (type(kind).__name__, seed, DECISION_START, DECISION_DAYS)
    if cache not in _KEYS:
        kpis = window_kpis(store, DECISION_START, DECISION_DAYS)
        key = {"seed": seed, "start": DECISION_START, "days": DECISION_DAYS}
        if isinstance(kind, MediaBudget):
            channels = [c for c in BOUGHT_PER_MILLE if c in set(store.traffic["channel"])]
            _, best = best_media_plan(seed, channels, DECISION_START, DECISION_DAYS, kpis)
            own = kpis["net_profit"]
        elif isinstance(kind, SearchBid):
            _, best, own, proxy = best_bid(seed, "search", DECISION_START, DECISION_DAYS, kpis)
            key["per_order"] = proxy.per_order
        else:  # pragma: no cover - a new decision kind needs its search here
            raise TypeError(f"no best-plan search for {type(kind).__name__}")
        _KEYS[cache] = {**key, "own_profit": float(own), "best_profit": float(max(best, own))}
    return _KEYS[cache]


def window_kpis(store: Any, start, days: int) -> dict:
    """The store's own P&L totals over the window (the learner's store is the own plan run, so
    this is what :func:`storeops.sim.evaluate.evaluate` of the own plan would return)."""
    from storeops.sim.evaluate import window, window_finance
    from storeops.sim.finance import profit_and_loss

    _, first, days = window(start, days)
    daily = window_finance(store.tables["finance"], first, days)
    return {k: float(v) for k, v in profit_and_loss(daily).items()}


def daily_budget_key(kind: DailyBudget, channel: str, store: Any) -> dict:
    """The key of a one-channel daily budget (chapter 2's decisions): the best budget of
    `channel` in the kind's window, scored on expected profit like the bid."""
    seed = int(store.meta["seed"])
    cache = (type(kind).__name__, seed, kind.start, kind.days)
    if cache not in _KEYS:
        kpis = window_kpis(store, kind.start, kind.days)
        _, best, proxy = best_channel_budget(seed, channel, kind.start, kind.days, kpis)
        _KEYS[cache] = {
            "seed": seed,
            "start": kind.start,
            "days": kind.days,
            "per_order": proxy.per_order,
            "own_profit": float(proxy.own),
            "best_profit": float(max(best, proxy.own)),
        }
    return _KEYS[cache]


def incident_budget_key(kind: IncidentBudget, truth: dict, store: Any) -> dict:
    """The key of chapter 2's incident decision: the budget of the channel that sent the bad
    traffic (the truth's incident), named in the key by its digest only."""
    channel = next(i["channel"] for i in truth["incidents"] if i["kind"] == "bad_traffic")
    key = daily_budget_key(kind, channel, store)
    return {**key, "channel": channel_digest(key["seed"], channel)}


def truth_key(q: Any, truth: dict, store: Any) -> Any:
    """The expected value of a question graded on the truth (``q.truth`` set), on ``store``."""
    if isinstance(q.kind, IncidentBudget):
        return incident_budget_key(q.kind, truth, store)
    if isinstance(q.kind, DailyBudget):  # one channel given by the question
        (channel,) = q.kind.channels
        return daily_budget_key(q.kind, channel, store)
    if isinstance(q.kind, SkuDecision):  # a PlanDecision scored on one SKU
        return sku_decision_key(q.kind, store)
    if isinstance(q.kind, PeakStaffing):  # a PlanDecision scored on one day
        return peak_staffing_key(q.kind, store)
    if isinstance(q.kind, PlanDecision):
        return decision_key(q.kind, store)
    return q.truth(truth)


# The reorder search: service levels at a month's cover, then covers at the best level.
REORDER_LEVELS = (0.8, 0.9, 0.95, 0.98, 0.99)
REORDER_COVERS = (7.0, 14.0, 30.0, 45.0, 60.0)


# The best plan each SKU or staffing decision's search found, per (kind, seed):
# instructor-only (the key holds its profit, never the plan), for tests and benchmarks.
BEST_PLANS: dict[tuple, dict] = {}


def sku_decision_key(kind: SkuDecision, store: Any) -> dict:
    """What :meth:`SkuDecision.score` needs on ``store``: the seed, the SKU and the window its
    contribution is counted in, and the profit of the store's own choice (read off the
    learner's store) and of the best plan found (a search over runs of the simulator)."""
    from storeops.chapters.ch4_product.product import price_from, price_sku, reorder_sku
    from storeops.sim.finance import DEFAULT_COSTS, sku_contribution

    seed = int(store.meta["seed"])
    cache = (type(kind).__name__, seed)
    if cache in _KEYS:
        return _KEYS[cache]
    last = str(store.calendar["date"].max().date())
    if isinstance(kind, Reorder):
        sku, first = reorder_sku(store), str(store.calendar["date"].min().date())
    elif isinstance(kind, Price):
        sku, first = price_sku(store), str(price_from(store).date())
    else:  # pragma: no cover - a new decision kind needs its search here
        raise TypeError(f"no best-plan search for {type(kind).__name__}")
    key = {"seed": seed, "sku": sku, "first": first, "last": last}
    # the learner's store is the own plan's run: its own profit is read off it
    table = sku_contribution(store.tables, DEFAULT_COSTS, first, last)
    own = float(table.loc[sku, "contribution"])

    def profit(plan: dict) -> float:
        return kind.profit({"plan": plan}, key)

    def search() -> dict:
        if isinstance(kind, Reorder):
            level = max(
                REORDER_LEVELS, key=lambda lv: profit({"service_level": lv, "cover_days": 30.0})
            )
            plans = [{"service_level": level, "cover_days": c} for c in REORDER_COVERS]
            plan = max(plans, key=profit)
        else:
            list_price = float(store.products.set_index("sku").loc[sku, "list_price"])
            plan = {"price": best_price(lambda p: profit({"price": p}), list_price)}
        return {"plan": plan, "profit": profit(plan)}

    grids = [REORDER_LEVELS, REORDER_COVERS, PRICE_MULTIPLES, PRICE_REFINE]
    found = _stored_best(kind, [key["seed"], key["sku"], key["first"], key["last"], grids], search)
    BEST_PLANS[cache] = found["plan"]
    best = float(found["profit"])
    _KEYS[cache] = {**key, "own_profit": float(own), "best_profit": float(max(best, own))}
    return _KEYS[cache]


def _stored_best(kind: PlanDecision, ident: list, search) -> dict:
    """The best plan found for a decision and its profit (``search()``), kept on disk in
    the instructor's private cache: the search runs the simulator a dozen times or more, and
    every grading worker, and every later grading of the same store, would repeat it. The
    file is named by what the result depends on: `ident` (the store's seed, the window, what
    the plan is of, the search's grids), and the code of the simulator, of the plan and of
    the question's kind."""
    import hashlib
    import inspect
    import json
    import os

    from storeops.analysis import plans as analysis_plans
    from storeops.data import private_cache_root
    from storeops.sim.fingerprint import code_fingerprint

    code = hashlib.sha256()
    for module in (inspect.getmodule(type(kind)), analysis_plans, inspect.getmodule(best_price)):
        code.update(inspect.getsource(module).encode())
    ident = [type(kind).__name__, *ident, code_fingerprint(), code.hexdigest()]
    digest = hashlib.sha256(json.dumps(ident).encode()).hexdigest()[:20]
    path = private_cache_root() / "keys" / f"{type(kind).__name__}-{digest}.json"
    try:
        found = json.loads(path.read_text())
        if isinstance(found.get("plan"), dict) and isinstance(found.get("profit"), float):
            return found
    except (OSError, ValueError, AttributeError):
        pass
    found = search()
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")  # workers may race: whole files
    part.write_text(json.dumps(found))
    part.replace(path)
    return found


# The peak-day staffing search: every block on a coarse grid of agents, then the neighbours
# of the best, each block in turn with the others held.
STAFFING_COARSE = tuple(range(0, 31, 3))
STAFFING_PASSES = 2


def peak_staffing_key(kind: PeakStaffing, store: Any) -> dict:
    """What :meth:`PeakStaffing.score` needs on ``store``: the seed, the store's busiest day
    of chats (the day the question and the widget are about), and the profit of that day
    under the store's own staffing (read off the learner's store) and under the best block
    plan found (a coordinate search over runs of the simulator, from the store's own mean
    agents in each block)."""
    from storeops.chapters.ch5_customer_communication.questions import PEAK_BLOCKS
    from storeops.chapters.ch5_customer_communication.widget import staffing_inputs

    seed = int(store.meta["seed"])
    cache = (type(kind).__name__, seed)
    if cache in _KEYS:
        return _KEYS[cache]
    day = staffing_inputs(store)["day"]
    key = {"seed": seed, "start": day, "days": 1}
    own = window_kpis(store, day, 1)["net_profit"]  # the learner's store is the own plan's run

    def profit(plan: dict) -> float:
        return kind.profit({"plan": plan}, key)

    def search() -> dict:
        staffing = store.service_staffing
        hours = staffing[staffing["date"] == day].set_index("hour")["agents"]
        plan = {
            k: int(round(hours.reindex(range(lo, hi)).mean()))
            for k, (lo, hi) in PEAK_BLOCKS.items()
        }
        for name in PEAK_BLOCKS:
            plan[name] = max(STAFFING_COARSE, key=lambda n: profit({**plan, name: n}))
        for _ in range(STAFFING_PASSES):
            for name in PEAK_BLOCKS:
                near = range(max(plan[name] - 2, 0), plan[name] + 3)
                plan[name] = max(near, key=lambda n: profit({**plan, name: n}))
        return {"plan": plan, "profit": profit(plan)}

    found = _stored_best(
        kind, [seed, day, list(PEAK_BLOCKS), STAFFING_COARSE, STAFFING_PASSES], search
    )
    BEST_PLANS[cache] = found["plan"]
    _KEYS[cache] = {
        **key,
        "own_profit": float(own),
        "best_profit": float(max(found["profit"], own)),
    }
    return _KEYS[cache]
