"""How a grading kernel hands a student's answer to the grader: plain JSON, never pickle.

During autograde the hidden test of a question only *exports* the student's answer
(:func:`storeops.grading.keys.grade` in a kernel with ``STOREOPS_GRADING_KERNEL``
set); the grader (:mod:`storeops.grading.answers`) computes the answer key in its
own process and compares. The answer crosses the boundary as a display output of
type :data:`MIME` holding :func:`encode`'s JSON (the encoder lives in
:mod:`storeops.checks.wire`, where the kernel's check-service client uses it too), and
the grader rebuilds it with :func:`decode`. Only data comes back: numbers, text, booleans, None, lists, dicts
with text or number keys and pandas Series (labels as text, values as numbers or
text). Anything else (a student's own class, a function, a DataFrame) is encoded as
``{"unsupported": type name}`` and simply does not match any answer.

The student controls the kernel, so an export is untrusted input: :func:`decode`
accepts only the shapes :func:`encode` makes, within size and depth limits, and
raises :class:`WireError` otherwise.
"""

from __future__ import annotations

import math
from typing import Any

# The encoder lives with the kernel-side checks (one home); grading imports it from there.
from storeops.checks.wire import MAX_DEPTH, MAX_ITEMS, MAX_TEXT, MIME, encode

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_TEXT",
    "MIME",
    "Unsupported",
    "WireError",
    "decode",
    "encode",
]


class WireError(ValueError):
    """An exported answer that is not in the wire format (malformed or too large)."""


class Unsupported:
    """Stands in for an answer the wire cannot carry; equal to nothing."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"<unsupported answer: {self.what}>"


_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def decode(data: Any, _depth: int = 0, _budget: list | None = None) -> Any:
    """The value :func:`encode` described; :class:`WireError` for anything else."""
    import pandas as pd

    budget = _budget if _budget is not None else [MAX_ITEMS]
    if _depth > MAX_DEPTH + 1:
        raise WireError("nested too deeply")
    if data is None or isinstance(data, bool):
        return data
    if isinstance(data, float) or (isinstance(data, int) and not isinstance(data, bool)):
        return float(data)
    if isinstance(data, str):
        if len(data) > MAX_TEXT:
            raise WireError("text too long")
        return data
    if not isinstance(data, dict) or len(data) != 1:
        raise WireError(f"unexpected {type(data).__name__}")
    ((tag, body),) = data.items()

    def items(seq: Any) -> list:
        if not isinstance(seq, list):
            raise WireError(f"{tag}: expected a list")
        budget[0] -= len(seq)
        if budget[0] < 0:
            raise WireError("too large")
        return seq

    if tag == "int":
        if not isinstance(body, str) or len(body) > 400:
            raise WireError("bad int")
        try:
            return int(body)
        except ValueError:
            raise WireError("bad int") from None
    if tag == "float":
        if body not in _FLOATS:
            raise WireError("bad float")
        return _FLOATS[body]
    if tag == "label":
        if not isinstance(body, str) or len(body) > MAX_TEXT:
            raise WireError("bad label")
        return body
    if tag == "unsupported":
        return Unsupported(str(body)[:100])
    if tag == "list":
        return [decode(v, _depth + 1, budget) for v in items(body)]
    if tag == "dict":
        out = {}
        for pair in items(body):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise WireError("bad dict entry")
            key = decode(pair[0], _depth + 1, budget)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise WireError("bad dict key")
            out[key] = decode(pair[1], _depth + 1, budget)
        return out
    if tag == "series":
        if not isinstance(body, dict) or set(body) != {"index", "values"}:
            raise WireError("bad series")
        index = items(body["index"])
        values = [decode(v, _depth + 1, budget) for v in items(body["values"])]
        if len(index) != len(values) or not all(isinstance(i, str) for i in index):
            raise WireError("bad series")
        if any(isinstance(v, (list, dict, Unsupported)) for v in values):
            raise WireError("series values must be numbers or text")
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return pd.Series(values, index=index, dtype=float)
        return pd.Series(values, index=index, dtype=object)
    raise WireError(f"unknown tag {tag!r}")
