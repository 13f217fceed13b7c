"""Grader-side hidden tests: compare the answers a grading kernel exported with the keys.

nbgrader autograde runs, in order, the sandboxed ``Execute`` (the student's kernel:
each hidden test only *exports* the answer, see :func:`storeops.grading.keys.grade`)
and then :class:`GradeAnswers` (here, in the grader's own process). For every test
cell whose (restored, trusted) source calls ``grade("<assignment>", "<qK>", ...)`` it

* reads the exported answer from that cell's outputs (:mod:`storeops.grading.wire`:
  plain JSON, never unpickled);
* computes the reference on the student's own store from the instructor-only source
  (:func:`storeops.grading.keys.reference`, cached per store in this process) and
  compares by the question's kind, naming a catalogued mistake;
* replaces the export by the verdict: a "✓ qK: correct." line, or an error output
  with the message, which is what nbgrader's ``SaveAutoGrades`` scores (an error
  means zero for that cell).

A test cell that ran without error but exported nothing (its output suppressed or
patched away), or exported something else, gets an error and zero, and the event is
recorded for the instructor report as tampering. The kernel never sees a source file
or a key: the sandbox hides the sources (``storeops.sandbox.kernel.hidden_paths``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool

from storeops.grading import keys, wire
from storeops.sandbox import EVENTS_ENV

CALL = re.compile(r"""\bgrade\(\s*["']([A-Za-z0-9_.\-]+)["']\s*,\s*["'](q\d+)["']""")


def calls(source: str) -> list[tuple[str, str]]:
    """``[(assignment, question)]`` of the hidden-test calls in a test cell's source."""
    return CALL.findall(source or "")


def _stream(text: str) -> NotebookNode:
    return NotebookNode(output_type="stream", name="stdout", text=text + "\n")


def _error(message: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename="GradeFailed", evalue=message, traceback=[f"✗ {message}"]
    )


class GradeAnswers(Preprocessor):
    """nbgrader autograde preprocessor: turn exported answers into graded test outputs."""

    enabled = Bool(True, help="always on: without it no hidden test is graded").tag(config=True)

    def preprocess(self, nb, resources):
        info = (resources or {}).get("nbgrader", {})
        self._events: list[dict] = []
        student = info.get("student")
        saved = os.environ.get("STOREOPS_STUDENT")
        if student:  # the reference must load this student's store, as the kernel did
            os.environ["STOREOPS_STUDENT"] = student
        try:
            for index, cell in enumerate(nb.cells):
                nb.cells[index], resources = self.preprocess_cell(cell, resources, index)
        finally:
            if student:
                if saved is None:
                    os.environ.pop("STOREOPS_STUDENT", None)
                else:
                    os.environ["STOREOPS_STUDENT"] = saved
            self._write_events(info)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        meta = cell.get("metadata", {}).get("nbgrader", {})
        wanted = calls(cell.source) if meta.get("grade") and not meta.get("solution") else []
        exports = [o for o in cell.get("outputs", []) if wire.MIME in o.get("data", {})]
        if not wanted:
            if exports:  # answers exported outside a test cell count for nothing
                cell.outputs = [o for o in cell.outputs if wire.MIME not in o.get("data", {})]
            return cell, resources
        kept = [o for o in cell.outputs if wire.MIME not in o.get("data", {})]
        failed = any(o.get("output_type") == "error" for o in kept)
        verdicts = []
        for assignment, question in wanted:
            mine = [o for o in exports if _payload(o).get("question") == question]
            if failed:
                break  # the kernel already failed this test (not answered, died, ...)
            if len(mine) != 1:
                why = "no answer was recorded" if not mine else "more than one answer was recorded"
                self._event(cell, f"hidden test of {question}: {why} (output suppressed or forged)")
                verdicts.append(_error(f"{question}: could not be graded ({why})."))
                failed = True
                break
            verdicts.extend(self._verdict(assignment, question, _payload(mine[0]), meta))
            failed = verdicts[-1].output_type == "error"
        stray = [o for o in exports if _payload(o).get("question") not in {q for _, q in wanted}]
        if stray and not failed:
            self._event(cell, "an answer for another question was exported in this test cell")
        cell.outputs = kept + verdicts
        return cell, resources

    def _verdict(self, assignment: str, question: str, payload: dict, meta: dict) -> list:
        """The outputs that grade one question: a verdict line, or an error; a partial verdict
        adds an execute_result with the points earned (nbgrader's partial credit)."""
        out = self._verdict_line(assignment, question, payload)
        if out.output_type == "error" or not isinstance(out.get("_partial"), float):
            out.pop("_partial", None)
            return [out]
        points = float(meta.get("points", 0)) * out.pop("_partial")
        result = NotebookNode(
            output_type="execute_result",
            execution_count=None,
            metadata={},
            data={"text/plain": f"{round(points, 2):g}"},
        )
        return [out, result]

    def _verdict_line(self, assignment: str, question: str, payload: dict) -> NotebookNode:
        try:
            answer = wire.decode(payload.get("answer"))
        except wire.WireError as exc:
            return _error(f"{question}: could not be graded (the answer is not readable: {exc}).")
        problems = payload.get("problems")
        if not (isinstance(problems, list) and all(isinstance(p, str) for p in problems)):
            problems = []
        q = keys._question(assignment, question)
        try:
            ref = keys.reference(assignment, question)
        except keys.GradeFailed as exc:  # a grader set-up problem, not the student's
            raise RuntimeError(
                f"cannot compute the answer key of {assignment} {question}: {exc} "
                f"(set {keys.SOURCE_ENV} to the course's source folder)"
            ) from None
        try:
            if not getattr(q.kind, "runs_student_code", False):
                answer = q.evaluated(answer, ref.namespace.get("store"))
        except Exception as exc:  # noqa: BLE001 - an answer the kind cannot evaluate
            return _error(f"{question}: could not be graded ({type(exc).__name__}).")
        try:
            line = keys.verdict(assignment, question, answer, problems[:5])
        except keys.GradeFailed as exc:
            return _error(str(exc))
        out = _stream(line)
        if isinstance(line, keys.Partial):
            out["_partial"] = line.fraction
        return out

    # --- instructor report ----------------------------------------------------------
    def _event(self, cell, message: str) -> None:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")
        self._events.append({"kind": "tampering", "cell": repr(gid), "message": message})

    def _write_events(self, info: dict) -> None:
        target = os.environ.get(EVENTS_ENV)
        if not (self._events and target and info.get("student")):
            return
        path = Path(target) / info["assignment"] / info["student"] / f"{info['notebook']}.json"
        data: dict[str, Any] = {"events": [], "enforced": None}
        if path.exists():
            try:
                data = json.loads(path.read_text())
            except ValueError:
                pass
        data.setdefault("events", []).extend(self._events)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, path)


def _payload(output) -> dict:
    data = output.get("data", {}).get(wire.MIME)
    return data if isinstance(data, dict) else {}
