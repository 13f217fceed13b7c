"""Generic pieces for diagnosing changes and incidents: runs of flagged periods.

An incident is a stretch of consecutive days (or hours) on which something is off;
these helpers turn a True/False series into those stretches. Which flag to compute
(what is "off", against which baseline) is the analysis, made in the notebook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def runs(flags: pd.Series) -> pd.DataFrame:
    """The stretches of consecutive True values of ``flags`` (in index order): one row
    per stretch with its ``start`` and ``end`` labels and its ``length``."""
    flags = flags.astype(bool)
    values = flags.to_numpy()
    if not values.any():
        return pd.DataFrame({"start": [], "end": [], "length": pd.Series([], dtype=int)})
    edges = np.diff(np.r_[0, values.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return pd.DataFrame(
        {"start": flags.index[starts], "end": flags.index[ends], "length": ends - starts + 1}
    )


def runs_by(flags: pd.Series, level: str) -> pd.DataFrame:
    """:func:`runs` for each group of a two-level series (for example flags by SKU and
    date), indexed by the group; ``level`` names the grouping level."""
    parts = {
        key: runs(group.droplevel(level)) for key, group in flags.groupby(level=level, sort=True)
    }
    parts = {k: v for k, v in parts.items() if len(v)}
    if not parts:
        return pd.DataFrame(columns=["start", "end", "length"])
    return pd.concat(parts, names=[level, "run"]).droplevel("run")
