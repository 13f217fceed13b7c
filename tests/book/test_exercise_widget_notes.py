"""Exercise pages say, under each widget that runs the learner's code, that it needs a kernel;
a widget that computes in the browser (a chapter's live widget) needs no such note."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from storeops.widgets.live import KERNEL_BACKED_CALL

VIEW = '<script type="application/vnd.jupyter.widget-view+json">'
NOTE = "needs a running notebook"
CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"


def _kernel_backed_cells(slug: str) -> int:
    """Code cells of the exercise's source that show a widget calling the learner's code."""
    nb = nbformat.read(CHAPTERS / slug / f"{slug}.ipynb", as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and KERNEL_BACKED_CALL.search(c.source))


def test_each_kernel_backed_widget_on_an_exercise_page_carries_the_note(built_book):
    pages = sorted((built_book / "book" / "exercises").glob("*.html"))
    shown = 0
    for page in pages:
        text = page.read_text("utf-8")
        views = [m.start() for m in re.finditer(re.escape(VIEW), text)]
        notes = [m.start() for m in re.finditer(NOTE, text)]
        assert len(notes) == _kernel_backed_cells(page.stem), f"{page.name}: {len(notes)} notes"
        assert len(views) >= len(notes), f"{page.name}: {len(views)} widgets, {len(notes)} notes"
        for i, note in enumerate(notes):
            since = notes[i - 1] if i else -1
            assert any(since < v < note for v in views), f"{page.name}: a note without its widget"
        shown += len(notes)
    assert shown >= 3, "the orientation, dashboard and budget exercises each show a widget"
