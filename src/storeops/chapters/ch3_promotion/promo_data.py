"""Reshaping helpers for the promotion chapter that need no plotting library.

Which days are ordinary, festival windows read off the calendar, and date x channel
pivots. Kept apart from :mod:`storeops.chapters.ch3_promotion.promotion` (the charts) so that the
exercises and the budget widget import fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

MEDIA = ("search", "display", "social")


def ordinary_dates(calendar: pd.DataFrame) -> pd.Series:
    """The dates outside every festival window (no pre-sale, peak or dip)."""
    return calendar.loc[calendar["festival"] == "", "date"].reset_index(drop=True)


def festival_windows(calendar: pd.DataFrame) -> pd.DataFrame:
    """One row per festival occurrence and phase: festival, phase, start, end, days.

    Read off the calendar's ``festival`` and ``festival_phase`` columns, so it works for
    any store; an occurrence cut by the start or end of the data keeps its visible days.
    """
    cal = calendar[calendar["festival"] != ""].sort_values("date")
    if cal.empty:
        return pd.DataFrame(columns=["festival", "phase", "start", "end", "days"])
    gap = cal["date"].diff().dt.days.fillna(1).ne(1)
    change = cal["festival"].ne(cal["festival"].shift()) | cal["festival_phase"].ne(
        cal["festival_phase"].shift()
    )
    block = (gap | change).cumsum()
    out = (
        cal.groupby(block)
        .agg(
            festival=("festival", "first"),
            phase=("festival_phase", "first"),
            start=("date", "min"),
            end=("date", "max"),
            days=("date", "size"),
        )
        .reset_index(drop=True)
    )
    return out


def daily_by_channel(
    table: pd.DataFrame, value: str, channels: Sequence[str] | None = None
) -> pd.DataFrame:
    """A date x channel table of ``value`` summed per day (missing days are 0)."""
    wide = table.pivot_table(index="date", columns="channel", values=value, aggfunc="sum")
    wide = wide.fillna(0.0)
    if channels is not None:
        wide = wide.reindex(columns=list(channels), fill_value=0.0)
    wide.columns.name = "channel"
    return wide
