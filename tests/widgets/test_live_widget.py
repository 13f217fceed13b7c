"""A live widget is one class for JupyterLab and the book: its front end travels in its state."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from storeops.chapters.ch2_data_analysis.widget import LiveDashboard
from storeops.chapters.ch3_promotion.widget import LiveBudgetAllocator
from storeops.widgets.kpi_tree import KpiTree
from storeops.widgets.live import JS_DIR, live_class


@pytest.mark.parametrize("cls", [KpiTree, LiveBudgetAllocator, LiveDashboard])
def test_module_and_class_id_travel_in_the_state(cls):
    state = cls().state_values()
    assert state["_model_module"] == "anywidget"
    assert "export default { render }" in state["_esm"]  # the view: js/live.js + the widget's file
    assert "function pyFormat" in state["_esm"]
    assert live_class(state["_anywidget_id"]) is cls


def test_every_figure_the_kpi_tree_view_marks_is_computed_by_python():
    source = (JS_DIR / "kpi_tree.js").read_text()
    marked = set(re.findall(r'"data-figure": "(\w+)"', source))
    controls = {"readout." + name for name in re.findall(r'rangeControl\(model, "(\w+)"', source)}
    assert marked | controls == set(KpiTree().figures())
    assert controls == {"readout.visitors", "readout.conversion", "readout.order_value"}


def test_kpi_tree_figures():
    w = KpiTree(visitors=1_000, conversion=0.5, order_value=50.0)
    # 5 orders at 50 yuan; 1000 * 0.5 / 100 is exactly 5
    assert w.figures() == {
        "readout.visitors": "1,000",
        "readout.conversion": "0.5%",
        "readout.order_value": "50",
        "orders": "5",
        "sales": "¥250",
    }
    w.visitors, w.conversion, w.order_value = 33_000, 2.5, 182.0
    assert (w.figures()["orders"], w.figures()["sales"]) == ("825", "¥150,150")


def test_jupyterlab_extension_is_installed_by_the_set_up():
    """anywidget, pinned in requirements.txt, brings the JupyterLab front end of the same widgets."""
    jupyter = Path(sys.executable).with_name("jupyter")
    listing = subprocess.run(
        [str(jupyter), "labextension", "list"], capture_output=True, text=True, check=True
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert re.search(r"anywidget v0\.11\.0 enabled\s+OK", text), text


def test_book_build_writes_the_current_view_code_into_a_cached_page_state():
    from storeops.widgets.sphinx_live import refresh_views

    state = {"version_major": 2, "version_minor": 0, "state": {}}
    for i, cls in enumerate((KpiTree, LiveBudgetAllocator)):
        stale = cls().state_values()
        stale["_esm"], stale["_css"] = "export default { render() {} }", ""
        state["state"][f"m{i}"] = {"model_module": "anywidget", "state": stale}
    other = {"model_module": "@jupyter-widgets/controls", "state": {"value": 3}}
    state["state"]["other"] = other
    refreshed = refresh_views(state)["state"]
    assert refreshed["m0"]["state"]["_esm"] == KpiTree().state_values()["_esm"]
    assert refreshed["m1"]["state"]["_esm"] == LiveBudgetAllocator()._esm
    assert refreshed["m1"]["state"]["_css"] == LiveBudgetAllocator()._css
    assert refreshed["other"] == {
        "model_module": "@jupyter-widgets/controls",
        "state": {"value": 3},
    }


def test_a_cached_page_whose_widget_class_moved_stops_the_build():
    """A stale execution cache must not ship an old view under a class that no longer exists."""
    from storeops.widgets.sphinx_live import refresh_views

    state = KpiTree().state_values()
    state["_anywidget_id"] = "storeops.widgets.gone.KpiTree"
    with pytest.raises(RuntimeError, match="execution cache is stale"):
        refresh_views({"state": {"m": {"model_module": "anywidget", "state": state}}})
    foreign = dict(state, _anywidget_id="somebody_else.Widget")
    assert refresh_views({"state": {"m": {"model_module": "anywidget", "state": foreign}}})
