"""``storeops grade``: collect, autograde in parallel, feedback, grades CSV, report.

Each worker process imports nbgrader once and then grades many students through
nbgrader's own API (``NbGraderAPI.autograde`` and ``generate_feedback``), one at
a time, so the class never has to be in memory at once. :func:`grade_submission`
is the one place a submission is executed: hardening (limits, sandboxing) goes there.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from storeops import sandbox
from storeops.errors import StoreOpsError
from storeops.grading.course import Course


@dataclass(frozen=True)
class Task:
    """One student's submission of one assignment."""

    course_root: str
    assignment: str
    student: str


@dataclass
class Outcome:
    student: str
    ok: bool
    seconds: float
    skipped: bool = False
    error: str = ""
    feedback: bool = False
    problems: list[dict] = field(default_factory=list)  # pre-flight, sandbox, not graded


@dataclass
class Summary:
    assignment: str
    outcomes: list[Outcome] = field(default_factory=list)
    csv: Path | None = None
    report: Path | None = None
    seconds: float = 0.0
    backup: Path | None = None  # gradebook copy taken before this run
    repaired: dict[str, str] = field(default_factory=dict)  # regraded after a killed run
    modified: list[str] = field(default_factory=list)  # submitted files changed (must be [])

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


# -- worker side -------------------------------------------------------------------------
_API = None
_API_ROOT = None  # the course _API grades
_REMAINING = None  # shared count of submissions no worker has started yet
_FINALIZE = None

# What storeops grade changes in nbgrader's execution (plain nbgrader autograde keeps
# nbgrader's defaults): the kernel is killed when its notebook is done rather than
# asked to shut down (the sandbox kills every process of its uid right after anyway).
EXECUTE_OVERRIDES = {"shutdown_kernel": "immediate"}


def _worker_init(course_root: str, remaining=None) -> None:
    """Import nbgrader and load the course config once per grading process; with
    ``remaining`` (several submissions to grade here), pre-start kernels."""
    global _API, _API_ROOT, _REMAINING
    import warnings

    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy autoflush notices
    _skip_unused_imports()
    os.environ[sandbox.EVENTS_ENV] = str(_events_dir(Path(course_root)))
    from storeops.grading.feedback_html import FeedbackHTMLExporter

    _API = Course(Path(course_root)).api(
        Execute=EXECUTE_OVERRIDES, GenerateFeedback={"exporter_class": FeedbackHTMLExporter}
    )
    _API_ROOT = course_root
    if remaining is not None:
        _REMAINING = remaining
        _start_prestarting(course_root)


def _skip_unused_imports() -> None:
    """nbformat imports jsonschema, which imports ``rfc3987_syntax`` when it is installed
    (here: a dependency of jupyter-events) and that compiles an IRI grammar on import:
    about 1 s of CPU in every grading process, for the "iri" string format, which no
    notebook schema uses. It is optional for jsonschema (imported under
    ``suppress(ImportError)``): hide it, unless jsonschema is already loaded."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _start_prestarting(course_root: str) -> None:
    """Pre-started kernels (sandbox/prestart.py) in this process, killed when it ends;
    the first one boots now, while the main process prepares the class."""
    import signal
    from multiprocessing import util

    from storeops.sandbox import prestart
    from storeops.sandbox.execute import SandboxedExecute

    global _FINALIZE
    prestart.enable(_REMAINING)
    if _FINALIZE is None:
        _FINALIZE = util.Finalize(None, prestart.disable, kwargs={"hard": True}, exitpriority=50)
    if mp.parent_process() is not None:  # a pool worker: Pool.terminate() sends SIGTERM

        def _terminate(signum, frame):
            prestart.disable(hard=True)
            os._exit(1)

        signal.signal(signal.SIGTERM, _terminate)
    prestart.spawn(SandboxedExecute(config=_API.config), [str(Path(course_root) / "autograded")])


def _started_one() -> None:
    if _REMAINING is not None:
        with _REMAINING.get_lock():
            _REMAINING.value -= 1


def _events_dir(course_root: Path) -> Path:
    return course_root / "reports" / "sandbox"


def _sandbox_problems(task: Task) -> list[dict]:
    """What the sandbox saw while this submission ran (timeouts, crashes, tampering)."""
    out = []
    events = sandbox.read_events(_events_dir(Path(task.course_root)), task.assignment, task.student)
    for notebook, data in events.items():
        for e in data.get("events", []):
            severity = "review" if e["kind"] == "tampering" else "warning"
            out.append(
                {
                    "student": task.student,
                    "notebook": f"{notebook}.ipynb",
                    "severity": severity,
                    "code": e["kind"],
                    "message": e["message"],
                }
            )
    return out


def grade_submission(task: Task) -> Outcome:
    """Autograde one submission and generate its feedback with nbgrader's API.

    Runs in a worker process; never raises: a broken submission is an Outcome
    with ``ok=False`` and the reason, and the rest of the class goes on.
    """
    if _API is None or _API_ROOT != task.course_root:
        _worker_init(task.course_root)
    _started_one()
    start = time.perf_counter()
    root = Path(task.course_root)
    problems = sandbox.preflight(
        root / "submitted" / task.student / task.assignment,
        root / "release" / task.assignment,
        task.student,
    )
    found = [p.as_dict() for p in problems]
    fatal = sandbox.fatal(problems)

    def outcome(ok: bool, **fields) -> Outcome:
        done = _with(found, task, Outcome(task.student, ok, time.perf_counter() - start, **fields))
        return done if ok else _failed(done)

    if fatal:  # not gradable as submitted: a clear error instead of nbgrader's traceback
        return Outcome(
            task.student,
            False,
            time.perf_counter() - start,
            error="; ".join(str(p) for p in fatal),
            problems=found,
        )
    shutil.rmtree(_events_dir(root) / task.assignment / task.student, ignore_errors=True)
    os.environ["STOREOPS_STUDENT"] = task.student  # the kernel loads this student's store
    try:
        result = _API.autograde(task.assignment, task.student, force=True, create=True)
        if not result.get("success") and "database is locked" in (result.get("error") or ""):
            time.sleep(0.5)
            result = _API.autograde(task.assignment, task.student, force=True, create=True)
        if result.get("success") and _timed_out(task):
            # ipykernel 7 kernels occasionally stop replying: the cell was interrupted at the
            # timeout, so grade once more rather than cost the student those points.
            result = _API.autograde(task.assignment, task.student, force=True, create=True)
        if not result.get("success"):
            return outcome(False, error=_last_line(result.get("error") or result.get("log") or ""))
        fb = _API.generate_feedback(task.assignment, task.student, force=True)
        return outcome(
            True,
            feedback=bool(fb.get("success")),
            error="" if fb.get("success") else "feedback: " + _last_line(fb.get("error") or ""),
        )
    except Exception as exc:  # noqa: BLE001 - one bad submission must not stop the class
        return outcome(False, error=f"{type(exc).__name__}: {exc}")
    finally:
        os.environ.pop("STOREOPS_STUDENT", None)


def _timed_out(task: Task) -> bool:
    """Did a cell of this autograded submission hit the execution timeout?"""
    folder = Path(task.course_root) / "autograded" / task.student / task.assignment
    for path in folder.glob("*.ipynb"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if '"ename": "CellTimeoutError"' in text or '"ename": "KeyboardInterrupt"' in text:
            return True
    return False


def _with(found: list[dict], task: Task, outcome: Outcome) -> Outcome:
    outcome.problems = found + _sandbox_problems(task)
    return outcome


def _failed(outcome: Outcome) -> Outcome:
    """An ungraded submission names its reason as an error among its problems (once), so the
    instructor's problem list shows it even when the sandbox saw only warnings (a kernel whose
    builtins a student broke can garble its replies, and nbgrader gives up)."""
    if not any(p["severity"] == "error" for p in outcome.problems):
        outcome.problems = [
            *outcome.problems,
            {
                "student": outcome.student,
                "notebook": "",
                "severity": "error",
                "code": "grading-failed",
                "message": outcome.error,
            },
        ]
    return outcome


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "unknown error"


# -- instructor side ---------------------------------------------------------------------
def collect_zip(course: Course, assignment: str, archive: Path) -> list[str]:
    """Import an LMS download (zip of notebooks) into submitted/ with nbgrader's zip collect."""
    from nbgrader.apps.zipcollectapp import ZipCollectApp
    from nbgrader.coursedir import CourseDirectory

    if not archive.is_file():
        raise StoreOpsError(f"no such archive: {archive}")
    before = set(submitted_students(course, assignment))
    target = course.dir("downloaded") / assignment / "archive"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(archive, target / archive.name)
    config = course.config()
    config.CourseDirectory.assignment_id = assignment
    app = ZipCollectApp(config=config)
    app.coursedir = CourseDirectory(config=config)
    app.force = True
    app.init_plugins()
    app.extract_archive_files()
    app.process_extracted_files()
    return sorted(set(submitted_students(course, assignment)) - before)


def submitted_students(course: Course, assignment: str) -> list[str]:
    root = course.dir("submitted")
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir() if (p / assignment).is_dir() and not p.name.startswith(".")
    )


def _up_to_date(course: Course, assignment: str, student: str, graded: set[str]) -> bool:
    """Already autograded from this very submission (same timestamp) and in the gradebook."""
    sub = course.dir("submitted") / student / assignment / "timestamp.txt"
    out = course.dir("autograded") / student / assignment / "timestamp.txt"
    fb = course.dir("feedback") / student / assignment
    return (
        student in graded
        and sub.exists()
        and out.exists()
        and fb.is_dir()
        and sub.read_text().strip() == out.read_text().strip()
        and out.stat().st_mtime >= _source_mtime(course, assignment)
    )


def _source_mtime(course: Course, assignment: str) -> float:
    """Latest change to the assignment's sources (a changed test means regrading)."""
    files = [p for p in (course.source_dir / assignment).iterdir() if p.is_file()]
    return max((p.stat().st_mtime for p in files), default=0.0)


def _ensure_assignment(course: Course, assignment: str) -> None:
    """The gradebook must know the assignment's cells: generate the release if it doesn't."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.config().CourseDirectory.db_url) as gb:
        try:
            gb.find_assignment(assignment)
            released = list((course.dir("release") / assignment).glob("*.ipynb"))
            if released and min(p.stat().st_mtime for p in released) >= _source_mtime(
                course, assignment
            ):
                return
        except MissingEntry:
            pass
    from storeops.grading.release import release

    release(course, assignment)


def _prepare_students(course: Course, assignment: str, students: list[str]) -> set[str]:
    """Create the students in the gradebook up front (no races between workers);
    return those who already have a graded submission."""
    from nbgrader.api import Gradebook

    with Gradebook(course.config().CourseDirectory.db_url) as gb:
        for s in students:
            gb.update_or_create_student(s)
        return {sub.student.id for sub in gb.assignment_submissions(assignment)}


def grade_class(
    course: Course,
    assignment: str,
    workers: int | None = None,
    student: str | None = None,
    archive: Path | None = None,
    force: bool = False,
    progress: bool = True,
    report: bool = True,
) -> Summary:
    """Grade every submission of ``assignment`` (or one student): the whole pipeline."""
    t0 = time.perf_counter()
    _skip_unused_imports()
    course.check_assignment(assignment)
    workers = 1 if student is not None else max(1, workers or os.cpu_count() or 1)
    # Start the workers first: their one-time nbgrader import (and first kernel) overlaps
    # with the preparation.
    pool = _Pool(course, workers) if workers > 1 else None
    try:
        return _grade_class(
            course, assignment, workers, student, archive, force, progress, report, pool, t0
        )
    finally:
        if pool is not None:
            pool.stop()


class _Pool:
    """The worker processes and the count of submissions they have not started yet."""

    def __init__(self, course: Course, workers: int) -> None:
        ctx = mp.get_context("spawn")
        self.remaining = ctx.Value("i", -1)  # -1: not known yet (workers pre-start anyway)
        self.pool = ctx.Pool(
            workers, initializer=_worker_init, initargs=(str(course.root), self.remaining)
        )
        self.closed = False

    def imap_unordered(self, fn, tasks: list):
        with self.remaining.get_lock():
            self.remaining.value = len(tasks)
        return self.pool.imap_unordered(fn, tasks)

    def close(self) -> None:
        """No more work: workers exit normally (and kill their spare kernels)."""
        with self.remaining.get_lock():
            self.remaining.value = 0
        self.pool.close()
        self.closed = True

    def stop(self) -> None:
        if self.closed:
            self.pool.join()
        else:  # an error: SIGTERM, on which workers kill their spare kernels and exit
            self.pool.terminate()
            self.pool.join()


def _grade_class(
    course, assignment, workers, student, archive, force, progress, report, pool, t0
) -> Summary:
    _ensure_assignment(course, assignment)
    if archive is not None:
        collect_zip(course, assignment, archive)
    students = submitted_students(course, assignment)
    if student is not None:
        if student not in students:
            raise StoreOpsError(f"no submission of {assignment} from {student!r} in submitted/")
        students = [student]
    if not students:
        raise StoreOpsError(f"no submissions of {assignment} in {course.dir('submitted')}")
    db_url = course.config().CourseDirectory.db_url
    sandbox.protect_course(course.root, db_url)  # kernels (other uid) cannot read grader files
    try:
        backup = sandbox.backup_gradebook(db_url, course.dir("backups"))
    except StoreOpsError as exc:  # not SQLite: the message names the dump tool to use
        print(f"warning: {exc}")
        backup = None
    # a run killed half-way (SIGKILL) left students half graded: regrade them from scratch
    repaired = sandbox.repair_class(course.root, assignment, db_url).stale
    before = sandbox.snapshot(course.dir("submitted"))
    graded = _prepare_students(course, assignment, students)
    todo = [s for s in students if force or not _up_to_date(course, assignment, s, graded)]
    if course.settings.get("per_student_stores"):
        from storeops.data import cache_root
        from storeops.hub.stores import deliver_for_grading

        deliver_for_grading(course.settings, todo, cache_root())
    summary = Summary(assignment, backup=backup, repaired=dict(repaired))
    summary.outcomes += [Outcome(s, True, 0.0, skipped=True) for s in students if s not in todo]
    tasks = [Task(str(course.root), assignment, s) for s in todo]
    warm = _ReportWarmUp() if report else None
    summary.outcomes += _run(tasks, pool if len(tasks) > 1 else None, progress, warm)
    if pool is not None:
        pool.close()
    summary.modified = sandbox.compare(before, sandbox.snapshot(course.dir("submitted")))
    if summary.modified:
        print("ERROR: submitted files changed during grading: " + ", ".join(summary.modified))
    _write_problems(course, assignment, summary)
    summary.csv = export_csv(course, assignment)
    if report:
        from storeops.grading.report import write_report

        warm.join()
        summary.report = write_report(course, assignment)
    summary.seconds = time.perf_counter() - t0
    return summary


def _write_problems(course: Course, assignment: str, summary: Summary) -> None:
    """reports/<assignment>/problems.json: the report's "Submission problems" section."""
    import json

    from storeops.sandbox.report import write_problems

    students = {}
    old = course.dir("reports") / assignment / "problems.json"
    if old.exists():  # keep what earlier runs found for students skipped as up to date
        students = json.loads(old.read_text()).get("students", {})
    for o in summary.outcomes:
        if not o.skipped:
            students[o.student] = (o if o.ok else _failed(o)).problems
    enforced = None
    events = _events_dir(course.root) / assignment
    for path in sorted(events.glob("*/*.json")) if events.is_dir() else []:
        enforced = json.loads(path.read_text()).get("enforced")
        if enforced:
            break
    write_problems(
        old,
        {
            "students": students,
            "modified": summary.modified,
            "repaired": summary.repaired,
            "backup": str(summary.backup) if summary.backup else None,
            "enforced": enforced,
        },
    )


class _ReportWarmUp:
    """The report's imports and first plot, in a thread of the main process started when
    a worker has no submission left (so on a core the grading no longer needs)."""

    def __init__(self) -> None:
        self.thread = None

    def start(self) -> None:
        import threading

        from storeops.grading.report import warm_up

        if self.thread is None:
            self.thread = threading.Thread(target=self._run, args=(warm_up,), daemon=True)
            self.thread.start()

    @staticmethod
    def _run(fn) -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 - only a head start; write_report reports errors
            pass

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()


def _run(tasks: list[Task], pool, progress: bool, warm=None) -> list[Outcome]:
    """Grade ``tasks`` in the worker pool (or here, one by one, without one)."""
    from tqdm import tqdm

    if not tasks:
        return []
    bar = tqdm(total=len(tasks), unit="nb", desc="autograde", disable=not progress)
    out = []
    here = pool is None and len(tasks) > 1  # graded in this process: pre-start here
    try:
        if here:
            _in_process(tasks[0].course_root, len(tasks))
        results = (
            pool.imap_unordered(grade_submission, tasks) if pool else map(grade_submission, tasks)
        )
        for outcome in results:
            out.append(outcome)
            bar.update()
            if warm is not None and pool is not None and pool.remaining.value == 0:
                warm.start()  # the worker that sent this has nothing left to grade
            if not outcome.ok:
                bar.write(f"  {outcome.student}: {outcome.error}")
        return out
    finally:
        bar.close()
        if here:
            _end_in_process()


def _in_process(course_root: str, count: int) -> None:
    global _REMAINING
    if _API is None or _API_ROOT != course_root:
        _worker_init(course_root)
    _REMAINING = mp.get_context("spawn").Value("i", count)
    _start_prestarting(course_root)


def _end_in_process() -> None:
    global _REMAINING
    from storeops.sandbox import prestart

    prestart.disable()
    _REMAINING = None


def export_csv(course: Course, assignment: str) -> Path:
    """nbgrader's CSV exporter, limited to this assignment, into reports/<assignment>/."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    dest = course.dir("reports") / assignment / "grades.csv"
    dest.parent.mkdir(parents=True, exist_ok=True)
    config = course.config()
    plugin = CsvExportPlugin(config=config)
    plugin.to = str(dest)
    plugin.assignment = [assignment]
    with Gradebook(config.CourseDirectory.db_url) as gb:
        plugin.export(gb)
    return dest
