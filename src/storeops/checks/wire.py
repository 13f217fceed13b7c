"""The kernel's half of the answer wire format: :func:`encode`, plain JSON, never pickle.

A student's answer leaves the kernel in this form twice: in a grading kernel, as the
hidden test's export (:func:`storeops.grading.keys.export_answer`), and in a graded
class, as ``qK.check()``'s request to the check service (:mod:`storeops.checks.remote`).
Only data is encoded: numbers, text, booleans, None, lists, dicts with text or number
keys and pandas Series (labels as text, values as numbers or text). Anything else (a
student's own class, a function, a DataFrame) becomes ``{"unsupported": type name}``
and matches no answer. The decoder, which treats what arrives as untrusted input,
stays with the instructor: :mod:`storeops.grading.wire`.
"""

from __future__ import annotations

import math
from typing import Any

from storeops.checks.kinds import _label

MIME = "application/vnd.storeops.answer+json"
MAX_ITEMS = 200_000  # elements in all lists, dicts and Series of one answer
MAX_DEPTH = 8
MAX_TEXT = 100_000  # characters in one string


def _number(x: Any) -> Any:
    f = float(x)
    if math.isfinite(f):
        return f
    return {"float": "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf")}


def encode(value: Any, _depth: int = 0, _budget: list | None = None) -> Any:
    """``value`` as JSON-safe data (see the module docstring)."""
    import numpy as np
    import pandas as pd

    budget = _budget if _budget is not None else [MAX_ITEMS]
    if _depth > MAX_DEPTH:
        return {"unsupported": "nested too deeply"}
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, (int, np.integer)):
        return {"int": str(int(value))}
    if isinstance(value, (float, np.floating)):
        return _number(value)
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, pd.Series):
        budget[0] -= len(value)
        if budget[0] < 0:
            return {"unsupported": "too large"}
        values = value.tolist()
        return {
            "series": {
                "index": [_label(i) for i in value.index],
                "values": [encode(v, _depth + 1, budget) for v in values],
            }
        }
    if isinstance(value, dict):
        budget[0] -= len(value)
        if budget[0] < 0:
            return {"unsupported": "too large"}
        return {
            "dict": [
                [encode(k, _depth + 1, budget), encode(v, _depth + 1, budget)]
                for k, v in value.items()
            ]
        }
    if isinstance(value, (list, tuple)):
        budget[0] -= len(value)
        if budget[0] < 0:
            return {"unsupported": "too large"}
        return {"list": [encode(v, _depth + 1, budget) for v in value]}
    if isinstance(value, (pd.Timestamp, pd.Period)):
        return {"label": _label(value)}
    return {"unsupported": type(value).__name__[:100]}
