"""What every chapter's source notebook must be, checked for each chapter folder."""

from __future__ import annotations

import re

import nbformat
import pytest

from storeops.book import pages
from storeops.grading import source as src

SOURCE = pages.DEFAULT_SOURCE
CHAPTERS = src.assignments(SOURCE)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_validates(chapter):
    for path in src.source_notebooks(SOURCE / chapter):
        nbformat.validate(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_hidden_tests_only_call_the_computed_key(chapter):
    """No typed expected value, no assert: the hidden block only asks the key helper."""
    pattern = (
        r"\s*from storeops\.grading\.keys import grade\s+"
        rf'grade\("{re.escape(chapter)}", "(q\d+)", globals\(\)\)\s*'
    )
    for path in src.source_notebooks(SOURCE / chapter):
        for cell in src.read_notebook(path).cells:
            if src.is_test_cell(cell):
                found = re.fullmatch(pattern, src.hidden_region(cell.source))
                assert found, cell.source
                assert found.group(1) == src.question_of(cell), cell.source


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_graded_cell_names_its_area_and_skills(chapter):
    """The class and course reports group by these tags: each must be one of the five areas
    and at least one skill (lower-case words joined by hyphens), so no question is reported
    under a skill it does not test or as "untagged"."""
    from storeops.grading.course_report import AREAS

    for path in src.source_notebooks(SOURCE / chapter):
        for cell in src.read_notebook(path).cells:
            grading = cell.metadata.get("nbgrader", {})
            if not (grading.get("grade") or grading.get("task")):
                continue
            tags = cell.metadata.get("storeops", {})
            where = f"{chapter} {grading.get('grade_id')}"
            assert tags.get("competency") in AREAS, where
            skills = tags.get("skills") or []
            assert skills and all(re.fullmatch(r"[a-z]+(-[a-z]+)*", s) for s in skills), where
