"""A class run killed by SIGKILL half-way, run again, finishes the class
with a consistent gradebook (no duplicated or half-written rows) and nothing lost; the
gradebook is backed up before each run and the backup restores."""

from __future__ import annotations

import adversarial_corpus as corpus
import pytest
from adversarial_corpus import require_sandbox

pytestmark = pytest.mark.slow

N = 10


@pytest.fixture(scope="module")
def crashed_and_rerun(tmp_path_factory):
    from storeops.grading.course import Course
    from storeops.grading.pipeline import grade_class
    from storeops.sandbox import check_class, snapshot

    course = corpus.make_course(tmp_path_factory.mktemp("crash"))
    require_sandbox(course)
    corpus.release(course)
    corpus.submit_slow_class(course, N)
    before = snapshot(course / "submitted")
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    killed_at = corpus.grade_and_kill_half_way(course, N)
    after_kill = check_class(course, corpus.ASSIGNMENT, db_url)

    with corpus.limits_env():
        summary = grade_class(
            Course(course), corpus.ASSIGNMENT, workers=2, progress=False, report=False
        )
    return {
        "course": course,
        "db_url": db_url,
        "killed_at": killed_at,
        "after_kill": after_kill,
        "summary": summary,
        "before": before,
        "state": check_class(course, corpus.ASSIGNMENT, db_url),
    }


def test_killed_half_way(crashed_and_rerun):
    assert 0 < crashed_and_rerun["killed_at"] < N, "the kill happened mid-class"
    assert len(crashed_and_rerun["after_kill"].complete) < N


def test_rerun_finishes_the_class_consistently(crashed_and_rerun):
    state = crashed_and_rerun["state"]
    assert state.integrity == "ok"
    assert state.duplicates == []
    assert state.stale == {}
    assert sorted(state.complete) == [f"s{i:02d}" for i in range(N)]


def test_every_student_has_exactly_one_full_grade(crashed_and_rerun):
    import sqlite3

    from nbgrader.api import Gradebook

    with Gradebook(crashed_and_rerun["db_url"]) as gb:
        subs = gb.assignment_submissions(corpus.ASSIGNMENT)
        assert sorted(s.student.id for s in subs) == [f"s{i:02d}" for i in range(N)]
        assert all(s.score == corpus.FULL for s in subs)
    db = crashed_and_rerun["course"] / "gradebook.db"
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT notebook_id, cell_id, COUNT(*) FROM grade GROUP BY notebook_id, cell_id "
        "HAVING COUNT(*) > 1"
    ).fetchall()
    con.close()
    assert rows == []


def test_nothing_lost(crashed_and_rerun):
    from storeops.sandbox import compare, snapshot

    course = crashed_and_rerun["course"]
    assert compare(crashed_and_rerun["before"], snapshot(course / "submitted")) == []
    assert corpus.feedback_count(course) == N


def test_each_run_backs_up_the_gradebook_and_the_backup_restores(crashed_and_rerun, tmp_path):
    import sqlite3

    from nbgrader.api import Gradebook

    from storeops.sandbox import backup_gradebook, restore_gradebook

    course, db_url = crashed_and_rerun["course"], crashed_and_rerun["db_url"]
    backups = sorted((course / "backups").glob("gradebook-*.db"))
    assert len(backups) >= 2, "one backup per run"
    for b in backups:
        con = sqlite3.connect(b)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    assert crashed_and_rerun["summary"].backup in backups

    saved = backup_gradebook(db_url, tmp_path)
    with Gradebook(db_url) as gb:
        gb.remove_submission(corpus.ASSIGNMENT, "s00")
        assert len(gb.assignment_submissions(corpus.ASSIGNMENT)) == N - 1
    restore_gradebook(saved, db_url)
    with Gradebook(db_url) as gb:
        assert gb.find_submission(corpus.ASSIGNMENT, "s00").score == corpus.FULL
        assert len(gb.assignment_submissions(corpus.ASSIGNMENT)) == N


def test_a_gradebook_left_mid_write_is_checked_not_refused(tmp_path):
    """A grader killed inside a write leaves a hot journal; the check rolls it back and reads
    the committed gradebook (a read-only connection cannot, and refused the whole check)."""
    import sqlite3
    import subprocess
    import sys

    from storeops.sandbox import check_class

    db = tmp_path / "gradebook.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x INTEGER)")
    con.executemany("INSERT INTO t VALUES (?)", [(1,)] * 5000)
    con.commit()
    con.close()
    writer = (
        "import os, sqlite3, sys; con = sqlite3.connect(sys.argv[1]); "
        "con.execute('PRAGMA cache_size=1'); con.execute('BEGIN IMMEDIATE'); "
        "con.executemany('INSERT INTO t VALUES (?)', [(i,) for i in range(20000)]); "
        "con.execute('UPDATE t SET x = x + 10'); os._exit(9)"
    )
    subprocess.run([sys.executable, "-c", writer, str(db)], check=False)
    assert (tmp_path / "gradebook.db-journal").exists()  # the killed writer's hot journal
    state = check_class(tmp_path, "drill", f"sqlite:///{db}")
    assert state.integrity == "ok"
    assert sqlite3.connect(db).execute("SELECT DISTINCT x FROM t").fetchall() == [(1,)]
