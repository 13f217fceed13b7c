"""Traffic by date x channel: spend -> impressions -> clicks (adstock + saturation) -> sessions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from storeops.sim.params import CHANNEL_PARAMS, CHANNELS, DEVICES, OWNED_CHANNELS, PAID_CHANNELS
from storeops.sim.rng import binomial_ppf, poisson_ppf, stream

BRAND_DECAY = 0.9  # carry-over of paid spend into brand awareness (direct traffic)
BRAND_ELASTICITY = 0.3


@dataclass
class TrafficModel:
    """Traffic table plus the arrays the funnel needs."""

    table: pd.DataFrame
    sessions: np.ndarray  # [day, channel, device] genuine sessions
    bad_sessions: np.ndarray  # [day, channel, device] sessions from the bad source
    ab_table: pd.DataFrame
    truth: dict
    response: dict  # per paid channel: arrays for ROI (adstock, K, ctr, cpm, fest)
    planned_budget: dict  # per paid channel: the planned daily budget [day] before pacing noise


def adstock(x: np.ndarray, decay: float) -> np.ndarray:
    """Geometric carry-over normalised to keep the long-run level: a_t = (1-d) x_t + d a_(t-1)."""
    out = np.empty_like(x, dtype=float)
    acc = x[0]
    for t in range(len(x)):
        acc = (1 - decay) * x[t] + decay * acc
        out[t] = acc
    return out


def pick_quiet_window(
    rng: np.random.Generator, busy: np.ndarray, length: int, lo: float, hi: float
) -> int:
    """First day of a `length`-day window inside [lo, hi) of the period avoiding busy days."""
    days = len(busy)
    cands = [
        s
        for s in range(int(lo * days), max(int(hi * days) - length, int(lo * days) + 1))
        if s + length + 3 <= days and not busy[max(s - 3, 0) : s + length + 3].any()
    ]
    if not cands:
        cands = [s for s in range(0, max(days - length, 1))] or [0]
    return int(rng.choice(cands))


@dataclass
class ChannelDays:
    """Arrays [day, channel] that the channel models fill in, one channel at a time."""

    clicks: np.ndarray
    impressions: np.ndarray
    spend: np.ndarray
    sessions: np.ndarray  # genuine sessions before the device split


def build_traffic(
    seed: int,
    eff: dict,
    busy: np.ndarray,
    scale: float,
    channels: tuple[str, ...],
    incident_rng: np.random.Generator,
    budgets: dict[str, np.ndarray] | None = None,
) -> TrafficModel:
    """Simulate daily traffic for every channel; returns tables, arrays and the truth.

    `budgets` maps a paid channel to its planned daily budget [day]; a channel it leaves out keeps
    the plan drawn here. Delivered spend is the planned budget times a daily pacing noise.
    Each channel draws from its own streams, so a change to one channel's plan moves only that
    channel and what follows from it (direct traffic through the brand carry-over).
    """
    days = len(eff["traffic"])
    shape = (days, len(CHANNELS))
    grid = ChannelDays(np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape))
    response, truth, planned = {}, {}, {}
    paid_spend_total = np.zeros(days)
    for ci, ch in enumerate(CHANNELS):
        if ch not in channels:
            continue
        rng = stream(seed, "traffic", ci)
        if ch in PAID_CHANNELS:
            plan = budgets[ch] if budgets is not None and ch in budgets else None
            planned[ch], response[ch], truth[ch] = _paid_channel(rng, ch, eff, scale, plan, grid)
            paid_spend_total += grid.spend[:, ci]
        elif ch in OWNED_CHANNELS:
            truth[ch] = _owned_channel(rng, ch, eff, scale, grid)
        if ch != "direct":
            u = stream(seed, "landing", ci).random(grid.clicks.shape[0])
            grid.sessions[:, ci] = binomial_ppf(
                u, grid.clicks[:, ci].astype(np.int64), CHANNEL_PARAMS[ch]["land"]
            )
    if "direct" in channels:
        rng = stream(seed, "traffic", CHANNELS.index("direct"))
        truth["direct"] = _direct_channel(rng, eff, scale, channels, paid_spend_total, grid)
    bad, incident = _bad_traffic(stream(seed, "bad-traffic"), incident_rng, busy, channels, grid)
    # device split of genuine sessions
    mob = np.array([CHANNEL_PARAMS[c]["mobile"] for c in CHANNELS])
    s_mob = np.zeros(grid.sessions.shape, dtype=np.int64)
    for ci in range(len(CHANNELS)):
        u = stream(seed, "device", ci).random(grid.sessions.shape[0])
        s_mob[:, ci] = binomial_ppf(u, grid.sessions[:, ci].astype(np.int64), mob[ci])
    sessions = np.stack([s_mob, grid.sessions - s_mob], axis=2).astype(np.int64)
    total_sess = sessions.sum(axis=2) + bad.sum(axis=2)
    ab_truth = _plan_ab_test(incident_rng, busy, channels)
    tbl = {
        "spend": grid.spend,
        "impressions": grid.impressions.astype(np.int64),
        "clicks": grid.clicks.astype(np.int64),
        "sessions": total_sess.astype(np.int64),
    }
    return TrafficModel(
        _table(eff["dates"], channels, tbl),
        sessions,
        bad.astype(np.int64),
        _empty_ab_table(),
        dict(channels=truth, incidents={"bad_traffic": incident}, ab_test=ab_truth),
        response,
        planned,
    )


def _paid_channel(
    rng: np.random.Generator,
    ch: str,
    eff: dict,
    scale: float,
    budget: np.ndarray | None,
    grid: ChannelDays,
) -> tuple[np.ndarray, dict, dict]:
    """Spend -> impressions -> adstocked, saturating clicks; returns plan, response and truth."""
    ci, p, days = CHANNELS.index(ch), CHANNEL_PARAMS[ch], grid.spend.shape[0]
    fest = eff["traffic"]
    months = np.arange(days) // 14  # budget plans are revised every two weeks
    level = np.exp(rng.normal(0, 0.25, months[-1] + 1))[months]
    plan = p["spend"] * scale * level * eff["budget"]
    if budget is not None:
        plan = np.asarray(budget, dtype=float)
    sp = np.round(plan * np.exp(rng.normal(0, 0.2, days)), 2)
    cpm = p["cpm"] * (1 + 0.35 * (eff["budget"] - 1).clip(0, None))
    im = np.round(sp / cpm * 1000.0)
    base_imps = p["spend"] * scale / p["cpm"] * 1000.0
    k = p["half_sat"] * base_imps
    a = adstock(im, p["adstock"])
    lam = p["ctr"] * a / (1 + a / k) * np.sqrt(fest)
    clicks = poisson_ppf(rng.random(days), lam)
    grid.spend[:, ci], grid.impressions[:, ci], grid.clicks[:, ci] = sp, im, clicks
    response = dict(adstock=a, k=k, ctr=p["ctr"], cpm=cpm, fest=np.sqrt(fest))
    truth = dict(
        kind="paid",
        adstock_decay=p["adstock"],
        saturation_half_impressions=round(float(k), 1),
        base_ctr=p["ctr"],
        cpm=p["cpm"],
        response="clicks = base_ctr * A / (1 + A / saturation_half_impressions) * sqrt(festival_traffic_uplift), A = adstocked impressions",
    )
    return plan, response, truth


def _owned_channel(
    rng: np.random.Generator, ch: str, eff: dict, scale: float, grid: ChannelDays
) -> dict:
    """Sends to the channel's list and the clicks they draw; returns the truth."""
    ci, p, days = CHANNELS.index(ch), CHANNEL_PARAMS[ch], grid.spend.shape[0]
    t = np.arange(days)
    listsize = p["list_share"] * 70000 * scale * (1 + 0.3 * t / 365)
    hot = eff["budget"] > 1.05
    # campaigns go to a rotating part of the list each day, to everyone on festival days
    if ch == "email":
        frac = np.where(hot, 1.0, rng.uniform(0.25, 0.40, days))
    elif ch == "push":
        frac = np.where(hot, 1.0, rng.uniform(0.35, 0.60, days))
    else:
        frac = np.where(eff["budget"] > 1.5, 1.0, rng.uniform(0.10, 0.20, days))
    sends = np.round(listsize * frac)
    ctr = p["ctr"] * np.sqrt(eff["traffic"])
    ck = binomial_ppf(rng.random(days), sends.astype(np.int64), ctr)
    grid.spend[:, ci] = np.round(sends * p["cost"], 2)
    grid.impressions[:, ci], grid.clicks[:, ci] = sends, ck
    return dict(kind="owned", cost_per_send=p["cost"], base_ctr=p["ctr"])


def _direct_channel(
    rng: np.random.Generator,
    eff: dict,
    scale: float,
    channels: tuple[str, ...],
    paid_spend_total: np.ndarray,
    grid: ChannelDays,
) -> dict:
    """Brand: long carry-over of paid spend lifts direct traffic (the long-run ad effect)."""
    ci = CHANNELS.index("direct")
    base_total = sum(CHANNEL_PARAMS[c]["spend"] * scale for c in PAID_CHANNELS if c in channels)
    base_total = base_total or 1.0
    brand = adstock(np.maximum(paid_spend_total, 1.0), BRAND_DECAY) / base_total
    lam = (
        CHANNEL_PARAMS["direct"]["sessions"]
        * scale
        * eff["traffic"]
        * np.maximum(brand, 0.2) ** BRAND_ELASTICITY
    )
    grid.sessions[:, ci] = poisson_ppf(rng.random(lam.size), lam)
    return dict(
        kind="organic",
        base_sessions=CHANNEL_PARAMS["direct"]["sessions"],
        brand_adstock_decay=BRAND_DECAY,
        brand_elasticity=BRAND_ELASTICITY,
    )


def _bad_traffic(
    rng: np.random.Generator,
    incident_rng: np.random.Generator,
    busy: np.ndarray,
    channels: tuple[str, ...],
    grid: ChannelDays,
) -> tuple[np.ndarray, dict | None]:
    """Incident: a click spike from a bad source on display or social; sessions that never buy."""
    days = grid.spend.shape[0]
    bad = np.zeros((days, len(CHANNELS), len(DEVICES)))
    cands = [c for c in ("display", "social") if c in channels]
    if not cands or days < 30:
        return bad, None
    ch = cands[int(incident_rng.integers(len(cands)))]
    ci = CHANNELS.index(ch)
    length = int(incident_rng.integers(3, 6))
    s0 = pick_quiet_window(incident_rng, busy, length, 0.55, 0.8)
    mult = incident_rng.uniform(2.5, 4.0)
    clicks, spend = grid.clicks, grid.spend
    extra = np.round(clicks[s0 : s0 + length, ci] * mult)
    # the bad source is billed at the channel's cost per click so far
    cpc = spend[:s0, ci].sum() / max(clicks[:s0, ci].sum(), 1)
    clicks[s0 : s0 + length, ci] += extra
    spend[s0 : s0 + length, ci] = np.round(spend[s0 : s0 + length, ci] + extra * cpc * 0.6, 2)
    grid.impressions[s0 : s0 + length, ci] += np.round(extra * 8)
    bs = rng.binomial(extra.astype(np.int64), 0.97)
    bad[s0 : s0 + length, ci, 0] = np.round(bs * 0.3)
    bad[s0 : s0 + length, ci, 1] = bs - np.round(bs * 0.3)
    incident = dict(
        kind="bad_traffic",
        channel=ch,
        start_day=s0,
        end_day=s0 + length - 1,
        extra_clicks=int(extra.sum()),
        extra_sessions=int(bs.sum()),
    )
    return bad, incident


def _plan_ab_test(
    incident_rng: np.random.Generator, busy: np.ndarray, channels: tuple[str, ...]
) -> dict | None:
    """Window and true lift of the A/B test of two display banners (if display is on)."""
    if "display" not in channels or len(busy) < 60:
        return None
    length = 28
    s0 = pick_quiet_window(incident_rng, busy, length, 0.2, 0.5)
    lift = float(incident_rng.choice([-1, 1]) * incident_rng.uniform(0.10, 0.25))
    return dict(
        channel="display",
        start_day=s0,
        end_day=s0 + length - 1,
        ctr_relative_lift_b_vs_a=round(lift, 4),
    )


def _empty_ab_table() -> pd.DataFrame:
    """The A/B table's columns; the generator fills it from the funnel during the test."""
    return pd.DataFrame(
        {
            "date": pd.Series([], dtype="datetime64[ns]"),
            "channel": pd.Series([], dtype="str"),
            "variant": pd.Series([], dtype="str"),
            "impressions": pd.Series([], dtype="int64"),
            "clicks": pd.Series([], dtype="int64"),
            "orders": pd.Series([], dtype="int64"),
        }
    )


def _table(dates: pd.DatetimeIndex, channels: tuple[str, ...], cols: dict) -> pd.DataFrame:
    """Long date x channel table for the active channels."""
    keep = [CHANNELS.index(c) for c in CHANNELS if c in channels]
    days = len(dates)
    df = pd.DataFrame(
        {
            "date": np.repeat(dates.to_numpy().astype("datetime64[ns]"), len(keep)),
            "channel": pd.array(np.tile(np.array(CHANNELS)[keep], days), dtype="str"),
        }
    )
    for k, v in cols.items():
        df[k] = v[:, keep].reshape(-1)
    return df
