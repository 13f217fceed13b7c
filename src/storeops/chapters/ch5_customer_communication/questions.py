"""Self-checks of the ch5_customer_communication exercise (chapters/ch5_customer_communication).

The notebook's first cell is ``from storeops.chapters.ch5_customer_communication.questions import *``.
Kinds say what each answer is (type, shape, plausible range), never what it equals.
"""

from __future__ import annotations

from storeops.chapters.ch5_customer_communication.widget import orders_with_explorer
from storeops.checks import Function, Number, Question, self_learner_edition
from storeops.data import load_store

__all__ = ["load_store", "orders_with_explorer", "q1", "self_learner_edition"]

A = __name__.split(".")[2]  # the chapter's slug: its package name


def _statuses(store) -> list[tuple]:
    return [(s,) for s in sorted(store.orders["status"].dropna().unique())]


q1 = Question(
    A,
    "q1",
    var="orders_with",
    kind=Function(cases=_statuses, returns=Number(integer=True, min=0)),
    hints=[
        "Each row of `store.orders` is one order; its `status` says what became of it.",
        "Keep the rows whose `status` equals the argument, then count them (`len`).",
    ],
)
