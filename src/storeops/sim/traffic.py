"""Traffic by date x channel: spend -> impressions -> clicks (adstock + saturation) -> sessions.

Search is bought per click in a keyword auction: the bid times the quality score is the ad rank,
the ad rank gives the average position, the position gives the click-through rate and the
actual cost per click (second price: what it takes to stay above the next advertiser, below the
bid); the daily budget buys impressions at the expected cost of an impression (cost per click x
the ad's usual click rate) and spend = clicks x cost per click, never above the budget. Display
and social are bought per thousand impressions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from storeops.sim.funnel import VIEWS_PER_SESSION, funnel_rates
from storeops.sim.params import (
    CHANNEL_PARAMS,
    CHANNELS,
    CPC_CHANNELS,
    DEVICES,
    FREE_CHANNELS,
    OWNED_CHANNELS,
    PAID_CHANNELS,
)
from storeops.sim.rng import binomial_ppf, poisson_ppf, stream

BRAND_DECAY = 0.9  # carry-over of the ads people noticed into brand (direct traffic)
BRAND_ELASTICITY = 0.3

# The search auction. Competitors' ad ranks: the rank that holds average position p is
# TOP_RANK x competition x p ** (-1 / RANK_GAMMA), so an ad rank r sits at position
# (TOP_RANK x competition / r) ** RANK_GAMMA (at best 1) and pays, per click, the rank of the next
# position divided by its quality score. CTR falls with the position as p ** -CTR_POSITION_DECAY;
# the ad is shown on fewer queries lower down (saturation half-impressions x p ** -SHARE_DECAY).
TOP_RANK = 22.5
RANK_GAMMA = 1.5
CTR_POSITION_DECAY = 0.35
SHARE_DECAY = 0.3
MIN_CPC = 0.05
# Quality score (1-10): QS_REF x (ad CTR / market CTR) ** QS_CTR_WEIGHT x (expected search
# conversion / market conversion) ** QS_CONV_WEIGHT; the ad's CTR relative to the market is drawn
# per store (its relevance), the conversion is the store's own expected one.
QS_REF = 6.0
QS_CTR_WEIGHT = 1.0
QS_CONV_WEIGHT = 0.5
MARKET_CONVERSION = 0.035
RELEVANCE_SD = 0.08

# Free traffic (organic search and recommendations): the platform ranks the store by its recent
# sales velocity against the market's seasonal swing (the store's expected orders from its other
# channels over the calendar's order multiplier), remembered with a geometric decay and updated
# FREE_DELAY days late; sessions scale with that rank ** FREE_ELASTICITY and with the quality
# score (click-through and conversion) against a typical one ** FREE_QUALITY_ELASTICITY.
FREE_DECAY = 0.93  # about a 14-day mean lag
FREE_DELAY = 2
FREE_ELASTICITY = 0.5
FREE_QUALITY_ELASTICITY = 0.5
FREE_REFERENCE_ORDERS = 200.0  # expected orders a day (scale 1) at which the rank is 1
# Each product's share of the free visitors to its category: the platform shows a product more
# after it has sold well for the interest in it (its price response: the conversion its price
# buys against the list price), remembered with FREE_DECAY and FREE_DELAY days late like the
# store's rank; a free visitor picks a product of the category it came for in proportion to its
# demand weight x exposure, exposure = remembered response ** PRODUCT_EXPOSURE_ELASTICITY.
PRODUCT_EXPOSURE_ELASTICITY = 0.3
VOLUME_PREMIUM_CAP = 1.5  # the day's CPC is at most this times the auction's (and the bid)
PACING_TARGET = (
    0.85  # share of the daily search budget the platform plans to spend on an average day
)


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
    planned_bid: dict  # per channel bought per click: the store's own bid [day]


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
    expected: np.ndarray  # expected genuine sessions (from the plan, before any draw)


def build_traffic(
    seed: int,
    eff: dict,
    busy: np.ndarray,
    scale: float,
    channels: tuple[str, ...],
    incident_rng: np.random.Generator,
    budgets: dict[str, np.ndarray] | None = None,
    bids: dict[str, np.ndarray] | None = None,
) -> TrafficModel:
    """Simulate daily traffic for every channel; returns tables, arrays and the truth.

    `budgets` maps a paid channel to its planned daily budget [day]; a channel it leaves out keeps
    the plan drawn here. Delivered spend is the planned budget times a daily pacing noise (search:
    clicks x cost per click, at most the budget). `bids` maps a channel bought per click to its
    bid [day]; a channel it leaves out keeps the store's own bid.
    Each channel draws from its own streams, so a change to one channel's plan moves only that
    channel and what follows from it (direct traffic through the brand carry-over).
    """
    days = len(eff["traffic"])
    shape = (days, len(CHANNELS))
    grid = ChannelDays(*(np.zeros(shape) for _ in range(5)))
    response, truth, planned, planned_bid = {}, {}, {}, {}
    # brand grows with the ads people noticed, not with their price: a display or social
    # impression, and a search click (a low search slot is seen by few), each counts at what
    # it costs on an ordinary day at the store's own bids; so a dearer click or a festival's
    # dearer impressions buy no extra brand
    seen = np.zeros(days)
    for ci, ch in enumerate(CHANNELS):
        if ch not in channels:
            continue
        rng = stream(seed, "traffic", ci)
        if ch in CPC_CHANNELS:
            plan = budgets[ch] if budgets is not None and ch in budgets else None
            bid = bids[ch] if bids is not None and ch in bids else None
            auction = _SearchAuction(stream(seed, "quality", ci), eff, busy, ch)
            planned[ch], planned_bid[ch], response[ch], truth[ch] = _search_channel(
                rng, auction, eff, scale, plan, bid, grid
            )
            seen += grid.clicks[:, ci] * auction.cpc0
        elif ch in PAID_CHANNELS:
            plan = budgets[ch] if budgets is not None and ch in budgets else None
            planned[ch], response[ch], truth[ch] = _paid_channel(rng, ch, eff, scale, plan, grid)
            seen += grid.impressions[:, ci] * CHANNEL_PARAMS[ch]["cpm"] / 1000.0
        elif ch in OWNED_CHANNELS:
            truth[ch] = _owned_channel(rng, ch, eff, scale, grid)
        if ch in PAID_CHANNELS or ch in OWNED_CHANNELS:
            u = stream(seed, "landing", ci).random(grid.clicks.shape[0])
            grid.sessions[:, ci] = binomial_ppf(
                u, grid.clicks[:, ci].astype(np.int64), CHANNEL_PARAMS[ch]["land"]
            )
            grid.expected[:, ci] *= CHANNEL_PARAMS[ch]["land"]
    if "direct" in channels:
        rng = stream(seed, "traffic", CHANNELS.index("direct"))
        truth["direct"] = _direct_channel(rng, eff, scale, channels, seen, grid)
    quality = truth.get("search", {}).get("quality_score", QS_REF)
    for ch in FREE_CHANNELS:
        if ch in channels:
            rng = stream(seed, "traffic", CHANNELS.index(ch))
            truth[ch] = _free_channel(rng, ch, eff, scale, quality, grid)
    bad, incident = _bad_traffic(stream(seed, "bad-traffic"), incident_rng, busy, channels, grid)
    sessions = _device_split(seed, grid.sessions)
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
        planned_bid,
    )


def _device_split(seed: int, sessions: np.ndarray) -> np.ndarray:
    """Genuine sessions [day, channel] split into [day, channel, device] (mobile, desktop)."""
    mob = np.array([CHANNEL_PARAMS[c]["mobile"] for c in CHANNELS])
    s_mob = np.zeros(sessions.shape, dtype=np.int64)
    for ci in range(len(CHANNELS)):
        u = stream(seed, "device", ci).random(sessions.shape[0])
        s_mob[:, ci] = binomial_ppf(u, sessions[:, ci].astype(np.int64), mob[ci])
    return np.stack([s_mob, sessions - s_mob], axis=2).astype(np.int64)


def _budget_plan(
    rng: np.random.Generator, ch: str, eff: dict, scale: float, budget: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """The planned daily budget (the store's own, or `budget`) and the daily pacing noise.

    Both draws are made whatever the plan, so the channel's later draws never shift.
    """
    days = len(eff["traffic"])
    months = np.arange(days) // 14  # budget plans are revised every two weeks
    level = np.exp(rng.normal(0, 0.25, months[-1] + 1))[months]
    plan = CHANNEL_PARAMS[ch]["spend"] * scale * level * eff["budget"]
    if budget is not None:
        plan = np.asarray(budget, dtype=float)
    return plan, np.exp(rng.normal(0, 0.2, days))


def _paid_channel(
    rng: np.random.Generator,
    ch: str,
    eff: dict,
    scale: float,
    budget: np.ndarray | None,
    grid: ChannelDays,
) -> tuple[np.ndarray, dict, dict]:
    """Spend -> impressions -> adstocked, saturating clicks; returns plan, response and truth."""
    ci, p = CHANNELS.index(ch), CHANNEL_PARAMS[ch]
    fest = eff["traffic"]
    plan, pace = _budget_plan(rng, ch, eff, scale, budget)
    sp = np.round(plan * pace, 2)
    cpm = p["cpm"] * (1 + 0.35 * (eff["budget"] - 1).clip(0, None))
    im = np.round(sp / cpm * 1000.0)
    base_imps = p["spend"] * scale / p["cpm"] * 1000.0
    k = p["half_sat"] * base_imps
    a = adstock(im, p["adstock"])
    lam = p["ctr"] * a / (1 + a / k) * np.sqrt(fest)
    clicks = poisson_ppf(rng.random(lam.size), lam)
    grid.spend[:, ci], grid.impressions[:, ci], grid.clicks[:, ci] = sp, im, clicks
    grid.expected[:, ci] = lam
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


def expected_conversion(eff: dict, busy: np.ndarray, ch: str) -> float:
    """Expected session-to-order conversion of a channel on the ordinary days (from the plan)."""
    ci, mob = CHANNELS.index(ch), CHANNEL_PARAMS[ch]["mobile"]
    atc_p, c2o_p = funnel_rates(eff)
    conv = (VIEWS_PER_SESSION[None, :] * atc_p[:, ci, :] * c2o_p[:, ci, :]) @ [mob, 1 - mob]
    return float(conv[~busy].mean() if (~busy).any() else conv.mean())


def quality_score(relevance: float, conversion: float) -> float:
    """The platform's quality score (1-10) from the ad's CTR relative to the market's and the
    store's conversion relative to the market's."""
    qs = QS_REF * relevance**QS_CTR_WEIGHT * (conversion / MARKET_CONVERSION) ** QS_CONV_WEIGHT
    return float(np.clip(qs, 1.0, 10.0))


def auction_position(bid, quality: float, competition=1.0) -> np.ndarray:
    """Average position (1 = top) of an ad bidding `bid` with quality score `quality`."""
    rank = np.maximum(np.asarray(bid, dtype=float), 1e-9) * quality
    return np.maximum((TOP_RANK * np.asarray(competition) / rank) ** RANK_GAMMA, 1.0)


def auction_cpc(bid, quality: float, competition=1.0) -> np.ndarray:
    """Actual cost per click: the ad rank of the next position over the quality score (second
    price), rounded to the fen; never above the bid."""
    bid = np.asarray(bid, dtype=float)
    pos = auction_position(bid, quality, competition)
    next_rank = TOP_RANK * np.asarray(competition) * (pos + 1.0) ** (-1.0 / RANK_GAMMA)
    return np.minimum(np.maximum(np.round(next_rank / quality, 2), MIN_CPC), bid)


class _SearchAuction:
    """The store's place in the keyword auction: quality score and the curves it implies."""

    def __init__(self, rng: np.random.Generator, eff: dict, busy: np.ndarray, ch: str):
        p = CHANNEL_PARAMS[ch]
        self.relevance = float(np.exp(rng.normal(0.0, RELEVANCE_SD)))
        self.conversion = expected_conversion(eff, busy, ch)
        self.quality = quality_score(self.relevance, self.conversion)
        # competitors bid up in festivals as they raise their budgets
        self.competition = 1 + 0.35 * (eff["budget"] - 1).clip(0, None)
        self.own_bid = np.round(p["bid"] * self.competition, 2)
        self.top_ctr = p["ctr"] * self.relevance
        self.adstock = p["adstock"]
        # the store's own average position on an ordinary day: the yardstick of volume
        self.position0 = float(auction_position(p["bid"], self.quality))
        self.cpc0 = float(auction_cpc(p["bid"], self.quality))
        self.ctr0 = float(self.ctr(np.asarray(self.position0)))
        self.pacing = 1 / (1 + 1 / p["half_sat"])
        # saturation half-impressions at scale 1 and the own position on an ordinary day
        self.k0 = p["half_sat"] * p["spend"] / (self.cpc0 * self.ctr0 * self.pacing)

    def ctr(self, position: np.ndarray) -> np.ndarray:
        """Click-through rate of the first impressions at an average position."""
        return self.top_ctr * position ** (-CTR_POSITION_DECAY)

    def reach(self, bids: np.ndarray, budget: np.ndarray, fest: np.ndarray, scale: float):
        """What a day's budget reaches at `bids`: impressions, adstocked A, saturation K, CTR,
        the auction's cost per click and the platform's cost of an impression."""
        pos = auction_position(bids, self.quality, self.competition)
        cpc = auction_cpc(bids, self.quality, self.competition)
        ctr = self.ctr(pos)
        # the platform paces the budget at the ad's expected click rate of the day (its usual
        # rate, saturation included, and festival shoppers' readier clicks), planning to spend
        # PACING_TARGET of it on an average day so that a busier day can use the rest
        cost_per_imp = cpc * ctr * np.sqrt(fest) * self.pacing
        im = np.round(budget * PACING_TARGET / cost_per_imp)
        # the queries within reach: the impressions the base budget buys at the own bid
        k = self.k0 * scale * self.share(pos)
        return im, adstock(im, self.adstock), k, ctr, cpc, cost_per_imp

    def share(self, position: np.ndarray) -> np.ndarray:
        """Queries the ad is shown on, relative to the store's own position on an ordinary day."""
        return (self.position0 / position) ** SHARE_DECAY


def _search_channel(
    rng: np.random.Generator,
    auction: _SearchAuction,
    eff: dict,
    scale: float,
    budget: np.ndarray | None,
    bid: np.ndarray | None,
    grid: ChannelDays,
) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """Bid and quality -> position -> CTR and CPC; budget -> impressions -> clicks (adstocked,
    saturating) -> spend = clicks x CPC, clicks stopping when the budget runs out."""
    ch = "search"
    ci, p = CHANNELS.index(ch), CHANNEL_PARAMS[ch]
    fest = eff["traffic"]
    plan, pace = _budget_plan(rng, ch, eff, scale, budget)
    bids = auction.own_bid if bid is None else np.asarray(bid, dtype=float)
    # the budget's reach at the store's own bids, then at the bids in force
    _, a_own, k_own, _, _, _ = auction.reach(auction.own_bid, plan * pace, fest, scale)
    im, a, k, ctr, cpc, cost_per_imp = auction.reach(bids, plan * pace, fest, scale)
    lam = ctr * a / (1 + a / k) * np.sqrt(fest)
    # the day's average cost per click: the auction's price, higher on days the budget reaches
    # into more (broader, more contested) queries; never above the bid
    volume = np.minimum(auction.pacing * (1 + a_own / k_own), VOLUME_PREMIUM_CAP)
    price = np.minimum(np.maximum(np.round(cpc * volume, 2), MIN_CPC), bids)
    wanted = poisson_ppf(rng.random(lam.size), lam)
    cap = np.floor(plan / price + 1e-9)
    clicks = np.minimum(wanted, cap)
    # impressions stop with the budget too
    im = np.where(wanted > cap, np.round(im * cap / np.maximum(wanted, 1)), im)
    grid.spend[:, ci] = np.round(clicks * price, 2)
    grid.impressions[:, ci], grid.clicks[:, ci] = im, clicks
    grid.expected[:, ci] = np.minimum(lam, cap)
    response = dict(adstock=a, k=k, ctr=ctr, cpm=cost_per_imp * 1000.0, fest=np.sqrt(fest))
    pos0, cpc0, ctr0 = auction.position0, auction.cpc0, auction.ctr0
    truth = dict(
        kind="paid_per_click",
        adstock_decay=p["adstock"],
        # the curve on an ordinary day at the store's own bid, in the form of the other channels
        saturation_half_impressions=round(float(auction.k0 * scale), 1),
        base_ctr=round(ctr0, 6),
        cpm=round(cpc0 * ctr0 * auction.pacing * 1000.0, 4),
        response=(
            "clicks = ctr(position) * A / (1 + A / K(position)) * sqrt(festival_traffic_uplift), "
            "A = adstocked impressions; impressions = budget x pacing noise x "
            f"{PACING_TARGET:g} / (cpc x ctr(position) x sqrt(festival_traffic_uplift) / "
            f"{1 / auction.pacing:g}); the day's cost per click = min(bid, cpc x min("
            f"{VOLUME_PREMIUM_CAP:g}, (1 + A_own / K_own) / {1 / auction.pacing:g})), A_own and "
            "K_own at the store's own bids; clicks stop at budget / cost per click; spend = "
            "clicks x cost per click"
        ),
        quality_score=round(auction.quality, 4),
        quality_score_rule=(
            f"clip({QS_REF:g} x relevance ** {QS_CTR_WEIGHT:g} x (expected_conversion / "
            f"{MARKET_CONVERSION:g}) ** {QS_CONV_WEIGHT:g}, 1, 10)"
        ),
        relevance=round(auction.relevance, 4),
        expected_conversion_for_quality=round(auction.conversion, 5),
        own_bid=p["bid"],
        own_position=round(pos0, 4),
        own_cpc=round(cpc0, 2),
        auction=dict(
            top_rank=TOP_RANK,
            rank_gamma=RANK_GAMMA,
            ctr_position_decay=CTR_POSITION_DECAY,
            share_decay=SHARE_DECAY,
            top_ctr=round(auction.top_ctr, 6),
            position=f"max(1, ({TOP_RANK:g} x competition / (bid x quality_score)) ** {RANK_GAMMA:g})",
            cpc=f"min(bid, {TOP_RANK:g} x competition x (position + 1) ** (-1 / {RANK_GAMMA:g}) / quality_score)",
            ctr="top_ctr x position ** -ctr_position_decay",
            saturation="K(position) = saturation_half_impressions x (own_position / position) ** share_decay",
            competition="1 + 0.35 x (festival budget multiplier - 1), at least 1",
        ),
    )
    return plan, bids, response, truth


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
    grid.expected[:, ci] = sends * np.clip(ctr, 0, 1)
    return dict(kind="owned", cost_per_send=p["cost"], base_ctr=p["ctr"])


def _direct_channel(
    rng: np.random.Generator,
    eff: dict,
    scale: float,
    channels: tuple[str, ...],
    seen: np.ndarray,
    grid: ChannelDays,
) -> dict:
    """Brand: long carry-over of the paid ads people noticed lifts direct traffic (the long-run
    ad effect). `seen` [day] is display and social impressions and search clicks, each valued
    at an ordinary day's own-bid price, so on ordinary days at the store's own plan it is
    about the spend."""
    ci = CHANNELS.index("direct")
    base_total = sum(CHANNEL_PARAMS[c]["spend"] * scale for c in PAID_CHANNELS if c in channels)
    base_total = base_total or 1.0
    brand = adstock(np.maximum(seen, 1.0), BRAND_DECAY) / base_total
    lam = (
        CHANNEL_PARAMS["direct"]["sessions"]
        * scale
        * eff["traffic"]
        * np.maximum(brand, 0.2) ** BRAND_ELASTICITY
    )
    grid.sessions[:, ci] = poisson_ppf(rng.random(lam.size), lam)
    grid.expected[:, ci] = lam
    return dict(
        kind="organic",
        base_sessions=CHANNEL_PARAMS["direct"]["sessions"],
        brand_rule=(
            "sessions = base_sessions x traffic effect x max(0.2, B) ** brand_elasticity, B = "
            "adstock(display and social impressions x their cpm / 1000 + search clicks x the "
            "ordinary day's cost per click at the store's own bid, brand_adstock_decay) / the "
            "paid channels' base daily spend"
        ),
        brand_adstock_decay=BRAND_DECAY,
        brand_elasticity=BRAND_ELASTICITY,
    )


def _free_channel(
    rng: np.random.Generator, ch: str, eff: dict, scale: float, quality: float, grid: ChannelDays
) -> dict:
    """Free traffic follows the store's recent performance, with a lag (see FREE_DECAY)."""
    ci, p = CHANNELS.index(ch), CHANNEL_PARAMS[ch]
    rank = free_rank(eff, grid.expected, scale)
    lam = (
        p["sessions"]
        * scale
        * eff["traffic"]
        * rank**FREE_ELASTICITY
        * (quality / QS_REF) ** FREE_QUALITY_ELASTICITY
    )
    grid.sessions[:, ci] = poisson_ppf(rng.random(lam.size), lam)
    grid.expected[:, ci] = lam
    return dict(
        kind="free",
        base_sessions=p["sessions"],
        rank_decay=FREE_DECAY,
        rank_delay_days=FREE_DELAY,
        rank_elasticity=FREE_ELASTICITY,
        quality_elasticity=FREE_QUALITY_ELASTICITY,
        quality_score=round(float(quality), 4),
        reference_orders=FREE_REFERENCE_ORDERS,
        mean_rank=round(float(rank.mean()), 4),
        response=(
            "sessions = base_sessions x scale x festival_traffic_uplift x rank ** rank_elasticity "
            "x (quality_score / 6) ** quality_elasticity; rank = the store's expected daily orders "
            "from its other channels over the calendar's order multiplier, adstocked with "
            "rank_decay, rank_delay_days late, over reference_orders x scale"
        ),
    )


def free_rank(eff: dict, expected: np.ndarray, scale: float) -> np.ndarray:
    """The platform's rank of the store [day]: lagged, remembered sales velocity (expected)."""
    atc_p, c2o_p = funnel_rates(eff)
    mob = np.array([CHANNEL_PARAMS[c]["mobile"] for c in CHANNELS])
    conv = (VIEWS_PER_SESSION[None, None, :] * atc_p * c2o_p)[..., 0] * mob + (
        VIEWS_PER_SESSION[None, None, :] * atc_p * c2o_p
    )[..., 1] * (1 - mob)
    free = [CHANNELS.index(c) for c in FREE_CHANNELS]
    mask = np.ones(len(CHANNELS), dtype=bool)
    mask[free] = False
    orders = (expected * conv)[:, mask].sum(axis=1)
    velocity = orders / (eff["traffic"] * eff["atc"] * eff["c2o"])
    remembered = adstock(velocity, FREE_DECAY)
    lagged = np.r_[np.full(FREE_DELAY, remembered[0]), remembered[: len(velocity) - FREE_DELAY]]
    return np.maximum(lagged[: len(velocity)] / (FREE_REFERENCE_ORDERS * scale), 0.05)


def product_exposure(response: np.ndarray) -> np.ndarray:
    """The platform's exposure of each product [day, sku] in free traffic (1: as its interest
    alone earns), from its price response [day, sku] (see PRODUCT_EXPOSURE_ELASTICITY)."""
    remembered = adstock(response, FREE_DECAY)
    days = response.shape[0]
    lagged = np.concatenate([np.repeat(remembered[:1], FREE_DELAY, axis=0), remembered])[:days]
    return lagged**PRODUCT_EXPOSURE_ELASTICITY


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
