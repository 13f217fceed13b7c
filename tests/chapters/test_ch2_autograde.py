"""Chapter 2 exercises through the real pipeline (`storeops release`, demo class, parallel
`nbgrader autograde`, feedback) in a scratch copy of the course: the reference gets full
marks, a blank release zero, and each catalogued mistake loses its own question's
points only, with feedback that names the mistake and shows no hidden test."""

from __future__ import annotations

import html

import pytest
from conftest_ch2 import ASSIGNMENT

from storeops.grading import source as src

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    from storeops.grading.course import copy_course
    from storeops.grading.demo import archetypes, make_class
    from storeops.grading.pipeline import grade_class
    from storeops.grading.release import release
    from storeops.grading.report import items_of, scores_table

    course = copy_course(tmp_path_factory.mktemp("ch2-course"))
    release(course, ASSIGNMENT)  # fails on a leak (solution, hidden test, answer)
    students = make_class(course, ASSIGNMENT, len(archetypes(course, ASSIGNMENT)))
    summary = grade_class(course, ASSIGNMENT, workers=2, progress=False)
    table, _ = scores_table(course, ASSIGNMENT)
    autograded = {n: i.max_score for n, i in items_of(course, ASSIGNMENT).items() if not i.manual}
    return {
        "course": course,
        "students": {s.split("-", 1)[1]: s for s in students},
        "summary": summary,
        "scores": table.fillna(0.0).to_dict(orient="index"),
        "cells": autograded,
    }


def _mistakes():
    from conftest_ch2 import SOURCE_DIR

    return src.load_mistakes(SOURCE_DIR / ASSIGNMENT)


def test_whole_class_graded_without_failures(graded_class):
    summary = graded_class["summary"]
    assert {o.student for o in summary.outcomes} == set(graded_class["students"].values())
    assert not summary.failed, [(o.student, o.error) for o in summary.failed]


@pytest.mark.parametrize(("label", "full"), [("correct", True), ("blank", False)])
def test_reference_full_marks_and_blank_zero(graded_class, label, full):
    scores = graded_class["scores"][graded_class["students"][label]]
    for cell, points in graded_class["cells"].items():
        assert scores[cell] == (points if full else 0), cell


@pytest.mark.parametrize("mistake", _mistakes(), ids=lambda m: f"{m.question}-{m.id}")
def test_mistake_costs_its_question_and_is_named(graded_class, mistake):
    student = graded_class["students"][f"mistake-{mistake.question}-{mistake.id}"]
    scores = graded_class["scores"][student]
    lost = {c for c, p in graded_class["cells"].items() if scores[c] != p}
    assert lost == {f"{mistake.question}-test"}
    assert scores[f"{mistake.question}-test"] == 0
    course = graded_class["course"]
    feedback = course.dir("feedback") / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    text = html.unescape(feedback.read_text())
    assert mistake.message in text
    assert "BEGIN HIDDEN TESTS" not in text and "grading.keys" not in text
