"""The one-line preamble of the planning chapter: ``from ... import *``.

Brings pandas, numpy, glue, the store loader, the chapter's charts (as ``plan``) and the
live KPI tree, and applies the book's plot style.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from storeops.chapters.ch1_planning import planning as plan
from storeops.data import load_store
from storeops.plotting import PALETTE, channel_colour, format_axis, new_figure, use_book_style
from storeops.widgets.kpi_tree import KpiTree

use_book_style()

__all__ = [
    "PALETTE",
    "KpiTree",
    "channel_colour",
    "format_axis",
    "glue",
    "load_store",
    "new_figure",
    "np",
    "pd",
    "plan",
    "plt",
]
