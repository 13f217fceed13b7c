"""Charts of the planning chapter: the seasonal heat map, the KPI tree by month, the festival
P&L, the activity calendar as a Gantt chart and the month's pacing line.

Only drawing lives here; what is drawn is computed in the page or the notebook, in sight of
the reader (the charts take the tables they show).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from storeops.plotting import PALETTE, format_axis, new_figure

# One colour per kind of task, in every Gantt chart of the chapter.
TASK_COLOURS = {
    "stock": PALETTE[5],
    "sign-up": PALETTE[4],
    "creative": PALETTE[6],
    "presale": PALETTE[1],
    "peak": PALETTE[3],
    "dip": PALETTE[0],
    "logistics stop": "#999999",
}


def plot_seasonality(index: pd.DataFrame, *, ax=None, title: str = ""):
    """A category x month heat map of a seasonal index (1 = the category's average month)."""
    if ax is None:
        _, ax = new_figure(figsize=(8, 0.35 * len(index) + 1.2))
    values = index.to_numpy(dtype=float)
    span = max(float(np.nanmax(np.abs(values - 1))), 0.05)
    im = ax.imshow(values, cmap="RdBu_r", vmin=1 - span, vmax=1 + span, aspect="auto")
    ax.set_xticks(range(index.shape[1]), [str(c) for c in index.columns])
    ax.set_yticks(range(index.shape[0]), [str(r) for r in index.index])
    ax.grid(False)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7)
    ax.figure.colorbar(im, ax=ax, fraction=0.03, pad=0.01, label="month / average month")
    ax.set_title(title)
    return ax


def plot_kpi_tree(monthly: pd.DataFrame, *, title: str = ""):
    """Sales and its three factors by month, each as a share of its yearly mean."""
    cols = ["visitors", "conversion", "sales_per_buyer", "sales"]
    fig, axes = new_figure(1, 4, figsize=(10, 2.8), sharey=True)
    # 客单价 in English: the charts' font has no Chinese glyphs
    labels = ["visitors", "conversion", "sales per buyer", "sales"]
    for ax, col, label, colour in zip(axes, cols, labels, PALETTE, strict=False):
        rel = monthly[col] / monthly[col].mean()
        ax.bar(range(len(rel)), rel.to_numpy(), color=colour)
        ax.axhline(1, color="black", lw=0.6)
        ax.set_xticks(range(len(rel)), [str(p.month) for p in monthly.index], fontsize=7)
        ax.set_title(label, fontsize=10)
    axes[0].set_ylabel("month / yearly mean")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def plot_gantt(tasks: pd.DataFrame, *, ax=None, title: str = ""):
    """One bar per task from ``start`` to ``end`` (dates, inclusive), coloured by ``kind``,
    labelled by ``task``; rows in the table's order, the first on top."""
    if ax is None:
        _, ax = new_figure(figsize=(9, 0.28 * len(tasks) + 1.2))
    import matplotlib.dates as mdates

    start = pd.to_datetime(tasks["start"])
    width = (pd.to_datetime(tasks["end"]) - start).dt.days + 1
    rows = np.arange(len(tasks))[::-1]
    colours = [TASK_COLOURS.get(k, PALETTE[2]) for k in tasks["kind"]]
    left = mdates.date2num(start.dt.to_pydatetime())
    ax.barh(rows, width.to_numpy(dtype=float), left=left, color=colours, height=0.7)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
    ax.set_yticks(rows, list(tasks["task"]), fontsize=7)
    ax.grid(axis="y", visible=False)
    from matplotlib.patches import Patch

    seen = dict.fromkeys(tasks["kind"])
    handles = [Patch(color=TASK_COLOURS.get(k, PALETTE[2]), label=k) for k in seen]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        fontsize=7,
        ncols=len(seen),
        frameon=False,
    )
    ax.set_title(title)
    return ax


def plot_pacing(actual: pd.Series, path: pd.Series, *, ax=None, title: str = ""):
    """A month's cumulative sales so far (``actual``, by date) against the target's
    cumulative path (``path``, by date, for the whole month)."""
    if ax is None:
        _, ax = new_figure()
    ax.plot(path.index, path.to_numpy(), color=PALETTE[3], ls="--", lw=1.4, label="target path")
    ax.plot(actual.index, actual.to_numpy(), color=PALETTE[0], lw=2.0, label="month to date")
    format_axis(ax, y="yuan")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title)
    return ax


def plot_pnl(lines: pd.DataFrame, *, ax=None, title: str = ""):
    """Side-by-side bars of P&L lines (rows) for each column (e.g. festival vs baseline)."""
    if ax is None:
        _, ax = new_figure()
    lines.plot.barh(ax=ax, color=PALETTE[: lines.shape[1]], width=0.8)
    ax.invert_yaxis()
    format_axis(ax, x="yuan")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return ax


def kpi_tree_chart(store, device: str):
    """The KPI tree by month of one device's visitors (sessions), buyers and sales."""
    funnel = store.funnel[store.funnel["device"] == device]
    done = store.orders[
        (store.orders["status"] == "completed") & (store.orders["device"] == device)
    ]
    month = done["order_time"].dt.to_period("M")
    monthly = pd.DataFrame(
        {
            "visitors": funnel.groupby(funnel["date"].dt.to_period("M"))["sessions"].sum(),
            "buyers": done.groupby(month)["customer_id"].nunique(),
            "sales": done.groupby(month)["revenue"].sum(),
        }
    )
    monthly["conversion"] = monthly["buyers"] / monthly["visitors"]
    monthly["sales_per_buyer"] = monthly["sales"] / monthly["buyers"]
    return plot_kpi_tree(monthly, title=f"The KPI tree by month, {device} visitors")
