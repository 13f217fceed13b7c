"""The hidden tests' answer key: the reference solution, executed on the student's own store.

A hidden test cell calls ``grade("orientation", "q1", globals())``.

* In a grading kernel (``STOREOPS_GRADING_KERNEL`` set by the sandbox) it only
  exports the student's answer (:func:`export_answer`, :mod:`storeops.grading.wire`);
  :mod:`storeops.grading.answers` then grades it in the grader's process with
  :func:`verdict`. The kernel never sees a source or a key.
* Anywhere else (the instructor's copy of the source, tests) it grades in place.

Grading finds the instructor-only source notebook (never part of a student
release), executes its cells, solutions included, in a fresh namespace on the
same store the student's notebook loaded, and compares the student's answer with
the reference within the question's tolerance. If the answer matches a catalogued
mistake (``mistakes.yml``), the failure names that mistake. No message ever
contains the expected value.

In a student's hands this module has no source to read, so it cannot compute a
key: it fails with "answer keys are instructor-only".
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storeops.grading import source as src

SOURCE_ENV = "STOREOPS_SOURCE_DIR"
EXPORT_ENV = "STOREOPS_GRADING_KERNEL"  # set in grading kernels: export answers, no keys
COURSE_FILE = "course.json"


class GradeFailed(AssertionError):
    """A failed hidden test; IPython shows just the message (no traceback with code)."""

    def _render_traceback_(self) -> list[str]:
        return [f"✗ {self}"]


def find_source_dir() -> Path | None:
    """The instructor's source folder: env ``STOREOPS_SOURCE_DIR``, else the course found
    above the working directory (autograde runs in ``<course>/autograded/<student>/<a>/``)."""
    env = os.environ.get(SOURCE_ENV)
    if env:
        return Path(env)
    here = Path.cwd().resolve()
    for parent in [here, *here.parents]:
        if (parent / "nbgrader_config.py").exists():
            return course_source_dir(parent)
    return None


def course_source_dir(course_dir: str | Path) -> Path:
    """Where a course keeps its sources: ``course.json``'s ``source_directory`` or ``source``."""
    course_dir = Path(course_dir)
    rel = "source"
    cfg = course_dir / COURSE_FILE
    if cfg.exists():
        rel = json.loads(cfg.read_text()).get("source_directory", rel)
    return (course_dir / rel).resolve()


@dataclass
class Reference:
    """The executed reference notebook of one assignment: expected values and mistakes."""

    assignment_dir: Path
    namespace: dict = field(default_factory=dict)
    before: dict = field(default_factory=dict)  # question -> namespace before its answer cell
    answer_source: dict = field(default_factory=dict)  # question -> answer cell source
    values: dict = field(default_factory=dict)  # question -> raw reference value
    cells: list = field(default_factory=list)  # (question or None, grade_id, source) in order

    @classmethod
    def run(cls, assignment_dir: Path, notebook: Path, replace: dict | None = None) -> Reference:
        """Execute the source's non-test code cells; ``replace`` maps a question to code
        that replaces its solution region (a catalogued mistake), for checks of the catalogue."""
        replace = replace or {}
        ref = cls(assignment_dir)
        nb = src.read_notebook(notebook)
        ns: dict[str, Any] = {"__name__": "__main__"}
        for cell in nb.cells:
            if cell.cell_type != "code" or src.is_test_cell(cell) or src.is_view_cell(cell):
                continue
            q = src.question_of(cell) if src.is_answer_cell(cell) else None
            if q:
                ref.before[q] = dict(ns)
                ref.answer_source[q] = cell.source
            ref.cells.append((q, src.grade_id(cell), cell.source))
            code = src.strip_solution_markers(cell.source)
            if q in replace:
                code = src.replace_solution(cell.source, replace[q])
            _exec(code, ns, src.grade_id(cell))
        ref.namespace = ns
        return ref

    def rerun_with(self, mistake: src.Mistake) -> dict:
        """The namespace at the end of the notebook when ``mistake`` replaces its question's
        solution (cells before it are not re-executed: their namespace is reused)."""
        ns = dict(self.before[mistake.question])
        started = False
        for q, gid, source in self.cells:
            if q == mistake.question:
                started = True
                _exec(src.replace_solution(source, mistake.code), ns, f"{gid}-{mistake.id}")
            elif started:
                _exec(src.strip_solution_markers(source), ns, gid)
        return ns

    def value_of(self, var: str) -> Any:
        return self.namespace[var]

    def mistake_value(self, mistake: src.Mistake, var: str) -> Any:
        ns = dict(self.before[mistake.question])
        code = src.replace_solution(self.answer_source[mistake.question], mistake.code)
        _exec(code, ns, f"{mistake.question}-{mistake.id}")
        return ns[var]


def _exec(code: str, ns: dict, name: str) -> None:
    from IPython.core.inputtransformer2 import TransformerManager
    from IPython.utils.capture import capture_output

    python = TransformerManager().transform_cell(code)
    with capture_output(display=True):
        exec(compile(python, f"<reference {name}>", "exec"), ns)  # noqa: S102 - instructor code


_CACHE: dict[tuple, Reference] = {}
CACHE_SIZE = 3  # reference runs kept (a grading worker sees one store after another)


def reference(assignment: str, question: str, source_dir: Path | None = None) -> Reference:
    """The reference run holding ``question`` (cached per kernel)."""
    source_dir = source_dir or find_source_dir()
    adir = (source_dir / assignment) if source_dir else None
    if adir is None or not adir.is_dir():
        raise GradeFailed(
            f"{question}: answer keys are instructor-only; this test runs when your notebook "
            "is graded."
        )
    notebook = src.notebook_of_question(adir, question)
    key = (str(notebook), notebook.stat().st_mtime, *_store_identity())
    if key in _CACHE:
        _CACHE[key] = _CACHE.pop(key)  # most recently used last
    else:
        while len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = Reference.run(adir, notebook)
        _close_figures()
    return _CACHE[key]


def _close_figures() -> None:
    """Reference runs may plot; a grading worker must not pile up figures."""
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def _store_identity() -> tuple:
    """Which store ``load_store()`` gives here (the cache must not mix students' stores)."""
    try:
        from storeops.data import current_student
    except ImportError:  # pragma: no cover
        return (os.environ.get("STOREOPS_COURSE_SEED"),)
    return (os.environ.get("STOREOPS_COURSE_SEED"), current_student())


def expected(assignment: str, question: str, source_dir: Path | None = None) -> Any:
    """The evaluated expected answer (instructor side: tests, release checks, self-learner keys)."""
    from storeops.chapters import questions

    q = questions(assignment)[question]
    ref = reference(assignment, question, source_dir)
    store = ref.namespace.get("store")
    if q.truth is not None:
        from storeops.data import truth_of
        from storeops.grading.judges import truth_key

        return truth_key(q, truth_of(store), store)
    return q.evaluated(ref.value_of(q.var), store)


def mistakes_evaluated(assignment: str, question: str, source_dir: Path | None = None):
    """``[(Mistake, evaluated value)]`` for the question's catalogued mistakes."""
    from storeops.chapters import questions

    q = questions(assignment)[question]
    ref = reference(assignment, question, source_dir)
    store = ref.namespace.get("store")
    out = []
    for m in src.load_mistakes(ref.assignment_dir):
        if m.question == question:
            out.append((m, q.evaluated(ref.mistake_value(m, q.var), store)))
    return out


def grade(assignment: str, question: str, namespace: dict) -> None:
    """The hidden test of one question: prints a tick, or fails with a named mistake.

    In a grading kernel (``STOREOPS_GRADING_KERNEL`` set by the sandbox) it only
    exports the student's answer (:func:`export_answer`); the grader compares it with
    the key in its own process (:mod:`storeops.grading.answers`), so no key and no
    source ever reach the student's kernel. Elsewhere (the instructor's own session,
    tests) it computes the key here, from the sources.

    Any failure is a :class:`GradeFailed`, whose IPython rendering is one line, so
    the feedback never shows the hidden test's code in a traceback.
    """
    try:
        if os.environ.get(EXPORT_ENV):
            export_answer(assignment, question, namespace)
        else:
            _grade(assignment, question, namespace)
    except GradeFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - never a traceback that shows hidden code
        raise GradeFailed(f"{question}: could not be graded ({type(exc).__name__}).") from None


def _question(assignment: str, question: str):
    from storeops.chapters import questions

    return questions(assignment)[question]


def student_answer(q, namespace: dict, store: Any, *, evaluate: bool = True) -> Any:
    """The student's answer to ``q`` from the notebook's namespace, evaluated on ``store``
    (a function is called on its cases). Fails with the messages a student should see."""
    if q.var not in namespace:
        raise GradeFailed(f"{q.name}: `{q.var}` is not defined (run the cells above it).")
    value = namespace[q.var]
    if not evaluate:
        return value
    try:
        return q.evaluated(value, store)
    except NotImplementedError:
        raise GradeFailed(f"{q.name}: not answered yet.") from None
    except Exception as exc:  # noqa: BLE001 - the student's function failed on a test case
        raise GradeFailed(
            f"{q.name}: calling `{q.var}` on a test case raised {type(exc).__name__}."
        ) from None


def export_answer(assignment: str, question: str, namespace: dict) -> None:
    """Grading-kernel side of a hidden test: display the answer for the grader (wire format).

    Only what needs the student's code runs here: a function answer is called on its
    cases; a data answer is sent as it is and evaluated by the grader. Plausibility
    problems (type, shape; no key involved) travel along for the failure message.
    """
    from IPython.display import display

    from storeops.checks.core import store_in
    from storeops.checks.wire import MIME, encode

    q = _question(assignment, question)
    store = store_in(namespace)
    in_kernel = bool(getattr(q.kind, "runs_student_code", False))
    answer = student_answer(q, namespace, store, evaluate=in_kernel)
    try:
        problems = list(q.kind.plausible(namespace[q.var], store))[:5] if q.kind else []
    except Exception:  # noqa: BLE001 - plausibility is only a hint in the message
        problems = []
    payload = {
        "assignment": assignment,
        "question": question,
        "answer": encode(answer),
        "problems": [str(p)[:300] for p in problems],
    }
    display(
        {MIME: payload, "text/plain": f"{question}: answer recorded for grading."},
        raw=True,
    )


class Partial(str):
    """A verdict line with partial credit: ``fraction`` of the question's points (a decision
    that earns some but not enough of what the best plan adds)."""

    fraction: float = 0.0


def partial(text: str, fraction: float) -> Partial:
    line = Partial(text)
    line.fraction = float(fraction)
    return line


@dataclass(frozen=True)
class Judged:
    """A judgement of a decision that is neither full marks nor a catalogued mistake: named
    like a mistake (``id``, ``message``: what the check service shows) with the share of the
    points it earns. The message says how the plan did, never the best plan or its profit."""

    id: str
    message: str
    fraction: float = 0.0


def judge_decision(q, answer: Any, key: Any) -> Judged | None:
    """How a decision's plan (evaluated) did against its key, when it is not full marks:
    partly right (a share of the points) or no better than the store's own plan; None for
    a question that is not a decision."""
    if not (hasattr(q.kind, "score") and isinstance(key, dict) and "best_profit" in key):
        return None
    share = q.kind.score(answer, key) if isinstance(answer, dict) else 0.0
    if share > 0:
        return Judged(
            "partly-right",
            "partly right: your plan earns more than the store's own plan, but less than the "
            f"best plan found; {share:.0%} of the points.",
            share,
        )
    return Judged(
        "no-gain", "on your store this plan earns no more profit than the store's own plan."
    )


def verdict(assignment: str, question: str, answer: Any, problems) -> str:
    """Compare an evaluated answer with the key (instructor side): the success line, a
    :class:`Partial` line for a decision that earns part of the points, or
    :class:`GradeFailed` naming a catalogued mistake. Never shows the expected value.
    ``problems``: plausibility problems for the message (a list, or a function giving it)."""
    q = _question(assignment, question)
    found = judge(
        q, answer, expected(assignment, question), mistakes_evaluated(assignment, question)
    )
    if found is True:
        return f"✓ {question}: correct."
    if isinstance(found, Judged) and found.fraction > 0:
        return partial(f"◐ {question}: {found.message}", found.fraction)
    if found is not None:
        raise GradeFailed(f"{question}: {found.message}")
    if callable(problems):
        try:
            problems = list(problems())
        except Exception:  # noqa: BLE001 - plausibility is only a hint in the message
            problems = []
    detail = f" ({'; '.join(problems)})" if problems else ""
    raise GradeFailed(
        f"{question}: `{q.var}` does not match the expected answer for your store{detail}."
    )


def judge(q, answer: Any, expected_value: Any, mistakes) -> Any:
    """``True`` when ``answer`` (evaluated) matches the key, the first catalogued
    :class:`~storeops.grading.source.Mistake` it matches (``mistakes``: pairs of a mistake
    and its evaluated value), for a decision a :class:`Judged` (partly right, or no better
    than the store's own plan), else None. Shared by the grader and the check service, which
    shows a ``Judged`` like a mistake: its id and message."""
    if _equal(q, answer, expected_value):
        return True
    for mistake, value in mistakes:
        if _equal(q, answer, value):
            return mistake
    try:
        return judge_decision(q, answer, expected_value)
    except Exception:  # noqa: BLE001 - an odd answer (e.g. from the wire) earns nothing
        return None


def _equal(q, answer: Any, expected_value: Any) -> bool:
    try:
        return bool(q.kind.equal(answer, expected_value))
    except Exception:  # noqa: BLE001 - an odd answer (e.g. from the wire) matches nothing
        return False


def _grade(assignment: str, question: str, namespace: dict) -> None:
    q = _question(assignment, question)
    if q.var not in namespace:
        raise GradeFailed(f"{question}: `{q.var}` is not defined (run the cells above it).")
    ref = reference(assignment, question)
    store = ref.namespace.get("store")
    answer = student_answer(q, namespace, store)
    print(verdict(assignment, question, answer, lambda: q.kind.plausible(namespace[q.var], store)))
