"""The one-line preamble of the customer-communication chapter: ``from ... import *``.

Brings the usual names (pandas, numpy, glue, the store loader), the chapter's reshaping and
plotting helpers (as ``cx``) and applies the book's plot style.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from storeops.chapters.ch5_customer_communication import cx
from storeops.data import load_store
from storeops.plotting import new_figure, use_book_style

use_book_style()

__all__ = ["cx", "glue", "load_store", "new_figure", "np", "pd", "plt"]
