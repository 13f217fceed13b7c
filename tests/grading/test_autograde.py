"""Requirement 6, for every assignment: full marks for the solution, zero for the blank,
each catalogued mistake loses exactly its own question's points (real nbgrader autograde)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import question_points

from storeops.grading.course import Course

ASSIGNMENTS = Course.find().assignments()


def _student(demo_class, assignment, label):
    return next(s for s in demo_class.students[assignment] if s.endswith(f"-{label}"))


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_pipeline_grades_every_demo_submission_without_crashing(demo_class, assignment):
    summary = demo_class.summaries[assignment]
    assert {o.student for o in summary.outcomes} == set(demo_class.students[assignment])
    assert not summary.failed, [(o.student, o.error) for o in summary.failed]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_gets_full_marks_through_the_nbgrader_cli(demo_class, assignment):
    course = demo_class.course
    src = course.dir("submitted") / _student(demo_class, assignment, "correct") / assignment
    shutil.copytree(src, course.dir("submitted") / "cli-solution" / assignment)
    nbgrader = Path(sys.executable).parent / "nbgrader"
    run = subprocess.run(
        [str(nbgrader), "autograde", assignment, "--student", "cli-solution", "--force"],
        cwd=course.root, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    scores = demo_class.scores(assignment)["cli-solution"]
    for cell, points in demo_class.autograded_cells(assignment).items():
        assert scores[cell] == points, f"{cell}: {scores[cell]} of {points}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_pipeline_gives_the_solution_full_marks(demo_class, assignment):
    scores = demo_class.scores(assignment)[_student(demo_class, assignment, "correct")]
    for cell, points in demo_class.autograded_cells(assignment).items():
        assert scores[cell] == points, cell


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("label", ["blank", "broken"])
def test_blank_and_broken_get_zero_everywhere(demo_class, assignment, label):
    scores = demo_class.scores(assignment)[_student(demo_class, assignment, label)]
    for cell in demo_class.autograded_cells(assignment):
        assert scores[cell] == 0, cell


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_mistake_loses_only_its_own_questions_points(demo_class, assignment):
    cells = demo_class.autograded_cells(assignment)
    all_scores = demo_class.scores(assignment)
    mistakes = [s for s in demo_class.students[assignment] if "-mistake-" in s]
    assert mistakes, f"{assignment} has no catalogued mistake"
    for student in mistakes:
        question = student.split("-mistake-")[1].split("-")[0]
        own = question_points(cells, question)
        assert own, f"{student}: no graded cell for {question}"
        for cell, points in cells.items():
            expected = 0 if cell in own else points
            assert all_scores[student][cell] == expected, f"{student} {cell}"


@pytest.mark.slow
def test_feedback_names_the_mistake_and_hides_the_tests(demo_class):
    from storeops.grading import keys
    from storeops.grading.source import load_mistakes

    course = demo_class.course
    student = _student(demo_class, "orientation", "mistake-q1-counted-cancelled")
    html = (course.dir("feedback") / student / "orientation" / "orientation.html").read_text()
    message = next(m.message for m in load_mistakes(course.source_dir / "orientation")
                   if m.id == "counted-cancelled")
    assert message.replace("'", "&#39;") in html or message in html
    for secret in ("BEGIN HIDDEN", "grading.keys", "grade(&quot;orientation", 'grade("orientation'):
        assert secret not in html
    right = keys.expected("orientation", "q1", course.source_dir)
    assert str(right) not in html
