"""A class run killed by SIGKILL half-way, run again, finishes the class
with a consistent gradebook (no duplicated or half-written rows) and nothing lost; the
gradebook is backed up before each run and the backup restores."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import adversarial_corpus as corpus
import pytest
from adversarial_corpus import require_sandbox

pytestmark = pytest.mark.slow

N = 10
SLOW_Q3 = "import time\ntime.sleep(1)\nn_items = len(data)"
RUN = (
    "import sys\n"
    "from pathlib import Path\n"
    "from storeops.grading.course import Course\n"
    "from storeops.grading.pipeline import grade_class\n"
    "if __name__ == '__main__':\n"
    "    grade_class(Course(Path(sys.argv[1])), 'drill', workers=2, progress=False, report=False)\n"
)


def _feedback_count(course: Path) -> int:
    return len(list((course / "feedback").glob(f"*/{corpus.ASSIGNMENT}/*.html")))


@pytest.fixture(scope="module")
def crashed_and_rerun(tmp_path_factory):
    from storeops.grading.course import Course
    from storeops.grading.pipeline import grade_class
    from storeops.sandbox import check_class, snapshot

    course = corpus.make_course(tmp_path_factory.mktemp("crash"))
    require_sandbox(course)
    corpus.release(course)
    rel = json.loads((course / "release" / corpus.ASSIGNMENT / corpus.NOTEBOOK).read_text())
    src = json.loads((course / "source" / corpus.ASSIGNMENT / corpus.NOTEBOOK).read_text())
    good = corpus.set_answer(corpus.solved(rel, src), "q3-answer", SLOW_Q3)
    for i in range(N):
        folder = course / "submitted" / f"s{i:02d}" / corpus.ASSIGNMENT
        corpus.write_nb(folder, copy.deepcopy(good))
        (folder / "timestamp.txt").write_text(corpus.TIMESTAMP)
    before = snapshot(course / "submitted")
    db_url = f"sqlite:///{course / 'gradebook.db'}"

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
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes, mid-flight
    except ProcessLookupError:
        pass  # it ended first: test_killed_half_way says so
    proc.wait()
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
    assert _feedback_count(course) == N


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
