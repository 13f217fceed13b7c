"""One plotting style for the book, the exercises and the instructor report."""

from __future__ import annotations

import zlib

import matplotlib as mpl

from storeops.sim.params import CHANNELS

PALETTE = [
    "#1f5f8b",
    "#e07b39",
    "#3a9d5d",
    "#c44e52",
    "#8172b2",
    "#937860",
    "#64b5cd",
    "#b07aa1",
    "#8c8c3e",
]
CHANNEL_ORDER = CHANNELS  # one colour per channel, in the simulator's order


def channel_colour(channel: str) -> str:
    """The same colour for a channel in every chart, widget and report."""
    if channel in CHANNEL_ORDER:
        return PALETTE[CHANNEL_ORDER.index(channel) % len(PALETTE)]
    return PALETTE[zlib.crc32(channel.encode()) % len(PALETTE)]


def use_book_style() -> None:
    """Apply the book's matplotlib style (call once at the top of a page or notebook)."""
    mpl.rcParams.update(
        {
            "figure.figsize": (8, 3.6),
            "figure.dpi": 100,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "axes.titlesize": 11,
            "axes.titleweight": "bold",
            "legend.frameon": False,
        }
    )


def yuan(x: float, _pos: int | None = None) -> str:
    """Format an amount in yuan compactly: 1234 -> ¥1.2k, 2_500_000 -> ¥2.5M."""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"¥{x / div:.1f}{suffix}"
    return f"¥{x:.0f}"


def percent(x: float, _pos: int | None = None) -> str:
    """Format a share (0.034) as a percentage (3.4%)."""
    return f"{100 * x:.1f}%"


def format_axis(ax, *, y: str | None = None, x: str | None = None) -> None:
    """Use the yuan or percent formatter on an axis ("yuan" or "percent")."""
    from matplotlib.ticker import FuncFormatter

    formatters = {"yuan": FuncFormatter(yuan), "percent": FuncFormatter(percent)}
    if y:
        ax.yaxis.set_major_formatter(formatters[y])
    if x:
        ax.xaxis.set_major_formatter(formatters[x])


def new_figure(*args, **kwargs):
    """plt.subplots with the book style applied; returns (fig, ax)."""
    import matplotlib.pyplot as plt  # imported on first use: pyplot costs ~1 s at import

    use_book_style()
    return plt.subplots(*args, **kwargs)
