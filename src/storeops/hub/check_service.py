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
  their own key. A resolved token is trusted for ``token_ttl_seconds`` (default 10), so
  a revoked token, a stopped server's token or a learner taken out of the class stops
  working within that time (plus one round trip to the hub: a token the service knows is
  answered at once and asked about again behind the reply, see :class:`Tokens`).
* **What**: ``POST <prefix>check`` with ``{"assignment", "question", "answer"}``, the
  answer in the wire format (:mod:`storeops.grading.wire` decodes it as untrusted input).
* **Limits**: at most ``limit`` judged checks per learner and question in any
  ``cooldown`` seconds; past it the reply is 429 with the seconds to wait. The count and
  the new attempt are one SQLite transaction, so the limit holds across processes.
* **Log**: every attempt (time, learner, question, result, mistake id) in a SQLite file,
  ``$STOREOPS_CHECK_DB`` or ``<course>/check_attempts.sqlite`` (instructor-only folder);
  ``storeops report --course`` reads it (:func:`storeops.grading.course_report.check_summary`).
* **Keys** are a lookup (:mod:`storeops.hub.check_keys`): computed ahead, in worker
  processes, into ``check_keys.sqlite`` beside the log. A check that finds its keys not
  computed yet asks for them and gets 503 (the kernel falls back to plausibility) if they
  are not there within ``KEY_WAIT``; it is not counted.
* **Processes**: the first process (the one the hub starts) computes keys and starts
  ``processes`` HTTP processes (default: one per core) that share the port
  (``SO_REUSEPORT``: the kernel spreads connections over them), the log and the keys.

Settings: course.json ``"check_service": {"limit": 5, "cooldown_seconds": 600,
"token_ttl_seconds": 10, "processes": 0}`` (0: one per core), or ``$STOREOPS_CHECK_LIMIT``,
``$STOREOPS_CHECK_COOLDOWN``, ``$STOREOPS_CHECK_TOKEN_TTL``, ``$STOREOPS_CHECK_PROCESSES``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from storeops.errors import StoreOpsError
from storeops.hub.check_keys import KEYS_FILE, KeyStore, connect

NAME = "storeops-check"
DB_ENV = "STOREOPS_CHECK_DB"
DB_FILE = "check_attempts.sqlite"
MAX_BODY = 8 * 1024 * 1024
KEY_WAIT = 1.2  # seconds a check waits for keys being computed (the client waits 2 s)
WARM_ENV = "STOREOPS_CHECK_STUDENTS"  # learners whose keys are computed at start
REMEMBER = 3600.0  # seconds a resolved token is answered at once while the hub is re-asked
HTTP_FLAG = "--http"  # argv of the HTTP processes the first process starts


@dataclass(frozen=True)
class Limits:
    limit: int = 5
    cooldown: float = 600.0
    token_ttl: float = 10.0
    processes: int = 0  # 0: one per core

    # (field, course.json key, environment variable, type, smallest allowed)
    FIELDS = (
        ("limit", "limit", "STOREOPS_CHECK_LIMIT", int, 1),
        ("cooldown", "cooldown_seconds", "STOREOPS_CHECK_COOLDOWN", float, 0),
        ("token_ttl", "token_ttl_seconds", "STOREOPS_CHECK_TOKEN_TTL", float, 0),
        ("processes", "processes", "STOREOPS_CHECK_PROCESSES", int, 0),
    )

    @classmethod
    def of(cls, settings: dict) -> Limits:
        """course.json's ``check_service`` block, overridden by the environment."""
        block = settings.get("check_service") or {}
        values = {}
        for field, key, env, kind, least in cls.FIELDS:
            raw = os.environ.get(env) or block.get(key)
            if raw is None:
                continue
            where = f"${env}" if os.environ.get(env) else f"course.json check_service.{key}"
            try:
                value = kind(raw)
            except (TypeError, ValueError):
                raise StoreOpsError(
                    f"check service: {where} must be a number, not {raw!r}"
                ) from None
            if value < least:
                raise StoreOpsError(f"check service: {where} must be >= {least}, not {raw!r}")
            values[field] = value
        return cls(**values)

    @property
    def http_processes(self) -> int:
        return self.processes or os.cpu_count() or 1


def db_path(course_root: str | Path) -> Path:
    """Where the attempt log of a course is: ``$STOREOPS_CHECK_DB`` or in the course folder."""
    env = os.environ.get(DB_ENV, "").strip()
    return Path(env) if env else Path(course_root) / DB_FILE


def keys_path(course_root: str | Path) -> Path:
    """The key store, beside the attempt log (instructor-only)."""
    return db_path(course_root).with_name(KEYS_FILE)


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
    """The durable attempt log and the limits' state (one SQLite file, WAL), shared by
    the service's processes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = connect(self.path)
        self.db.executescript(SCHEMA)

    def _wait(self, student: str, assignment: str, question: str, limits: Limits, now: float):
        rows = self.db.execute(
            "SELECT time FROM attempts WHERE student=? AND assignment=? AND question=? "
            f"AND time>? AND result IN ({','.join('?' * len(JUDGED))}) ORDER BY time DESC LIMIT ?",
            (student, assignment, question, now - limits.cooldown, *JUDGED, limits.limit),
        ).fetchall()
        if len(rows) < limits.limit:
            return 0.0
        return max(0.0, rows[-1][0] + limits.cooldown - now)

    def admit(self, student: str, assignment: str, question: str, limits: Limits, now=None):
        """One check: ``(0, id of its pending attempt)`` when the limit allows it, else
        ``(seconds to wait, None)`` with the refusal logged. Counting and recording are one
        transaction, so checks sent at once to several processes cannot slip past; the time
        is read once the transaction holds the lock, so the log's order is the time order."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            now = time.time() if now is None else now
            wait = self._wait(student, assignment, question, limits, now)
            result = "limit" if wait > 0 else "pending"
            rowid = self.record(student, assignment, question, result, now=now)
        return (wait, None) if wait > 0 else (0.0, rowid)

    def record(self, student, assignment, question, result, mistake=None, now=None) -> int:
        return self.db.execute(
            "INSERT INTO attempts (time, student, assignment, question, result, mistake) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (time.time() if now is None else now, student, assignment, question, result, mistake),
        ).lastrowid

    def settle(self, rowid: int, result: str, mistake: str | None = None) -> None:
        self.db.execute(
            "UPDATE attempts SET result=?, mistake=? WHERE id=?", (result, mistake, rowid)
        )

    def close(self) -> None:
        self.db.close()


def read_attempts(path: str | Path):
    """The attempt log as a DataFrame (empty when there is none)."""
    import pandas as pd

    columns = ["time", "student", "assignment", "question", "result", "mistake"]
    if not Path(path).exists():
        return pd.DataFrame(columns=columns)
    with sqlite3_readonly(path) as db:
        return pd.read_sql_query(f"SELECT {', '.join(columns)} FROM attempts ORDER BY id", db)


def sqlite3_readonly(path: str | Path):
    import sqlite3
    from contextlib import closing

    return closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))


class Tokens:
    """Hub tokens resolved to learners, shared by the service's processes (the key store's
    ``tokens`` table holds a token's sha256, never the token).

    A resolved token is trusted for ``ttl`` seconds. Past that, a token resolved within
    ``remember`` seconds is answered at once and asked about again behind the reply (only
    one question to the hub per token at a time): in a class, learners check minutes
    apart, so with a short TTL nearly every check would wait for the hub, and 300 of them
    at once queue on its one process. A refusal deletes the token's row, so every process
    asks the hub before its next answer: a revoked token stops working within ``ttl``
    plus that one hub round trip. A token never resolved, or not within ``remember``,
    waits for the hub."""

    def __init__(self, auth, store: KeyStore, ttl: float, remember: float = REMEMBER) -> None:
        self.auth, self.db, self.ttl = auth, store.db, ttl
        self.remember = max(remember, ttl)
        self._memo: dict[str, tuple[str | None, float]] = {}  # digest -> (name, resolved)
        self._asking: dict[str, asyncio.Task] = {}  # digest -> its hub question in flight

    async def learner(self, token: str) -> str | None:
        """The learner who owns ``token`` (None: not a learner of this class)."""
        digest = hashlib.sha256(token.encode("utf8", "replace")).hexdigest()
        now = time.time()
        name, resolved = self._memo.get(digest, (None, 0.0))
        if now - resolved < self.ttl:
            return name
        row = self.db.execute(
            "SELECT name, resolved FROM tokens WHERE digest=? AND resolved>?",
            (digest, now - self.remember),
        ).fetchone()
        if row is None:  # never resolved, forgotten, or refused by another process
            return await self._ask(token, digest)
        self._memo[digest] = (row[0], row[1])
        if now - row[1] >= self.ttl and digest not in self._asking:
            self._asking[digest] = asyncio.ensure_future(self._ask_behind(token, digest))
        return row[0]

    async def _ask_behind(self, token: str, digest: str) -> None:
        from tornado.log import app_log

        try:
            await self._ask(token, digest)
        except Exception as exc:  # the hub unreachable: the known learner stays known
            app_log.warning("check service: could not re-ask the hub about a token: %s", exc)

    async def _ask(self, token: str, digest: str) -> str | None:
        try:
            model = await self.auth.user_for_token(token, use_cache=False, sync=False)
            ok = (
                model
                and model.get("kind", "user") == "user"
                and self.auth.check_scopes(self.auth.access_scopes, model)
            )
            name = model["name"] if ok else None
            now = time.time()
            self._memo[digest] = (name, now)  # a refusal is remembered here only
            if name is None:
                self.db.execute("DELETE FROM tokens WHERE digest=?", (digest,))
            else:
                self.db.execute(
                    "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?)", (digest, name, now)
                )
            return name
        finally:
            self._asking.pop(digest, None)


def answer(log: AttemptLog, limits: Limits, q, k: dict, student: str, data) -> tuple[int, dict]:
    """One check of question ``q`` whose keys ``k`` are at hand: admitted under the limit,
    judged, logged. The HTTP status and the reply (never the expected value)."""
    from tornado.log import app_log

    from storeops.grading.wire import WireError
    from storeops.hub.check_keys import judge

    wait, rowid = log.admit(student, q.assignment, q.name, limits)
    if wait > 0:
        reply = dict(result="limit", retry_after=round(wait, 1), limit=limits.limit)
        return 429, dict(reply, cooldown=limits.cooldown)
    try:
        result, mistake, message = judge(q, data, k)
    except WireError:
        result, mistake, message = "unreadable", None, None
    except Exception:  # a key that cannot be used: the instructor's log says why
        log.settle(rowid, "error")
        app_log.exception("check of %s %s for %s failed", q.assignment, q.name, student)
        return 500, dict(result="refused", message="the check failed")
    log.settle(rowid, result, mistake)
    out = {"result": "generic" if result == "unreadable" else result}
    if message:
        out["message"] = message
    return 200, out


# -- the web service ------------------------------------------------------------------------
def _stamps(course) -> dict[str, str]:
    from storeops.hub.check_keys import stamp

    return {a: stamp(course, a) for a in course.assignments()}


def make_app(course_root: str | Path, prefix: str = "/", auth=None):
    """The HTTP side: ``check`` and ``health``."""
    from jupyterhub.services.auth import HubAuth
    from tornado import web

    from storeops.chapters import questions
    from storeops.grading.course import Course

    course = Course.find(course_root)
    limits = Limits.of(course.settings)
    log = AttemptLog(db_path(course.root))
    store = KeyStore(keys_path(course.root), _stamps(course))
    tokens = Tokens(auth or HubAuth(), store, limits.token_ttl)
    known = {a: questions(a) for a in store.stamps}

    async def keys_of(student: str, assignment: str, question: str) -> dict | None:
        k = store.question(student, assignment, question)
        if k is not None:
            return k
        store.want(student, assignment)  # the keeper computes them
        deadline = time.monotonic() + KEY_WAIT
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            k = store.question(student, assignment, question)
            if k is not None:
                return k
        return None

    class Check(web.RequestHandler):
        def check_xsrf_cookie(self) -> None:  # token-authenticated API, no cookies
            return

        def reply(self, status: int, **body) -> None:
            self.set_status(status)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(body))

        async def post(self) -> None:
            match = tokens.auth.auth_header_pat.match(self.request.headers.get("Authorization", ""))
            if not match:
                return self.reply(401, result="refused", message="no hub token")
            student = await tokens.learner(match.group(1))
            if student is None:
                return self.reply(403, result="refused", message="not a learner of this class")
            try:
                body = json.loads(self.request.body)
                assignment, question = str(body["assignment"]), str(body["question"])
                data = body["answer"]
            except (ValueError, KeyError, TypeError):
                return self.reply(400, result="refused", message="malformed request")
            if question not in known.get(assignment, ()):
                return self.reply(404, result="refused", message="no such question")
            k = await keys_of(student, assignment, question)
            if k is None:  # keys still being computed (a first check): no attempt counted
                return self.reply(503, result="busy", message="keys are being prepared")
            q = known[assignment][question]
            status, reply = answer(log, limits, q, k, student, data)
            return self.reply(status, **reply)

    class Health(web.RequestHandler):
        def get(self) -> None:
            self.finish({"ok": True, "keys_ready": store.ready(), "pid": os.getpid()})

    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    app = web.Application(
        [(prefix + "check", Check), (prefix + "health", Health)],
        max_body_size=MAX_BODY,
    )
    app.settings["storeops"] = {"log": log, "store": store, "limits": limits, "tokens": tokens}
    return app


def _address() -> tuple[str, int, str]:
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:18004"))
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{NAME}/")
    return url.hostname or "127.0.0.1", url.port or 80, prefix


def serve_http() -> None:
    """One HTTP process: its own socket on the shared port (``SO_REUSEPORT``); it ends
    when the process that started it does."""
    import logging

    from tornado import ioloop
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets

    from storeops.grading.course import Course

    logging.basicConfig(level=logging.WARNING)
    host, port, prefix = _address()
    parent = os.getppid()
    app = make_app(Course.find().root, prefix)
    server = HTTPServer(app, max_body_size=MAX_BODY)
    server.add_sockets(bind_sockets(port, host, reuse_port=True, backlog=1024))

    def orphaned() -> None:
        if os.getppid() != parent:
            ioloop.IOLoop.current().stop()

    ioloop.PeriodicCallback(orphaned, 1000).start()
    ioloop.IOLoop.current().start()


def main() -> None:
    """The first process, as the hub starts it (JUPYTERHUB_SERVICE_URL / _PREFIX,
    STOREOPS_COURSE_DIR): starts the HTTP processes, keeps them running, computes keys."""
    import logging

    from storeops.grading.course import Course
    from storeops.hub.check_keys import Keeper

    logging.basicConfig(level=logging.INFO)
    course = Course.find()
    limits = Limits.of(course.settings)  # a bad setting stops the service here, once
    store = KeyStore(keys_path(course.root), _stamps(course))
    AttemptLog(db_path(course.root)).close()  # the log exists (0600) before any check
    keeper = Keeper(str(course.root), store)
    students = [s for s in os.environ.get(WARM_ENV, "").split(",") if s.strip()]
    http: list[subprocess.Popen] = []
    stopping = asyncio.Event()

    def start_http() -> subprocess.Popen:
        cmd = [sys.executable, "-m", "storeops.hub.check_service", HTTP_FLAG]
        return subprocess.Popen(cmd, cwd=os.getcwd())

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        http.extend(start_http() for _ in range(limits.http_processes))
        keeper.warm(students)
        purged = time.time()
        while not stopping.is_set():
            keeper.poll()
            if time.time() - purged > 60:
                purged = time.time()
                store.forget_tokens(purged - max(REMEMBER, limits.token_ttl))
            for i, proc in enumerate(http):  # an HTTP process that died is replaced
                if proc.poll() is not None:
                    logging.warning("check service: HTTP process %s ended; restarting", proc.pid)
                    http[i] = start_http()
            try:
                await asyncio.wait_for(stopping.wait(), 0.2)
            except TimeoutError:
                pass

    try:
        asyncio.run(run())
    finally:
        for proc in http:
            proc.terminate()
        for proc in http:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        keeper.close()


if __name__ == "__main__":
    serve_http() if HTTP_FLAG in sys.argv[1:] else main()
