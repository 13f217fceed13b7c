"""A jupyter_client kernel manager that runs each grading kernel in a sandbox.

nbgrader's ``Execute`` preprocessor (an nbclient ``NotebookClient``) creates one
kernel manager per notebook; :class:`SandboxedKernelManager` is a drop-in
``AsyncKernelManager`` that, for that kernel:

* talks over Unix sockets (``transport = "ipc"``) so the kernel can live in an
  empty network namespace;
* starts the kernel through ``launch.py`` (network namespace, RLIMIT_AS,
  RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_CPU, a throw-away uid when root);
* gives it a private HOME/TMPDIR, a scrubbed environment (no credentials, no
  gradebook URL), and its working folder (the student's autograded folder) as
  the only grader folder it owns;
* kills the kernel and everything it started when the notebook's wall time
  runs out (watchdog) and whenever the kernel is shut down, so no forked or
  orphaned process survives a submission;
* remembers why the kernel died (signal, exit code, watchdog) for the report.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from storeops.sandbox.limits import Enforced, Limits

SOURCE_ENV = "STOREOPS_SOURCE_DIR"  # storeops.grading.keys.SOURCE_ENV
EXPORT_ENV = "STOREOPS_GRADING_KERNEL"  # storeops.grading.keys.EXPORT_ENV

LAUNCHER = Path(__file__).with_name("launch.py")
SANDBOX_ROOT = Path(os.environ.get("STOREOPS_SANDBOX_ROOT", "/tmp/storeops-sandbox"))
UID_BASE = 3_100_000  # far above any real account; one uid per running kernel
UID_SLOTS = 512

# Environment variables a student's kernel never sees (credentials, grader internals).
_SECRET = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|_AUTH|SSH_|GPG_|"
    r"^AWS_|^GOOGLE_|^AZURE_|^GITHUB_|^GH_|^STOREOPS_GRADEBOOK|DATABASE_URL|_DB_URL|^PG|"
    r"^STOREOPS_COURSE_SEED|^JUPYTERHUB_)",  # seed: derives every truth; hub: the grader's identity
    re.IGNORECASE,
)
# Keep kernels single-threaded (parallel grading already uses the cores; fewer
# threads also means less address space against RLIMIT_AS).
_THREADS = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",  # each thread arena reserves 64 MB of address space
}

SIGNAL_REASONS = {
    signal.SIGSEGV: "segmentation fault (the kernel crashed)",
    signal.SIGBUS: "bus error (the kernel crashed)",
    signal.SIGABRT: "aborted (often out of memory inside a C library)",
    signal.SIGXCPU: "CPU time limit exceeded",
    signal.SIGXFSZ: "file size limit exceeded",
    signal.SIGKILL: "killed (SIGKILL)",
    signal.SIGTERM: "terminated (SIGTERM)",
}


def scrub_env(env: dict[str, str]) -> dict[str, str]:
    """The environment without credentials and grader-only settings."""
    return {k: v for k, v in env.items() if not _SECRET.search(k)}


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


class UidSlot:
    """An exclusive throw-away uid, held by an flock for the kernel's lifetime."""

    def __init__(self) -> None:
        lockdir = SANDBOX_ROOT / "uids"
        lockdir.mkdir(parents=True, exist_ok=True)
        os.chmod(SANDBOX_ROOT, 0o711)
        os.chmod(lockdir, 0o700)
        for i in range(UID_SLOTS):
            fd = os.open(lockdir / str(UID_BASE + i), os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.fd, self.uid = fd, UID_BASE + i
            kill_uid(self.uid)  # leftovers of a run that was killed (SIGKILL) half-way
            for box in SANDBOX_ROOT.glob("kernel-*"):  # and their folders
                try:
                    if box.stat().st_uid == self.uid:
                        shutil.rmtree(box, ignore_errors=True)
                except OSError:
                    pass
            return
        raise RuntimeError(f"all {UID_SLOTS} sandbox uids are in use")

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid``: ``kill(-1)`` run as that uid (atomic vs fork)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(3):
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def descendants(pid: int) -> list[int]:
    """Processes below ``pid`` (from /proc), for when no separate uid is available."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


class SandboxedKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` that launches its kernel under :class:`Limits`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
        self.cache_ports = False
        self.limits = Limits.from_env()
        self.box: Path | None = None
        self.slot: UidSlot | None = None
        self.enforced = Enforced(limits=self.limits.__dict__.copy())
        self.watchdog_fired = False
        self.exit_reason: str | None = None
        self._proc = None
        self._watchdog: threading.Timer | None = None
        self._cwd: tuple[Path, int, int, int] | None = None
        self._log = None
        self.stderr_tail = ""
        # pre-started (sandbox/prestart.py): launched in its private HOME before its
        # notebook is known, moved into the notebook's folder by assign()
        self.prestarted = False
        self.expose_also: list[str] = []  # more folders its mount namespace must reach
        self._store_caches: tuple[Path, Path] | None = None

    # --- launch ---------------------------------------------------------------------
    async def _async_pre_start_kernel(self, **kw):
        self._make_box()
        self.connection_file = str(self.box / "kernel.json")
        self.ip = str(self.box / "kernel-ipc")
        if self.prestarted:
            kw["cwd"] = str(self.box / "home")
        return await super()._async_pre_start_kernel(**kw)

    def _make_box(self) -> None:
        SANDBOX_ROOT.mkdir(parents=True, exist_ok=True)
        if is_root():
            os.chmod(SANDBOX_ROOT, 0o711)
        self.box = Path(tempfile.mkdtemp(prefix="kernel-", dir=SANDBOX_ROOT))
        uid = None
        if self.limits.user == "auto" and is_root():
            self.slot = UidSlot()
            uid = self.slot.uid
        for sub in ("home", "tmp"):
            (self.box / sub).mkdir()
        cache = Path.home() / ".cache" / "matplotlib"  # avoid rebuilding the font cache
        if cache.is_dir():
            shutil.copytree(cache, self.box / "home" / ".cache" / "matplotlib")
        if uid is not None:
            for path in [self.box, *self.box.rglob("*")]:
                os.lchown(path, uid, uid)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        lim = self.limits
        uid = self.slot.uid if self.slot else None
        env = scrub_env(dict(kw.get("env") or os.environ))
        home = str(self.box / "home")
        env.update(
            HOME=home,
            TMPDIR=str(self.box / "tmp"),
            IPYTHONDIR=str(Path(home) / ".ipython"),
            MPLCONFIGDIR=str(Path(home) / ".cache" / "matplotlib"),
            JUPYTER_RUNTIME_DIR=str(self.box / "tmp"),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONFAULTHANDLER="1",
            **_THREADS,
        )
        shared_cache = self._private_store_cache(env)
        # Answer keys are computed by the grader, never in the kernel (grading/answers.py):
        # the kernel only exports the student's answers and cannot find the sources.
        sources = env.pop(SOURCE_ENV, None) or os.environ.get(SOURCE_ENV)
        env[EXPORT_ENV] = "1"
        kw["env"] = env
        cwd = kw.get("cwd")
        if uid is not None and cwd and Path(cwd).is_dir():
            st = os.stat(cwd)
            self._cwd = (Path(cwd), st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))
            os.chown(cwd, uid, uid)
            os.chmod(cwd, 0o700)
        if uid is not None:
            os.chown(self.connection_file, uid, uid)
        if uid is None:
            user_reason = (
                "switched off (STOREOPS_SANDBOX_USER=off)"
                if lim.user != "auto"
                else "grader is not root: cannot switch to another uid"
            )
        else:
            user_reason = None
        cfg = {
            "network": lim.network,
            "memory_bytes": int(lim.memory_mb * 1024 * 1024),
            "fsize_bytes": int(lim.max_file_mb * 1024 * 1024),
            "cpu_seconds": int(lim.cpu_seconds),
            "nproc": self._nproc(uid),
            "uid": uid,
            "gid": uid,
            "user_reason": user_reason,
            "report": str(self.box / "enforced.json"),
            "expose": (
                _reachable_paths(kernel_cmd, cwd, env, shared_cache) if uid is not None else []
            ),
            "hide": hidden_paths(sources) if uid is not None else [],
            "stage": str(self.box / "stage"),
        }
        (self.box / "stage").mkdir(exist_ok=True)
        if uid is not None and self.expose_also:
            more = {os.path.join(os.path.realpath(p), "_") for p in self.expose_also}
            cfg["expose"] = sorted({*cfg["expose"], *more})
        cfg_path = self.box / "launch.json"
        cfg_path.write_text(json.dumps(cfg))
        cmd = [sys.executable, str(LAUNCHER), str(cfg_path), "--", *kernel_cmd]
        self._log = open(self.box / "kernel.log", "wb")  # noqa: SIM115 - closed in cleanup
        kw["stdout"] = subprocess.DEVNULL
        kw["stderr"] = self._log
        kw["stdin"] = subprocess.DEVNULL
        await super()._async_launch_kernel(cmd, **kw)
        self._proc = self.provisioner.process
        self._start_watchdog()

    def _start_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self.limits.notebook_timeout:
            self._watchdog = threading.Timer(self.limits.notebook_timeout, self._watchdog_fire)
            self._watchdog.daemon = True
            self._watchdog.start()

    def assign(self, cwd: str) -> None:
        """A pre-started kernel becomes the kernel of the notebook in ``cwd``: that folder
        goes to the kernel's uid (as at launch; given back by :meth:`finish`) and the
        notebook's wall-time limit starts now. The kernel itself is then told to
        ``chdir`` there (sandbox/prestart.py)."""
        if self.slot is not None and Path(cwd).is_dir():
            st = os.stat(cwd)
            self._cwd = (Path(cwd), st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))
            os.chown(cwd, self.slot.uid, self.slot.uid)
            os.chmod(cwd, 0o700)
        self._link_store_cache()
        if not self.watchdog_fired:
            self._start_watchdog()

    def _private_store_cache(self, env: dict) -> str | None:
        """Generated stores: read the shared cache, write only a private one.

        ``storeops.data`` caches generated stores in ``$STOREOPS_CACHE``. A kernel
        that could write there could plant a store for another student's seed, so it
        gets a private cache holding links to the shared entries (read-only)."""
        shared = env.get("STOREOPS_CACHE") or os.environ.get("STOREOPS_CACHE")
        shared_path = Path(shared) if shared else Path.home() / ".cache" / "storeops" / "stores"
        private = self.box / "home" / "store-cache"
        private.mkdir(parents=True, exist_ok=True)
        if self.slot is not None:
            os.lchown(private, self.slot.uid, self.slot.uid)
        self._store_caches = (shared_path, private)
        self._link_store_cache()
        env["STOREOPS_CACHE"] = str(private)
        return str(shared_path.resolve()) if shared_path.is_dir() else None

    def _link_store_cache(self) -> None:
        """Links in the private store cache to the shared cache's entries (read-only);
        again when a pre-started kernel is assigned (stores generated meanwhile)."""
        if self._store_caches is None:
            return
        shared_path, private = self._store_caches
        if not shared_path.is_dir() or not private.is_dir():
            return
        for entry in shared_path.iterdir():
            link = private / entry.name
            if entry.is_dir() and not entry.name.startswith(".") and not link.is_symlink():
                if link.exists():  # the kernel made its own: leave it
                    continue
                link.symlink_to(entry.resolve())
                if self.slot is not None:
                    os.lchown(link, self.slot.uid, self.slot.uid)

    def _nproc(self, uid: int | None) -> int:
        if not self.limits.max_procs:
            return 0
        if uid is not None:
            return int(self.limits.max_procs)
        # same user as the grader: the limit counts all of that user's processes
        mine = 0
        me = os.getuid()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == me:
                        mine += 1
                except OSError:
                    pass
        return mine + int(self.limits.max_procs)

    # --- watchdog and killing -----------------------------------------------------------
    def _watchdog_fire(self) -> None:
        self.watchdog_fired = True
        self.kill_all()

    def kill_all(self) -> None:
        """Kill the kernel and every process it started (safe to call twice)."""
        if self.slot is not None:
            kill_uid(self.slot.uid)
            return
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        pids = descendants(proc.pid)
        for sig_target in [proc.pid, *pids]:
            try:
                os.kill(sig_target, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def death_reason(self) -> str | None:
        """Why the kernel process ended, in words; None while it runs."""
        proc = self._proc
        if proc is None:
            return None
        code = proc.poll()
        if code is None:
            return None
        if self.watchdog_fired:
            return f"notebook wall time limit ({self.limits.notebook_timeout:g} s) exceeded"
        tail = self._stderr_tail()
        if "MemoryError" in tail or "Cannot allocate memory" in tail or "std::bad_alloc" in tail:
            return f"out of memory (limit {self.limits.memory_mb} MB)"
        if code < 0:
            sig = signal.Signals(-code)
            return SIGNAL_REASONS.get(sig, f"killed by {sig.name}")
        return f"the kernel process exited with code {code} (e.g. os._exit or sys.exit in C)"

    def _stderr_tail(self, size: int = 4096) -> str:
        if self.box is None or not (self.box / "kernel.log").exists():
            return self.stderr_tail
        try:
            with open(self.box / "kernel.log", "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - size))
                self.stderr_tail = fh.read().decode("utf-8", "replace")
        except OSError:
            pass
        return self.stderr_tail

    def read_enforced(self) -> Enforced:
        """Merge what launch.py reported (OS limits) into :attr:`enforced`."""
        if self.box is not None:
            path = self.box / "enforced.json"
            for _ in range(50):  # written by launch.py just before exec
                if path.exists():
                    break
                time.sleep(0.02)
            try:
                for key, value in json.loads(path.read_text()).items():
                    setattr(self.enforced, key, value)
            except (OSError, ValueError):
                pass
        return self.enforced

    # --- shutdown -----------------------------------------------------------------------
    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # jupyter_client polls every 0.1 s until the kernel process has gone; a killed
        # or exiting kernel goes within milliseconds, so poll often (idle time per notebook)
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if not restart:
                self.finish()

    def finish(self) -> None:
        """Kill leftovers, give the working folder back, delete the box (idempotent)."""
        if self._watchdog is not None:
            self._watchdog.cancel()
        self.kill_all()
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.read_enforced()
        self._stderr_tail()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._cwd is not None:
            path, uid, gid, _mode = self._cwd
            _chown_tree(path, uid, gid)
            os.chmod(path, 0o700)  # other students' kernels cannot read it
            self._cwd = None
        if self.box is not None:
            shutil.rmtree(self.box, ignore_errors=True)
            self.box = None
        if self.slot is not None:
            self.slot.release()
            self.slot = None

    def __del__(self):  # last resort: never leave processes behind
        try:
            if self._proc is not None or self.slot is not None:
                self.finish()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def _reachable_paths(
    kernel_cmd: list[str], cwd: str | None, env: dict, shared_cache: str | None = None
) -> list[str]:
    """What the kernel's uid must reach: the interpreter, its libraries, the working
    folder and the shared store cache (launch.py exposes those behind folders other
    users cannot enter, read-only, e.g. a course under /root). Never the sources."""
    exe = shutil.which(kernel_cmd[0]) or kernel_cmd[0]
    paths = {os.path.realpath(exe), os.path.realpath(sys.executable)}
    paths.add(os.path.join(os.path.realpath(sys.base_prefix), "lib", "_"))
    paths.add(os.path.join(os.path.realpath(os.path.dirname(os.__file__)), "_"))
    paths.update(os.path.join(os.path.realpath(p), "_") for p in sys.path if p and os.path.isdir(p))
    if cwd:
        paths.add(os.path.join(os.path.realpath(cwd), "_"))  # the folder itself too
    if shared_cache:
        paths.add(os.path.join(shared_cache, "_"))
    return sorted(paths)


def hidden_paths(source_dir: str | None) -> list[str]:
    """Folders the kernel must not see even where they are world-readable: the
    instructor's sources and the git repository around them (its objects hold every
    version of the sources). launch.py covers each with an empty, read-only tmpfs."""
    if not source_dir:
        return []
    src = Path(os.path.realpath(source_dir))
    out = [str(src)]
    for parent in [src, *src.parents]:
        git = parent / ".git"
        if git.exists():
            out.append(str(git))
            break
    return out


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    """Give back ``path`` and what the kernel wrote in it (no symlink is followed)."""
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            try:
                os.lchown(os.path.join(root, name), uid, gid)
            except OSError:
                pass
    os.lchown(path, uid, gid)
