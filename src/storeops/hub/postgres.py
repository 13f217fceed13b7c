"""A throw-away PostgreSQL server for the gradebook (tests, CI, a trial class), and one
database per course.

Debian's server binaries (``/usr/lib/postgresql/<version>/bin``) run as the ``postgres``
account without systemd: ``initdb`` then ``pg_ctl``, listening on 127.0.0.1 only.
Authentication is ``trust`` for loopback: this is for one machine's tests and trials,
never for a shared server (use a managed PostgreSQL with a password there, grader/README.md).

``STOREOPS_GRADEBOOK_URL`` selects the gradebook. A ``{course}`` in it is replaced by a
database name of the course folder, created on first use, so that several courses
(and test runs) share one server: ``postgresql+psycopg://postgres@127.0.0.1:15433/{course}``.

    python -m storeops.hub.postgres start [--dir D] [--port P]   # prints the URL template
    python -m storeops.hub.postgres stop  [--dir D]
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from storeops.errors import StoreOpsError

PORT = 15433
DEFAULT_DIR = Path("/tmp/storeops-postgres")
ACCOUNT = "postgres"
_created: set[str] = set()


def bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    if which:
        return Path(which).parent
    raise StoreOpsError("no PostgreSQL server: apt-get install postgresql (make pg-deps)")


def _version(path: str) -> float:
    try:
        return float(Path(path).parents[1].name)
    except ValueError:
        return 0.0


def template_url(port: int = PORT) -> str:
    return f"postgresql+psycopg://{ACCOUNT}@127.0.0.1:{port}/{{course}}"


def _as_postgres(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(ACCOUNT)
        kw.update(user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def running(datadir: Path = DEFAULT_DIR) -> bool:
    pid = Path(datadir) / "data" / "postmaster.pid"
    return (
        pid.exists()
        and _as_postgres([str(bindir() / "pg_ctl"), "status", "-D", str(pid.parent)]).returncode
        == 0
    )


def start(datadir: Path = DEFAULT_DIR, port: int = PORT) -> str:
    """Start (initialising on first use) a server on 127.0.0.1:``port``; return the URL
    template. A server already running from ``datadir`` is reused."""
    datadir = Path(datadir)
    data = datadir / "data"
    datadir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(ACCOUNT)
        os.chown(datadir, entry.pw_uid, entry.pw_gid)
    os.chmod(datadir, 0o700)
    if not (data / "PG_VERSION").exists():
        proc = _as_postgres(
            [
                str(bindir() / "initdb"),
                "-D",
                str(data),
                "-U",
                ACCOUNT,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        )
        if proc.returncode:
            raise StoreOpsError(f"initdb failed:\n{proc.stderr[-2000:]}")
    if not running(datadir):
        opts = f"-p {port} -c listen_addresses=127.0.0.1 -k {datadir} -c fsync=on"
        proc = _as_postgres(
            [
                str(bindir() / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(data),
                "-l",
                str(datadir / "server.log"),
                "-o",
                opts,
            ]
        )
        if proc.returncode:
            log = (
                (datadir / "server.log").read_text()[-2000:]
                if (datadir / "server.log").exists()
                else ""
            )
            raise StoreOpsError(f"pg_ctl start failed:\n{proc.stderr[-2000:]}\n{log}")
    return template_url(port)


def stop(datadir: Path = DEFAULT_DIR) -> None:
    data = Path(datadir) / "data"
    if (data / "postmaster.pid").exists():
        _as_postgres([str(bindir() / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(data)])


def database_name(course_root: str | Path) -> str:
    digest = hashlib.sha256(str(Path(course_root).resolve()).encode()).hexdigest()[:16]
    return f"storeops_{digest}"


def course_database(template: str, course_root: str | Path) -> str:
    """The template's ``{course}`` replaced by this course's database, created if missing."""
    url = template.replace("{course}", database_name(course_root))
    if url.startswith("postgresql") and url not in _created:
        create_database(url)
        _created.add(url)
    return url


def create_database(url: str) -> None:
    """CREATE DATABASE for the URL's database unless it exists (parallel callers are fine)."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conninfo = dict(host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True)
    if u.password:
        conninfo["password"] = u.password
    with psycopg.connect(**conninfo) as con:
        exists = con.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)
        ).fetchone()
        if not exists:
            try:
                con.execute(f'CREATE DATABASE "{u.database}"')
            except psycopg.errors.DuplicateDatabase:
                pass  # another grading process created it meanwhile
            except psycopg.errors.UniqueViolation:
                pass


def drop_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True
    ) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
    _created.discard(url)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m storeops.hub.postgres")
    ap.add_argument("action", choices=["start", "stop"])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--port", type=int, default=PORT)
    a = ap.parse_args(argv)
    if a.action == "start":
        print(start(a.dir, a.port))
    else:
        stop(a.dir)


if __name__ == "__main__":
    try:
        main()
    except StoreOpsError as exc:
        sys.exit(f"error: {exc}")
