"""Self-check for exercises: ``from storeops.checks.<assignment> import *`` gives ``q1 ... qn``.

Each assignment has a module ``storeops.checks.<assignment>`` that declares its
questions with :class:`Question` and a :mod:`kind <storeops.checks.kinds>`
(type, shape and plausibility; never an expected value). See exercises/README.md.
"""

from __future__ import annotations

import importlib

from storeops.checks.core import (
    CheckFailed,
    NotAnswered,
    Question,
    graded_edition,
    self_learner_edition,
)
from storeops.checks.kinds import Function, Kind, Number, Series, Text

__all__ = [
    "CheckFailed",
    "Function",
    "Kind",
    "NotAnswered",
    "Number",
    "Question",
    "Series",
    "Text",
    "graded_edition",
    "questions",
    "self_learner_edition",
]


def questions(assignment: str) -> dict[str, Question]:
    """The questions an assignment registers, by name (``{"q1": Question, ...}``)."""
    module = importlib.import_module(f"storeops.checks.{assignment}")
    found = {
        q.name: q
        for q in vars(module).values()
        if isinstance(q, Question) and q.assignment == assignment
    }
    return dict(sorted(found.items(), key=lambda kv: (len(kv[0]), kv[0])))
