"""The wire format between a grading kernel and the grader: data only, untrusted input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from storeops.checks.kinds import Number, Series, Text
from storeops.grading import wire


def _through(value):
    """encode -> JSON text -> decode, as the answer travels in a notebook output."""
    return wire.decode(json.loads(json.dumps(wire.encode(value))))


@pytest.mark.parametrize("value", [0, 7, -3, 2**70, np.int64(121283)])
def test_integers_stay_exact_integers(value):
    out = _through(value)
    assert isinstance(out, int) and out == int(value)


@pytest.mark.parametrize("value", [0.1, -2.5e-12, np.float32(1.5), np.float64(3.25)])
def test_floats(value):
    assert _through(value) == float(value)


def test_non_finite_and_plain_values():
    assert math.isnan(_through(float("nan")))
    assert _through(float("inf")) == math.inf and _through(-np.inf) == -math.inf
    assert _through("apparel") == "apparel"
    assert _through(None) is None and _through(True) is True and _through(np.bool_(False)) is False


def test_series_compare_as_the_kind_compares_them():
    """Labels travel as text (dates, periods, numbers), values as numbers: the kinds'
    comparison of the original and of the decoded series agree, right and wrong."""
    idx = pd.period_range("2025-01", periods=3, freq="M")
    s = pd.Series([1.0, 2.5, 3.0], index=idx)
    kind = Series()
    assert kind.equal(_through(s), s)
    assert not kind.equal(_through(s * 1.01), s)
    days = pd.Series([4, 5], index=pd.to_datetime(["2025-03-01", "2025-03-02"]))
    assert kind.equal(_through(days), days)
    assert list(_through(days).index) == ["2025-03-01", "2025-03-02"]
    text = pd.Series(["a", "b"], index=["x", "y"])
    assert list(_through(text)) == ["a", "b"]


def test_containers_and_dicts():
    value = {"search": 1.5, "email": [1, "x", None], 3: {"deep": True}}
    assert _through(value) == {"search": 1.5, "email": [1, "x", None], 3: {"deep": True}}
    assert _through((1, 2)) == [1, 2]


def test_objects_are_never_rebuilt():
    """A student's own class, a function, a DataFrame: a marker that matches nothing."""

    class Sneaky:
        def __eq__(self, other):
            return True

        def __reduce__(self):
            return (print, ("pwned",))

    for value in (Sneaky(), print, pd.DataFrame({"a": [1]}), {1, 2}):
        out = _through(value)
        assert isinstance(out, wire.Unsupported)
        assert not Number().equal(out, 1) and not Text().equal(out, "x")


def test_limits_on_size_and_depth():
    deep: list = []
    node = deep
    for _ in range(50):
        node.append([])
        node = node[0]
    text = json.dumps(wire.encode(deep))
    assert "nested too deeply" in text
    big = pd.Series(np.zeros(wire.MAX_ITEMS + 1))
    assert isinstance(_through(big), wire.Unsupported)


@pytest.mark.parametrize(
    "data",
    [
        {"series": {"index": ["a"], "values": [1, 2]}},  # lengths differ
        {"series": {"index": [1], "values": [1]}},  # labels must be text
        {"series": {"index": ["a"], "values": [{"list": []}]}},  # nested values
        {"series": {"index": ["a"], "values": [1], "dtype": "object"}},  # extra keys
        {"int": "12abc"},
        {"int": "9" * 1000},
        {"float": "1e999"},
        {"pickle": "gASVAAAA"},
        {"list": [1], "dict": []},  # two tags
        [1, 2],  # bare JSON list
        {"dict": [[{"list": []}, 1]]},  # unhashable key
        {"list": "not a list"},
        "x" * (wire.MAX_TEXT + 1),
    ],
)
def test_malformed_exports_are_refused(data):
    with pytest.raises(wire.WireError):
        wire.decode(data)


def test_decode_budget_counts_everything():
    data = {"list": [{"list": [0] * 1000}] * (wire.MAX_ITEMS // 1000 + 2)}
    with pytest.raises(wire.WireError, match="too large"):
        wire.decode(data)
