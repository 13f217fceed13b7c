"""The live budget allocator shows what the kernel-backed one shows for the same curves."""

from __future__ import annotations

import pandas as pd

from storeops.chapters.ch3_promotion.widget import Answers, LiveBudgetAllocator, predict_all
from storeops.plotting import yuan

CURVES = pd.DataFrame(
    {
        "spend_per_day": [4_130.0, 2_470.0, 1_820.0],
        "revenue_per_day": [21_400.0, 5_900.0, 4_300.0],
        "elasticity": [0.62, 0.38, 0.51],
    },
    index=["search", "display", "social"],
)
SHARE = 0.3  # share of revenue left before ads


def curve(channel: str, spend: float) -> float:
    row = CURVES.loc[channel]
    return row["revenue_per_day"] * (spend / row["spend_per_day"]) ** row["elasticity"]


def test_sliders_start_at_today_rounded_to_the_step_and_span_three_times_it():
    w = LiveBudgetAllocator.from_curves(CURVES, share_left=SHARE)
    assert w.spends == {"search": 4_100.0, "display": 2_500.0, "social": 1_800.0}
    assert w.spend_max == {"search": 12_400.0, "display": 7_400.0, "social": 5_500.0}


def test_figures_match_the_kernel_backed_allocator():
    w = LiveBudgetAllocator.from_curves(CURVES, share_left=SHARE)
    for spends in (
        dict(w.spends),
        {"search": 0.0, "display": 7_400.0, "social": 100.0},
        {"search": 9_000.0, "display": 300.0, "social": 1_800.0},
    ):
        w.spends = spends
        figures = w.figures()
        kernel = predict_all(Answers(curve, 100.0), spends, SHARE)
        for ch, (revenue, profit, marginal) in kernel.items():
            assert figures[f"revenue.{ch}"] == yuan(revenue)
            assert figures[f"profit.{ch}"] == ("+" if profit >= 0 else "-") + yuan(abs(profit))
            assert figures[f"next.{ch}"] == f"{marginal:+.2f}".replace("+-", "-")
        assert figures["total.budget"] == yuan(sum(spends.values()))


def test_change_against_today():
    w = LiveBudgetAllocator.from_curves(CURVES, share_left=SHARE)
    assert w.figures()["change.profit"] == "+¥0 a day"
    assert w.figures()["change.budget"] == "same total budget as today"
    # display earns 5,900 on 2,500 a day: 5,900 x 0.3 - 2,500 < 0, so dropping it adds profit
    w.spends = {**w.spends, "display": 0.0}
    f = w.figures()
    assert f["change.profit"].startswith("+") and f["profit.display"] == "+¥0"
    assert f["change.budget"] == "budget -¥2.5k a day vs today"
    w.spends = {**w.spends, "search": 12_400.0}  # three times search: revenue up, profit down
    f = w.figures()
    assert f["change.profit"].startswith("-") and f["next.search"].startswith("-")
