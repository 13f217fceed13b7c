"""The KPI tree of "How the interactive parts work": sales = visitors x conversion x AOV."""

from __future__ import annotations

from typing import Any

import traitlets as t

from storeops.widgets.live import LiveWidget, esm, fixed, grouped


class KpiTree(LiveWidget):
    """Three sliders (daily visitors, conversion rate in %, average order value in yuan)
    and the orders and sales they make; recomputed in the browser."""

    _esm = esm("kpi_tree.js")

    visitors = t.Int(20_000).tag(sync=True)
    visitors_min = t.Int(1_000).tag(sync=True)
    visitors_max = t.Int(100_000).tag(sync=True)
    visitors_step = t.Int(1_000).tag(sync=True)
    conversion = t.Float(2.5).tag(sync=True)
    conversion_min = t.Float(0.5).tag(sync=True)
    conversion_max = t.Float(6.0).tag(sync=True)
    conversion_step = t.Float(0.1).tag(sync=True)
    order_value = t.Float(180.0).tag(sync=True)
    order_value_min = t.Float(50.0).tag(sync=True)
    order_value_max = t.Float(500.0).tag(sync=True)
    order_value_step = t.Float(5.0).tag(sync=True)

    @classmethod
    def compute(cls, values: dict[str, Any]) -> dict[str, str]:
        orders = values["visitors"] * values["conversion"] / 100
        return {
            "readout.visitors": grouped(values["visitors"], 0),
            "readout.conversion": fixed(values["conversion"], 1) + "%",
            "readout.order_value": grouped(values["order_value"], 0),
            "orders": grouped(orders, 0),
            "sales": "¥" + grouped(orders * values["order_value"], 0),
        }
