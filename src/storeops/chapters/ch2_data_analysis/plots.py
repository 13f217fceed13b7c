"""Plots for daily operating data: daily lines with festivals marked, waterfalls, panels.

Built on :mod:`storeops.plotting` (the book's style and number formatters). Every
function draws what it is given; none computes a metric.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from storeops.plotting import PALETTE, format_axis, new_figure

HIGHLIGHT = "#c44e52"


def shade_festivals(ax, calendar: pd.DataFrame, *, label: bool = True) -> None:
    """Shade each festival's peak day(s) and, lightly, its pre-sale and dip on ``ax``."""
    cal = calendar[calendar["festival"].fillna("").astype(str) != ""]
    if cal.empty:
        return
    one_day = pd.Timedelta(days=1)
    for (festival, phase), days in cal.groupby(["festival", "festival_phase"])["date"]:
        alpha = 0.25 if phase == "peak" else 0.07
        # consecutive runs (a festival recurs every year)
        days = pd.DatetimeIndex(days).sort_values()
        runs = np.split(days, np.where(np.diff(days.asi8) > one_day.value)[0] + 1)
        for run in runs:
            ax.axvspan(run[0] - one_day / 2, run[-1] + one_day / 2, color="0.5", alpha=alpha, lw=0)
            if label and phase == "peak":
                ax.annotate(
                    festival,
                    (run[0], 1.0),
                    xycoords=("data", "axes fraction"),
                    fontsize=7,
                    ha="center",
                    va="bottom",
                    color="0.35",
                )


def highlight_window(
    ax, start, end, *, text: str | None = None, color: str = HIGHLIGHT, step: str = "D"
) -> None:
    """Mark the periods ``start`` to ``end`` (inclusive) on a time axis of ``step``
    periods (``"D"`` days, ``"h"`` hours)."""
    half = pd.Timedelta(1, unit=step) / 2
    ax.axvspan(pd.Timestamp(start) - half, pd.Timestamp(end) + half, color=color, alpha=0.18, lw=0)
    if text:
        ax.annotate(
            text,
            (pd.Timestamp(end) + half, 0.92),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            color=color,
            ha="left",
        )


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def plot_daily(
    data: pd.Series | pd.DataFrame,
    *,
    ax=None,
    title: str = "",
    y: str | None = None,
    calendar: pd.DataFrame | None = None,
    highlight: tuple | None = None,
    highlight_text: str | None = None,
    styles: Mapping[str, dict] | None = None,
):
    """A daily line chart (one line per column), festivals shaded, an optional window
    highlighted; ``y`` = "yuan" or "percent" formats the axis. Returns the axis."""
    if ax is None:
        _, ax = new_figure()
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    for i, col in enumerate(frame.columns):
        style = {"lw": 1.3, "color": PALETTE[i % len(PALETTE)]}
        style.update((styles or {}).get(col, {}))
        ax.plot(frame.index, frame[col], label=str(col), **style)
    if calendar is not None:
        shown = calendar[
            (calendar["date"] >= frame.index.min()) & (calendar["date"] <= frame.index.max())
        ]
        shade_festivals(ax, shown)
    if highlight is not None:
        highlight_window(ax, *highlight, text=highlight_text)
    if frame.shape[1] > 1:
        ax.legend(fontsize=8, ncols=min(frame.shape[1], 4), loc="upper left")
    if y:
        format_axis(ax, y=y)
    _date_axis(ax)
    ax.set_title(title)
    return ax


def plot_panels(
    frame: pd.DataFrame,
    *,
    titles: Mapping[str, str] | None = None,
    y: Mapping[str, str] | None = None,
    calendar: pd.DataFrame | None = None,
    highlight: tuple | None = None,
    height: float = 1.8,
):
    """Small multiples: one daily panel per column of ``frame`` (or per top-level column
    group of a two-level frame), sharing the date axis. Returns (fig, axes)."""
    groups = list(dict.fromkeys(frame.columns.get_level_values(0)))
    fig, axes = new_figure(len(groups), 1, sharex=True, figsize=(8, height * len(groups) + 0.6))
    axes = np.atleast_1d(axes)
    for ax, group in zip(axes, groups, strict=True):
        part = frame[group]
        plot_daily(
            part,
            ax=ax,
            title=(titles or {}).get(group, str(group)),
            y=(y or {}).get(group),
            calendar=calendar,
            highlight=highlight,
        )
    fig.tight_layout()
    return fig, axes


def plot_waterfall(
    start: float,
    effects: Mapping[str, float],
    *,
    ax=None,
    labels: Sequence[str] = ("before", "after"),
    title: str = "",
    y: str | None = "yuan",
):
    """A waterfall: the starting total, each effect as a rising or falling step, the end
    total (start + sum of effects). Returns the axis."""
    if ax is None:
        _, ax = new_figure(figsize=(7, 3.4))
    names = [labels[0], *effects, labels[1]]
    level = start
    bottoms, heights, colours = [0.0], [start], [PALETTE[0]]
    for value in effects.values():
        bottoms.append(level if value >= 0 else level + value)
        heights.append(abs(value))
        colours.append(PALETTE[2] if value >= 0 else HIGHLIGHT)
        level += value
    bottoms.append(0.0)
    heights.append(level)
    colours.append(PALETTE[0])
    x = np.arange(len(names))
    ax.bar(x, heights, bottom=bottoms, color=colours, width=0.6)
    for xi, value in enumerate([start, *effects.values(), level]):
        top = bottoms[xi] + heights[xi]
        text = f"{value:+,.0f}" if 0 < xi < len(names) - 1 else f"{value:,.0f}"
        ax.annotate(text, (xi, top), ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                    textcoords="offset points")  # fmt: skip
    ax.set_xticks(x, names)
    lo = min(min(b for b in bottoms[1:-1]) if len(bottoms) > 2 else start, level, start)
    ax.set_ylim(max(0.0, lo - 0.25 * (max(start, level) - lo + 1)), None)
    if y:
        format_axis(ax, y=y)
    ax.set_title(title)
    return ax
