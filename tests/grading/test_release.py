"""`storeops release` generates with nbgrader and fails loudly on any leak."""

from __future__ import annotations

import nbformat
import pytest

from storeops.cli import main
from storeops.errors import StoreOpsError
from storeops.grading import keys
from storeops.grading import source as src
from storeops.grading.course import Course, copy_course
from storeops.grading.release import release, verify

ASSIGNMENTS = Course.find().assignments()


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path, assignments=["orientation"])


def _edit(course, fn):
    path = course.source_dir / "orientation" / "orientation.ipynb"
    nb = nbformat.read(path, as_version=4)
    fn(nb)
    nbformat.write(nb, path)


def _cell(nb, grade_id):
    return next(c for c in nb.cells if src.grade_id(c) == grade_id)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_release_is_clean(tmp_path, assignment):
    course = copy_course(tmp_path, assignments=[assignment])
    out = release(course, assignment)
    notebooks = {p.name for p in src.source_notebooks(course.source_dir / assignment)}
    assert notebooks
    # the chapter folder's page, tests and mistakes stay behind: only the notebook ships
    assert {p.name for p in out.rglob("*") if p.is_file()} == notebooks


def _answer_in_markdown(course):
    n = keys.expected("orientation", "q1", course.source_dir)
    _edit(
        course,
        lambda nb: _cell(nb, "q1-text").__setitem__(
            "source", _cell(nb, "q1-text").source + f"\n\n(For checking: there are {n:,} orders.)"
        ),
    )
    return "plain text"


def _solution_outside_region(course):
    def fn(nb):
        cell = _cell(nb, "q2-answer")
        body = src.solution_body(cell.source)
        nb.cells.insert(nb.cells.index(cell), nbformat.v4.new_code_cell(f"# example\n{body}"))

    _edit(course, fn)
    return "solution code"


def _hidden_test_unmarked(course):
    def fn(nb):
        cell = _cell(nb, "q3-test")
        cell.source = cell.source.replace("### BEGIN HIDDEN TESTS\n", "").replace(
            "### END HIDDEN TESTS", ""
        )

    _edit(course, fn)
    return "answer-key call"


def _string_answer_in_code(course):
    best = keys.expected("orientation", "q3", course.source_dir)
    _edit(
        course,
        lambda nb: _cell(nb, "q3-answer").__setitem__(
            "source",
            f'best_category = "{best}"  # typed by mistake\n' + _cell(nb, "q3-answer").source,
        ),
    )
    return "plain text"


@pytest.mark.slow
def test_leaky_source_fails_loudly_and_the_release_is_removed(course):
    """One source with four kinds of leak: each is reported, and nothing is released."""
    kinds = [
        make(course)
        for make in (
            _answer_in_markdown,
            _solution_outside_region,
            _hidden_test_unmarked,
            _string_answer_in_code,
        )
    ]
    with pytest.raises(StoreOpsError, match="LEAKS") as err:
        release(course, "orientation")
    message = str(err.value)
    for kind in kinds:
        assert kind in message
    assert message.count("plain text") >= 2  # the number and the category
    assert not (course.dir("release") / "orientation").exists()


@pytest.mark.slow
def test_instructor_files_in_a_release_are_leaks(course):
    out = release(course, "orientation")
    (out / "truth.json").write_text("{}")
    (out / "mistakes.yml").write_text("q1: []")
    (out / "orientation.keys.json").write_text("{}")
    found = {leak.file for leak in verify(course, "orientation", out)}
    assert found == {"truth.json", "mistakes.yml", "orientation.keys.json"}


@pytest.mark.slow
def test_cli_exit_code_on_leak(course, capsys):
    _answer_in_markdown(course)
    assert main(["release", "orientation", "--course", str(course.root)]) == 2
    assert "LEAKS" in capsys.readouterr().err


@pytest.mark.slow
def test_release_of_an_assignment_without_questions_fails_clearly(course):
    """Without its questions module the answer search has nothing to look for: no release."""
    import shutil

    src_dir = course.source_dir / "orientation"
    other = course.source_dir / "no_questions_here"
    shutil.copytree(src_dir, other)
    (other / "orientation.ipynb").rename(other / "no_questions_here.ipynb")
    with pytest.raises(StoreOpsError, match=r"no questions module .*no_questions_here\.questions"):
        release(course, "no_questions_here")
    assert not (course.dir("release") / "no_questions_here").exists()
