"""Exercise pages say, under each widget that runs the learner's code, that it needs a kernel."""

from __future__ import annotations

import re

VIEW = '<script type="application/vnd.jupyter.widget-view+json">'
NOTE = "needs a running notebook"


def test_each_kernel_backed_widget_on_an_exercise_page_carries_the_note(built_book):
    pages = sorted((built_book / "book" / "exercises").glob("*.html"))
    shown = 0
    for page in pages:
        text = page.read_text("utf-8")
        views = [m.start() for m in re.finditer(re.escape(VIEW), text)]
        notes = [m.start() for m in re.finditer(NOTE, text)]
        assert len(notes) == len(views), f"{page.name}: {len(views)} widgets, {len(notes)} notes"
        for view, note in zip(views, notes, strict=True):
            assert view < note, f"{page.name}: the note comes after its widget"
        shown += len(views)
    assert shown >= 3, "the orientation, dashboard and budget exercises each show a widget"
