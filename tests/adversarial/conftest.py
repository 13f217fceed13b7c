"""The adversarial class: built once, graded once by the real pipeline, inspected by many tests.

Limits (``adversarial_corpus.LIMITS``) are small so the suite stays short, and set
only around the grading runs so that other test folders keep the course defaults.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import adversarial_corpus as corpus  # noqa: E402
from adversarial_corpus import require_sandbox  # noqa: E402


class Listener:
    """A loopback port the network case tries to reach (must see no connection)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


@dataclass
class GradedClass:
    course: Path
    cases: list
    summary: object
    before: dict
    after: dict
    listener: Listener

    def outcome(self, student: str):
        return next(o for o in self.summary.outcomes if o.student == student)

    def scores(self) -> dict[str, dict]:
        """``{student: {"total": x, cell: score}}`` from the gradebook."""
        from nbgrader.api import Gradebook

        out = {}
        with Gradebook(f"sqlite:///{self.course / 'gradebook.db'}") as gb:
            for sub in gb.assignment_submissions(corpus.ASSIGNMENT):
                cells = {"total": sub.score}
                for nb in sub.notebooks:
                    for g in nb.grades:
                        cells[g.name] = g.score
                out[sub.student.id] = cells
        return out

    def problems(self, student: str) -> list[dict]:
        return list(getattr(self.outcome(student), "problems", []))

    def autograded_outputs(self, student: str, gid: str) -> str:
        path = self.course / "autograded" / student / corpus.ASSIGNMENT / corpus.NOTEBOOK
        nb = json.loads(path.read_text())
        texts = []
        for cell in nb["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid:
                for out in cell.get("outputs", []):
                    text = out.get("text", "")
                    texts.append("".join(text) if isinstance(text, list) else text)
                    if out.get("ename"):
                        texts.append(f"{out['ename']}: {out.get('evalue', '')}")
        return "\n".join(texts)


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory) -> GradedClass:
    from storeops.grading.course import Course
    from storeops.grading.pipeline import grade_class
    from storeops.sandbox import snapshot

    root = tmp_path_factory.mktemp("adversarial")
    course = corpus.make_course(root)
    require_sandbox(course)
    corpus.release(course)
    listener = Listener()
    cases = corpus.cases(listener.port)
    corpus.build_class(course, cases)
    before = snapshot(course / "submitted")
    with corpus.limits_env():
        summary = grade_class(
            Course(course), corpus.ASSIGNMENT, workers=2, progress=False, report=False
        )
    after = snapshot(course / "submitted")
    yield GradedClass(course, cases, summary, before, after, listener)
    listener.close()
