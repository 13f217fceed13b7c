"""Kernel launch wrapper: apply the sandbox to this process, then exec the kernel.

Run as ``python launch.py CONFIG.json -- KERNEL-COMMAND...`` (by file path, so that
nothing but the standard library is imported before the limits apply). In order:

1. a new, empty network namespace (``unshare(CLONE_NEWNET)``): only a loopback
   interface that is down, so every connection fails at once (needs root or
   CAP_SYS_ADMIN; the kernel talks to the grader over Unix sockets, which are
   not affected);
2. resource limits: RLIMIT_AS (memory), RLIMIT_NPROC (processes), RLIMIT_FSIZE
   (file size), RLIMIT_CPU (CPU seconds); children inherit them;
3. a private mount namespace: when the interpreter sits in a folder other users
   cannot enter (/root), it exposes only the interpreter's folder; the instructor's
   sources (and the git repository holding them) are covered by empty tmpfs;
4. a throw-away uid/gid with no supplementary groups (only when root), which is
   what makes RLIMIT_NPROC count (root is exempt) and keeps the kernel out of
   files it does not own (gradebook, submissions, other students' folders);
5. writes what was enforced to the report file, then ``execvp`` the kernel.

Each step that the system refuses is recorded and skipped, never fatal.
"""

import ctypes
import ctypes.util
import json
import os
import resource
import sys

CLONE_NEWNET = 0x40000000
CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 32, 4096, 16384, 1 << 18
MNT_DETACH = 2

_libc = None


def libc():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _call(name: str, *args) -> None:
    fn = getattr(libc(), name)
    enc = [a.encode() if isinstance(a, str) else a for a in args]
    if fn(*enc) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}{args}: {os.strerror(err)}")


def _blocked_dirs(path: str, uid: int | None = None) -> list[tuple[str, str]]:
    """(directory, child) pairs on the way to ``path`` that ``uid`` cannot enter."""
    out = []
    parts = os.path.abspath(path).split(os.sep)[1:]
    current = "/"
    for part in parts:  # every folder above the last component
        try:
            st = os.stat(current)
        except OSError:
            break
        if not st.st_mode & 0o001 and not (st.st_uid == uid and st.st_mode & 0o100):
            out.append((current, part))
        current = os.path.join(current, part)
    return out


def expose(
    paths: list[str], stage: str, uid: int | None = None, hide: list[str] | None = None
) -> bool | str:
    """In a private mount namespace, make ``paths`` (the interpreter) reachable for an
    unprivileged uid without opening the rest of e.g. /root: the blocked directory is
    covered by an empty tmpfs into which only the needed child is bind-mounted read-only.
    Each folder in ``hide`` (the instructor's sources) is covered by an empty tmpfs."""
    try:
        blocked: dict[str, list[str]] = {}
        for path in paths:
            for directory, child in _blocked_dirs(path, uid):
                children = blocked.setdefault(directory, [])
                if child not in children:
                    children.append(child)
        _call("unshare", CLONE_NEWNS)
        _call("mount", None, "/", None, MS_REC | MS_PRIVATE, None)
        for directory in sorted(blocked, key=lambda d: d.count(os.sep)):
            _call("mount", directory, stage, None, MS_BIND | MS_REC, None)
            _call("mount", "tmpfs", directory, "tmpfs", MS_NOSUID, "mode=0755,size=1m")
            for child in blocked[directory]:
                if not os.path.lexists(os.path.join(stage, child)):
                    continue
                target = os.path.join(directory, child)
                os.mkdir(target)
                _call("mount", os.path.join(stage, child), target, None, MS_BIND | MS_REC, None)
                _call("mount", None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)
            _call("umount2", stage, MNT_DETACH)
        for path in hide or []:
            if os.path.isdir(path):
                _call("mount", "tmpfs", path, "tmpfs", MS_NOSUID | MS_RDONLY, "mode=0555,size=4k")
    except OSError as exc:
        return f"private mount namespace failed: {exc}"
    return True


def _unshare_net() -> bool | str:
    try:
        _call("unshare", CLONE_NEWNET)
    except (OSError, AttributeError) as exc:  # refused, or no libc.unshare (not Linux)
        return f"unshare(CLONE_NEWNET) not possible: {exc}"
    return True


def _limit(kind: int, soft: int, hard: int | None = None) -> bool | str:
    try:
        resource.setrlimit(kind, (soft, soft if hard is None else hard))
    except (ValueError, OSError) as exc:
        return f"setrlimit refused: {exc}"
    return True


def apply(cfg: dict) -> dict:
    report: dict = {}
    if cfg.get("network") == "none":
        report["network"] = _unshare_net()
    else:
        report["network"] = "network allowed by configuration"
    if cfg.get("memory_bytes"):
        report["memory"] = _limit(resource.RLIMIT_AS, cfg["memory_bytes"])
    if cfg.get("fsize_bytes"):
        report["file_size"] = _limit(resource.RLIMIT_FSIZE, cfg["fsize_bytes"])
    if cfg.get("cpu_seconds"):
        # soft limit: SIGXCPU (kills the kernel); hard limit a little later: SIGKILL
        report["cpu"] = _limit(resource.RLIMIT_CPU, cfg["cpu_seconds"], cfg["cpu_seconds"] + 5)
    if cfg.get("nproc"):
        report["processes"] = _limit(resource.RLIMIT_NPROC, cfg["nproc"])
    uid = cfg.get("uid")
    if uid is not None and (cfg.get("expose") or cfg.get("hide")):
        report["mounts"] = expose(cfg.get("expose", []), cfg["stage"], uid, cfg.get("hide"))
        if report["mounts"] is not True:
            uid = None
            report["separate_user"] = report["mounts"]
        report["sources_hidden"] = (
            report["mounts"] if cfg.get("hide") else "no source folder configured"
        )
    else:
        report["sources_hidden"] = cfg.get("user_reason") or "no separate user"
    if uid is not None:
        try:
            os.setgroups([])
            os.setgid(cfg["gid"])
            os.setuid(uid)
            report["separate_user"] = True
        except OSError as exc:
            report["separate_user"] = f"could not switch user: {exc}"
    elif "separate_user" not in report:
        report["separate_user"] = cfg.get("user_reason") or "not requested"
    if report.get("processes") is True and os.getuid() == 0:
        report["processes"] = "root is exempt from RLIMIT_NPROC (no separate user)"
    return report


def main(argv: list[str]) -> None:
    if len(argv) < 4 or argv[2] != "--":
        sys.stderr.write("usage: launch.py CONFIG.json -- COMMAND...\n")
        os._exit(2)
    with open(argv[1]) as fh:
        cfg = json.load(fh)
    report = apply(cfg)
    try:
        with open(cfg["report"], "w") as fh:
            json.dump(report, fh)
    except OSError:
        pass
    cmd = argv[3:]
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv)
