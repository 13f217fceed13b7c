"""Chapter 3 exercises through real `nbgrader autograde` (the grading engineer's pipeline):
the solution gets full marks, the blank release zero, and every catalogued mistake loses
exactly its own question's points with feedback that names the mistake."""

from __future__ import annotations

import html

import pytest

from storeops.grading.course import copy_course
from storeops.grading.demo import archetypes, make_class
from storeops.grading.pipeline import grade_class
from storeops.grading.release import release
from storeops.grading.report import items_of, scores_table
from storeops.grading.source import load_mistakes

ASSIGNMENT = "ch3_promotion"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("ch3course"))
    release(course, ASSIGNMENT)
    students = make_class(course, ASSIGNMENT, len(archetypes(course, ASSIGNMENT)))
    summary = grade_class(course, ASSIGNMENT, workers=2, progress=False)
    table, _ = scores_table(course, ASSIGNMENT)
    cells = {n: i.max_score for n, i in items_of(course, ASSIGNMENT).items() if not i.manual}
    return course, students, summary, table.fillna(0.0).to_dict(orient="index"), cells


def _who(students, label):
    return next(s for s in students if s.endswith(f"-{label}"))


def test_every_submission_is_graded(graded):
    _, students, summary, _, _ = graded
    assert {o.student for o in summary.outcomes} == set(students)
    assert not summary.failed, [(o.student, o.error) for o in summary.failed]


def test_solution_full_marks_blank_zero(graded):
    _, students, _, scores, cells = graded
    assert sum(cells.values()) >= 12 and len(cells) >= 6
    correct, blank = scores[_who(students, "correct")], scores[_who(students, "blank")]
    for cell, points in cells.items():
        assert correct[cell] == points, cell
        assert blank[cell] == 0, cell


def test_each_mistake_loses_its_points_and_is_named_in_the_feedback(graded):
    course, students, _, scores, cells = graded
    mistakes = {(m.question, m.id): m for m in load_mistakes(course.source_dir / ASSIGNMENT)}
    assert mistakes
    for (question, mid), mistake in mistakes.items():
        student = _who(students, f"mistake-{question}-{mid}")
        for cell, points in cells.items():
            expected = 0 if cell.startswith(f"{question}-") else points
            assert scores[student][cell] == expected, f"{student} {cell}"
        page = course.dir("feedback") / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        text = html.unescape(page.read_text())
        assert mistake.message in text, f"{student}: message not in feedback"
        assert "BEGIN HIDDEN" not in text and f'grade("{ASSIGNMENT}"' not in text
