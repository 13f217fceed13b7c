"""Set up and run the class's JupyterHub on this machine (``storeops hub``, the hub tests).

Layout under ``root`` (default /srv/storeops-hub):

* ``instructor/`` (0700, root): the course copy ``course/grader`` (config, sources,
  gradebook, submissions), the course seed file, the hub's database, cookie secret and log;
* ``exchange/`` (1777): nbgrader's exchange, one folder per course;
* ``student-config/`` (0755): the students' Jupyter config (grader/hub/student/);
* ``service-config/`` (0700): the course service's (grader/hub/service/).

Students are local accounts (created when missing, home 0700); the instructor is a hub
user only (formgrader runs in the course service, as root, like ``storeops grade``)."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from storeops.errors import StoreOpsError

HUB_DIR = Path(__file__).resolve().parents[3] / "grader" / "hub"
COURSE = "storeops"
EXCHANGE_CONFIG = """

# --- the class's hub (added by storeops hub): the shared exchange, courses from hub groups
from nbgrader.auth import JupyterHubAuthPlugin  # noqa: E402

c.Exchange.root = {exchange!r}
c.Exchange.path_includes_course = True
c.Authenticator.plugin_class = JupyterHubAuthPlugin
"""


def _running_in(folder: Path) -> list[int]:
    """Processes (not this one) whose working directory is ``folder`` or below it."""
    folder = Path(folder).resolve()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = (entry / "cwd").resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if cwd == folder or folder in cwd.parents:
            found.append(int(entry.name))
    return found


class Hub:
    def __init__(
        self,
        root: str | Path,
        port: int = 18000,
        students: list[str] | tuple[str, ...] = ("student1", "student2"),
        instructor: str = "instructor",
        password: str = "storeops",
        assignments: list[str] | None = None,
    ) -> None:
        self.root = Path(root)
        self.port = port
        self.students = list(students)
        self.instructor = instructor
        self.password = password
        self.assignments = assignments
        self.admin_token = secrets.token_hex(24)
        self.proc: subprocess.Popen | None = None

    # -- layout ---------------------------------------------------------------------------
    @property
    def private(self) -> Path:
        return self.root / "instructor"

    @property
    def course_dir(self) -> Path:
        return self.private / "course" / "grader"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def seed_file(self) -> Path:
        return self.private / "course_seed"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def setup(self) -> None:
        from storeops.grading.course import copy_course
        from storeops.hub.stores import write_seed_file

        if os.geteuid() != 0:
            raise StoreOpsError(
                "storeops hub runs as root: it creates accounts and switches to them"
            )
        if not (HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy").exists():
            raise StoreOpsError("no configurable-http-proxy: run `make system-deps` first")
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        self.private.mkdir(exist_ok=True)
        os.chmod(self.private, 0o700)
        self.exchange.mkdir(exist_ok=True)
        os.chmod(self.exchange, 0o1777)
        for name in self.students:
            _ensure_account(name)
        if not self.seed_file.exists():  # this class's own seed, never in the repository
            write_seed_file(self.seed_file, secrets.randbits(62))
        if not (self.course_dir / "course.json").exists():
            copy_course(
                self.private / "course",
                assignments=self.assignments,
                course_id=COURSE,
                per_student_stores=True,
                course_seed_file=str(self.seed_file),
            )
            with open(self.course_dir / "nbgrader_config.py", "a") as fh:
                fh.write(EXCHANGE_CONFIG.format(exchange=str(self.exchange)))
        for name in ("student", "service"):
            config = self.root / f"{name}-config"
            shutil.copytree(HUB_DIR / name, config, dirs_exist_ok=True)
            # jupyter_core writes this marker on a first start unless it exists (the
            # students cannot write here)
            (config / "migrated").touch()
            for path in [config, *config.rglob("*")]:
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(self.root / "service-config", 0o700)

    # -- running --------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        bindir = str(Path(sys.executable).parent)
        return dict(
            os.environ,
            PATH=f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            STOREOPS_HUB_ROOT=str(self.root),
            STOREOPS_HUB_PORT=str(self.port),
            STOREOPS_HUB_COURSE=COURSE,
            STOREOPS_HUB_INSTRUCTOR=self.instructor,
            STOREOPS_HUB_STUDENTS=",".join(self.students),
            STOREOPS_HUB_PASSWORD=self.password,
            STOREOPS_HUB_ADMIN_TOKEN=self.admin_token,
            STOREOPS_COURSE_DIR=str(self.course_dir),
            STOREOPS_COURSE_SEED_FILE=str(self.seed_file),
        )

    def start(self, timeout: float = 180) -> float:
        """Start JupyterHub; return the seconds until its API and the course service answer."""
        import requests

        t0 = time.monotonic()
        log = open(self.private / "hub.log", "ab")  # noqa: SIM115 - the hub's lifetime
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "jupyterhub"),
                "-f",
                str(HUB_DIR / "jupyterhub_config.py"),
            ],
            cwd=self.private,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        while True:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.stop()  # the proxy it started would hold the ports of the next start
                raise StoreOpsError(f"JupyterHub exited ({code}): {self.log_tail()}")
            try:
                hub = requests.get(f"{self.url}/hub/api/", timeout=5)
                course = requests.get(f"{self.url}/services/{COURSE}/api", timeout=5)
                if hub.ok and course.ok:
                    return time.monotonic() - t0
            except requests.RequestException:
                pass
            if time.monotonic() - t0 > timeout:
                self.stop()
                raise StoreOpsError(
                    f"JupyterHub did not start in {timeout:.0f} s: {self.log_tail()}"
                )
            time.sleep(0.5)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.admin_token}"}

    def api(self, method: str, path: str, **kw):
        import requests

        r = requests.request(
            method, f"{self.url}/hub/api{path}", headers=self.headers, timeout=60, **kw
        )
        if r.status_code >= 400:
            raise StoreOpsError(f"hub API {method} {path}: {r.status_code} {r.text[:500]}")
        return r.json() if r.content else None

    def check_service(self) -> dict:
        """The check service's health reply (``{"ok": true, "keys_ready": n}``), {} when
        it does not answer."""
        import requests

        try:
            r = requests.get(f"{self.url}/services/storeops-check/health", timeout=2)
            return r.json() if r.ok else {}
        except (requests.RequestException, ValueError):
            return {}

    def log_tail(self, n: int = 3000) -> str:
        path = self.private / "hub.log"
        return path.read_text(errors="replace")[-n:] if path.exists() else ""

    def wait(self) -> None:
        if self.proc is not None:
            self.proc.wait()

    def stop(self) -> None:
        """Stop the hub: it stops the users' servers, the course service and the proxy. A
        hub that died (or was killed) cannot: what it started in this class's folders is
        stopped here, or it would hold the ports of the next start."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
            try:  # the proxy shares the hub's session
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc = None
        for pid in _running_in(self.root):  # managed services run in sessions of their own
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def welcome(self) -> str:
        students = ", ".join(self.students)
        return (
            f"JupyterHub is running: open {self.url}/ and log in with password {self.password!r}\n"
            f"  instructor: {self.instructor}  (formgrader: {self.url}/services/{COURSE}/formgrader)\n"
            f"  students:   {students}  (JupyterLab, Assignments tab; their store is in ~/store)\n"
            f"  course folder (instructor only): {self.course_dir}\n"
            "Ctrl-C stops it."
        )


def _ensure_account(name: str) -> None:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-m", "-s", "/bin/bash", name], check=True)
        entry = pwd.getpwnam(name)
    Path(entry.pw_dir).mkdir(exist_ok=True)
    os.chown(entry.pw_dir, entry.pw_uid, entry.pw_gid)
    os.chmod(entry.pw_dir, 0o700)
