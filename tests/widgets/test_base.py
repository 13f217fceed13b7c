"""The shared explorer: a view over the student's function that never shows a traceback."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from storeops.widgets import explorer, safe_call
from storeops.widgets.base import NOT_IMPLEMENTED


def _stub(channel):
    raise NotImplementedError()


def test_stub_shows_not_implemented_message():
    box = explorer(_stub, {"channel": w.Dropdown(options=["a", "b"])})
    assert not box.last.ok
    assert box.last.message == NOT_IMPLEMENTED
    assert "Not implemented yet" in box.view.value
    assert "Traceback" not in box.view.value


def test_error_is_one_line_without_traceback():
    def broken(channel):
        return {"x": 1}[channel]

    box = explorer(broken, {"channel": w.Dropdown(options=["a"])})
    assert "KeyError" in box.view.value and "Traceback" not in box.view.value
    assert "\n" not in box.last.message


def test_result_is_shown_and_control_changes_recompute():
    calls = []

    def per_channel(channel):
        calls.append(channel)
        return pd.Series([1.0, 2.0], index=["x", "y"], name=channel)

    picker = w.Dropdown(options=["a", "b"])
    box = explorer(per_channel, {"channel": picker})
    assert box.last.ok and "<table" in box.view.value
    picker.value = "b"
    assert calls == ["a", "b"] and box.last.value.name == "b"


def test_broken_view_does_not_crash():
    def view(result, kwargs):
        raise ValueError("bad")

    box = explorer(lambda n: n, {"n": w.IntSlider(value=1)}, view=view)
    assert not box.last.ok and "Cannot show" in box.view.value


def test_safe_call_passes_values_through():
    assert safe_call(lambda a, b: a + b, 1, b=2).value == 3


def test_orientation_explorer_with_stub_and_with_function():
    from storeops.chapters.orientation.widget import daily_revenue_explorer
    from storeops.data import load_store

    store = load_store()
    assert "Not implemented yet" in daily_revenue_explorer(_stub, store).view.value

    def daily_revenue(channel):
        o = store.orders[store.orders["channel"] == channel]
        return o.groupby(o["order_time"].dt.normalize())["revenue"].sum()

    box = daily_revenue_explorer(daily_revenue, store)
    assert box.last.ok and "best day" in box.view.value
