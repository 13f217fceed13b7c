"""The one-line preamble of the promotion chapter: ``from ... import *``.

Brings the usual names (pandas, numpy, scipy.stats, glue, the store loader), the
chapter's reshaping and plotting helpers (as ``promo``) and the budget widget, and
applies the book's plot style.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue
from scipy import stats

from storeops.chapters.ch3_promotion import promotion as promo
from storeops.chapters.ch3_promotion.widget import budget_allocator
from storeops.data import load_store
from storeops.plotting import new_figure, use_book_style

use_book_style()

__all__ = [
    "budget_allocator",
    "glue",
    "load_store",
    "new_figure",
    "np",
    "pd",
    "plt",
    "promo",
    "stats",
]
