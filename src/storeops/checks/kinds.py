"""What kind of value an answer is: how to test plausibility, compare and hash it.

A kind never holds an expected value. It knows the answer's type and shape and
what is plausible for the store (``plausible``), how to compare two answers with
a tolerance (``equal``, used by the instructor's hidden tests), and how to turn
an answer into a canonical string (``canonical``) whose salted hash the
self-learner edition compares.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

StoreFn = Callable[[Any], Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _round_sig(x: float, digits: int) -> float:
    """Round to ``digits`` significant digits, so tiny float noise hashes the same."""
    if x == 0 or not math.isfinite(x):
        return float(x)
    return float(round(x, digits - 1 - int(math.floor(math.log10(abs(x))))))


def _num_text(x: Any, digits: int) -> str:
    return repr(_round_sig(float(x), digits))


class Kind:
    """Base class: subclasses implement the three operations.

    ``runs_student_code``: evaluating the answer calls the student's code (a function
    on its cases), so in grading it happens in the student's kernel, not the grader's.
    """

    runs_student_code = False

    def plausible(self, value: Any, store: Any) -> list[str]:
        """Problems with type, shape or range (empty when plausible); never uses a key."""
        raise NotImplementedError

    def equal(self, answer: Any, expected: Any) -> bool:
        """True when ``answer`` matches ``expected`` within tolerance."""
        raise NotImplementedError

    def canonical(self, value: Any, store: Any = None) -> str:
        """A stable text form of ``value`` (rounded) for salted hashing."""
        raise NotImplementedError

    def evaluate(self, value: Any, store: Any) -> Any:
        """The value that is compared (functions are called on their cases first)."""
        return value

    def store_facts(self, store: Any) -> Any:
        """What :meth:`evaluate` needs to know of ``store``, as plain data (None: nothing),
        so that an answer can be evaluated where the store is not loaded: the check service
        keeps these facts with a learner's keys (:meth:`evaluate_with`)."""
        return None

    def evaluate_with(self, value: Any, facts: Any) -> Any:
        """:meth:`evaluate` given :meth:`store_facts` of the store instead of the store."""
        return value


@dataclass
class Number(Kind):
    """A single number. ``integer`` demands a whole number; ``min``/``max`` bound it."""

    integer: bool = False
    min: float | None = None
    max: float | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    digits: int = 6

    def plausible(self, value: Any, store: Any) -> list[str]:
        if not _is_number(value):
            return [f"expected a number, got {type(value).__name__}"]
        if not math.isfinite(float(value)):
            return ["the number is not finite (NaN or infinity)"]
        if self.integer and float(value) != round(float(value)):
            return ["expected a whole number (a count), got a fraction"]
        if self.min is not None and value < self.min:
            return [f"the number is below {self.min}, which is not plausible here"]
        if self.max is not None and value > self.max:
            return [f"the number is above {self.max}, which is not plausible here"]
        return []

    def equal(self, answer: Any, expected: Any) -> bool:
        if not _is_number(answer):
            return False
        return math.isclose(float(answer), float(expected), rel_tol=self.rtol, abs_tol=self.atol)

    def canonical(self, value: Any, store: Any = None) -> str:
        return _num_text(value, self.digits)


@dataclass
class Text(Kind):
    """A short text answer, compared case- and space-insensitively.

    ``options(store)`` lists the plausible answers (for example the store's
    categories); checking membership tells nothing about which one is right.
    """

    options: StoreFn | None = None

    @staticmethod
    def _norm(value: Any) -> str:
        return " ".join(str(value).split()).casefold()

    def plausible(self, value: Any, store: Any) -> list[str]:
        if not isinstance(value, str):
            return [f"expected a text (str), got {type(value).__name__}"]
        if self.options is not None and store is not None:
            allowed = {self._norm(o) for o in self.options(store)}
            if self._norm(value) not in allowed:
                return [f"{value!r} is not one of the possible answers in this store"]
        return []

    def equal(self, answer: Any, expected: Any) -> bool:
        return isinstance(answer, str) and self._norm(answer) == self._norm(expected)

    def canonical(self, value: Any, store: Any = None) -> str:
        return self._norm(value)


@dataclass
class Series(Kind):
    """A pandas Series, compared by index and values.

    ``length(store)`` gives the expected number of entries, ``index_type`` the
    expected type of index labels ("period", "datetime", "str", "int" or None),
    ``min``/``max`` bound every value.
    """

    length: StoreFn | None = None
    index_type: str | None = None
    min: float | None = None
    max: float | None = None
    rtol: float = 1e-6
    digits: int = 6
    sort_index: bool = True

    def plausible(self, value: Any, store: Any) -> list[str]:
        if isinstance(value, pd.DataFrame) and value.shape[1] == 1:
            return ["expected a Series, got a one-column DataFrame (select the column)"]
        if not isinstance(value, pd.Series):
            return [f"expected a pandas Series, got {type(value).__name__}"]
        problems = []
        if self.length is not None and store is not None:
            n = self.length(store)
            if len(value) != n:
                problems.append(f"expected {n} entries, got {len(value)}")
        if not pd.api.types.is_numeric_dtype(value.dtype):
            problems.append(f"expected numbers, got values of type {value.dtype}")
        elif value.isna().any():
            problems.append("some values are missing (NaN)")
        else:
            if self.min is not None and (value < self.min).any():
                problems.append(f"some values are below {self.min}, which is not plausible")
            if self.max is not None and (value > self.max).any():
                problems.append(f"some values are above {self.max}, which is not plausible")
        if self.index_type and len(value):
            problems += _index_problems(value.index, self.index_type)
        return problems

    def _prep(self, s: pd.Series) -> pd.Series:
        s = pd.Series(s).astype(float)
        s.index = [_label(i) for i in s.index]
        return s.sort_index() if self.sort_index else s

    def _pairs(self, s: Any) -> tuple[list[str], np.ndarray]:
        """Labels as text and values as floats, sorted by label like :meth:`_prep`, without
        building new pandas objects (the check service compares many answers a second)."""
        s = s if isinstance(s, pd.Series) else pd.Series(s)
        labels = [_label(i) for i in s.index]
        values = np.asarray(s.to_numpy(), dtype=float)
        if self.sort_index:
            order = sorted(range(len(labels)), key=labels.__getitem__)
            labels, values = [labels[i] for i in order], values[order]
        return labels, values

    def equal(self, answer: Any, expected: Any) -> bool:
        if not isinstance(answer, pd.Series) or len(answer) != len(expected):
            return False
        try:
            (la, a), (le, e) = self._pairs(answer), self._pairs(expected)
        except (TypeError, ValueError):
            return False
        if la != le:
            return False
        return bool(np.allclose(a, e, rtol=self.rtol, atol=1e-9))

    def canonical(self, value: Any, store: Any = None) -> str:
        s = self._prep(value)
        return json.dumps([[k, _num_text(v, self.digits)] for k, v in s.items()])


def _label(x: Any) -> str:
    """Index labels as text: periods, timestamps and numbers compare by their text form."""
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d") if x == x.normalize() else x.isoformat()
    if isinstance(x, (np.integer, int)):
        return str(int(x))
    return str(x)


def _index_problems(index: pd.Index, kind: str) -> list[str]:
    first = index[0]
    ok = {
        "period": isinstance(first, pd.Period) or isinstance(index, pd.PeriodIndex),
        "datetime": isinstance(first, pd.Timestamp),
        "str": isinstance(first, str),
        "int": isinstance(first, (int, np.integer)),
    }.get(kind, True)
    return [] if ok else [f"expected the index to hold {kind} labels, got {type(first).__name__}"]


@dataclass
class Function(Kind):
    """A function the student writes; it is called on ``cases(store)`` (a list of
    argument tuples) and each result is compared as ``returns`` (another kind)."""

    cases: Callable[[Any], Sequence[tuple]]
    returns: Kind = field(default_factory=Number)
    runs_student_code = True

    def evaluate(self, value: Any, store: Any) -> list[Any]:
        return [value(*args) for args in self.cases(store)]

    def plausible(self, value: Any, store: Any) -> list[str]:
        if not callable(value):
            return [f"expected a function, got {type(value).__name__}"]
        if store is None:
            return []
        args = self.cases(store)[0]
        result = value(*args)  # NotImplementedError propagates: "not answered yet"
        return [f"for {args!r}: {p}" for p in self.returns.plausible(result, store)]

    def equal(self, answer: Any, expected: Any) -> bool:
        return len(answer) == len(expected) and all(
            self.returns.equal(a, e) for a, e in zip(answer, expected, strict=True)
        )

    def canonical(self, value: Any, store: Any = None) -> str:
        return json.dumps([self.returns.canonical(v) for v in value])
