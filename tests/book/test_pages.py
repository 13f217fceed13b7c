"""The self-learner page and download come from the same source as the release."""

from __future__ import annotations

import json
import zipfile

import nbformat
import pytest

from storeops.book import pages
from storeops.grading import source as src
from storeops.grading.course import copy_course
from storeops.grading.release import release

TOKEN = "Marker-7f3a9c: the same source"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Orientation with a marker added to a question and a starter line; page + release."""
    root = tmp_path_factory.mktemp("same-source")
    course = copy_course(root, assignments=["orientation"])
    path = course.source_dir / "orientation" / "orientation.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if src.grade_id(cell) == "q1-text":
            cell.source += f"\n\n{TOKEN}"
        if src.grade_id(cell) == "q1-answer":
            cell.source = f"# {TOKEN}\n" + cell.source
    nbformat.write(nb, path)
    out = root / "book"
    written = pages.build("orientation", course.source_dir, out)
    release(course, "orientation")
    rel = nbformat.read(course.dir("release") / "orientation" / "orientation.ipynb", as_version=4)
    page = nbformat.read(out / "orientation.ipynb", as_version=4)
    with zipfile.ZipFile(out / "orientation-notebook.zip") as zf:
        student = nbformat.reads(zf.read("orientation/orientation.ipynb").decode(), as_version=4)
    return {"source": nb, "release": rel, "page": page, "student": student, "written": written}


def _by_id(nb):
    return {c.get("id"): c for c in nb.cells}


def test_page_and_release_carry_the_same_edit(built):
    # question text + starter; the page also shows it in the folded reference solution
    for name, times in (("release", 2), ("student", 2), ("page", 3)):
        text = json.dumps([c.source for c in built[name].cells])
        assert text.count("Marker-7f3a9c") == times, name


def test_page_starters_are_the_release_cells(built):
    page, rel = _by_id(built["page"]), built["release"]
    for cell in rel.cells:
        if src.nbgrader_meta(cell).get("solution") and cell.cell_type == "code":
            starter = page[f"{src.grade_id(cell)}-starter"]
            assert starter.source == cell.source
            assert "skip-execution" in starter.metadata["tags"]


def test_page_solutions_are_the_source_solutions_folded(built):
    page = _by_id(built["page"])
    for cell in built["source"].cells:
        if src.is_answer_cell(cell):
            sol = page[f"{src.grade_id(cell)}-solution"]
            assert sol.source == src.strip_solution_markers(cell.source)
            assert "hide-input" in sol.metadata["tags"]
        elif cell.cell_type == "markdown" and src.nbgrader_meta(cell).get("solution"):
            model = page[f"{src.grade_id(cell)}-model"]
            assert ":class: dropdown" in model.source and cell.source.strip() in model.source


def test_no_hidden_test_in_page_or_download(built):
    for name in ("page", "student"):
        for cell in built[name].cells:
            assert "HIDDEN TESTS" not in cell.source and "grading.keys" not in cell.source
    checks = [c.source for c in built["page"].cells if (c.get("id") or "").endswith("-check")]
    assert checks and all(s.strip().endswith(".check()") for s in checks)


def test_download_has_starters_and_keys_but_no_solution(built):
    student = built["student"]
    solutions = set()
    for cell in built["source"].cells:
        if src.is_answer_cell(cell):
            solutions |= {
                line.strip()
                for line in src.solution_body(cell.source).splitlines()
                if len(line.strip()) > 8
            }
    for cell in student.cells:
        assert not ({line.strip() for line in cell.source.splitlines()} & solutions)
        assert not cell.get("outputs")
    keys = [c for c in student.cells if c.get("id") == "self-check-keys"]
    assert len(keys) == 1 and "self_learner_edition(" in keys[0].source
    assert [c.get("id") for c in student.cells].index("self-check-keys") == 2  # after setup


def test_page_links_the_download(built):
    text = "".join(c.source for c in built["page"].cells if c.cell_type == "markdown")
    assert "{download}" in text and "orientation-notebook.zip" in text
    assert all(p.exists() for p in built["written"])


@pytest.mark.slow
def test_page_executes_and_self_checks_pass(built, tmp_path):
    """Run the page as the book build does (starters skipped): every check says correct."""
    from nbclient import NotebookClient

    page = built["page"]
    page.cells = [c for c in page.cells if "skip-execution" not in c.metadata.get("tags", [])]
    NotebookClient(
        page, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    checks = [c for c in page.cells if (c.get("id") or "").endswith("-check")]
    for cell in checks:
        text = json.dumps(cell.outputs)
        assert "correct" in text and "error" not in [o.output_type for o in cell.outputs]
