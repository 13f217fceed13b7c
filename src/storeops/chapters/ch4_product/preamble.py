"""The one-line preamble of the product chapter: ``from ... import *``.

Brings the usual names (pandas, numpy, scipy.stats, glue, the store loader), the chapter's
reshaping and plotting helpers (as ``prod``) and the price explorer, and applies the book's
plot style.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue
from scipy import stats

from storeops.chapters.ch4_product import product as prod
from storeops.chapters.ch4_product.widget import price_curve, price_explorer
from storeops.data import load_store
from storeops.plotting import new_figure, use_book_style

use_book_style()

__all__ = [
    "glue",
    "load_store",
    "new_figure",
    "np",
    "pd",
    "plt",
    "price_curve",
    "price_explorer",
    "prod",
    "stats",
]
