"""Self-check machinery shared by every chapter: :class:`Question` and the answer kinds.

Each chapter declares its questions in ``storeops.chapters.<slug>.questions`` with
:class:`Question` and a :mod:`kind <storeops.checks.kinds>` (type, shape and
plausibility; never an expected value). See chapters/README.md.
"""

from __future__ import annotations

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
    "self_learner_edition",
]
