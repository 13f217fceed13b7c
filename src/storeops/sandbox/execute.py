"""nbgrader's Execute preprocessor with the sandbox, an output cap and fair crash handling.

Use it in ``Autograde.autograde_preprocessors`` in place of
``nbgrader.preprocessors.Execute`` (see :func:`storeops.sandbox.configure`). It

* launches the kernel with :class:`~storeops.sandbox.kernel.SandboxedKernelManager`;
* keeps at most ``STOREOPS_MAX_OUTPUT_MB`` of output per notebook in memory and in
  the autograded notebook (nbgrader's ``LimitOutput`` only counts lines, after the
  fact, so one 100 MB line would pass);
* when the kernel dies (memory, segfault, ``os._exit``, CPU or wall-time limit),
  records the reason as an error in the cell that killed it and as "not run" in
  every later code cell, then lets nbgrader grade what ran: tests before the crash
  keep their points, tests after it get zero, and the run continues with the next
  student instead of failing;
* writes what happened (events, enforced limits) to
  ``$STOREOPS_SANDBOX_EVENTS/<assignment>/<student>/<notebook>.json`` for the
  instructor report.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_hook, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute

from storeops.sandbox import EVENTS_ENV, guard, prestart
from storeops.sandbox.kernel import SandboxedKernelManager
from storeops.sandbox.limits import Limits

ANSWER_MIME = "application/vnd.storeops.answer+json"  # storeops.grading.wire.MIME
ANSWER_MAX_BYTES = 4_000_000


def _size(out: NotebookNode) -> int:
    kind = out.get("output_type")
    if kind == "stream":
        return len(out.get("text", ""))
    if kind == "error":
        return sum(len(x) for x in out.get("traceback", [])) + len(out.get("evalue", ""))
    data = out.get("data", {})
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())


def error_output(ename: str, message: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"]
    )


class SandboxedExecute(Execute):
    """``nbgrader.preprocessors.Execute`` under :class:`~storeops.sandbox.limits.Limits`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    # --- per notebook -----------------------------------------------------------------
    def preprocess(self, nb, resources=None, km=None):
        self.limits = Limits.from_env()
        self.sandbox_events: list[dict] = []
        self._output_bytes = 0
        self._truncated_cells: set[int] = set()
        self._dead: str | None = None
        self._sandbox_km = None
        self._spare = None
        self._guarded = False
        self.tampering: list[str] = []
        try:
            return super().preprocess(nb, resources, km)
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [""])[0]  # never the cell preview
            self.sandbox_events.append(
                {"kind": "execution_failed", "message": f"{type(exc).__name__}: {first}"}
            )
            raise
        finally:
            self._write_events(resources)
            if prestart.enabled():  # storeops grade: the next notebook's kernel boots now
                path = (resources or {}).get("metadata", {}).get("path")
                prestart.spawn(self, [os.path.dirname(os.path.dirname(path))] if path else [])

    def create_kernel_manager(self):
        spare = prestart.take(self) if prestart.enabled() else None
        if spare is not None:  # pre-started for this process, never used by anyone
            self.km, self._spare = spare.km, spare
            km = spare.km
        else:
            km = super().create_kernel_manager()
        self._sandbox_km = km
        return km

    async def async_start_new_kernel_client(self):
        spare, self._spare = self._spare, None
        if spare is None:
            return await super().async_start_new_kernel_client()
        self.kc = spare.kc
        if await prestart.claim(self, spare):
            self.kc.allow_stdin = False
            await run_hook(self.on_notebook_start, notebook=self.nb)
            return self.kc
        # it did not answer properly: it goes, and a fresh kernel is started as usual
        prestart.stats["failed"] = prestart.stats.get("failed", 0) + 1
        await self._async_cleanup_kernel()
        self.kc = None
        self.km = super().create_kernel_manager()
        self._sandbox_km = self.km
        await self.async_start_new_kernel()
        return await super().async_start_new_kernel_client()

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._dead is not None:
            cell.outputs = [error_output("KernelDied", f"not run: {self._dead}")]
            return cell, resources
        try:
            self._guard(cell, index)
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            reason = self._death_reason()
        except CellTimeoutError:
            # no reply or output even after the interrupt: the kernel is stuck; stop it
            if self._sandbox_km is not None and hasattr(self._sandbox_km, "kill_all"):
                self._sandbox_km.kill_all()
            reason = (
                f"it stopped responding (still busy {self.timeout} s after an interrupt) "
                "and was stopped"
            )
        name = _cell_name(cell, index)
        self._dead = f"the kernel died in cell {name}: {reason}"
        cell.outputs.append(error_output("KernelDied", f"the kernel died here: {reason}"))
        self.sandbox_events.append({"kind": "kernel_died", "cell": name, "message": self._dead})
        return cell, resources

    # --- tamper guard -------------------------------------------------------------------
    def _guard(self, cell, index: int) -> None:
        """Snapshot before the first cell; before each test cell, undo and record patches."""
        if not self._guarded:
            self._guarded = True
            self._silent(guard.init_code())
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if not (nbg.get("grade") and not nbg.get("solution")):
            return
        reply = self._silent(guard.CHECK, {"r": guard.RESULT})
        if not reply or reply.get("content", {}).get("status") != "ok":
            return  # kernel busy (timed out) or errored: no claim either way
        try:
            text = reply["content"]["user_expressions"]["r"]["data"]["text/plain"]
            changed = json.loads(ast.literal_eval(text))
        except (KeyError, TypeError, ValueError, SyntaxError):
            changed = ["the tamper guard was disabled or removed"]
        fresh = [c for c in changed if c not in self.tampering]
        if fresh:
            self.tampering.extend(fresh)
            self.sandbox_events.append(
                {
                    "kind": "tampering",
                    "cell": _cell_name(cell, index),
                    "message": "student code replaced "
                    + ", ".join(fresh)
                    + "; restored before this test ran",
                }
            )

    def _silent(self, code: str, user_expressions: dict | None = None) -> dict | None:
        return run_sync(self._async_silent)(code, user_expressions)

    async def _async_silent(self, code: str, user_expressions: dict | None) -> dict | None:
        msg_id = self.kc.execute(
            code,
            silent=True,
            store_history=False,
            user_expressions=user_expressions or {},
            allow_stdin=False,
        )
        return await self.async_wait_for_reply(msg_id)

    def _death_reason(self) -> str:
        km = self._sandbox_km
        if km is None or not hasattr(km, "death_reason"):
            return "unknown reason"
        import time

        for _ in range(50):  # the process may still be exiting
            reason = km.death_reason()
            if reason:
                return reason
            time.sleep(0.05)
        return "the kernel stopped responding"

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        reply = kwargs["execute_reply"]
        if reply["content"].get("ename") == "CellTimeoutError":
            cell = kwargs["cell"]
            self.sandbox_events.append(
                {
                    "kind": "cell_timeout",
                    "cell": _cell_name(cell, kwargs.get("cell_index", -1)),
                    "message": f"cell ran longer than {self.timeout} s and was interrupted",
                }
            )

    # --- output cap ---------------------------------------------------------------------
    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None or not self.limits.max_output_bytes:
            return out
        if ANSWER_MIME in out.get("data", {}):
            # an exported answer for the grader (grading/answers.py): kept even after a
            # flood of printing, within its own cap
            if _size(out) > ANSWER_MAX_BYTES:
                out["data"] = {ANSWER_MIME: {"too_large": _size(out)}}
            return out
        self._output_bytes += _size(out)
        if self._output_bytes <= self.limits.max_output_bytes:
            return out
        if outs and outs[-1] is out:
            outs.pop()
        if cell_index not in self._truncated_cells:
            self._truncated_cells.add(cell_index)
            note = NotebookNode(
                output_type="stream",
                name="stderr",
                text=f"[output truncated: this notebook printed more than "
                f"{self.limits.max_output_mb:g} MB]\n",
            )
            outs.append(note)
            self.sandbox_events.append(
                {
                    "kind": "output_truncated",
                    "cell": cell_index,
                    "message": f"output over {self.limits.max_output_mb:g} MB was dropped",
                }
            )
        return None

    # --- report -------------------------------------------------------------------------
    def _write_events(self, resources) -> None:
        target = os.environ.get(EVENTS_ENV)
        info = (resources or {}).get("nbgrader", {})
        if not target or not info.get("student"):
            return
        km = self._sandbox_km
        enforced = None
        kernel = None  # which kernel ran it (each kernel runs exactly one notebook)
        if km is not None:
            kernel = {"id": km.kernel_id, "prestarted": bool(getattr(km, "prestarted", False))}
        if km is not None and hasattr(km, "read_enforced"):
            km.finish()
            enforced = km.enforced
            enforced.cell_timeout = bool(self.timeout) or "no per-cell timeout set"
            enforced.notebook_timeout = bool(self.limits.notebook_timeout) or "switched off"
            enforced.output_size = bool(self.limits.max_output_bytes) or "switched off"
            enforced.limits["cell_timeout"] = self.timeout
            enforced = enforced.as_dict()
        path = Path(target) / info["assignment"] / info["student"] / f"{info['notebook']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        data = {"events": self.sandbox_events, "enforced": enforced, "kernel": kernel}
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, path)


def _cell_name(cell, index: int) -> str:
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"{gid!r}" if gid else f"#{index + 1}"


def read_events(events_dir: str | Path, assignment: str, student: str) -> dict[str, dict]:
    """``{notebook: {"events": [...], "enforced": {...}}}`` written for one student."""
    folder = Path(events_dir) / assignment / student
    out = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            try:
                out[path.stem] = json.loads(path.read_text())
            except ValueError:
                continue
    return out
