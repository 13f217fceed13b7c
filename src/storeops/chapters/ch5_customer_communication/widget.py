"""The customer-communication chapter's widget: agents by block of hours on a festival peak day,
and the waits, orders lost to them and staff cost that follow.

:class:`StaffingCurve` is live (it computes in the browser, so it works in the static book):
each hour is an M/M/c queue (Erlang C) of the day's pre-sale chats (they go before after-sale
contacts, so their queue is theirs alone), the agents of its block, and the agent time a
pre-sale chat takes, all read from the store; a pre-sale chat loses a share of an order for
each second of mean wait (the slope measured on the store's own chats), at most what a quick
answer converts. The store's simulator has more detail (patience, priority to pre-sale chats),
so the widget is a planning model, not the store's outcome: the decision question runs a plan
through the store itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import traitlets as t

from storeops.widgets.live import LiveWidget, esm, fixed, grouped

BLOCKS = ((0, 9), (9, 18), (18, 24))  # night, day, evening: hours [first, end)
BLOCK_NAMES = ("night", "day", "evening")
MAX_AGENTS = 15
WAIT_CAP_S = 120.0  # a shopper's mean patience: past it most have left, the wait stops counting


def mean_wait_s(chats_per_hour: float, handle_s: float, agents: int) -> float:
    """Mean wait in seconds of an M/M/c queue (Erlang C), capped at WAIT_CAP_S (an overloaded
    hour, or one without agents, waits the cap)."""
    if chats_per_hour <= 0:
        return 0.0
    load = chats_per_hour * handle_s / 3600.0  # erlangs
    if agents <= load:
        return WAIT_CAP_S
    term, total = 1.0, 1.0  # a^k / k!, summed for k < agents
    for k in range(1, agents):
        term *= load / k
        total += term
    last = term * load / agents * agents / (agents - load)  # a^c / c! x c / (c - a)
    p_wait = last / (total + last)
    wait = p_wait * handle_s / (agents - load)
    return min(wait, WAIT_CAP_S)


def staffing_view(values: dict[str, Any]) -> dict[str, float]:
    """The day's figures for agents per block: mean wait of a pre-sale chat, the orders lost to
    waiting, staff cost, and their sum with the lost orders at their margin."""
    agents = [int(values[f"agents_{name}"]) for name in BLOCK_NAMES]
    presale = values["presale_by_hour"]
    waited = lost = 0.0
    agent_hours = 0
    for block, (lo, hi) in enumerate(BLOCKS):
        for hour in range(lo, hi):
            wait = mean_wait_s(presale[hour], values["handle_s"], agents[block])
            waited += wait * presale[hour]
            lost += presale[hour] * min(values["loss_per_s"] * wait, values["quick_conversion"])
            agent_hours += agents[block]
    total_chats = sum(presale)
    staff = agent_hours * values["wage"]
    return {
        "wait": waited / total_chats if total_chats else 0.0,
        "lost": lost,
        "staff": staff,
        "cost": staff + lost * values["margin"],
    }


class StaffingCurve(LiveWidget):
    """Agents per block of hours on one busy day, live in the browser (:func:`staffing_view`)."""

    _esm = esm(Path(__file__).with_name("widget.js"))

    agents_night = t.Int(1).tag(sync=True)
    agents_day = t.Int(2).tag(sync=True)
    agents_evening = t.Int(3).tag(sync=True)
    max_agents = t.Int(MAX_AGENTS).tag(sync=True)
    day = t.Unicode("").tag(sync=True)
    presale_by_hour = t.List(t.Float(), [7.0] * 24).tag(sync=True)
    handle_s = t.Float(200.0).tag(sync=True)
    loss_per_s = t.Float(0.002).tag(sync=True)
    quick_conversion = t.Float(0.4).tag(sync=True)
    wage = t.Float(60.0).tag(sync=True)
    margin = t.Float(60.0).tag(sync=True)

    @classmethod
    def compute(cls, values: dict[str, Any]) -> dict[str, str]:
        v = staffing_view(values)
        out = {f"readout.agents_{name}": str(int(values[f"agents_{name}"])) for name in BLOCK_NAMES}
        out.update(
            wait=fixed(v["wait"], 0),
            lost=fixed(v["lost"], 1),
            staff="¥" + grouped(v["staff"], 0),
            cost="¥" + grouped(v["cost"], 0),
        )
        return out


def staffing_inputs(store) -> dict[str, Any]:
    """What the staffing model needs from a store: its busiest day of chats and that day's
    pre-sale chats by hour, the agent time a pre-sale chat takes, the conversion lost per second of first
    response (a straight line through the answered pre-sale chats), what a quick answer
    converts, the wage of an agent-hour and the margin of an order (contribution before ads)."""
    chats = store.service_chats
    day = chats["chat_time"].dt.normalize()
    busiest = day.value_counts().idxmax()
    that_day = chats[day == busiest]
    presale = that_day[that_day["kind"] == "pre-sale"]
    pre_by_hour = presale.groupby(presale["chat_time"].dt.hour).size()
    answered = chats[(chats["kind"] == "pre-sale") & chats["first_response_s"].notna()]
    slope = np.polyfit(answered["first_response_s"], answered["converted"].astype(float), 1)[0]
    quick = answered.loc[answered["first_response_s"] < 20, "converted"].mean()
    staffing = store.service_staffing
    fin = store.finance
    plan = staffing[staffing["date"] == busiest].set_index("hour")["agents"]
    return {
        "day": f"{busiest:%Y-%m-%d}",
        "presale_by_hour": [float(x) for x in pre_by_hour.reindex(range(24), fill_value=0)],
        "handle_s": float(answered["handle_s"].mean()),
        "loss_per_s": float(max(-slope, 0.0)),
        "quick_conversion": float(quick),
        "wage": float(fin["staff"].sum() / staffing["agents"].sum()),
        "margin": float((fin["contribution"] + fin["ad_spend"]).sum() / fin["orders"].sum()),
        **{
            f"agents_{name}": int(round(plan.reindex(range(lo, hi)).mean()))
            for name, (lo, hi) in zip(BLOCK_NAMES, BLOCKS, strict=True)
        },
    }


def staffing_curve(store) -> StaffingCurve:
    """The live staffing explorer of the store's busiest day of chats, starting at the store's
    own plan (its mean agents in each block of hours)."""
    return StaffingCurve(**staffing_inputs(store))


__all__ = [
    "BLOCK_NAMES",
    "StaffingCurve",
    "mean_wait_s",
    "staffing_curve",
    "staffing_inputs",
    "staffing_view",
]
