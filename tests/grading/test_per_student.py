"""Per-student stores. Same correct code: full marks for two students with
different stores; same wrong code: zero; a number typed from one student's store fails for
the other (the key is computed from each student's own store)."""

from __future__ import annotations

import datetime as dt

import nbformat
import pytest

from storeops.grading import source as src
from storeops.grading.course import copy_course
from storeops.grading.demo import Archetype, submission
from storeops.grading.pipeline import grade_class
from storeops.grading.release import release
from storeops.grading.report import items_of, scores_table

STUDENTS = ("ann", "ben")


def _submit(course, student, nb):
    folder = course.dir("submitted") / student / "orientation"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "orientation.ipynb")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    (folder / "timestamp.txt").write_text(stamp)


def _scores(course):
    table, _ = scores_table(course, "orientation")
    return table.fillna(0.0).to_dict(orient="index")


def _all_mistakes(course):
    """The solution with every question's first catalogued mistake in place."""
    nb = submission(course, "orientation", "orientation.ipynb", Archetype("correct"))
    first = {}
    for m in src.load_mistakes(course.source_dir / "orientation"):
        first.setdefault(m.question, m)
    source = {
        src.grade_id(c): c
        for c in src.read_notebook(course.source_dir / "orientation" / "orientation.ipynb").cells
    }
    for cell in nb.cells:
        q = src.question_of(cell)
        if src.is_answer_cell(cell) and q in first:
            cell.source = src.replace_solution(source[src.grade_id(cell)].source, first[q].code)
    return nb


@pytest.mark.slow
def test_per_student_stores_grade_against_each_students_own_data(tmp_path, monkeypatch):
    from storeops.data import load_store

    monkeypatch.setenv("STOREOPS_CACHE", str(tmp_path / "cache"))
    course = copy_course(
        tmp_path / "c", assignments=["orientation"], per_student_stores=True, course_seed=4242
    )
    release(course, "orientation")
    monkeypatch.setenv("STOREOPS_COURSE_SEED", "4242")
    sizes = {s: len(load_store(student=s).orders) for s in STUDENTS}
    assert sizes["ann"] != sizes["ben"], "the two students must have different stores"
    auto = {n: i.max_score for n, i in items_of(course, "orientation").items() if not i.manual}

    correct = submission(course, "orientation", "orientation.ipynb", Archetype("correct"))
    for s in STUDENTS:
        _submit(course, s, correct)
    grade_class(course, "orientation", workers=2, progress=False, report=False)
    scores = _scores(course)
    for s in STUDENTS:
        assert {c: scores[s][c] for c in auto} == auto, s

    wrong = _all_mistakes(course)
    for s in STUDENTS:
        _submit(course, s, wrong)
    grade_class(course, "orientation", workers=2, progress=False, report=False)
    scores = _scores(course)
    for s in STUDENTS:
        assert all(scores[s][c] == 0 for c in auto), (s, scores[s])

    # ann's right answer typed as a number: right for ann, wrong for ben.
    ann = load_store(student="ann").orders
    typed = submission(course, "orientation", "orientation.ipynb", Archetype("correct"))
    for cell in typed.cells:
        if src.grade_id(cell) == "q1-answer":
            cell.source = f"n_orders = {int((ann['status'] == 'completed').sum())}"
    for s in STUDENTS:
        _submit(course, s, typed)
    grade_class(course, "orientation", workers=2, progress=False, report=False)
    scores = _scores(course)
    assert scores["ann"]["q1-test"] == auto["q1-test"]
    assert scores["ben"]["q1-test"] == 0
