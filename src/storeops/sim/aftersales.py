"""Returns and reviews, driven by category, delivery delay, festival impulse buying and defects."""

from __future__ import annotations

import numpy as np

FESTIVAL_RETURN_MULT = 1.3
DELAY_RETURN_PER_DAY = 0.07  # relative increase of return odds per day of delivery beyond 3
DEFECT_RETURN_MULT = 2.5
REVIEW_SHARE = 0.32
REASONS = ("size_fit", "defective", "late_delivery", "not_as_described", "changed_mind")
STARS_BASE = np.array([0.06, 0.025, 0.045, 0.14, 0.73])  # 1..5 stars, J-shaped
STARS_BAD = np.array([0.40, 0.17, 0.16, 0.13, 0.14])  # after a return or a defect


RETURN_UNIFORMS, REVIEW_UNIFORMS = 6, 4  # uniforms per line each model takes


def simulate_returns(
    u: np.ndarray,
    cat_rate: np.ndarray,
    delivery: np.ndarray,
    festive: np.ndarray,
    defective: np.ndarray,
    is_apparel: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per line: returned?, days after delivery, reason code (index into REASONS).

    `u` holds RETURN_UNIFORMS uniforms per line (a row each, so lines never share draws).
    """
    p = (
        cat_rate
        * (1 + DELAY_RETURN_PER_DAY * np.clip(delivery - 3, 0, None))
        * np.where(festive, FESTIVAL_RETURN_MULT, 1.0)
        * np.where(defective, DEFECT_RETURN_MULT, 1.0)
    )
    ret = u[:, 0] < np.clip(p, 0, 0.9)
    lag = 1 + (u[:, 1] * 10).astype(np.int64)
    r = np.searchsorted(np.cumsum([0.0, 0.15, 0.0, 0.35, 0.5]), u[:, 2], side="right")
    r = np.minimum(r, len(REASONS) - 1)
    r = np.where(is_apparel & (u[:, 3] < 0.6), 0, r)
    r = np.where(defective & (u[:, 4] < 0.7), 1, r)
    r = np.where((delivery > 5) & (u[:, 5] < 0.4), 2, r)
    return ret, lag, r


def simulate_reviews(
    uniforms: np.ndarray, returned: np.ndarray, defective: np.ndarray, delivery: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per line: reviewed?, stars, days after delivery (REVIEW_UNIFORMS uniforms per line)."""
    bad = returned | (defective & (uniforms[:, 0] < 0.35))
    late = delivery > 5
    share = REVIEW_SHARE * np.where(bad, 1.1, 1.0)
    rev = uniforms[:, 1] < share
    u = uniforms[:, 2]
    cb, cg = np.cumsum(STARS_BAD), np.cumsum(STARS_BASE)
    lg = np.cumsum(STARS_BASE * np.array([1.6, 1.3, 1.2, 1.0, 0.85]))
    lg = lg / lg[-1]
    stars = np.where(
        bad,
        np.searchsorted(cb, u * cb[-1], side="right"),
        np.where(
            late,
            np.searchsorted(lg, u, side="right"),
            np.searchsorted(cg, u * cg[-1], side="right"),
        ),
    )
    stars = np.minimum(stars, 4) + 1
    lag = (uniforms[:, 3] * 15).astype(np.int64)
    return rev, stars, lag


# detailed seller ratings (Taobao's DSR): a content buyer gives mostly 5s, a let-down one
# spreads over 1-4; the shares of let-down buyers set the averages of 4.6-4.9 (F22)
DSR_CONTENT = np.array([0.0, 0.0, 0.01, 0.10, 0.89])  # 1..5 stars
DSR_LET_DOWN = np.array([0.20, 0.20, 0.30, 0.30, 0.0])
DSR_LET_DOWN_BASE = 0.03  # buyers let down for no cause the data shows
DSR_DEFECT = 0.45  # description: a defective item, or one returned as such or not as described
DSR_PER_LATE_DAY = 0.06  # logistics: each courier day past three
DSR_PER_WAIT_S = 1 / 600  # service: each second of the longest chat wait (up to DSR_WAIT_CAP)
DSR_WAIT_CAP = 0.5
DSR_ASPECTS = ("description", "service", "logistics")
DSR_UNIFORMS = 2 * len(DSR_ASPECTS)  # let down?, stars; per aspect


def seller_ratings(
    u: np.ndarray, defective: np.ndarray, courier_days: np.ndarray, chat_wait_s: np.ndarray
) -> dict[str, np.ndarray]:
    """Per rated order: description, service and logistics stars (1-5).

    A buyer is let down on an aspect with a base chance plus its cause: a defective item, or
    one returned as defective or not as described (description), the longest wait in the order's chats, NaN for none (service), courier days
    past three (logistics). `u` holds DSR_UNIFORMS uniforms per order.
    """
    let_down = dict(
        description=DSR_LET_DOWN_BASE + DSR_DEFECT * defective,
        service=DSR_LET_DOWN_BASE
        + np.minimum(DSR_PER_WAIT_S * np.nan_to_num(chat_wait_s), DSR_WAIT_CAP),
        logistics=DSR_LET_DOWN_BASE + DSR_PER_LATE_DAY * np.maximum(courier_days - 3, 0),
    )
    content, down = np.cumsum(DSR_CONTENT), np.cumsum(DSR_LET_DOWN)
    out = {}
    for k, aspect in enumerate(DSR_ASPECTS):
        bad = u[:, 2 * k] < let_down[aspect]
        cdf = np.where(bad[:, None], down[None, :], content[None, :])
        stars = (u[:, 2 * k + 1, None] * cdf[:, -1:] >= cdf).sum(axis=1)
        out[aspect] = np.minimum(stars, 4) + 1
    return out


def aftersales_truth(cat_rates: dict) -> dict:
    """Ground truth of the return and review models."""
    return dict(
        return_rate_by_category=cat_rates,
        festival_return_multiplier=FESTIVAL_RETURN_MULT,
        delivery_delay_effect="return probability x (1 + 0.07 per delivery day beyond 3)",
        defective_sku_return_multiplier=DEFECT_RETURN_MULT,
        review_share_of_lines=REVIEW_SHARE,
        star_probabilities=dict(zip(["1", "2", "3", "4", "5"], STARS_BASE.tolist(), strict=True)),
        star_probabilities_after_return_or_defect=dict(
            zip(["1", "2", "3", "4", "5"], STARS_BAD.tolist(), strict=True)
        ),
        seller_ratings=dict(
            aspects=list(DSR_ASPECTS),
            stars_content=DSR_CONTENT.tolist(),
            stars_let_down=DSR_LET_DOWN.tolist(),
            let_down_base=DSR_LET_DOWN_BASE,
            let_down_defective_item=DSR_DEFECT,
            let_down_per_courier_day_past_three=DSR_PER_LATE_DAY,
            let_down_per_second_of_longest_chat_wait=DSR_PER_WAIT_S,
            let_down_chat_wait_cap=DSR_WAIT_CAP,
            rated_orders="every order with a review, on its first review day",
        ),
    )
