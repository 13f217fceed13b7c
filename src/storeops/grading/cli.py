"""Subcommands ``release``, ``grade`` and ``demo-class`` of the ``storeops`` command."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from storeops.errors import StoreOpsError


def _course(args):
    from storeops.grading.course import Course

    return Course.find(args.course)


def _add_course(p) -> None:
    p.add_argument(
        "--course",
        metavar="DIR",
        help="nbgrader course folder (default: $STOREOPS_COURSE_DIR or the repo's grader/)",
    )


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "release",
        help="generate the student release with nbgrader and verify nothing leaks",
        description="Run nbgrader generate_assignment, then fail loudly if the release holds "
        "solution code, hidden tests, plain-text answers or instructor-only files.",
    )
    p.add_argument("assignment", nargs="?", help="assignment name (folder in chapters/)")
    p.add_argument("--all", action="store_true", help="every assignment")
    _add_course(p)
    p.set_defaults(func=run_release)

    p = subparsers.add_parser(
        "grade",
        help="autograde a whole class in parallel, then feedback, grades CSV and report",
        description="Collect submitted/ (and an LMS zip), autograde every submission in "
        "parallel with nbgrader, generate feedback, export grades.csv and write the report.",
    )
    p.add_argument("assignment")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument("--student", metavar="ID", help="grade only this student")
    p.add_argument("--zip", metavar="FILE", type=Path, help="import an LMS zip of downloads first")
    p.add_argument("--force", action="store_true", help="regrade up-to-date submissions too")
    p.add_argument("--no-report", action="store_true", help="skip the HTML report")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_course(p)
    p.set_defaults(func=run_grade)

    p = subparsers.add_parser(
        "demo-class",
        help="make a realistic demo class of submissions (correct, mistakes, blank, partial, broken)",
    )
    p.add_argument("assignment")
    p.add_argument("--students", type=int, default=20, metavar="N")
    p.add_argument("--lms-zip", type=Path, metavar="FILE", help="write an LMS-style zip instead")
    _add_course(p)
    p.set_defaults(func=run_demo)


def run_release(args: argparse.Namespace) -> int:
    from storeops.grading.release import release

    course = _course(args)
    if args.all == bool(args.assignment):
        raise StoreOpsError("give one ASSIGNMENT or --all")
    names = course.assignments() if args.all else [args.assignment]
    for name in names:
        out = release(course, name)
        print(f"released {name} -> {out} (verified: no solutions, hidden tests or answers)")
    return 0


def run_grade(args: argparse.Namespace) -> int:
    from storeops.grading.pipeline import grade_class

    if args.workers is not None and args.workers < 1:
        raise StoreOpsError("--workers must be at least 1")
    summary = grade_class(
        _course(args),
        args.assignment,
        workers=args.workers,
        student=args.student,
        archive=args.zip,
        force=args.force,
        progress=not args.quiet,
        report=not args.no_report,
    )
    done = [o for o in summary.outcomes if not o.skipped]
    skipped = len(summary.outcomes) - len(done)
    print(
        f"graded {len(done)} submissions of {args.assignment} in {summary.seconds:.1f} s"
        + (f" ({skipped} already up to date)" if skipped else "")
        + f"; grades: {summary.csv}"
        + (f"; report: {summary.report}" if summary.report else "")
    )
    for o in summary.failed:
        print(f"  FAILED {o.student}: {o.error}")
    return 1 if summary.failed else 0


def run_demo(args: argparse.Namespace) -> int:
    from storeops.grading.demo import make_class

    if args.students < 1:
        raise StoreOpsError("--students must be at least 1")
    course = _course(args)
    ids = make_class(course, args.assignment, args.students, lms_zip=args.lms_zip)
    where = args.lms_zip or os.path.join(course.root, "submitted")
    print(f"wrote {len(ids)} demo submissions of {args.assignment} to {where}")
    return 0
