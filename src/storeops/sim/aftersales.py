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
    )
