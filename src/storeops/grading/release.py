"""``storeops release``: nbgrader's generate_assignment, then proof that nothing leaks.

A release must hold no solution code, no hidden test, no answer in plain text
(reference answers are computed on the default store and searched for), no
output, and no instructor-only file (mistakes catalogue, keys, ground truth).
A leaky release is deleted and reported as an error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from storeops.errors import StoreOpsError
from storeops.grading import source as src
from storeops.grading.course import Course

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
FORBIDDEN_FILES = ("mistakes.yml", "*.keys.json", "*truth*", "*.instructor.*")
PER_STUDENT_ENV = ("STOREOPS_COURSE_SEED", "STOREOPS_STUDENT", "STOREOPS_STORES")
KEY_CALLS = ("self_learner_edition(", "storeops.grading.keys")


@dataclass(frozen=True)
class Leak:
    file: str
    what: str

    def __str__(self) -> str:
        return f"{self.file}: {self.what}"


def generate(course: Course, assignment: str) -> Path:
    """Run nbgrader's generate_assignment for one assignment; return the release folder."""
    course.check_assignment(assignment)
    result = course.api().generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        raise StoreOpsError(
            f"nbgrader generate_assignment {assignment} failed:\n"
            + (result.get("error") or result.get("log") or "")
        )
    return course.dir("release") / assignment


def _code_lines(text: str, min_len: int = 8) -> set[str]:
    """Meaningful code lines: stripped, not blank, not comments, not trivial."""
    out = set()
    for line in text.splitlines():
        s = line.strip()
        if len(s) >= min_len and not s.startswith("#") and s not in {"return", "pass"}:
            out.add(s)
    return out


def _answer_texts(value: Any) -> tuple[set[str], set[str]]:
    """Plain-text forms of an answer: (numbers, words). Short numbers are too common to search."""
    import numpy as np
    import pandas as pd

    numbers: set[str] = set()
    words: set[str] = set()

    def add_number(x: float) -> None:
        x = float(x)
        if not np.isfinite(x):
            return
        if float(x).is_integer() and abs(x) >= 100:
            numbers.update({str(int(x)), f"{int(x):,}"})
        elif abs(x) >= 10:
            numbers.update({f"{x:.2f}", f"{x:,.2f}"})

    if isinstance(value, str):
        if len(value.strip()) >= 3:
            words.add(value.strip())
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        add_number(value)
    elif isinstance(value, pd.Series):
        if pd.api.types.is_numeric_dtype(value.dtype):
            for x in value.head(50):
                add_number(x)
    elif isinstance(value, (list, tuple)):
        for v in value:
            n, w = _answer_texts(v)
            numbers |= n
            words |= w
    return numbers, words


def reference_answers(course: Course, assignment: str) -> dict[str, Any]:
    """Expected answers on the default store, computed by the reference solution."""
    from storeops.chapters import questions
    from storeops.grading import keys

    try:
        qs = questions(assignment)
    except ModuleNotFoundError as exc:
        if exc.name in (
            f"storeops.chapters.{assignment}",
            f"storeops.chapters.{assignment}.questions",
        ):
            # Without its questions the plain-text answer search would have nothing to look
            # for, and the release would pass unchecked.
            raise StoreOpsError(
                f"{assignment}: no questions module storeops.chapters.{assignment}.questions; "
                "every assignment declares its questions there (see chapters/README.md)"
            ) from None
        raise
    out = {}
    saved = {k: os.environ.pop(k) for k in PER_STUDENT_ENV if k in os.environ}
    try:  # the default store's answers, also for a per-student course
        for name in qs:
            try:
                out[name] = keys.expected(assignment, name, course.source_dir)
            except LookupError:
                continue
    finally:
        os.environ.update(saved)
    return out


def verify(course: Course, assignment: str, release_dir: Path | None = None) -> list[Leak]:
    """Every leak found in the release folder of ``assignment`` (empty list: clean)."""
    release_dir = release_dir or course.dir("release") / assignment
    source_dir = course.source_dir / assignment
    leaks: list[Leak] = []

    solution_lines: set[str] = set()
    hidden_lines: set[str] = set()
    for path in src.source_notebooks(source_dir):
        for cell in src.read_notebook(path).cells:
            if src.nbgrader_meta(cell).get("solution"):
                body = src.solution_body(cell.source) if cell.cell_type == "code" else cell.source
                solution_lines |= _code_lines(body, 8 if cell.cell_type == "code" else 25)
            hidden_lines |= _code_lines(src.hidden_region(cell.source))

    numbers: set[str] = set()
    words: set[str] = set()
    for value in reference_answers(course, assignment).values():
        n, w = _answer_texts(value)
        numbers |= n
        words |= w

    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        rel = str(path.relative_to(release_dir))
        if any(path.match(pattern) for pattern in FORBIDDEN_FILES):
            leaks.append(Leak(rel, "instructor-only file (mistakes, keys or ground truth)"))
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        if path.suffix == ".ipynb":
            leaks += _verify_notebook(
                rel,
                nbformat.reads(text, as_version=4),
                solution_lines,
                hidden_lines,
                numbers,
                words,
            )
        else:
            leaks += _verify_text(rel, text, numbers, words, code=True)
    return leaks


def _verify_notebook(rel, nb, solution_lines, hidden_lines, numbers, words) -> list[Leak]:
    leaks = []
    for i, cell in enumerate(nb.cells):
        where = f"{rel} cell {i} ({src.grade_id(cell) or cell.cell_type})"
        for marker in MARKERS:
            if marker in cell.source:
                leaks.append(Leak(where, f"contains the marker {marker!r}"))
        lines = {line.strip() for line in cell.source.splitlines()}
        for line in sorted(lines & solution_lines):
            leaks.append(Leak(where, f"solution code: {line[:60]!r}"))
        for line in sorted(lines & hidden_lines):
            leaks.append(Leak(where, f"hidden-test code: {line[:60]!r}"))
        for call in KEY_CALLS:
            if call in cell.source:
                leaks.append(Leak(where, f"answer-key call {call!r}"))
        if cell.cell_type == "code" and cell.get("outputs"):
            leaks.append(Leak(where, "has outputs (a release must have none)"))
        leaks += _verify_text(where, cell.source, numbers, words, code=cell.cell_type == "code")
    meta = json.dumps(nb.metadata)
    if "storeops_keys" in meta:
        leaks.append(Leak(rel, "self-learner keys in notebook metadata"))
    return leaks


def _verify_text(where: str, text: str, numbers: set[str], words: set[str], code: bool):
    leaks = []
    for n in sorted(numbers):
        if re.search(rf"(?<![\w.,]){re.escape(n)}(?![\w]|[.,]\d)", text):
            leaks.append(Leak(where, f"an answer appears in plain text ({_mask(n)})"))
    if code:  # text answers (e.g. a category) are only a leak where code assigns or prints them
        for w in sorted(words):
            if re.search(rf"""["']{re.escape(w)}["']""", text, re.I):
                leaks.append(Leak(where, f"an answer appears in plain text ({_mask(w)})"))
    return leaks


def _mask(text: str) -> str:
    """Say which answer leaked without printing it in full in logs."""
    return text[0] + "*" * (len(text) - 1)


def release(course: Course, assignment: str) -> Path:
    """Generate and verify; on any leak delete the release and raise."""
    out = generate(course, assignment)
    try:
        leaks = verify(course, assignment, out)
    except StoreOpsError:
        shutil.rmtree(out, ignore_errors=True)
        raise
    if leaks:
        shutil.rmtree(out, ignore_errors=True)
        listing = "\n  ".join(str(leak) for leak in leaks[:30])
        more = f"\n  ... and {len(leaks) - 30} more" if len(leaks) > 30 else ""
        raise StoreOpsError(
            f"release {assignment} LEAKS ({len(leaks)} problems), release deleted:\n  "
            f"{listing}{more}"
        )
    return out
