"""The one-line preamble of the data-analysis chapter: ``from ... import *``.

Brings the usual names (pandas, numpy, glue, the store loader), the daily reshaping
and plotting helpers, and applies the book's plot style.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from myst_nb import glue as _glue

from storeops.analysis.daily import (
    baseline,
    festival_days,
    full_weeks,
    per_day,
    to_day,
    week_label,
    window,
)
from storeops.analysis.diagnose import runs, runs_by
from storeops.chapters.ch2_data_analysis.plots import (
    highlight_window,
    plot_daily,
    plot_panels,
    plot_waterfall,
    shade_festivals,
)
from storeops.chapters.ch2_data_analysis.widget import kpi_dashboard
from storeops.data import load_store
from storeops.plotting import format_axis, new_figure, percent, use_book_style, yuan


def glue(name: str, value, display: bool = False) -> None:
    """``myst_nb.glue`` for numbers quoted in the prose: numpy scalars become plain Python
    numbers first (numpy 2 shows ``np.float64(0.03)``, which a ``{glue:text}`` format
    cannot parse). Hidden by default, since prose glue is shown by the role."""
    if isinstance(value, np.generic):
        value = value.item()
    _glue(name, value, display=display)


use_book_style()
pd.set_option("display.precision", 3)

__all__ = [
    "baseline",
    "festival_days",
    "format_axis",
    "full_weeks",
    "glue",
    "highlight_window",
    "kpi_dashboard",
    "load_store",
    "new_figure",
    "np",
    "pd",
    "per_day",
    "percent",
    "plot_daily",
    "plot_panels",
    "plot_waterfall",
    "runs",
    "runs_by",
    "shade_festivals",
    "to_day",
    "week_label",
    "window",
    "yuan",
]
