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
