"""Default knobs of the simulated store: categories, channels, festivals, segments.

Every value here is a *prior*; `generate` jitters some of them per seed and records the
values it actually used in the store's ground truth.
"""

from __future__ import annotations

GENERATOR_VERSION = "1.9.0"
DEFAULT_SEED = 20250101

CHANNELS = (
    "search",
    "display",
    "social",
    "email",
    "push",
    "sms",
    "direct",
    "organic_search",
    "recommendation",
)
PAID_CHANNELS = ("search", "display", "social")
CPC_CHANNELS = ("search",)  # paid channels bought per click (the others per 1000 impressions)
OWNED_CHANNELS = ("email", "push", "sms")
FREE_CHANNELS = ("organic_search", "recommendation")  # the platform's free traffic
DEVICES = ("mobile", "desktop")
ROLES = ("traffic", "profit", "bundle", "regular")
SEGMENTS = ("loyal", "regular", "occasional", "deal_seeker")
FESTIVALS = ("618", "99", "double11", "double12")
PHASES = ("presale", "peak", "dip")

# category: demand share, own-price elasticity, cross-price elasticity (w.r.t. competitor
# price), base return rate, median list price (CNY), number of SKUs, cost / price ratio
# (set so that the gross margins of STYLIZED_FACTS.md F16 hold after promotions and returns).
# fmt: off
CATEGORIES: dict[str, dict[str, float]] = {
    "apparel":     dict(share=0.24, elasticity=-2.8, cross=0.20, return_rate=0.30, price=129, n_skus=60, cost_ratio=0.35),
    "beauty":      dict(share=0.18, elasticity=-2.4, cross=0.25, return_rate=0.07, price=99, n_skus=45, cost_ratio=0.23),
    "home":        dict(share=0.14, elasticity=-2.0, cross=0.15, return_rate=0.09, price=89, n_skus=45, cost_ratio=0.50),
    "electronics": dict(share=0.10, elasticity=-3.1, cross=0.30, return_rate=0.11, price=299, n_skus=30, cost_ratio=0.77),
    "food":        dict(share=0.12, elasticity=-1.6, cross=0.12, return_rate=0.03, price=49, n_skus=40, cost_ratio=0.45),
    "baby":        dict(share=0.08, elasticity=-1.5, cross=0.10, return_rate=0.06, price=109, n_skus=30, cost_ratio=0.42),
    "sports":      dict(share=0.08, elasticity=-2.6, cross=0.20, return_rate=0.13, price=159, n_skus=30, cost_ratio=0.40),
    "books":       dict(share=0.06, elasticity=-2.4, cross=0.10, return_rate=0.04, price=45, n_skus=20, cost_ratio=0.45),
}

# Per channel: mobile share of sessions, add-to-cart quality multiplier, landing rate
# (sessions per click).  Paid channels: base daily spend (CNY at scale 1), CPM (CNY per
# 1000 impressions), CTR of the first impressions, adstock decay, saturation (adstocked
# impressions at which clicks are half their linear extrapolation, relative to the base
# impressions).  Search is bought per click: `ctr` is the CTR at the top position, `bid`
# the store's own bid on an ordinary day, and the saturation is relative to the impressions the
# base budget buys at that bid; its CPM is unused (see traffic.py for the auction).  Owned channels: cost per send, CTR, list size relative to 70,000 x scale.
CHANNEL_PARAMS: dict[str, dict[str, float]] = {
    "search":  dict(mobile=0.62, quality=1.25, land=0.92, spend=5200.0, cpm=45.0, ctr=0.13, adstock=0.25, half_sat=0.5, bid=1.8),
    "display": dict(mobile=0.70, quality=0.55, land=0.85, spend=2600.0, cpm=14.0, ctr=0.011, adstock=0.60, half_sat=0.5),
    "social":  dict(mobile=0.92, quality=0.85, land=0.88, spend=3200.0, cpm=24.0, ctr=0.032, adstock=0.45, half_sat=0.5),
    "email":   dict(mobile=0.45, quality=1.35, land=0.90, cost=0.010, ctr=0.028, list_share=0.9),
    "push":    dict(mobile=1.00, quality=1.05, land=0.95, cost=0.002, ctr=0.032, list_share=0.6),
    "sms":     dict(mobile=0.90, quality=1.00, land=0.90, cost=0.045, ctr=0.060, list_share=0.5),
    "direct":  dict(mobile=0.60, quality=1.40, land=1.00, sessions=1300.0),
    "organic_search": dict(mobile=0.78, quality=1.10, land=1.00, sessions=3700.0),
    "recommendation": dict(mobile=0.96, quality=0.80, land=1.00, sessions=3100.0),
}

# Festival peak dates (month, day), phase windows as day offsets from the peak, and effects:
# traffic (sessions), atc (add-to-cart rate), c2o (cart-to-order rate), budget (ad spend).
FESTIVAL_SPECS: dict[str, dict] = {
    "618": dict(peak=(6, 18), presale=(-17, -1), dip=(1, 6),
                traffic=dict(presale=1.10, peak=2.6, dip=0.90), atc=dict(presale=1.25, peak=1.25, dip=0.95),
                c2o=dict(presale=0.80, peak=1.30, dip=0.92), budget=dict(presale=1.3, peak=2.2, dip=0.9)),
    "99": dict(peak=(9, 9), presale=(-4, -1), dip=(1, 3),
               traffic=dict(presale=1.05, peak=1.8, dip=0.92), atc=dict(presale=1.15, peak=1.15, dip=0.96),
               c2o=dict(presale=0.85, peak=1.20, dip=0.94), budget=dict(presale=1.1, peak=1.6, dip=0.9)),
    "double11": dict(peak=(11, 11), presale=(-22, -1), dip=(1, 8),
                     traffic=dict(presale=1.15, peak=7.0, dip=0.93), atc=dict(presale=1.30, peak=1.35, dip=0.96),
                     c2o=dict(presale=0.80, peak=1.55, dip=0.95), budget=dict(presale=1.4, peak=3.0, dip=0.9)),
    "double12": dict(peak=(12, 12), presale=(-4, -1), dip=(1, 4),
                     traffic=dict(presale=1.05, peak=2.3, dip=0.92), atc=dict(presale=1.15, peak=1.20, dip=0.96),
                     c2o=dict(presale=0.85, peak=1.25, dip=0.94), budget=dict(presale=1.1, peak=1.8, dip=0.9)),
}

# Customer segments: daily purchase rate while active, mean active lifetime (days), share of
# new customers acquired on ordinary days and in festivals (presale or peak).
SEGMENT_PARAMS: dict[str, dict[str, float]] = {
    "loyal":       dict(rate=1 / 40, lifetime=400, share=0.07, festival_share=0.01),
    "regular":     dict(rate=1 / 110, lifetime=160, share=0.28, festival_share=0.04),
    "occasional":  dict(rate=1 / 320, lifetime=110, share=0.45, festival_share=0.15),
    "deal_seeker": dict(rate=1 / 1000, lifetime=60, share=0.20, festival_share=0.80),
}

# Day-of-week session multipliers, Monday first.
WEEKDAY_MULT = (1.02, 1.00, 0.99, 0.98, 0.95, 1.01, 1.05)

# Hour-of-day order profile (relative weights, hour 0..23): evening peak 20-22.
HOUR_PROFILE = (
    1.4, 0.8, 0.4, 0.25, 0.2, 0.25, 0.5, 1.0, 1.7, 2.4, 3.0, 3.4,
    3.6, 3.3, 3.2, 3.3, 3.4, 3.5, 3.7, 4.3, 5.3, 5.9, 5.4, 3.2,
)
# fmt: on
