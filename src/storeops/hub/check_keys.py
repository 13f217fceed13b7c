"""The check service's answer keys: computed once per learner and assignment, then a lookup.

A learner's keys are the reference solution and each catalogued mistake run on that
learner's own store (:mod:`storeops.grading.keys`), in the wire format. Computing them
takes seconds (the store, the reference notebook), so it is done instructor-side, ahead
of the checks, by the service's keeper process (:class:`Keeper`, worker processes) and
kept in an instructor-only SQLite file beside the attempt log, which every process
answering checks reads (:class:`KeyStore`). A question whose answer is evaluated on the
store (a budget split scored on the store's spend and order value, chapter 3 q8) keeps
what that evaluation needs of the store too (``Kind.store_facts``), so judging it is a
lookup as well, never a rerun of the store.

Keys carry a stamp of what they were computed from (the course seed, the assignment's
source files, the library's version); keys with another stamp are stale and are
computed again when asked for.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

KEYS_FILE = "check_keys.sqlite"
BUSY_MS = 10_000  # how long a writer waits for another process's transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS keys (   -- one row per question: a check reads only its own
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    question TEXT NOT NULL,
    stamp TEXT NOT NULL,
    key TEXT NOT NULL,         -- JSON: {expected, mistakes, facts} (wire format)
    computed REAL NOT NULL,
    PRIMARY KEY (student, assignment, question)
);
CREATE TABLE IF NOT EXISTS wanted (    -- keys a check asked for, for the keeper to compute
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    asked REAL NOT NULL,
    PRIMARY KEY (student, assignment)
);
CREATE TABLE IF NOT EXISTS tokens (    -- hub tokens resolved lately (sha256, never the token)
    digest TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    resolved REAL NOT NULL
);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection to one of the service's SQLite files, shared by several processes:
    write-ahead log (readers never block the writer) and a busy timeout (writers queue)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=BUSY_MS / 1000
    )
    db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    os.chmod(path, 0o600)
    return db


def stamp(course, assignment: str) -> str:
    """What ``assignment``'s keys are computed from: the course seed, the source files,
    the library's version."""
    from storeops import __version__
    from storeops.hub.stores import course_seed

    h = hashlib.sha256(__version__.encode())
    if course.settings.get("per_student_stores"):
        h.update(str(course_seed(course.settings)).encode())
    folder = course.source_dir / assignment
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_file() and not path.name.startswith("."):
            st = path.stat()
            h.update(f"{path.name}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


class KeyStore:
    """The keys file: key sets, the keys wanted, resolved tokens. One per process."""

    def __init__(self, path: str | Path, stamps: dict[str, str]) -> None:
        self.path = Path(path)
        self.stamps = stamps  # assignment -> its current stamp
        self.db = connect(self.path)
        self.db.executescript(SCHEMA)
        self._memo: dict[tuple[str, str], dict] = {}

    def question(self, student: str, assignment: str, question: str) -> dict | None:
        """The decoded keys of one question for ``student`` (None: not computed yet). Only
        that question is read and decoded: a key set can hold long series (orientation's
        q4 is most of it) that a check of another question does not need."""
        memo = self._memo.get((student, assignment, question))
        if memo is not None:
            return memo
        row = self.db.execute(
            "SELECT key FROM keys WHERE student=? AND assignment=? AND question=? AND stamp=?",
            (student, assignment, question, self.stamps.get(assignment)),
        ).fetchone()
        if row is None:
            return None
        decoded = decode_question(json.loads(row[0]))
        self._memo[(student, assignment, question)] = decoded
        return decoded

    def has(self, student: str, assignment: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM keys WHERE student=? AND assignment=? AND stamp=? LIMIT 1",
                (student, assignment, self.stamps.get(assignment)),
            ).fetchone()
            is not None
        )

    def want(self, student: str, assignment: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO wanted (student, assignment, asked) VALUES (?, ?, ?)",
            (student, assignment, time.time()),
        )

    def wanted(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.execute("SELECT student, assignment FROM wanted")]

    def put(self, student: str, assignment: str, raw: dict) -> None:
        now, mark = time.time(), self.stamps[assignment]
        rows = [(student, assignment, q, mark, json.dumps(k), now) for q, k in raw.items()]
        with self.db:  # one transaction: the keys in, the wish out
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "DELETE FROM keys WHERE student=? AND assignment=?", (student, assignment)
            )
            self.db.executemany("INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?)", rows)
            self.db.execute(
                "DELETE FROM wanted WHERE student=? AND assignment=?", (student, assignment)
            )

    def forget_wish(self, student: str, assignment: str) -> None:
        self.db.execute(
            "DELETE FROM wanted WHERE student=? AND assignment=?", (student, assignment)
        )

    def forget_tokens(self, before: float) -> None:
        """Drop tokens resolved before ``before`` (they would be asked about again anyway)."""
        self.db.execute("DELETE FROM tokens WHERE resolved<?", (before,))

    def ready(self) -> int:
        """How many (learner, assignment) key sets are computed and current."""
        if not self.stamps:
            return 0
        marks = ",".join("?" * len(self.stamps))
        return self.db.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT student, assignment FROM keys "
            f"WHERE assignment || '|' || stamp IN ({marks}))",
            [f"{a}|{s}" for a, s in self.stamps.items()],
        ).fetchone()[0]

    def close(self) -> None:
        self.db.close()


def decode_keys(raw: dict) -> dict:
    """The wire-format keys of :func:`compute_keys` as values :func:`keys.judge` compares."""
    return {name: decode_question(k) for name, k in raw.items()}


def decode_question(k: dict) -> dict:
    """One question's keys: ``{"expected", "mistakes": [(named, value)], "facts"}``."""
    from storeops.grading import wire

    return {
        "expected": wire.decode(k["expected"]),
        "mistakes": [(_Named(i, msg), wire.decode(v)) for i, msg, v in k["mistakes"]],
        "facts": wire.decode(k["facts"]) if k.get("facts") is not None else None,
    }


class _Named:
    """A catalogued mistake as the service knows it: its id and message."""

    __slots__ = ("id", "message")

    def __init__(self, id: str, message: str) -> None:
        self.id, self.message = id, message


# -- computing keys (worker processes) --------------------------------------------------------
def compute_keys(course_root: str, student: str, assignment: str) -> dict:
    """The keys of ``assignment`` on ``student``'s store, in the wire format:
    ``{question: {"expected": ..., "mistakes": [[id, message, value], ...], "facts": ...}}``,
    ``facts`` being what evaluating an answer needs of the store (None for most kinds).
    Runs in a worker process (it sets the student in the environment)."""
    from storeops.chapters import questions
    from storeops.checks.wire import encode
    from storeops.grading import keys

    compute_env(course_root, student)
    out = {}
    for name, q in questions(assignment).items():
        facts = None
        if not q.kind.runs_student_code:
            store = keys.reference(assignment, name).namespace.get("store")
            facts = q.kind.store_facts(store) if store is not None else None
        out[name] = {
            "expected": encode(keys.expected(assignment, name)),
            "mistakes": [
                [m.id, m.message, encode(v)] for m, v in keys.mistakes_evaluated(assignment, name)
            ],
            "facts": None if facts is None else encode(facts),
        }
    return out


def compute_env(course_root: str, student: str) -> None:
    """This worker's environment as the learner's: the sources, the course seed, who."""
    from storeops.grading import keys
    from storeops.grading.course import Course
    from storeops.hub.stores import course_seed

    course = Course.find(course_root)
    os.environ[keys.SOURCE_ENV] = str(course.source_dir)
    if course.settings.get("per_student_stores"):
        os.environ["STOREOPS_COURSE_SEED"] = str(course_seed(course.settings))
    os.environ["STOREOPS_STUDENT"] = student


def judge(q, data: Any, k: dict) -> tuple[str, str | None, str | None]:
    """(result, mistake id, mistake message) for the wire-format answer ``data`` to ``q``
    against its decoded keys ``k``: a lookup and a comparison, in the answering process."""
    from storeops.grading import keys, wire

    value = wire.decode(data)
    if k["facts"] is not None:
        try:
            value = q.kind.evaluate_with(value, k["facts"])
        except Exception:  # noqa: BLE001 - a malformed answer: it matches nothing
            return "unreadable", None, None
    found = keys.judge(q, value, k["expected"], k["mistakes"])
    if found is True:
        return "correct", None, None
    if found is None:
        return "generic", None, None
    return "mistake", found.id, found.message


class Keeper:
    """Computes the keys the class needs (at start) and the keys checks ask for, in worker
    processes, into the key store. Runs in the service's first process."""

    def __init__(self, course_root: str, store: KeyStore, workers: int | None = None) -> None:
        self.course_root = str(course_root)
        self.store = store
        self.workers = workers or os.cpu_count() or 1
        self.pool = None
        self._busy: set[tuple[str, str]] = set()

    def _pool(self):
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self.pool

    def start(self, student: str, assignment: str) -> None:
        """Compute these keys unless they are current or being computed (event loop)."""
        key = (student, assignment)
        if key in self._busy or assignment not in self.store.stamps:
            return
        if self.store.has(student, assignment):
            self.store.forget_wish(student, assignment)
            return
        self._busy.add(key)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self._pool(), compute_keys, self.course_root, student, assignment
        )
        future.add_done_callback(lambda f: self._done(key, f))

    def _done(self, key: tuple[str, str], future) -> None:
        self._busy.discard(key)
        if future.cancelled():
            return
        if future.exception() is not None:
            from tornado.log import app_log

            app_log.error("computing the keys of %s %s failed: %r", *key, future.exception())
            self.store.forget_wish(*key)  # the next check asks again
            return
        self.store.put(*key, future.result())

    def warm(self, students: list[str]) -> None:
        for student in students:
            for assignment in self.store.stamps:
                self.start(student, assignment)

    def poll(self) -> None:
        """Start the keys that checks asked for."""
        for student, assignment in self.store.wanted():
            self.start(student, assignment)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
