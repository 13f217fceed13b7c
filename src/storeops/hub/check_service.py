"""The check service: instant, honest ``qK.check()`` feedback in a graded class.

A JupyterHub-managed service (``storeops-check`` in grader/hub/jupyterhub_config.py, its
own API token, a role with ``read:users:name`` only). It holds the answer keys, computed
instructor-side from each learner's own store, and answers a learner's check with what
the self-learner edition would say: correct, the catalogued mistake's message, or the
generic message; never the expected value, never how close an answer is.

* **Who**: the learner is the owner of the hub API token in the request
  (``Authorization: token ...``; the kernel sends its server's ``$JUPYTERHUB_API_TOKEN``),
  resolved by the hub (:class:`jupyterhub.services.auth.HubAuth`). A token must be a
  user's and carry ``access:services!service=storeops-check`` (the students' group role);
  nothing in the request body can name another learner, so a learner only ever meets
  their own key.
* **What**: ``POST <prefix>check`` with ``{"assignment", "question", "answer"}``, the
  answer in the wire format (:mod:`storeops.grading.wire` decodes it as untrusted input).
* **Limits**: at most ``limit`` judged checks per learner and question in any
  ``cooldown`` seconds (course.json ``"check_service": {"limit": 5, "cooldown_seconds":
  600}``, or ``$STOREOPS_CHECK_LIMIT`` / ``$STOREOPS_CHECK_COOLDOWN``); past it the reply is
  429 with the seconds to wait.
* **Log**: every attempt (time, learner, question, result, mistake id) in a SQLite file,
  ``$STOREOPS_CHECK_DB`` or ``<course>/check_attempts.sqlite`` (instructor-only folder),
  which also holds the limits' state; ``storeops report --course`` reads it
  (:func:`storeops.grading.course_report.check_summary`).
* **Keys** are computed in worker processes (the reference solution run on the learner's
  store: :mod:`storeops.grading.keys`), once per learner and assignment, and kept in
  memory; those of ``$STOREOPS_CHECK_STUDENTS`` (the class) are computed at start. A
  check that finds its keys still being computed gets 503 (the kernel falls back to
  plausibility) and is not counted.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from storeops.errors import StoreOpsError

NAME = "storeops-check"
DB_ENV = "STOREOPS_CHECK_DB"
LIMIT_ENV = "STOREOPS_CHECK_LIMIT"
COOLDOWN_ENV = "STOREOPS_CHECK_COOLDOWN"
DB_FILE = "check_attempts.sqlite"
DEFAULT_LIMIT = 5
DEFAULT_COOLDOWN = 600.0
MAX_BODY = 8 * 1024 * 1024
KEY_WAIT = 1.2  # seconds a check waits for keys being computed (the client waits 2 s)
WARM_ENV = "STOREOPS_CHECK_STUDENTS"  # learners whose keys are computed at start


@dataclass(frozen=True)
class Limits:
    limit: int = DEFAULT_LIMIT
    cooldown: float = DEFAULT_COOLDOWN

    @classmethod
    def of(cls, settings: dict) -> Limits:
        """course.json's ``check_service`` block, overridden by the environment."""
        block = settings.get("check_service") or {}
        limit = int(os.environ.get(LIMIT_ENV) or block.get("limit", DEFAULT_LIMIT))
        cooldown = float(
            os.environ.get(COOLDOWN_ENV) or block.get("cooldown_seconds", DEFAULT_COOLDOWN)
        )
        if limit < 1 or cooldown < 0:
            raise StoreOpsError("check service: the limit must be >= 1 and the cool-down >= 0")
        return cls(limit, cooldown)


def db_path(course_root: str | Path) -> Path:
    """Where the attempt log of a course is: ``$STOREOPS_CHECK_DB`` or in the course folder."""
    env = os.environ.get(DB_ENV, "").strip()
    return Path(env) if env else Path(course_root) / DB_FILE


SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    question TEXT NOT NULL,
    result TEXT NOT NULL,      -- correct, mistake, generic, unreadable, limit (refused),
                               -- pending (being judged), error (no key: see the log)
    mistake TEXT               -- the catalogued mistake's id when result = mistake
);
CREATE INDEX IF NOT EXISTS attempts_by_question ON attempts (student, assignment, question, time);
"""
# what counts against the limit: "pending" too, or checks sent at once would all pass
JUDGED = ("correct", "mistake", "generic", "unreadable", "pending")


class AttemptLog:
    """The durable attempt log and the limits' state (one SQLite file, WAL)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        os.chmod(self.path, 0o600)

    def wait(self, student: str, assignment: str, question: str, limits: Limits, now: float):
        """Seconds until the learner may check again (0: now)."""
        rows = self.db.execute(
            "SELECT time FROM attempts WHERE student=? AND assignment=? AND question=? "
            f"AND time>? AND result IN ({','.join('?' * len(JUDGED))}) ORDER BY time DESC LIMIT ?",
            (student, assignment, question, now - limits.cooldown, *JUDGED, limits.limit),
        ).fetchall()
        if len(rows) < limits.limit:
            return 0.0
        return max(0.0, rows[-1][0] + limits.cooldown - now)

    def record(self, student, assignment, question, result, mistake=None, now=None) -> None:
        self.db.execute(
            "INSERT INTO attempts (time, student, assignment, question, result, mistake) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (time.time() if now is None else now, student, assignment, question, result, mistake),
        )

    def close(self) -> None:
        self.db.close()


def read_attempts(path: str | Path):
    """The attempt log as a DataFrame (empty when there is none)."""
    import pandas as pd

    columns = ["time", "student", "assignment", "question", "result", "mistake"]
    if not Path(path).exists():
        return pd.DataFrame(columns=columns)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return pd.read_sql_query(f"SELECT {', '.join(columns)} FROM attempts ORDER BY id", db)


# -- keys (worker processes) ----------------------------------------------------------------
def compute_keys(course_root: str, student: str, assignment: str) -> dict:
    """The keys of ``assignment`` on ``student``'s store, in the wire format:
    ``{question: {"expected": ..., "mistakes": [[id, message, value], ...], "store": bool}}``.
    Runs in a worker process (it sets the student in the environment)."""
    from storeops.chapters import questions
    from storeops.checks.wire import encode
    from storeops.grading import keys

    compute_env(course_root, student)
    out = {}
    for name, q in questions(assignment).items():
        out[name] = {
            "expected": encode(keys.expected(assignment, name)),
            "mistakes": [
                [m.id, m.message, encode(v)] for m, v in keys.mistakes_evaluated(assignment, name)
            ],
            "store": _needs_store(q),
        }
    return out


def _needs_store(q) -> bool:
    """Whether judging a data answer evaluates it on the store (e.g. a budget split)."""
    from storeops.checks.kinds import Kind

    kind = q.kind
    return not kind.runs_student_code and type(kind).evaluate is not Kind.evaluate


def judge_on_store(course_root: str, student: str, assignment: str, question: str, answer):
    """Judge an answer whose kind evaluates it on the store (worker process): the result
    and the mistake (id, message) if one is named."""
    from storeops.grading import keys, wire

    compute_env(course_root, student)
    q = keys._question(assignment, question)
    ref = keys.reference(assignment, question)
    value = q.evaluated(wire.decode(answer), ref.namespace.get("store"))
    found = keys.judge(
        q, value, keys.expected(assignment, question), keys.mistakes_evaluated(assignment, question)
    )
    return _result(found)


def compute_env(course_root: str, student: str) -> None:
    from storeops.grading import keys
    from storeops.grading.course import Course
    from storeops.hub.stores import course_seed

    course = Course.find(course_root)
    os.environ[keys.SOURCE_ENV] = str(course.source_dir)
    if course.settings.get("per_student_stores"):
        os.environ["STOREOPS_COURSE_SEED"] = str(course_seed(course.settings))
    os.environ["STOREOPS_STUDENT"] = student


def _result(found) -> tuple[str, str | None, str | None]:
    if found is True:
        return "correct", None, None
    if found is None:
        return "generic", None, None
    return "mistake", found.id, found.message


class Keys:
    """Keys per (learner, assignment), computed once in worker processes."""

    def __init__(self, course_root: str, workers: int | None = None) -> None:
        import multiprocessing

        self.course_root = course_root
        self.pool = ProcessPoolExecutor(
            max_workers=workers or os.cpu_count() or 1,
            mp_context=multiprocessing.get_context("spawn"),
        )
        self._done: dict[tuple[str, str], dict] = {}
        self._pending: dict[tuple[str, str], asyncio.Future] = {}

    async def of(self, student: str, assignment: str) -> dict:
        key = (student, assignment)
        if key in self._done:
            return self._done[key]
        if key not in self._pending:
            loop = asyncio.get_running_loop()
            self._pending[key] = loop.run_in_executor(
                self.pool, compute_keys, self.course_root, student, assignment
            )
        try:
            raw = await self._pending[key]
        finally:
            self._pending.pop(key, None)
        from storeops.grading import wire

        decoded = {
            name: {
                "expected": wire.decode(k["expected"]),
                "mistakes": [(_Named(i, msg), wire.decode(v)) for i, msg, v in k["mistakes"]],
                "store": k["store"],
            }
            for name, k in raw.items()
        }
        self._done[key] = decoded
        return decoded

    async def ready(self, student: str, assignment: str, timeout: float) -> bool:
        """Whether the keys are there within ``timeout`` seconds (their computation goes
        on in the background either way)."""
        if (student, assignment) in self._done:
            return True
        try:
            await asyncio.wait_for(asyncio.shield(self.of(student, assignment)), timeout)
        except TimeoutError:
            return False
        return True

    def warm(self, students: list[str], assignments: list[str]) -> None:
        """Compute the keys of ``students`` in the background (call in the event loop)."""
        for student in students:
            for assignment in assignments:
                task = asyncio.ensure_future(self.of(student, assignment))
                task.add_done_callback(_log_failure)

    async def judge(self, student: str, assignment: str, question: str, data: Any):
        """(result, mistake id, mistake message) for the wire-format answer ``data``."""
        from storeops.chapters import questions
        from storeops.grading import keys, wire

        k = (await self.of(student, assignment))[question]
        if k["store"]:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self.pool, judge_on_store, self.course_root, student, assignment, question, data
            )
        q = questions(assignment)[question]
        return _result(keys.judge(q, wire.decode(data), k["expected"], k["mistakes"]))

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _log_failure(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        from tornado.log import app_log

        app_log.error("computing keys failed: %r", task.exception())


@dataclass(frozen=True)
class _Named:
    id: str
    message: str


# -- the web service ------------------------------------------------------------------------
def make_app(course_root: str | Path, prefix: str = "/", keys: Keys | None = None, auth=None):
    from jupyterhub.services.auth import HubAuth
    from tornado import web
    from tornado.log import app_log

    from storeops.chapters import questions
    from storeops.grading.course import Course
    from storeops.grading.wire import WireError

    course = Course.find(course_root)
    limits = Limits.of(course.settings)
    log = AttemptLog(db_path(course.root))
    keys = keys or Keys(str(course.root))
    auth = auth or HubAuth(cache_max_age=300)
    known = {a: set(questions(a)) for a in course.assignments()}

    class Check(web.RequestHandler):
        def check_xsrf_cookie(self) -> None:  # token-authenticated API, no cookies
            return

        def reply(self, status: int, **body) -> None:
            self.set_status(status)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(body))

        async def post(self) -> None:
            match = auth.auth_header_pat.match(self.request.headers.get("Authorization", ""))
            if not match:
                return self.reply(401, result="refused", message="no hub token")
            model = await auth.user_for_token(match.group(1), sync=False)
            if (
                not model
                or model.get("kind", "user") != "user"
                or not auth.check_scopes(auth.access_scopes, model)
            ):
                return self.reply(403, result="refused", message="not a learner of this class")
            student = model["name"]
            try:
                body = json.loads(self.request.body)
                assignment, question = str(body["assignment"]), str(body["question"])
                data = body["answer"]
            except (ValueError, KeyError, TypeError):
                return self.reply(400, result="refused", message="malformed request")
            if question not in known.get(assignment, ()):
                return self.reply(404, result="refused", message="no such question")
            if not await keys.ready(student, assignment, KEY_WAIT):
                # keys still being computed (a first check): no verdict, no attempt counted
                return self.reply(503, result="busy", message="keys are being prepared")
            now = time.time()
            wait = log.wait(student, assignment, question, limits, now)
            if wait > 0:
                log.record(student, assignment, question, "limit", now=now)
                return self.reply(
                    429,
                    result="limit",
                    retry_after=round(wait, 1),
                    limit=limits.limit,
                    cooldown=limits.cooldown,
                )
            log.record(student, assignment, question, "pending", now=now)
            rowid = log.db.execute("SELECT last_insert_rowid()").fetchone()[0]
            try:
                result, mistake, message = await keys.judge(student, assignment, question, data)
            except WireError:
                result, mistake, message = "unreadable", None, None
            except Exception:  # a key that cannot be computed: the instructor's log says why
                log.db.execute("UPDATE attempts SET result='error' WHERE id=?", (rowid,))
                app_log.exception("check of %s %s for %s failed", assignment, question, student)
                return self.reply(500, result="refused", message="the check failed")
            log.db.execute(
                "UPDATE attempts SET result=?, mistake=? WHERE id=?", (result, mistake, rowid)
            )
            if result == "unreadable":
                result = "generic"
            out = {"result": result}
            if message:
                out["message"] = message
            return self.reply(200, **out)

    class Health(web.RequestHandler):
        def get(self) -> None:
            self.finish({"ok": True, "keys_ready": len(keys._done)})

    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    app = web.Application(
        [(prefix + "check", Check), (prefix + "health", Health)],
        max_body_size=MAX_BODY,
    )
    app.settings["storeops"] = {"log": log, "keys": keys, "limits": limits}
    return app


def main() -> None:
    """Run as the hub starts it: JUPYTERHUB_SERVICE_URL / _PREFIX, STOREOPS_COURSE_DIR."""
    import logging

    from tornado import ioloop

    from storeops.grading.course import Course

    logging.basicConfig(level=logging.INFO)
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:18004"))
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{NAME}/")
    course = Course.find()
    app = make_app(course.root, prefix)
    app.listen(url.port or 80, url.hostname or "127.0.0.1", max_body_size=MAX_BODY)
    students = [s for s in os.environ.get(WARM_ENV, "").split(",") if s.strip()]
    loop = ioloop.IOLoop.current()
    loop.add_callback(app.settings["storeops"]["keys"].warm, students, course.assignments())
    loop.start()


if __name__ == "__main__":
    main()
