"""Generic daily reshaping: days, windows, weeks and baselines for any daily table.

These helpers move data around (group by day, align on the calendar, cut a window,
label weeks); they never choose a metric's numerator, denominator or filter. Those
choices are the analysis, and the chapters and exercises make them in the open.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def to_day(times: pd.Series) -> pd.Series:
    """Timestamps (or dates) as midnight timestamps, the index every daily table uses."""
    return pd.to_datetime(times).dt.normalize()


def per_day(
    frame: pd.DataFrame,
    time_col: str,
    values: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    days: pd.DatetimeIndex | None = None,
    how: str = "sum",
) -> pd.DataFrame | pd.Series:
    """Aggregate ``values`` per day of ``time_col`` (and per ``by``), with ``how``.

    With ``days`` the result is reindexed on those days and missing days become 0
    for sums and counts (a day without orders had zero orders, not a missing value).
    With ``by`` the result is wide: one column per (value, group). A single value
    column without ``by`` gives a Series.
    """
    cols = [values] if isinstance(values, str) else list(values)
    keys = [to_day(frame[time_col]).rename("date")]
    if by is not None:
        keys += [frame[b] for b in ([by] if isinstance(by, str) else by)]
    out = frame[cols].groupby(keys, observed=True).agg(how)
    if by is not None:
        out = out.unstack([k.name for k in keys[1:]])
        if len(cols) == 1:
            out = out[cols[0]]
    if days is not None:
        fill = 0 if how in ("sum", "count", "size") else None
        out = out.reindex(pd.DatetimeIndex(days, name="date"))
        if fill is not None:
            out = out.fillna(fill)
    if isinstance(values, str) and by is None:
        out = out[values]
    return out


def window(data: pd.DataFrame | pd.Series, start, end, *, col: str | None = None):
    """Rows from ``start`` to ``end`` inclusive, by a date index or by column ``col``."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if col is None:
        return data.loc[(data.index >= start) & (data.index <= end)]
    day = to_day(data[col])
    return data.loc[(day >= start) & (day <= end)]


def week_label(days: pd.Series | pd.DatetimeIndex) -> pd.PeriodIndex | pd.Series:
    """The Monday-to-Sunday week each day belongs to (a weekly ``Period``)."""
    if isinstance(days, pd.Series):
        return days.dt.to_period("W-SUN")
    return pd.DatetimeIndex(days).to_period("W-SUN")


def full_weeks(days: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The days that belong to weeks fully covered by ``days`` (no partial first or last week)."""
    days = pd.DatetimeIndex(days)
    weeks = pd.Series(week_label(days), index=days)
    counts = weeks.map(weeks.value_counts())
    return days[(counts == 7).to_numpy()]


def baseline(series: pd.Series, *, weeks: int = 4, same_weekday: bool = True) -> pd.Series:
    """What a day 'normally' looks like: the median of the previous ``weeks`` weeks'
    values, on the same weekday (or over all the previous ``7 * weeks`` days).

    Only past days are used, so a day is never compared with itself; the first
    weeks have no baseline (NaN).
    """
    series = series.sort_index()
    if same_weekday:
        lagged = pd.concat([series.shift(7 * k) for k in range(1, weeks + 1)], axis=1)
        out = lagged.median(axis=1, skipna=False)
    else:
        out = series.shift(1).rolling(7 * weeks).median()
    return out.rename(series.name)


def festival_days(calendar: pd.DataFrame) -> pd.DatetimeIndex:
    """Days inside a festival window (pre-sale, peak or dip) according to the calendar."""
    flag = calendar["festival"].fillna("").astype(str) != ""
    return pd.DatetimeIndex(to_day(calendar.loc[flag, "date"]))
