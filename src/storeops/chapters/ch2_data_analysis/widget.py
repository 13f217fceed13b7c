"""The daily dashboard widget: a metric picker and a date range over a ``daily_kpi`` function.

The widget is a view. It never computes a metric itself: it calls the function it is
given (the chapter's, or the learner's in the exercise) once per metric when it is
built, through :func:`storeops.widgets.base.safe_call`, and afterwards only slices
the cached arrays, so a callback costs a few milliseconds. A stub shows the base
helper's "not implemented yet" message instead of a traceback.

Period figures of ratio metrics are ratios of period totals (conversion = orders /
sessions over the range, order value = sales / orders), never the mean of the daily
ratios: the denominators matter, and the widget shows it.

The chart is a small inline SVG (:func:`svg_line_chart`) rather than a matplotlib
figure: it renders in the static book from the saved widget state and redraws in
well under a millisecond, where encoding a PNG takes ~45 ms.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from storeops.plotting import PALETTE, percent, yuan
from storeops.widgets.base import NOT_IMPLEMENTED, Outcome, message_html, safe_call


@dataclass(frozen=True)
class Metric:
    """A dashboard metric: its name (the argument passed to ``daily_kpi``), how to show
    it, and for a ratio the two additive metrics whose period totals it divides."""

    name: str
    label: str
    fmt: str = "count"  # "count", "yuan" or "percent"
    ratio_of: tuple[str, str] | None = None


DEFAULT_METRICS: tuple[Metric, ...] = (
    Metric("sessions", "sessions (traffic)"),
    Metric("orders", "orders (completed)"),
    Metric("conversion", "conversion rate", "percent", ("orders", "sessions")),
    Metric("aov", "average order value", "yuan", ("sales", "orders")),
    Metric("sales", "sales", "yuan"),
)

COMPARISONS = {
    "previous period": None,  # the same number of days just before the range
    "one week earlier": 7,
    "four weeks earlier": 28,
    "one year earlier": 364,  # 52 weeks: the same weekdays
}


def format_value(value: float, fmt: str) -> str:
    """A metric value as text: counts with separators, yuan compact, shares as %."""
    if value is None or not np.isfinite(value):
        return "–"
    if fmt == "percent":
        return percent(value)
    if fmt == "yuan":
        return yuan(value) if abs(value) >= 1000 else f"¥{value:,.1f}"
    return f"{value:,.0f}"


def svg_line_chart(
    lines: Sequence[tuple[str, np.ndarray, str]],
    x_labels: Sequence[str],
    *,
    fmt: str = "count",
    width: int = 640,
    height: int = 200,
    title: str = "",
) -> str:
    """An inline SVG line chart: ``lines`` are (name, values, colour) of equal length.

    NaN values break a line. Only the first, middle and last x labels are printed.
    """
    pad_l, pad_r, pad_t, pad_b = 64, 12, 22, 26
    n = len(x_labels)
    allv = np.concatenate([np.asarray(v, dtype=float) for _, v, _ in lines]) if lines else []
    finite = np.asarray(allv)[np.isfinite(allv)] if len(allv) else np.array([])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    lo = min(lo, 0.0) if lo >= 0 and fmt != "percent" else lo
    if hi <= lo:
        hi = lo + 1.0
    span = hi - lo
    lo, hi = lo - 0.04 * span * (lo != 0), hi + 0.06 * span
    w_in, h_in = width - pad_l - pad_r, height - pad_t - pad_b

    def xy(i: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = pad_l + (i / max(n - 1, 1)) * w_in
        y = pad_t + (1 - (v - lo) / (hi - lo)) * h_in
        return x, y

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="font:11px sans-serif">'
    ]
    if title:
        parts.append(f'<text x="{pad_l}" y="14" font-weight="bold">{html.escape(title)}</text>')
    for frac in (0.0, 0.5, 1.0):  # y grid and labels
        val = lo + frac * (hi - lo)
        y = pad_t + (1 - frac) * h_in
        parts.append(
            f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{pad_l - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{html.escape(format_value(val, fmt))}</text>"
        )
    for i in sorted({0, (n - 1) // 2, n - 1}) if n else []:
        x = pad_l + (i / max(n - 1, 1)) * w_in
        anchor = "start" if i == 0 else "end" if i == n - 1 else "middle"
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="{anchor}">'
            f"{html.escape(str(x_labels[i]))}</text>"
        )
    idx = np.arange(n, dtype=float)
    for k, (name, values, colour) in enumerate(lines):
        v = np.asarray(values, dtype=float)
        x, y = xy(idx, v)
        ok = np.isfinite(y)
        segs, cur = [], []
        for xi, yi, good in zip(x, y, ok, strict=True):
            if good:
                cur.append(f"{xi:.1f},{yi:.1f}")
            elif cur:
                segs.append(cur)
                cur = []
        if cur:
            segs.append(cur)
        dash = ' stroke-dasharray="4 3"' if k > 0 else ""
        for seg in segs:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="1.6"{dash} '
                f'points="{" ".join(seg)}"/>'
            )
        lx = pad_l + 8 + 150 * k
        parts.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="{height - 30}" y2="{height - 30}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
            f'<text x="{lx + 22}" y="{height - 26}">{html.escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


class KpiDashboard:
    """State and rendering of the dashboard; :func:`kpi_dashboard` wraps it in widgets."""

    def __init__(
        self,
        daily_kpi: Callable[[str], Any],
        dates: pd.DatetimeIndex,
        metrics: Sequence[Metric] = DEFAULT_METRICS,
    ):
        self.metrics = {m.name: m for m in metrics}
        self.dates = pd.DatetimeIndex(dates).normalize()
        self.labels = [d.strftime("%Y-%m-%d") for d in self.dates]
        self.outcomes: dict[str, Outcome] = {}
        self.values: dict[str, np.ndarray] = {}
        for m in metrics:
            outcome = safe_call(daily_kpi, m.name)
            if outcome.ok:
                outcome = self._align(m.name, outcome.value)
            self.outcomes[m.name] = outcome
            if outcome.ok:
                self.values[m.name] = outcome.value

    def _align(self, name: str, value: Any) -> Outcome:
        """The function's result as an array on the dashboard's days (NaN where missing)."""
        if isinstance(value, pd.DataFrame) and value.shape[1] == 1:
            value = value.iloc[:, 0]
        if not isinstance(value, pd.Series):
            return Outcome(
                message=f"daily_kpi({name!r}) returned {type(value).__name__}; "
                "the dashboard needs a pandas Series indexed by day."
            )
        try:
            index = pd.DatetimeIndex(value.index).normalize()
            series = pd.Series(pd.to_numeric(value.to_numpy(), errors="coerce"), index=index)
            series = series[~series.index.duplicated()]
            arr = series.reindex(self.dates).to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            return Outcome(message=f"daily_kpi({name!r}) could not be read by day: {exc}")
        return Outcome(value=arr)

    # -- figures over a range -------------------------------------------------------
    def period_value(self, name: str, lo: int, hi: int) -> float:
        """The metric over days ``lo..hi`` (inclusive): a total, or a ratio of totals."""
        if lo < 0 or hi >= len(self.dates) or lo > hi:
            return float("nan")
        m = self.metrics[name]
        if m.ratio_of:
            num, den = m.ratio_of
            if num in self.values and den in self.values:
                a = np.nansum(self.values[num][lo : hi + 1])
                b = np.nansum(self.values[den][lo : hi + 1])
                return float(a / b) if b else float("nan")
            values = self.values.get(name)
            return float(np.nanmean(values[lo : hi + 1])) if values is not None else float("nan")
        values = self.values.get(name)
        return float(np.nansum(values[lo : hi + 1])) if values is not None else float("nan")

    def comparison_range(self, lo: int, hi: int, compare: str) -> tuple[int, int]:
        shift = COMPARISONS[compare]
        shift = (hi - lo + 1) if shift is None else shift
        return lo - shift, hi - shift

    def summary_html(self, lo: int, hi: int, compare: str) -> str:
        clo, chi = self.comparison_range(lo, hi, compare)
        rows = []
        for name, m in self.metrics.items():
            if name not in self.values:
                rows.append(f"<tr><td>{html.escape(m.label)}</td><td colspan=3>–</td></tr>")
                continue
            now, then = self.period_value(name, lo, hi), self.period_value(name, clo, chi)
            change = (now / then - 1) if then and np.isfinite(then) else float("nan")
            colour = "#26a269" if change > 0 else "#c01c28" if change < 0 else "#555"
            shown = f"{100 * change:+.1f}%" if np.isfinite(change) else "–"
            rows.append(
                f"<tr><td>{html.escape(m.label)}</td>"
                f'<td style="text-align:right">{format_value(now, m.fmt)}</td>'
                f'<td style="text-align:right">{format_value(then, m.fmt)}</td>'
                f'<td style="text-align:right;color:{colour}">{shown}</td></tr>'
            )
        period = f"{self.labels[lo]} to {self.labels[hi]}"
        before = f"{self.labels[clo]} to {self.labels[chi]}" if clo >= 0 else "before the data"
        return (
            '<table style="border-collapse:collapse;margin-bottom:.5em">'
            f"<tr><th></th><th>{period}</th><th>{compare}<br>({before})</th><th>change</th></tr>"
            + "".join(rows)
            + "</table>"
        )

    def chart_svg(self, name: str, lo: int, hi: int, compare: str) -> str:
        m = self.metrics[name]
        outcome = self.outcomes[name]
        if not outcome.ok:
            return message_html(outcome.message)
        clo, chi = self.comparison_range(lo, hi, compare)
        now = self.values[name][lo : hi + 1]
        then = np.full(hi - lo + 1, np.nan)
        if chi >= 0:
            start = max(clo, 0)
            then[start - clo :] = self.values[name][start : chi + 1]
        lines = [("selected days", now, PALETTE[0]), (compare, then, PALETTE[1])]
        return svg_line_chart(lines, self.labels[lo : hi + 1], fmt=m.fmt, title=m.label)

    def render(self, name: str, lo: int, hi: int, compare: str) -> str:
        if not self.values:  # every metric failed: one message, not five
            first = next(iter(self.outcomes.values()))
            return message_html(first.message or NOT_IMPLEMENTED)
        return self.summary_html(lo, hi, compare) + self.chart_svg(name, lo, hi, compare)


def kpi_dashboard(
    daily_kpi: Callable[[str], Any],
    store: Any = None,
    *,
    dates: Sequence | None = None,
    metrics: Sequence[Metric] = DEFAULT_METRICS,
    days: int = 28,
):
    """The daily dashboard: pick a metric, a date range and what to compare it with.

    ``daily_kpi(metric)`` must return a Series indexed by day for each metric name in
    ``metrics`` (``sessions``, ``orders``, ``conversion``, ``aov``, ``sales``). The days
    are ``dates`` or the store's calendar; a comparison is offered only when the data
    reach back far enough for the first ``days``-day range. Returns a VBox with ``.refresh()`` (redraw;
    returns the HTML shown) and ``.view`` (the :class:`KpiDashboard`) for tests.
    """
    import ipywidgets as w

    if dates is None:
        dates = store.calendar["date"]
    view = KpiDashboard(daily_kpi, pd.DatetimeIndex(dates), metrics)
    n = len(view.dates)
    metric = w.Dropdown(
        options=[(m.label, m.name) for m in metrics], value=metrics[0].name, description="metric"
    )
    span = w.SelectionRangeSlider(
        options=[(label, i) for i, label in enumerate(view.labels)],
        index=(max(n - days, 0), n - 1),
        description="days",
        layout=w.Layout(width="560px"),
    )
    compare = w.Dropdown(
        options=[c for c, s in COMPARISONS.items() if s is None or s + days <= n],
        value="previous period",
        description="compare",
    )
    back = w.Button(description="◀ 7 days", layout=w.Layout(width="90px"))
    ahead = w.Button(description="7 days ▶", layout=w.Layout(width="90px"))
    out = w.HTML()
    box = w.VBox([w.HBox([metric, compare]), w.HBox([span, back, ahead]), out])

    def refresh(*_: Any) -> str:
        lo, hi = span.value
        out.value = view.render(metric.value, lo, hi, compare.value)
        return out.value

    def shift(days_: int) -> None:
        """Move the whole range by ``days_`` (a week at a time), keeping its length."""
        lo, hi = span.index
        days_ = max(-lo, min(days_, n - 1 - hi))
        span.index = (lo + days_, hi + days_)

    back.on_click(lambda _b: shift(-7))
    ahead.on_click(lambda _b: shift(7))
    for control in (metric, span, compare):
        control.observe(refresh, names="value")
    box.refresh = refresh
    box.shift = shift
    box.view = view
    box.controls = {
        "metric": metric,
        "span": span,
        "compare": compare,
        "back": back,
        "ahead": ahead,
    }
    refresh()
    return box
