"""`storeops data`: write the default store, a student's store or a whole class's stores."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from storeops.errors import StoreOpsError


def register(subparsers) -> None:
    """Add the `data` subcommand."""
    p = subparsers.add_parser(
        "data",
        help="generate the simulated store's data (CSV + Parquet + MANIFEST)",
        description="Generate the simulated store and write it as CSV and Parquet with a MANIFEST.",
    )
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: the repository's datasets/)"
    )
    p.add_argument("--seed", metavar="INT", help="store seed (default: the course default seed)")
    p.add_argument(
        "--start", metavar="DATE", default="2025-01-01", help="first day (default 2025-01-01)"
    )
    p.add_argument("--days", metavar="N", default="365", help="number of days (default 365)")
    p.add_argument("--scale", metavar="X", default="1", help="volume scale factor (default 1)")
    p.add_argument("--channels", metavar="LIST", help="comma-separated channels (default: all)")
    p.add_argument(
        "--student",
        metavar="ID",
        help="write this student's store (needs --course-seed or $STOREOPS_COURSE_SEED)",
    )
    p.add_argument("--course-seed", metavar="INT", help="course seed for per-student stores")
    p.add_argument(
        "--students",
        metavar="FILE|N",
        help="write one store per student: a file of ids (one per line) or a number N",
    )
    p.add_argument(
        "--format",
        metavar="LIST",
        default="csv,parquet",
        help="csv, parquet or both (default csv,parquet)",
    )
    p.add_argument(
        "--no-truth", action="store_true", help="do not write the instructor-only truth.json"
    )
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing if the folder already holds this store",
    )
    p.add_argument("--jobs", metavar="N", help="processes for --students (default: number of CPUs)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=run)


def _int(value: str | None, what: str) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise StoreOpsError(f"{what} must be an integer, got {value!r}") from None


def _float(value: str, what: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise StoreOpsError(f"{what} must be a number, got {value!r}") from None


def _students(spec: str) -> list[str]:
    p = Path(spec)
    if p.is_file():
        ids = []
        for line in p.read_text().splitlines():
            cell = line.split(",")[0].strip()
            if (
                cell
                and not cell.startswith("#")
                and cell.lower() not in ("id", "student", "student_id")
            ):
                ids.append(cell)
        if not ids:
            raise StoreOpsError(f"no student ids in {spec}")
        return ids
    n = _int(spec, "--students (a file of ids or a number)")
    if n is None or n < 1:
        raise StoreOpsError(f"--students must be a file of ids or a positive number, got {spec!r}")
    return [f"student{i:03d}" for i in range(1, n + 1)]


def _one_store(
    seed, folder, extra, start, days, scale, channels, formats, truth, if_missing
) -> str:
    """Generate and write one store (in a worker process for --students); what was done."""
    from storeops.data import manifest_matches, write_store
    from storeops.sim import generate

    meta = dict(start=str(start), days=days, scale=scale)
    if if_missing and manifest_matches(folder, seed, formats=formats, **meta):
        return "up to date"
    store = generate(seed=seed, start=start, days=days, scale=scale, channels=channels)
    write_store(store, folder, formats=formats, include_truth=truth, extra_meta=extra)
    return f"{len(store.orders):,} orders"


def run(args: argparse.Namespace) -> int:
    """Run `storeops data`; returns the exit code."""
    from storeops.data import find_datasets_dir, student_seed
    from storeops.sim import DEFAULT_SEED
    from storeops.sim.generate import check_args

    days = _int(args.days, "--days")
    scale = _float(args.scale, "--scale")
    seed = _int(args.seed, "--seed")
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    if not formats or any(f not in ("csv", "parquet") for f in formats):
        raise StoreOpsError(f"--format must be csv, parquet or csv,parquet, got {args.format!r}")
    course = _int(args.course_seed, "--course-seed")
    if course is None and os.environ.get("STOREOPS_COURSE_SEED", "").strip():
        course = _int(os.environ["STOREOPS_COURSE_SEED"], "STOREOPS_COURSE_SEED")
    if args.student and args.students:
        raise StoreOpsError("use either --student or --students, not both")
    if (args.student or args.students) and seed is not None:
        raise StoreOpsError(
            "--seed and --student/--students exclude each other (student seeds derive from --course-seed)"
        )
    if (args.student or args.students) and course is None:
        raise StoreOpsError("per-student stores need --course-seed or $STOREOPS_COURSE_SEED")
    # validate everything before writing anything
    _, start, days, scale, channels = check_args(
        seed if seed is not None else DEFAULT_SEED, args.start, days, scale, args.channels
    )
    if args.out:
        out = Path(args.out)
    else:
        ds = find_datasets_dir()
        if ds is None:
            raise StoreOpsError(
                "no datasets/ folder found (not inside the repository); pass --out DIR"
            )
        out = ds / "students" if (args.student or args.students) else ds
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a))
    settings = (start, days, scale, channels, formats, not args.no_truth, args.if_missing)

    def one(s: int, folder: Path, extra: dict | None = None) -> str:
        return _one_store(s, folder, extra, *settings)

    if args.students:
        from tqdm import tqdm

        ids = _students(args.students)
        jobs = _int(args.jobs, "--jobs") if args.jobs is not None else (os.cpu_count() or 1)
        if jobs < 1:
            raise StoreOpsError(f"--jobs must be at least 1, got {jobs}")
        bar = tqdm(
            total=len(ids), desc="student stores", unit="store", file=sys.stderr, disable=args.quiet
        )
        tasks = [(student_seed(course, sid), out / sid, dict(student=sid)) for sid in ids]
        if jobs == 1 or len(ids) == 1:
            for t in tasks:
                one(*t)
                bar.update()
        else:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            with ProcessPoolExecutor(max_workers=min(jobs, len(ids))) as pool:
                for f in as_completed([pool.submit(_one_store, *t, *settings) for t in tasks]):
                    f.result()
                    bar.update()
        bar.close()
        say(f"wrote {len(ids)} student stores to {out}")
        return 0
    if args.student:
        s = student_seed(course, args.student)
        folder = out / args.student if not args.out else out
        say(f"{folder}: {one(s, folder, dict(student=args.student))} (seed {s})")
        return 0
    s = seed if seed is not None else DEFAULT_SEED
    say(f"{out}: {one(s, out)} (seed {s})")
    return 0
