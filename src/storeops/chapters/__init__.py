"""One package per chapter: ``storeops.chapters.<slug>``.

A chapter package holds what belongs to that chapter only: ``questions`` (the
self-checks ``q1 ... qn``; the exercise notebook's first cell is
``from storeops.chapters.<slug>.questions import *``), and where the chapter has
them, ``preamble`` (the book page's first cell), ``widget`` and its analysis
helpers. Chapters import the general packages (sim, data, analysis, widgets,
checks), never each other and never grading: see ARCHITECTURE.md.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from storeops.checks import Question


def slugs() -> list[str]:
    """The chapters that exist, by package name."""
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.ispkg)


def questions(assignment: str) -> dict[str, Question]:
    """The questions an assignment registers, by name (``{"q1": Question, ...}``)."""
    module = importlib.import_module(f"{__name__}.{assignment}.questions")
    found = {
        q.name: q
        for q in vars(module).values()
        if isinstance(q, Question) and q.assignment == assignment
    }
    return dict(sorted(found.items(), key=lambda kv: (len(kv[0]), kv[0])))
