"""Grading throughput: `storeops grade` vs plain sequential `nbgrader autograde`, side by side.

One run, same machine, same 40 demo submissions, each pipeline in its own scratch
copy of the course (own gradebook):

1. bare cost: execute the 40 notebooks as autograde does (hidden tests restored)
   with nbclient, one after the other, in-process: kernel start + run, nothing else;
2. plain nbgrader: one `nbgrader autograde ASSIGNMENT` process, sequential;
3. `storeops grade ASSIGNMENT --workers W` (autograde + feedback + CSV + report).

Prints seconds, seconds per submission, the speed-up over plain nbgrader (target:
>= 1.8x on 2 cores) and the pipeline's time over bare/W (target: <= 1.3).

    .venv/bin/python benchmarks/bench_grading.py [--students 40] [--workers N] [--assignment orientation]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("STOREOPS_COURSE_SEED", None)
    return env


def _course(tmp: Path, name: str, assignment: str, students: int):
    from storeops.grading.course import copy_course
    from storeops.grading.demo import make_class
    from storeops.grading.release import release

    course = copy_course(tmp / name, assignments=[assignment])
    release(course, assignment)
    make_class(course, assignment, students)
    return course


# The kernel environment of a grading kernel: hidden tests only export the student's
# answers (the grader computes the keys), and the kernel has no path to the sources.
GRADING_KERNEL_ENV = {"STOREOPS_GRADING_KERNEL": "1"}
NOT_IN_GRADING_KERNEL = ("STOREOPS_SOURCE_DIR",)


def bare_execution(course, assignment: str) -> float:
    """nbclient on each autograded notebook (hidden tests in place), sequentially, with
    the kernel environment of a grading kernel: exactly the kernel work autograde does."""
    import nbformat
    from nbclient import NotebookClient

    saved = dict(os.environ)
    os.environ.update(course.kernel_env())
    os.environ.update(GRADING_KERNEL_ENV)
    for key in NOT_IN_GRADING_KERNEL:
        os.environ.pop(key, None)
    notebooks = sorted((course.dir("autograded")).glob(f"*/{assignment}/*.ipynb"))
    try:
        start = time.perf_counter()
        for path in notebooks:
            nb = nbformat.read(path, as_version=4)
            os.environ["STOREOPS_STUDENT"] = path.parent.parent.name
            NotebookClient(
                nb,
                timeout=60,
                kernel_name="python3",
                allow_errors=True,
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
        return time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True)
    took = time.perf_counter() - start
    if run.returncode not in (0, 1):  # 1: some demo submissions are broken on purpose
        sys.exit(f"{' '.join(cmd)} failed:\n{run.stderr[-3000:]}")
    return took


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--assignment", default="orientation")
    p.add_argument("--keep", action="store_true", help="keep the scratch courses")
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        plain = _course(tmp, "plain", args.assignment, args.students)
        ours = _course(tmp, "storeops", args.assignment, args.students)
        n = args.students
        print(
            f"{n} demo submissions of {args.assignment}, {os.cpu_count()} cores, "
            f"{args.workers} workers; scratch: {tmp}"
        )
        print(f"load average (1, 5, 15 min) at the start: {_load()}", flush=True)

        t_plain = timed(
            [str(BIN / "nbgrader"), "autograde", args.assignment, "--force"], plain.root
        )
        t_ours = timed(
            [
                str(BIN / "storeops"),
                "grade",
                args.assignment,
                "--workers",
                str(args.workers),
                "--quiet",
                "--force",
                "--course",
                str(ours.root),
            ],
            ours.root,
        )
        t_bare = bare_execution(plain, args.assignment)

        print(
            f"load average (1, 5, 15 min) at the end: {_load()} (other work distorts the figures)"
        )
        print(f"bare nbclient execution : {t_bare:7.1f} s  ({t_bare / n:.2f} s/notebook)")
        print(
            f"plain nbgrader autograde: {t_plain:7.1f} s  ({t_plain / n:.2f} s/submission, "
            "sequential, no feedback)"
        )
        print(
            f"storeops grade          : {t_ours:7.1f} s  ({t_ours / n:.2f} s/submission, "
            "autograde + feedback + CSV + report)"
        )
        print(f"speed-up over plain nbgrader: {t_plain / t_ours:.2f}x (target >= 1.8x on 2 cores)")
        print(
            f"storeops grade / (bare / {args.workers} workers): "
            f"{t_ours / (t_bare / args.workers):.2f} (target <= 1.3)"
        )
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
