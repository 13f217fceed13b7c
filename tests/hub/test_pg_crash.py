"""A class run on a PostgreSQL gradebook killed by SIGKILL
half-way, run again, finishes with a consistent gradebook: one submission and one
grade per cell for each student, every student fully graded, nothing lost
(the SQLite version is tests/adversarial/test_crash.py)."""

from __future__ import annotations

import os

import adversarial_corpus as corpus
import pytest

pytestmark = pytest.mark.slow

N = 8


@pytest.fixture(scope="module")
def crashed_and_rerun(tmp_path_factory, pg_template):
    from storeops.grading.course import Course
    from storeops.grading.pipeline import grade_class
    from storeops.hub.postgres import course_database, drop_database
    from storeops.sandbox import check_class, snapshot

    saved = os.environ.get("STOREOPS_GRADEBOOK_URL")
    os.environ["STOREOPS_GRADEBOOK_URL"] = pg_template
    course = corpus.make_course(tmp_path_factory.mktemp("pgcrash"))
    db_url = course_database(pg_template, course)
    try:
        assert Course(course).config().CourseDirectory.db_url == db_url
        corpus.require_sandbox(course)
        corpus.release(course)
        corpus.submit_slow_class(course, N)
        before = snapshot(course / "submitted")
        killed_at = corpus.grade_and_kill_half_way(course, N)
        after_kill = check_class(course, corpus.ASSIGNMENT, db_url)
        with corpus.limits_env():
            grade_class(Course(course), corpus.ASSIGNMENT, workers=2, progress=False, report=False)
        yield {
            "course": course,
            "db_url": db_url,
            "killed_at": killed_at,
            "after_kill": after_kill,
            "before": before,
            "state": check_class(course, corpus.ASSIGNMENT, db_url),
        }
    finally:
        if saved is None:
            os.environ.pop("STOREOPS_GRADEBOOK_URL", None)
        else:
            os.environ["STOREOPS_GRADEBOOK_URL"] = saved
        drop_database(db_url)


def test_killed_half_way(crashed_and_rerun):
    assert 0 < crashed_and_rerun["killed_at"] < N, "the kill happened mid-class"
    assert len(crashed_and_rerun["after_kill"].complete) < N


def test_rerun_finishes_the_class_consistently(crashed_and_rerun):
    state = crashed_and_rerun["state"]
    assert state.duplicates == []
    assert state.stale == {}
    assert sorted(state.complete) == [f"s{i:02d}" for i in range(N)]


def test_every_student_has_exactly_one_full_grade_in_postgresql(crashed_and_rerun):
    from nbgrader.api import Gradebook
    from sqlalchemy import create_engine, text

    db_url = crashed_and_rerun["db_url"]
    assert db_url.startswith("postgresql+psycopg://")
    with Gradebook(db_url) as gb:
        subs = gb.assignment_submissions(corpus.ASSIGNMENT)
        assert sorted(s.student.id for s in subs) == [f"s{i:02d}" for i in range(N)]
        assert all(s.score == corpus.FULL for s in subs)
    engine = create_engine(db_url)
    try:
        with engine.connect() as con:
            per_cell = con.execute(
                text("SELECT COUNT(*), COUNT(DISTINCT (notebook_id, cell_id)) FROM grade")
            ).one()
    finally:
        engine.dispose()
    assert per_cell[0] == per_cell[1] > 0


def test_nothing_lost(crashed_and_rerun):
    from storeops.sandbox import compare, snapshot

    course = crashed_and_rerun["course"]
    assert compare(crashed_and_rerun["before"], snapshot(course / "submitted")) == []
    assert corpus.feedback_count(course) == N
