"""The Store object: the generated tables, their ground truth and metadata."""

from __future__ import annotations

import pandas as pd

TABLES = (
    "calendar",
    "products",
    "competitor_prices",
    "traffic",
    "funnel",
    "ab_tests",
    "customers",
    "orders",
    "order_lines",
    "inventory",
    "purchase_orders",
    "service_staffing",
    "service_chats",
    "returns",
    "reviews",
    "seller_ratings",
    "campaigns",
    "campaign_sends",
    "finance",
)


class Store:
    """A simulated store: `tables` by name, instructor-only `truth` (or None) and `meta`."""

    def __init__(self, tables: dict[str, pd.DataFrame], truth: dict | None, meta: dict):
        self.tables = tables
        self.truth = truth
        self.meta = meta

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(
            f"Store has no table or attribute {name!r}; tables: {', '.join(tables)}"
        )

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.tables))

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v):,}" for k, v in self.tables.items())
        return f"Store(seed={self.meta.get('seed')}, version={self.meta.get('generator_version')}, {rows})"
