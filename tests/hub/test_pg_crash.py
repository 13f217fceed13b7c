"""Issue 18, requirement 3: a class run on a PostgreSQL gradebook killed by SIGKILL
half-way, run again, finishes with a consistent gradebook: one submission and one
grade per cell for each student, every student fully graded, nothing lost
(the SQLite version is tests/adversarial/test_crash.py)."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time

import adversarial_corpus as corpus
import pytest

pytestmark = pytest.mark.slow

N = 8
SLOW_Q3 = "import time\ntime.sleep(1)\nn_items = len(data)"
RUN = (
    "import sys\n"
    "from pathlib import Path\n"
    "from storeops.grading.course import Course\n"
    "from storeops.grading.pipeline import grade_class\n"
    "if __name__ == '__main__':\n"
    "    grade_class(Course(Path(sys.argv[1])), 'drill', workers=2, progress=False, report=False)\n"
)


def _feedback_count(course) -> int:
    return len(list((course / "feedback").glob(f"*/{corpus.ASSIGNMENT}/*.html")))


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
        rel = json.loads((course / "release" / corpus.ASSIGNMENT / corpus.NOTEBOOK).read_text())
        src = json.loads((course / "source" / corpus.ASSIGNMENT / corpus.NOTEBOOK).read_text())
        good = corpus.set_answer(corpus.solved(rel, src), "q3-answer", SLOW_Q3)
        for i in range(N):
            folder = course / "submitted" / f"s{i:02d}" / corpus.ASSIGNMENT
            corpus.write_nb(folder, copy.deepcopy(good))
            (folder / "timestamp.txt").write_text(corpus.TIMESTAMP)
        before = snapshot(course / "submitted")
        script = course.parent / "run.py"
        script.write_text(RUN)
        with corpus.limits_env():
            proc = subprocess.Popen(
                [sys.executable, str(script), str(course)],
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 300
        while _feedback_count(course) < N // 2 and proc.poll() is None:
            assert time.monotonic() < deadline, "the first run never got half-way"
            time.sleep(0.1)
        killed_at = _feedback_count(course)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
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
    assert _feedback_count(course) == N
