"""The budget allocator: one slider per channel, predicted revenue, ROI and marginal ROI.

A view over a response function ``predict(channel, daily_spend) -> daily revenue``
(the learner's, or the chapter's fitted curves). Everything that does not depend on
the sliders is computed once at construction; a slider move looks up the two answers it
needs per channel (see :class:`Answers`) and rewrites one HTML widget, so a callback takes
about a millisecond. A stub or a failing ``predict`` shows a short
message instead of a traceback.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from storeops.chapters.ch3_promotion.promo_data import MEDIA, ordinary_dates
from storeops.widgets.base import explorer, safe_call

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


def predict_all(answers: Answers, spends: Mapping[str, float]) -> dict:
    """Revenue at each spend and the marginal ROI of the next step, per channel."""
    out = {}
    for ch, s in spends.items():
        r0, r1 = answers(ch, s), answers(ch, s + answers.step)
        out[ch] = (r0, (r1 - r0) / answers.step)
    return out


def allocation_html(
    spends: Mapping[str, float],
    predicted: Mapping[str, tuple[float, float]],
    baseline: tuple[float, float] | None = None,
) -> str:
    """An HTML table (channel, budget, revenue, ROI, marginal ROI, bar) with totals."""
    from storeops.plotting import channel_colour, yuan  # matplotlib: loaded on first view

    top = max((r for r, _ in predicted.values()), default=1.0) or 1.0
    rows = []
    for ch, s in spends.items():
        r, m = predicted[ch]
        roi = r / s if s > 0 else float("nan")
        width = max(0.0, min(100.0, 100.0 * r / top))
        bar = f'<div style="background:{channel_colour(ch)};height:.8em;width:{width:.0f}%"></div>'
        rows.append(
            f"<tr><td>{html.escape(ch)}</td><td>{yuan(s)}</td><td>{yuan(r)}</td>"
            f"<td>{roi:.2f}</td><td>{m:.2f}</td><td style='width:30%'>{bar}</td></tr>"
        )
    total_s = float(sum(spends.values()))
    total_r = float(sum(r for r, _ in predicted.values()))
    foot = (
        f"<tr style='font-weight:600'><td>total</td><td>{yuan(total_s)}</td>"
        f"<td>{yuan(total_r)}</td><td>{(total_r / total_s if total_s else float('nan')):.2f}</td>"
        "<td></td><td></td></tr>"
    )
    note = ""
    if baseline is not None:
        base_s, base_r = baseline
        ds, dr = total_s - base_s, total_r - base_r
        budget_note = (
            "same total budget as today"
            if abs(ds) < 0.005 * max(base_s, 1)
            else f"budget {'+' if ds > 0 else '-'}{yuan(abs(ds))} a day vs today"
        )
        colour = "#26a269" if dr >= 0 else "#c01c28"
        note = (
            f"<div>Predicted revenue <b style='color:{colour}'>{'+' if dr >= 0 else '-'}"
            f"{yuan(abs(dr))} a day</b> vs today's split ({budget_note}).</div>"
        )
    head = (
        "<tr><th>channel</th><th>daily budget</th><th>predicted revenue</th>"
        "<th>ROI</th><th>marginal ROI</th><th></th></tr>"
    )
    return f"<table>{head}{''.join(rows)}{foot}</table>{note}"


def budget_allocator(
    predict: Predict,
    store: Any = None,
    *,
    current: Mapping[str, float] | pd.Series | None = None,
    step: float = 100.0,
    span: float = 3.0,
):
    """Sliders for each channel's daily budget over ``predict(channel, daily_spend)``.

    ``current`` is today's split (default: :func:`current_daily_spend` of ``store``);
    sliders run from 0 to ``span`` times it in steps of ``step`` yuan, and the marginal
    ROI is the revenue of the next ``step`` yuan divided by ``step``. Returns a VBox with
    ``.refresh()``, ``.sliders`` (by channel) and ``.last`` (the last Outcome) for tests.
    """
    import ipywidgets as w

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
    baseline_outcome = safe_call(predict_all, answers, start)
    baseline = (
        (sum(start.values()), sum(r for r, _ in baseline_outcome.value.values()))
        if baseline_outcome.ok
        else None
    )
    box = explorer(
        lambda **spends: predict_all(answers, spends),
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
