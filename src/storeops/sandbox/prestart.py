"""Pre-started grading kernels: the next submission's kernel boots while this one is saved.

Starting a sandboxed kernel (Python, ipykernel, the tamper guard's imports) takes most
of a second in which the grading process itself only waits. ``storeops grade`` turns
this on in each grading process (:func:`enable`); after a notebook has run,
:class:`~storeops.sandbox.execute.SandboxedExecute` starts one spare kernel
(:func:`spawn`) that boots while nbgrader saves the grades and writes the feedback,
and the next notebook takes it (:func:`take`) instead of starting its own.

What does not change: every submission still gets its own fresh kernel that no other
submission ever used. A spare runs no student code before it is taken; it is taken
once (then it belongs to that notebook and is killed with it), and a spare nobody
takes is killed (:func:`disable`, at the latest when the grading process exits). It
is started like any grading kernel (same sandbox, limits, throw-away uid, private
HOME, kernel command) with everything that does not depend on the submission, and
runs the tamper guard's set-up, which precedes any student code anyway. When taken
(:func:`claim`) it gets the rest of what a kernel started for that notebook gets: its
working folder (handed to the kernel's uid, as at launch; ``chdir``, ``sys.path``),
the per-submission environment (:data:`SUBMISSION_ENV`) and a full wall-time limit
from that moment. If anything differs from what a fresh kernel would get (kernel
name, arguments, any other environment variable) or the spare does not answer, it
is killed and a fresh kernel is started the usual way.

Plain ``nbgrader autograde`` never enables this: it behaves exactly as before.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from queue import Empty
from typing import Any

from jupyter_core.utils import ensure_async, run_sync

from storeops.sandbox.kernel import scrub_env

# Variables set for one submission only: storeops grade sets STOREOPS_STUDENT (the
# student's store), nbgrader sets NBGRADER_EXECUTION during autograde. A spare is
# started without them; claim() gives the kernel their values at that moment.
SUBMISSION_ENV = ("STOREOPS_STUDENT", "NBGRADER_EXECUTION")

ASSIGN = """
def __storeops_assign(cwd, env):
    import os, sys
    old = os.getcwd()
    os.chdir(cwd)
    new = os.getcwd()
    for key, value in env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    sys.path[:] = [new if p == old else p for p in sys.path]
    dh = get_ipython().user_ns.get("_dh")
    if isinstance(dh, list) and dh:  # IPython's directory history (pathlib.Path)
        dh[:] = [type(dh[0])(new)]

__storeops_assign(__CWD__, __ENV__)
del __storeops_assign
"""


# Experiment: modules a spare imports while it waits (comma-separated)
PRELOAD_ENV = "STOREOPS_PRESTART_PRELOAD"


def _warm_code(names: list[str]) -> str:
    return (
        "def __storeops_warm(names):\n"
        "    import importlib\n"
        "    for name in names:\n"
        "        try:\n"
        "            importlib.import_module(name)\n"
        "        except Exception:\n"
        "            pass\n"
        f"__storeops_warm({[n.strip() for n in names if n.strip()]!r})\n"
        "del __storeops_warm\n"
    )


@dataclass
class Spare:
    """A started kernel waiting for its submission (never used by any other)."""

    km: Any
    kc: Any
    kernel_name: str
    arguments: tuple[str, ...]
    env: dict[str, str]
    warm_id: str | None
    started: float


_enabled = False
_spare: Spare | None = None
_remaining: Any = None  # .value: submissions not yet started (-1 or None: not known)
stats = {"spawned": 0, "used": 0, "discarded": 0}


def enable(remaining: Any = None) -> None:
    """Pre-start kernels in this process; ``remaining.value`` (e.g. a
    ``multiprocessing.Value``) counts the submissions no process has started yet: no
    spare is started while it is 0 (-1: not known yet)."""
    global _enabled, _remaining
    _enabled, _remaining = True, remaining


def disable(hard: bool = False) -> None:
    """No more spares; kill the one waiting (``hard``: no event loop, e.g. at exit)."""
    global _enabled
    _enabled = False
    discard(hard=hard)


def enabled() -> bool:
    return _enabled


def waiting() -> Spare | None:
    return _spare


def stable_env(environ: dict | None = None) -> dict[str, str]:
    """The kernel environment that does not depend on the submission."""
    env = scrub_env(dict(os.environ if environ is None else environ))
    for key in SUBMISSION_ENV:
        env.pop(key, None)
    return env


def submission_env(environ: dict | None = None) -> dict[str, str | None]:
    environ = os.environ if environ is None else environ
    return {key: environ.get(key) for key in SUBMISSION_ENV}


def kernel_name_of(executor) -> str:
    """The kernel a notebook asks for, as nbclient decides it."""
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

    name = executor.kernel_name
    if not name:
        name = (executor.nb.metadata.get("kernelspec") or {}).get("name") if executor.nb else None
    return name or NATIVE_KERNEL_NAME


def arguments(executor, km) -> tuple[str, ...]:
    """The kernel's extra arguments, as nbclient's ``async_start_new_kernel`` builds them."""
    args = list(executor.extra_arguments)
    if (
        getattr(km, "ipykernel", False)
        and executor.ipython_hist_file
        and not any(a.startswith("--HistoryManager.hist_file") for a in args)
    ):
        args.append(f"--HistoryManager.hist_file={executor.ipython_hist_file}")
    return tuple(args)


def wanted() -> bool:
    if not _enabled or _spare is not None:
        return False
    return _remaining is None or _remaining.value != 0  # -1: not known yet


def spawn(executor, folders: list[str] | None = None) -> Spare | None:
    """Start the spare kernel for the next notebook ``executor``'s kind would run.

    ``folders``: where the next working folders will be (the kernel's mount namespace
    must reach them, e.g. a course under /root). Never raises: without a spare the next
    notebook simply starts its own kernel."""
    global _spare
    if not wanted():
        return None
    km = None
    try:
        name = executor.kernel_name or kernel_name_of(executor)
        km = executor.kernel_manager_class(kernel_name=name, config=executor.config)
        km.prestarted = True
        km.expose_also = [str(f) for f in folders or []]
        args = arguments(executor, km)
        env = stable_env()
        run_sync(km._async_start_kernel)(extra_arguments=list(args), env=dict(env))
        kc = km.client()
        kc.start_channels(hb=False)  # liveness comes from the kernel manager, not heartbeats
        preload = os.environ.get(PRELOAD_ENV)
        warm_id = None
        if preload:  # queued until the kernel is up; the reply is read when it is taken
            warm_id = kc.execute(
                _warm_code(preload.split(",")), silent=True, store_history=False, allow_stdin=False
            )
    except Exception:  # noqa: BLE001 - a spare is an optimisation, never a failure
        if km is not None and hasattr(km, "finish"):
            km.finish()
        return None
    _spare = Spare(km, kc, name, args, env, warm_id, time.monotonic())
    stats["spawned"] += 1
    return _spare


def take(executor) -> Spare | None:
    """The spare, if it is exactly what ``executor`` would start for its notebook
    (then it is no longer the spare: it is never handed out twice); else None, and a
    spare that does not fit is killed."""
    global _spare
    spare, _spare = _spare, None
    if spare is None:
        return None
    cwd = (executor.resources or {}).get("metadata", {}).get("path")
    proc = getattr(spare.km, "_proc", None)
    fits = (
        _enabled
        and cwd is not None
        and os.path.isdir(cwd)
        and spare.kernel_name == kernel_name_of(executor)
        and spare.arguments == arguments(executor, spare.km)
        and spare.env == stable_env()
        and proc is not None
        and proc.poll() is None
        and not getattr(spare.km, "watchdog_fired", False)
    )
    if not fits:
        _kill(spare, hard=False)
        return None
    stats["used"] += 1
    return spare


async def claim(executor, spare: Spare) -> bool:
    """Make the taken ``spare`` the kernel of ``executor``'s notebook: wait until it is
    up, hand it the working folder and the submission's environment. False when the
    spare does not answer properly (the caller then kills it and starts a fresh one)."""
    kc, km = spare.kc, spare.km
    cwd = executor.resources["metadata"]["path"]
    deadline = time.monotonic() + (executor.startup_timeout or 60)
    if spare.warm_id and await _reply(kc, km, spare.warm_id, deadline) is None:
        return False
    km.assign(cwd)  # the folder to the kernel's uid; the wall-time limit starts now
    code = ASSIGN.replace("__CWD__", repr(cwd)).replace("__ENV__", repr(submission_env()))
    msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    reply = await _reply(kc, km, msg_id, deadline)
    if reply is None or reply["content"].get("status") != "ok":
        return False
    return await _iopub_connected(kc, km, deadline)


async def _reply(kc, km, msg_id: str, deadline: float) -> dict | None:
    while time.monotonic() < deadline:
        try:
            msg = await ensure_async(kc.shell_channel.get_msg(timeout=0.5))
        except Empty:
            if not await ensure_async(km.is_alive()):
                return None
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg
    return None


async def _iopub_connected(kc, km, deadline: float) -> bool:
    """Output (IOPub) reaches us: any message from the kernel's publisher arrived.

    A subscriber misses what was published before its connection was made (the kernel
    may have booted just now), so, like jupyter_client's ``wait_for_ready``, ask for
    kernel info until one of the status messages that every request publishes arrives."""
    timeout = 0.05  # what was published after the subscription was made is there already
    while time.monotonic() < deadline:
        try:
            await ensure_async(kc.iopub_channel.get_msg(timeout=timeout))
            return True
        except Empty:
            pass
        if not await ensure_async(km.is_alive()):
            return False
        probe = kc.kernel_info()
        if await _reply(kc, km, probe, deadline) is None:
            return False
        timeout = 0.2
    return False


def discard(hard: bool = False) -> None:
    """Kill the waiting spare, if any."""
    global _spare
    spare, _spare = _spare, None
    if spare is not None:
        _kill(spare, hard=hard)


def _kill(spare: Spare, hard: bool) -> None:
    stats["discarded"] += 1
    try:
        spare.kc.stop_channels()
    except Exception:  # noqa: BLE001
        pass
    if hard:
        spare.km.finish()  # kills every process of its uid, removes its folder
        return
    try:
        run_sync(spare.km._async_shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001
        spare.km.finish()
