"""Orientation: what its written rubric says of the store holds on several stores."""

from __future__ import annotations

import pytest

HIGHEST_MONTH = r"""
import json
from storeops.data import load_store
store = load_store()
done = store.orders[store.orders["status"] == "completed"]
by_month = done.groupby(done["order_time"].dt.to_period("M"))["revenue"].sum()
festive = store.calendar.loc[store.calendar["festival"] != "", "date"].dt.to_period("M")
print(json.dumps({"month": str(by_month.idxmax()), "festive": sorted(map(str, set(festive)))}))
"""


@pytest.mark.parametrize("student", [None, "alice", "bob"])
def test_the_highest_month_holds_a_festival(student, tmp_path, run_on_store):
    """q5's rubric rewards noting that the highest-revenue month holds a festival: on every
    store it does."""
    found = run_on_store(HIGHEST_MONTH, student, tmp_path)
    assert found["month"] in found["festive"], found
