"""The budget allocator: one slider per channel, predicted revenue, profit and marginal profit.

A view over a response function ``predict(channel, daily_spend) -> daily revenue``
(the learner's, or the chapter's fitted curves) and the share of revenue left before ads
(profit by :mod:`storeops.analysis.profit`). Everything that does not depend on
the sliders is computed once at construction; a slider move looks up the two answers it
needs per channel (see :class:`Answers`) and rewrites one HTML widget, so a callback takes
about a millisecond. A stub or a failing ``predict`` shows a short
message instead of a traceback.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from storeops.analysis.profit import next_yuan_profit, profit_after_ads
from storeops.chapters.ch3_promotion.promo_data import MEDIA, ordinary_dates
from storeops.errors import StoreOpsError
from storeops.widgets.base import explorer, safe_call
from storeops.widgets.live import LiveWidget, esm, fixed

Predict = Callable[[str, float], float]


def current_daily_spend(store: Any, channels: list[str] | None = None) -> pd.Series:
    """Average daily spend per channel on ordinary (non-festival) days: today's split.

    ``channels`` defaults to the paid media the store uses (search, display, social):
    the channels where a budget buys impressions. Messages and direct are left out.
    """
    traffic = store.traffic
    days = traffic[traffic["date"].isin(ordinary_dates(store.calendar))]
    spend = days.groupby("channel")["spend"].mean()
    if channels is None:
        channels = [c for c in MEDIA if c in spend.index]
    return spend.reindex(list(channels)).astype(float)


class Answers:
    """``predict``'s answers, asked as few times as possible.

    At construction each channel's whole slider range is asked for in one call with a
    numpy array (a curve written with ``*``, ``/``, ``**`` or ``np.log`` accepts one);
    a slider move is then a table lookup. A function that cannot take an array is asked
    one value at a time, each answer remembered, so a move asks only about the channel
    that moved. Errors (a stub's NotImplementedError too) surface on the scalar path.
    """

    def __init__(self, predict: Predict, step: float):
        self.predict, self.step = predict, step
        self.tables: dict[str, np.ndarray] = {}
        self.memo: dict[tuple[str, float], float] = {}

    def tabulate(self, channel: str, top: float) -> None:
        grid = np.arange(0.0, top + 2.5 * self.step, self.step)
        try:
            with np.errstate(all="ignore"):
                values = np.asarray(self.predict(channel, grid), dtype=float)
        except Exception:  # noqa: BLE001 - not array-friendly (or a stub): ask value by value
            return
        if values.shape == grid.shape:
            self.tables[channel] = values

    def __call__(self, channel: str, spend: float) -> float:
        table = self.tables.get(channel)
        if table is not None:
            i = int(round(spend / self.step))
            if 0 <= i < len(table) and abs(i * self.step - spend) < 1e-6:
                return float(table[i])
        key = (channel, round(float(spend), 6))
        if key not in self.memo:
            self.memo[key] = float(self.predict(channel, float(spend)))
        return self.memo[key]


def predict_all(answers: Answers, spends: Mapping[str, float], share_left: float) -> dict:
    """Per channel: revenue at its spend, profit after the ads and the profit per yuan of
    the next step (:mod:`storeops.analysis.profit`)."""
    out = {}
    for ch, s in spends.items():
        r0, r1 = answers(ch, s), answers(ch, s + answers.step)
        out[ch] = (
            r0,
            float(profit_after_ads(r0, s, share_left)),
            float(next_yuan_profit(r0, r1, answers.step, share_left)),
        )
    return out


def allocation_html(
    spends: Mapping[str, float],
    predicted: Mapping[str, tuple[float, float, float]],
    baseline: tuple[float, float] | None = None,
) -> str:
    """An HTML table (channel, budget, revenue, profit, next yuan's profit, bar) with totals
    and the change in profit against today's budgets (``baseline``: its spend and profit)."""
    from storeops.plotting import channel_colour, yuan  # matplotlib: loaded on first view

    def signed(x: float) -> str:
        return ("+" if x >= 0 else "-") + yuan(abs(x))

    top = max((abs(p) for _, p, _ in predicted.values()), default=1.0) or 1.0
    rows = []
    for ch, s in spends.items():
        r, p, m = predicted[ch]
        width = max(0.0, min(100.0, 100.0 * abs(p) / top))
        colour = channel_colour(ch) if p >= 0 else "#c01c28"
        bar = f'<div style="background:{colour};height:.8em;width:{width:.0f}%"></div>'
        rows.append(
            f"<tr><td>{html.escape(ch)}</td><td>{yuan(s)}</td><td>{yuan(r)}</td>"
            f"<td>{signed(p)}</td><td>{m:+.2f}</td><td style='width:30%'>{bar}</td></tr>"
        )
    total_s = float(sum(spends.values()))
    total_p = float(sum(p for _, p, _ in predicted.values()))
    foot = (
        f"<tr style='font-weight:600'><td>total</td><td>{yuan(total_s)}</td>"
        f"<td>{yuan(sum(r for r, _, _ in predicted.values()))}</td><td>{signed(total_p)}</td>"
        "<td></td><td></td></tr>"
    )
    note = ""
    if baseline is not None:
        base_s, base_p = baseline
        ds, dp = total_s - base_s, total_p - base_p
        budget_note = (
            "same total budget as today"
            if abs(ds) < 0.005 * max(base_s, 1)
            else f"budget {signed(ds)} a day vs today"
        )
        colour = "#26a269" if dp >= 0 else "#c01c28"
        note = (
            f"<div>Predicted profit <b style='color:{colour}'>{signed(dp)} a day</b> vs "
            f"today's budgets ({budget_note}).</div>"
        )
    head = (
        "<tr><th>channel</th><th>daily budget</th><th>predicted revenue</th>"
        "<th>profit after the ads</th><th>next yuan's profit</th><th></th></tr>"
    )
    return f"<table>{head}{''.join(rows)}{foot}</table>{note}"


def budget_allocator(
    predict: Predict,
    store: Any = None,
    *,
    share_left: float,
    current: Mapping[str, float] | pd.Series | None = None,
    step: float = 100.0,
    span: float = 3.0,
):
    """Sliders for each channel's daily budget over ``predict(channel, daily_spend)``.

    ``share_left`` is the share of each yuan of revenue left before ads (one over the
    break-even ROAS): profit after the ads = revenue x share_left - budget, and the next
    yuan's profit is the revenue of the next ``step`` yuan per yuan x share_left - 1.
    ``current`` is today's split (default: :func:`current_daily_spend` of ``store``);
    sliders run from 0 to ``span`` times it in steps of ``step`` yuan. Returns a VBox with
    ``.refresh()``, ``.sliders`` (by channel) and ``.last`` (the last Outcome) for tests.
    """
    import ipywidgets as w

    if not isinstance(share_left, int | float) or not 0 < share_left <= 1:
        raise StoreOpsError(
            f"share_left must be the share of revenue left before ads, above 0 and at most 1, "
            f"got {share_left!r}"
        )
    if current is None:
        current = current_daily_spend(store)
    current = {str(k): float(v) for k, v in dict(current).items()}
    sliders = {
        ch: w.FloatSlider(
            value=round(s / step) * step,
            min=0.0,
            max=round(span * s / step) * step,
            step=step,
            description=ch,
            readout_format=",.0f",
            continuous_update=False,
            style={"description_width": "5em"},
            layout=w.Layout(width="26em"),
        )
        for ch, s in current.items()
    }
    answers = Answers(predict, step)
    for ch, sl in sliders.items():
        answers.tabulate(ch, sl.max)
    start = {ch: sl.value for ch, sl in sliders.items()}
    baseline_outcome = safe_call(predict_all, answers, start, share_left)
    baseline = (
        (sum(start.values()), sum(p for _, p, _ in baseline_outcome.value.values()))
        if baseline_outcome.ok
        else None
    )
    box = explorer(
        lambda **spends: predict_all(answers, spends, share_left),
        sliders,
        view=lambda predicted, spends: allocation_html(spends, predicted, baseline),
    )
    # one slider per line above the table, instead of the explorer's single row of controls
    box.children = [
        w.HTML("<b>Daily budget by channel (yuan)</b>"),
        w.VBox(list(sliders.values())),
        box.view,
    ]
    box.sliders = sliders
    return box


def power_curve(spend: float, spend_per_day: float, revenue_per_day: float, elasticity: float):
    """Daily revenue at ``spend`` on a power response curve anchored at the average day:
    ``revenue_per_day * (spend / spend_per_day) ** elasticity`` (the chapter's fitted curve)."""
    return revenue_per_day * (spend / spend_per_day) ** elasticity


class LiveBudgetAllocator(LiveWidget):
    """The budget allocator over fitted power curves, recomputed in the browser.

    The curves' parameters (per channel: spend and revenue of the average ordinary day,
    elasticity) and the share of revenue left before ads travel in the widget's state and
    ``widget.js`` beside it evaluates :func:`power_curve` on them, so the sliders work in the
    static book. Same table as :func:`budget_allocator` (which stays for a learner's own
    ``predict``, kernel-backed).
    """

    _esm = esm(Path(__file__).with_name("widget.js"))

    channels = t.List(t.Unicode()).tag(sync=True)
    colours = t.Dict().tag(sync=True)
    curves = t.Dict().tag(sync=True)  # channel -> {spend_per_day, revenue_per_day, elasticity}
    share_left = t.Float(1.0).tag(sync=True)  # share of revenue left before ads
    step = t.Float(100.0).tag(sync=True)
    spend_max = t.Dict().tag(sync=True)
    today = t.Dict().tag(sync=True)  # today's split (slider start), the comparison baseline
    spends = t.Dict().tag(sync=True)  # the sliders

    @classmethod
    def from_curves(
        cls, curves: pd.DataFrame, *, share_left: float, step: float = 100.0, span: float = 3.0
    ) -> LiveBudgetAllocator:
        """From a table indexed by channel with ``spend_per_day``, ``revenue_per_day`` and
        ``elasticity``; sliders from 0 to ``span`` times today's spend in steps of ``step``."""
        from storeops.plotting import channel_colour

        channels = [str(c) for c in curves.index]
        params = {
            ch: {
                k: float(curves.loc[ch, k])
                for k in ("spend_per_day", "revenue_per_day", "elasticity")
            }
            for ch in channels
        }
        today = {ch: round(p["spend_per_day"] / step) * step for ch, p in params.items()}
        return cls(
            channels=channels,
            colours={ch: channel_colour(ch) for ch in channels},
            curves=params,
            share_left=float(share_left),
            step=step,
            spend_max={
                ch: round(span * p["spend_per_day"] / step) * step for ch, p in params.items()
            },
            today=today,
            spends=dict(today),
        )

    @classmethod
    def compute(cls, values: dict[str, Any]) -> dict[str, str]:
        from storeops.plotting import yuan

        step, curves, share = values["step"], values["curves"], values["share_left"]

        def revenue(ch: str, s: float) -> float:
            c = curves[ch]
            return power_curve(s, c["spend_per_day"], c["revenue_per_day"], c["elasticity"])

        def signed(x: float) -> str:
            return ("+" if x >= 0 else "-") + yuan(abs(x))

        out: dict[str, str] = {}
        total_s = total_r = total_p = base_p = 0.0
        for ch in values["channels"]:
            s = values["spends"][ch]
            r = revenue(ch, s)
            p = float(profit_after_ads(r, s, share))
            m = float(next_yuan_profit(r, revenue(ch, s + step), step, share))
            out[f"readout.spends.{ch}"] = f"{s:,.0f}"
            out[f"budget.{ch}"] = yuan(s)
            out[f"revenue.{ch}"] = yuan(r)
            out[f"profit.{ch}"] = signed(p)
            out[f"next.{ch}"] = ("+" if m >= 0 else "") + fixed(m, 2)
            total_s += s
            total_r += r
            total_p += p
            today = values["today"][ch]
            base_p += float(profit_after_ads(revenue(ch, today), today, share))
        base_s = sum(values["today"][ch] for ch in values["channels"])
        out["total.budget"] = yuan(total_s)
        out["total.revenue"] = yuan(total_r)
        out["total.profit"] = signed(total_p)
        ds, dp = total_s - base_s, total_p - base_p
        out["change.profit"] = signed(dp) + " a day"
        out["change.budget"] = (
            "same total budget as today"
            if abs(ds) < 0.005 * max(base_s, 1)
            else f"budget {signed(ds)} a day vs today"
        )
        return out
