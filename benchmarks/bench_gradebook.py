"""Grading a class with the gradebook on SQLite vs PostgreSQL.

The same demo class (``--students`` submissions of ``--assignment``), graded by
``grade_class`` with ``--workers`` workers, once per gradebook, each in its own scratch
copy of the course. PostgreSQL is a throw-away server started here (storeops.hub.postgres,
127.0.0.1:15435) and stopped afterwards. Prints seconds and seconds per submission.

    .venv/bin/python benchmarks/bench_gradebook.py [--students 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path


def _grade(tmp: Path, name: str, url: str | None, assignment: str, students: int, workers: int):
    from storeops.grading.course import copy_course
    from storeops.grading.demo import make_class
    from storeops.grading.pipeline import grade_class
    from storeops.grading.release import release

    if url:
        os.environ["STOREOPS_GRADEBOOK_URL"] = url
    else:
        os.environ.pop("STOREOPS_GRADEBOOK_URL", None)
    course = copy_course(tmp / name, assignments=[assignment])
    release(course, assignment)
    make_class(course, assignment, students)
    t0 = time.perf_counter()
    summary = grade_class(course, assignment, workers=workers, progress=False, report=False)
    seconds = time.perf_counter() - t0
    graded = len([o for o in summary.outcomes if not o.skipped])
    return seconds, graded


def main() -> None:
    from storeops.hub import postgres

    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--assignment", default="orientation")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-gradebook-"))
    pgdir = Path(tempfile.mkdtemp(prefix="storeops-bench-pg-"))  # postgres must enter it
    try:
        url = postgres.start(pgdir, port=15435)
        for name, db in (("sqlite", None), ("postgresql", url)):
            seconds, n = _grade(tmp, name, db, a.assignment, a.students, a.workers)
            print(
                f"{name:10s} {n} submissions, {a.workers} workers: {seconds:6.1f} s, {seconds / n:.2f} s each"
            )
    finally:
        postgres.stop(pgdir)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(pgdir, ignore_errors=True)


if __name__ == "__main__":
    main()
