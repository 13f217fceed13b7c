"""Shared pieces of the Chapter 2 tests (imported by name: not a pytest conftest, so the
other chapter's tests are not affected)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ASSIGNMENT = HERE.name
SOURCE_DIR = HERE.parent
NOTEBOOK = HERE / f"{ASSIGNMENT}.ipynb"
CHAPTER = HERE / "page.md"


def incident(truth: dict, kind: str) -> dict:
    """The simulator's recorded incident of ``kind`` (instructor-only ground truth)."""
    return next(i for i in truth["incidents"] if i["kind"] == kind)


@pytest.fixture(scope="module")
def truth_store():
    from storeops.data import load_store

    return load_store(with_truth=True)


@pytest.fixture(scope="module")
def source_nb():
    from storeops.grading import source as src

    return src.read_notebook(NOTEBOOK)


@pytest.fixture
def instructor_env(monkeypatch):
    """Where the hidden tests find the answer keys (the instructor's source folder)."""
    monkeypatch.setenv("STOREOPS_SOURCE_DIR", str(SOURCE_DIR))
    return SOURCE_DIR
