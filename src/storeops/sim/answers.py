"""Attributes that are answers, read from a store's instructor-only truth as pandas Series.

A product's role and a customer's segment are what an analyst works out from the tables, so
they are not columns of the tables; graders and tests that need them read them here.
"""

from __future__ import annotations

import pandas as pd

from storeops.errors import StoreOpsError


def _truth(store) -> dict:
    if store.truth is None:
        raise StoreOpsError("this store has no truth: read it with with_truth=True (instructor)")
    return store.truth


def product_roles(store) -> pd.Series:
    """Role of every SKU (traffic, profit, bundle or regular), indexed by sku."""
    skus = _truth(store)["products"]["skus"]
    return pd.Series({k: v["role"] for k, v in skus.items()}, name="role").rename_axis("sku")


def customer_segments(store) -> pd.Series:
    """Behavioural segment of every customer, indexed by customer_id."""
    t = _truth(store)["customers"]
    order, codes = t["segment_order"], t["segment_by_customer"]
    ids = store.tables["customers"]["customer_id"]
    if len(codes) != len(ids):
        raise StoreOpsError(
            f"the truth has {len(codes)} customer segments, the customers table {len(ids)} rows"
        )
    return pd.Series(
        [order[int(c)] for c in codes], index=pd.Index(ids, name="customer_id"), name="segment"
    )


def text_labels(store, table: str) -> pd.DataFrame:
    """What each text of `table` (reviews, returns or service_chats) is about: its intent,
    cause and sentiment, one row per row of the table, in its order."""
    t = _truth(store).get("texts")
    if t is None or table not in t["tables"]:
        raise StoreOpsError(f"the truth has no text labels for table {table!r}")
    codes, vocabulary = t["tables"][table], t["vocabulary"]
    n = len(store.tables[table])
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = {}
    for name, chars in codes.items():
        if len(chars) != n:
            raise StoreOpsError(f"the truth has {len(chars)} {name} labels, {table} {n} rows")
        out[name] = [vocabulary[name][digits.index(c)] for c in chars]
    return pd.DataFrame(out, index=store.tables[table].index)
