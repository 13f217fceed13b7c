"""Plotting helpers for the promotion chapter (Chapter 3), plus its reshaping helpers.

Only generic pieces live here: the chapter's charts, and (from
:mod:`storeops.chapters.ch3_promotion.promo_data`, which needs no matplotlib) which days are ordinary,
festival windows read off the calendar and date x channel pivots. The metrics the exercises
grade (click-through rate, ROAS, cost per order, carry-over, uplift, test verdicts) are
computed in the notebooks, by the learner.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from storeops.chapters.ch3_promotion.promo_data import (
    daily_by_channel,
    festival_windows,
    ordinary_dates,
)
from storeops.plotting import PALETTE, channel_colour, format_axis, new_figure

__all__ = [
    "channel_colour",
    "daily_by_channel",
    "festival_windows",
    "ordinary_dates",
    "plot_channel_bars",
    "plot_festival",
    "plot_funnel",
    "plot_response",
    "shade_festival",
]

PHASE_COLOURS = {"presale": "#fde7c8", "peak": "#f6b7a8", "dip": "#d6e4f0"}


def plot_channel_bars(values: pd.Series, *, ax=None, y: str | None = None, title: str = ""):
    """Horizontal bars of one metric per channel, labelled with the value."""
    if ax is None:
        _, ax = new_figure(figsize=(7, 0.45 * len(values) + 1.2))
    values = values.sort_values()
    colours = [channel_colour(str(c)) for c in values.index]
    ax.barh(values.index.astype(str), values.to_numpy(), color=colours)
    fmt = {"percent": lambda v: f"{100 * v:.2f}%", "yuan": lambda v: f"¥{v:,.0f}"}.get(
        y or "", lambda v: f"{v:,.2f}"
    )
    for i, v in enumerate(values.to_numpy()):
        ax.annotate(fmt(v), (v, i), xytext=(4, 0), textcoords="offset points", va="center")
    if y:
        format_axis(ax, x=y)
    ax.grid(axis="y", visible=False)
    ax.set_title(title)
    ax.margins(x=0.18)
    return ax


def plot_funnel(stages: pd.Series, *, ax=None, title: str = ""):
    """A funnel: one bar per stage (log scale), each labelled with its step-to-step rate."""
    if ax is None:
        _, ax = new_figure(figsize=(7, 0.5 * len(stages) + 1.2))
    labels = list(stages.index.astype(str))[::-1]
    vals = stages.to_numpy(dtype=float)[::-1]
    ax.barh(labels, vals, color=PALETTE[0])
    ax.set_xscale("log")
    counts = stages.to_numpy(dtype=float)
    for i, v in enumerate(counts):
        rate = "" if i == 0 else f"  ({100 * v / counts[i - 1]:.2f}% of previous)"
        ax.annotate(
            f"{v:,.0f}{rate}",
            (v, len(counts) - 1 - i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
        )
    ax.grid(axis="y", visible=False)
    ax.set_xlim(counts.min() / 3, counts.max() * 40)
    ax.set_title(title)
    return ax


def plot_response(
    spend: pd.Series,
    outcome: pd.Series,
    *,
    curve: tuple[np.ndarray, np.ndarray] | None = None,
    ax=None,
    label: str = "",
    colour: str | None = None,
):
    """Daily outcome against daily spend (dots), with a fitted curve (line) if given."""
    if ax is None:
        _, ax = new_figure()
    colour = colour or (channel_colour(label) if label else PALETTE[0])
    ax.scatter(spend, outcome, s=8, alpha=0.35, color=colour, label=label or None)
    if curve is not None:
        ax.plot(curve[0], curve[1], color=colour, lw=2)
    format_axis(ax, x="yuan", y="yuan")
    return ax


def shade_festival(ax, windows: pd.DataFrame) -> None:
    """Shade each festival phase of ``windows`` (from :func:`festival_windows`) on a date axis."""
    seen = set()
    for row in windows.itertuples():
        colour = PHASE_COLOURS.get(row.phase, "#eeeeee")
        label = row.phase if row.phase not in seen else None
        seen.add(row.phase)
        ax.axvspan(
            row.start - pd.Timedelta(hours=12),
            row.end + pd.Timedelta(hours=12),
            color=colour,
            alpha=0.8,
            lw=0,
            label=label,
            zorder=0,
        )


def plot_festival(
    daily: pd.Series,
    windows: pd.DataFrame,
    *,
    baseline: float | None = None,
    log: bool = False,
    ax=None,
    title: str = "",
):
    """A daily series around a festival, its phases shaded, an optional baseline level."""
    if ax is None:
        _, ax = new_figure()
    shade_festival(ax, windows)
    ax.plot(daily.index, daily.to_numpy(), color=PALETTE[0], lw=1.6, label="daily")
    if baseline is not None:
        ax.axhline(baseline, color=PALETTE[3], ls="--", lw=1.2, label="baseline")
    if log:
        from matplotlib.ticker import NullFormatter

        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(NullFormatter())
    format_axis(ax, y="yuan")
    ax.legend(loc="upper left", ncols=4, fontsize=8)
    ax.set_title(title)
    return ax


COUPON_THRESHOLDS = (99, 199)  # the store coupons' "spend 99 / spend 199" steps


def plot_baskets(store, *, ax=None, title: str = ""):
    """Ordinary-day completed orders by basket value before the coupon, in 10-yuan bars, with
    the store coupons' thresholds dashed (a chart to read, not a computed answer)."""
    orders = store.orders
    ordinary = ordinary_dates(store.calendar)
    done = orders[
        (orders["status"] == "completed") & orders["order_time"].dt.normalize().isin(ordinary)
    ]
    basket = done["revenue"] + done["discount"]
    if ax is None:
        _, ax = new_figure(figsize=(8, 3.2))
    ax.hist(basket[basket < 320], bins=np.arange(9, 320, 10), color=PALETTE[0])
    for c in COUPON_THRESHOLDS:
        ax.axvline(c, color="grey", ls="--", lw=1)
    ax.set(xlabel="basket value before the coupon (yuan)", ylabel="orders", title=title)
    return ax


def festival_chart(store, festival: str = "99") -> None:
    """The exercise's chart of a festival (question on the dip): daily revenue of completed
    orders from three weeks before it to two weeks after, its phases shaded and the ordinary
    level (the mean of the 28 ordinary days before its pre-sale) drawn across."""
    import matplotlib.pyplot as plt

    done = store.orders[store.orders["status"] == "completed"]
    daily = done.groupby(done["order_time"].dt.normalize())["revenue"].sum()
    windows = festival_windows(store.calendar)
    windows = windows[windows["festival"] == festival]
    cal = store.calendar
    before = cal[(cal["date"] < windows["start"].min()) & (cal["festival"] == "")]["date"]
    span = daily.loc[
        windows["start"].min() - pd.Timedelta(days=21) : windows["end"].max()
        + pd.Timedelta(days=14)
    ]
    plot_festival(
        span,
        windows,
        baseline=daily.reindex(before.tail(28)).mean(),
        title=f"Festival {festival}: daily revenue by phase, ordinary level dashed",
    )
    plt.show()
