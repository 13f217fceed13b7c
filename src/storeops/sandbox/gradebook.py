"""Gradebook safety: backup before a run, restore, and crash consistency after SIGKILL.

Backup and restore use SQLite's online backup API (``sqlite3.Connection.backup``),
which copies a consistent snapshot even while another connection is open. For a
gradebook on another SQLAlchemy URL (PostgreSQL, MySQL) use the database's own
tools: ``pg_dump -Fc`` / ``pg_restore --clean``, ``mysqldump --single-transaction``;
:func:`backup_gradebook` says so instead of guessing.

What a grading run killed by SIGKILL half-way leaves behind, and how a re-run
converges (:func:`check_class`, :func:`repair_class`):

* SQLite itself: never a half-written row. Each nbgrader write is a transaction;
  a killed transaction leaves a hot journal that the next connection rolls back.
  The gradebook's unique constraints (one submission per student and assignment,
  one grade per cell) make duplicated rows impossible; :func:`check_class` still
  counts them so a different database would be caught.
* nbgrader's steps are not one transaction: ``autograde`` first creates the
  submission row (grades empty), then writes ``autograded/<student>/<a>/``
  (timestamp first, the notebook last) and the scores, then ``generate_feedback``
  writes ``feedback/<student>/<a>/``. A kill in between leaves a submission row
  with no scores, an autograded folder without notebook, or feedback missing or
  partial. Such a student is *stale*: :func:`repair_class` removes their
  generated autograded/feedback folders (never ``submitted/``) so the next run
  regrades them from scratch; ``force`` autograde overwrites the gradebook rows
  in place.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from storeops.errors import StoreOpsError

KEEP_BACKUPS = 10
UNGRADED = "ungraded"


def sqlite_path(db_url: str) -> Path | None:
    """The file of a ``sqlite:///...`` URL, or None for other databases."""
    if not db_url.startswith("sqlite:"):
        return None
    parsed = urlparse(db_url)
    path = unquote(parsed.path)
    if db_url.startswith("sqlite:////"):
        return Path("/" + path.lstrip("/"))
    return Path(path[1:] if path.startswith("/") else path)


def _not_sqlite(db_url: str) -> StoreOpsError:
    scheme = db_url.split(":", 1)[0]
    tool = {
        "postgresql": "pg_dump -Fc (restore: pg_restore --clean)",
        "mysql": "mysqldump --single-transaction (restore: mysql < dump.sql)",
    }
    hint = next((v for k, v in tool.items() if scheme.startswith(k)), "the database's dump tool")
    return StoreOpsError(f"gradebook {scheme} is not SQLite: back it up with {hint}")


def _copy(src: Path, dst: Path) -> None:
    """Consistent copy with the online backup API, written atomically."""
    tmp = dst.with_name(dst.name + ".tmp")
    tmp.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=60)
    target = sqlite3.connect(tmp)
    try:
        source.backup(target)
        target.commit()
    finally:
        source.close()
        target.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, dst)


def backup_gradebook(db_url: str, backup_dir: str | Path, keep: int = KEEP_BACKUPS) -> Path | None:
    """Copy the gradebook to ``backup_dir/gradebook-<UTC time>.db`` (None if no gradebook yet)."""
    src = sqlite_path(db_url)
    if src is None:
        raise _not_sqlite(db_url)
    if not src.exists():
        return None
    backup_dir = Path(backup_dir)
    backup_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(backup_dir, 0o700)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    dst = backup_dir / f"gradebook-{stamp}-{time.time_ns() % 10**9:09d}.db"
    _copy(src, dst)
    olds = sorted(backup_dir.glob("gradebook-*.db"))
    for old in olds[: max(0, len(olds) - keep)]:
        old.unlink(missing_ok=True)
    return dst


def latest_backup(backup_dir: str | Path) -> Path | None:
    found = sorted(Path(backup_dir).glob("gradebook-*.db"))
    return found[-1] if found else None


def restore_gradebook(backup: str | Path, db_url: str) -> None:
    """Replace the gradebook's content with ``backup`` (run while nothing is grading)."""
    dst = sqlite_path(db_url)
    if dst is None:
        raise _not_sqlite(db_url)
    backup = Path(backup)
    if not backup.is_file():
        raise StoreOpsError(f"no gradebook backup at {backup}")
    check = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise StoreOpsError(f"backup {backup} is damaged; choose an older one")
    finally:
        check.close()
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(dst, timeout=60)
    try:
        source.backup(target)  # page by page, under the target's write lock
        target.commit()
    finally:
        source.close()
        target.close()


# --- crash consistency ------------------------------------------------------------------
@dataclass
class ClassState:
    """Consistency of one assignment's generated files and gradebook."""

    complete: list[str] = field(default_factory=list)
    stale: dict[str, str] = field(default_factory=dict)  # student -> why (half graded)
    ungraded: list[str] = field(default_factory=list)  # never graded (not a crash)
    duplicates: list[str] = field(default_factory=list)
    integrity: str = "ok"

    @property
    def consistent(self) -> bool:
        return not self.stale and not self.duplicates and self.integrity == "ok"


_DUPLICATE_QUERIES = {
    "submission": "SELECT a.name, s.student_id, COUNT(*) FROM submitted_assignment s "
    "JOIN assignment a ON a.id = s.assignment_id GROUP BY a.name, s.student_id "
    "HAVING COUNT(*) > 1",
    "grade": "SELECT notebook_id, cell_id, COUNT(*) FROM grade "
    "GROUP BY notebook_id, cell_id HAVING COUNT(*) > 1",
    "student": "SELECT id, id, COUNT(*) FROM student GROUP BY id HAVING COUNT(*) > 1",
}


def _duplicates(db: Path) -> list[str]:
    queries = _DUPLICATE_QUERIES
    out = []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        for table, sql in queries.items():
            try:
                for row in con.execute(sql):
                    out.append(f"{table} {row[0]}/{row[1]} x{row[2]}")
            except sqlite3.Error:
                continue
    finally:
        con.close()
    return out


def _duplicates_sql(db_url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    out = []
    try:
        with engine.connect() as con:
            for table, sql in _DUPLICATE_QUERIES.items():
                for row in con.execute(text(sql)):
                    out.append(f"{table} {row[0]}/{row[1]} x{row[2]}")
    finally:
        engine.dispose()
    return out


def check_class(course_root: str | Path, assignment: str, db_url: str) -> ClassState:
    """Which submitted students are fully graded (gradebook + autograded + feedback)."""
    from nbgrader.api import Gradebook, MissingEntry

    root = Path(course_root)
    state = ClassState()
    db = sqlite_path(db_url)
    if db is not None and db.exists():
        # not read-only: a grader killed mid-write leaves a hot journal, which only a writable
        # connection can roll back (as the next grading run, or the Gradebook below, would)
        con = sqlite3.connect(db, timeout=60)
        try:
            state.integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
        state.duplicates = _duplicates(db)
    elif db is None:  # PostgreSQL & co: the same queries through SQLAlchemy
        state.duplicates = _duplicates_sql(db_url)
    submitted = root / "submitted"
    students = (
        sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())
        if submitted.is_dir()
        else []
    )
    with Gradebook(db_url) as gb:
        try:
            notebooks = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        except MissingEntry:
            notebooks = []
        for student in students:
            why = _stale_reason(gb, root, assignment, student, notebooks)
            if why == UNGRADED:
                state.ungraded.append(student)
            elif why:
                state.stale[student] = why
            else:
                state.complete.append(student)
    return state


def _stale_reason(gb, root: Path, assignment: str, student: str, notebooks: list[str]) -> str:
    from nbgrader.api import MissingEntry

    sub = root / "submitted" / student / assignment
    auto = root / "autograded" / student / assignment
    feedback = root / "feedback" / student / assignment
    try:
        gb.find_submission(assignment, student)
    except MissingEntry:
        if auto.exists() or feedback.exists():
            return "graded files but no gradebook entry (gradebook restored or run killed)"
        return UNGRADED
    ts_sub, ts_auto = sub / "timestamp.txt", auto / "timestamp.txt"
    if ts_sub.exists() and (
        not ts_auto.exists() or ts_sub.read_text().strip() != ts_auto.read_text().strip()
    ):
        return "autograded folder missing or from an older submission"
    for name in notebooks:
        if not (sub / f"{name}.ipynb").exists():
            continue  # nbgrader scores a missing notebook zero; nothing on disk to check
        if not (auto / f"{name}.ipynb").exists():
            return f"autograded {name}.ipynb missing (run killed during autograde)"
        try:
            nb = gb.find_submission_notebook(name, assignment, student)
        except MissingEntry:
            return f"no gradebook entry for {name}"
        for grade in nb.grades:
            if grade.cell.cell_type == "code" and grade.auto_score is None and _autograded(grade):
                return f"{name}: scores not written (run killed during autograde)"
        if not (feedback / f"{name}.html").exists():
            return f"feedback {name}.html missing (run killed before feedback)"
    return ""


def _autograded(grade) -> bool:
    cell = grade.cell
    # autograded tests: code grade cells that are not also solution cells
    solution_ids = {c.name for c in cell.notebook.solution_cells}
    return cell.name not in solution_ids


def repair_class(course_root: str | Path, assignment: str, db_url: str) -> ClassState:
    """Remove generated folders of stale students so that the next run regrades them."""
    root = Path(course_root)
    state = check_class(root, assignment, db_url)
    if state.integrity != "ok":
        raise StoreOpsError(
            f"gradebook integrity check failed ({state.integrity}): restore a backup "
            "(storeops.sandbox.gradebook.restore_gradebook)"
        )
    for student in state.stale:
        for kind in ("autograded", "feedback"):
            folder = root / kind / student / assignment
            if folder.exists():
                shutil.rmtree(folder, onerror=_force_remove)
    return state


def _force_remove(func, path, _exc):
    os.chmod(path, stat.S_IRWXU)
    func(path)


def protect_course(course_root: str | Path, db_url: str | None = None) -> list[str]:
    """Permissions so that a kernel under another uid cannot read or change grader files:
    gradebook 0600, submitted/ and feedback/ 0700, autograded/ 0711 (enter, not list).
    Returns what was changed."""
    root = Path(course_root)
    done = []
    targets: list[tuple[Path, int]] = [
        (root / "submitted", 0o700),
        (root / "feedback", 0o700),
        (root / "autograded", 0o711),
        (root / "backups", 0o700),
        (root / "reports", 0o700),
    ]
    db = sqlite_path(db_url) if db_url else root / "gradebook.db"
    if db is not None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            targets.append((Path(str(db) + suffix), 0o600))
    for path, _mode in targets[:5]:  # folders nbgrader fills later: create them private
        path.mkdir(exist_ok=True)
    for path, mode in targets:
        if path.exists() and stat.S_IMODE(path.stat().st_mode) != mode:
            os.chmod(path, mode)
            done.append(f"{path.name} {oct(mode)}")
    auto = root / "autograded"
    if auto.is_dir():  # finished students' folders: only the grader may read them
        for folder in auto.glob("*/*"):
            if folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) & 0o077:
                os.chmod(folder, 0o700)
    return done
