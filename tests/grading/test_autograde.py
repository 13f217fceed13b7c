"""For every assignment: full marks for the solution, zero for the blank,
each catalogued mistake loses exactly its own question's points (real nbgrader autograde)."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storeops.grading.course import Course
from storeops.grading.keys import Reference
from storeops.grading.source import load_mistakes, source_notebooks

ASSIGNMENTS = Course.find().assignments()


def _student(demo_class, assignment, label):
    return demo_class.student(assignment, label)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_pipeline_grades_every_demo_submission_without_crashing(demo_class, assignment):
    summary = demo_class.summaries[assignment]
    assert {o.student for o in summary.outcomes} == set(demo_class.students[assignment])
    assert all(not o.skipped for o in summary.outcomes)
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
        cwd=course.root,
        capture_output=True,
        text=True,
        timeout=300,
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
def test_mistakes_lose_exactly_the_points_of_their_questions(demo_class, assignment):
    """Real nbgrader: a submission with mistakes in questions Q loses exactly Q's points."""
    cells = demo_class.autograded_cells(assignment)
    all_scores = demo_class.scores(assignment)
    packs = {s: k for s, k in demo_class.students[assignment].items() if k.mistakes}
    covered = {(m.question, m.id) for k in packs.values() for m in k.mistakes}
    catalogue = {
        (m.question, m.id) for m in load_mistakes(demo_class.course.source_dir / assignment)
    }
    assert catalogue, f"{assignment} has no catalogued mistake"
    assert covered == catalogue
    for student, kind in packs.items():
        for cell, points in cells.items():
            expected = 0 if cell.split("-")[0] in kind.mistaken_questions else points
            assert all_scores[student][cell] == expected, f"{student} {cell} ({kind.mistakes})"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_mistake_changes_only_its_own_answer(assignment):
    """Each catalogued mistake alone, executed in-process on the default store: its own
    question's answer no longer matches, every other question's answer still does."""
    from storeops.chapters import questions

    course = Course.find()
    adir = course.source_dir / assignment
    qs = questions(assignment)
    for notebook in source_notebooks(adir):
        ref = Reference.run(adir, notebook)
        store = ref.namespace.get("store")
        own = {q for q in qs if q in ref.answer_source}
        expected = {q: qs[q].evaluated(ref.value_of(qs[q].var), store) for q in own}
        for mistake in load_mistakes(adir):
            if mistake.question not in own:
                continue
            ns = ref.rerun_with(mistake)
            for q in own:
                got = qs[q].evaluated(ns[qs[q].var], ns.get("store"))
                same = qs[q].kind.equal(got, expected[q])
                assert same != (q == mistake.question), f"{mistake.question}/{mistake.id} -> {q}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_names_every_mistake_and_hides_the_tests(demo_class, assignment):
    course = demo_class.course
    packs = {s: k for s, k in demo_class.students[assignment].items() if k.mistakes}
    assert packs
    for student, kind in packs.items():
        page = course.dir("feedback") / student / assignment / f"{assignment}.html"
        text = html.unescape(page.read_text())
        for mistake in kind.mistakes:
            assert mistake.message in text, f"{student}: {mistake.id} not named in the feedback"
        for secret in ("BEGIN HIDDEN", "grading.keys", f'grade("{assignment}"'):
            assert secret not in text, f"{student}: feedback shows {secret!r}"


@pytest.mark.slow
def test_feedback_names_the_mistake_and_hides_the_tests(demo_class):
    from storeops.grading import keys

    course = demo_class.course
    student, kind = next(
        (s, k)
        for s, k in demo_class.students["orientation"].items()
        if "q1" in k.mistaken_questions
    )
    html = (course.dir("feedback") / student / "orientation" / "orientation.html").read_text()
    message = next(m.message for m in kind.mistakes if m.question == "q1")
    assert message.replace("'", "&#39;") in html or message in html
    for secret in ("BEGIN HIDDEN", "grading.keys", "grade(&quot;orientation", 'grade("orientation'):
        assert secret not in html
    right = keys.expected("orientation", "q1", course.source_dir)
    assert str(right) not in html
