"""Pre-flight check of one submission folder, before anything is executed.

Compares ``submitted/<student>/<assignment>/`` with the release (what the student
was given) and returns a list of :class:`Problem`, each with a clear message for
the instructor report. Nothing here executes student code or modifies a file.

Severities: ``error``: the notebook cannot be graded as submitted (zero, with this
message); ``warning``: graded, but something the instructor should know (an edited
test that nbgrader restored, a duplicated grade id); ``info``: harmless (extra
files); ``review``: code that reaches for the grader (possible cheating), for a
human to read.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

from storeops.sandbox.limits import Limits

IGNORED = {"timestamp.txt", ".ipynb_checkpoints", "__pycache__", ".DS_Store"}


@dataclass(frozen=True)
class Problem:
    student: str
    notebook: str  # file name, or "" for the folder
    severity: str  # error | warning | info | review
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.notebook}: " if self.notebook else ""
        return f"[{self.severity}] {where}{self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


def checksum(text: str) -> str:
    """Checksum of a cell's source, blind to trailing whitespace and line endings."""
    norm = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").splitlines()).strip()
    return hashlib.sha256(norm.encode()).hexdigest()[:16]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _nbg(cell: dict) -> dict:
    meta = cell.get("metadata") or {}
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def _is_test(nbg: dict) -> bool:
    return bool(nbg.get("grade")) and not nbg.get("solution")


def _safe_name(name: str) -> str | None:
    """Why a file name is risky, or None."""
    if any(ord(ch) > 127 for ch in name):
        return "non-ASCII characters"
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        return "control characters"
    if name.startswith("-"):
        return "starts with '-'"
    if re.search(r"[\\:*?\"<>|]", name):
        return "characters that are invalid on some systems"
    return None


# Code a student's answer never needs; matched on code cells the student could edit.
SUSPICIOUS = [
    (
        r"storeops\.grading|from\s+storeops\s+import\s+grading",
        "imports the grader's answer-key module",
    ),
    (
        r"STOREOPS_SOURCE_DIR|exercises/source|/source/|chapters/\w+/",
        "looks for the instructor's source notebooks",
    ),
    (r"gradebook|\.db\b|sqlite", "touches the gradebook"),
    (r"submitted/|autograded/|feedback/|\.\./\.\./", "reads grader folders (other students?)"),
    (r"__builtins__|\bbuiltins\b", "changes Python builtins"),
    (r"AssertionError\s*=|\bassert\w*\s*=", "redefines assertions"),
    (
        r"set_custom_exc|showtraceback|sys\.excepthook|InteractiveShell",
        "hides errors from the grader",
    ),
    (r"sys\.modules", "replaces imported modules (test helpers?)"),
    (r"\bos\._exit\b|\bos\.kill\b|signal\.|ctypes", "kills or crashes the kernel"),
    (r"\bos\.fork\b|subprocess|os\.system|os\.popen|multiprocessing", "starts processes"),
    (r"\bsocket\b|urllib|requests\.|http\.client|urlopen", "opens network connections"),
    (r"all tests passed|tests? passed", "prints a fake test result"),
    (r"\bglobals\(\)\s*\[|\bsetattr\(\s*(q\d|check|grade)", "overwrites grading helpers"),
    (r"\.\s*(check\w*|grade\w*|hint|solution|assert\w*)\s*=[^=]", "replaces a check function"),
]
_SUSPICIOUS = [(re.compile(p, re.IGNORECASE), why) for p, why in SUSPICIOUS]


def scan_code(text: str) -> list[str]:
    """Reasons why this code looks like it reaches for the grader (regex, not proof)."""
    return [why for rx, why in _SUSPICIOUS if rx.search(text)]


def _load(path: Path, student: str, limits: Limits) -> tuple[dict | None, list[Problem]]:
    name = path.name
    out: list[Problem] = []

    def p(sev, code, msg):
        out.append(Problem(student, name, sev, code, msg))

    if path.is_symlink():
        p("error", "symlink", "is a symbolic link; it is not followed or graded")
        return None, out
    size = path.stat().st_size
    if size == 0:
        p("error", "empty-file", "is an empty file (0 bytes): nothing to grade")
        return None, out
    if limits.max_notebook_bytes and size > limits.max_notebook_bytes:
        p(
            "error",
            "too-large",
            f"is {size / 2**20:.1f} MB, over the {limits.max_notebook_mb:g} MB limit "
            "(clear the outputs and resubmit)",
        )
        return None, out
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        p("error", "invalid-json", f"is not UTF-8 text (byte {exc.start}): not a notebook")
        return None, out
    except json.JSONDecodeError as exc:
        p(
            "error",
            "invalid-json",
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file is damaged",
        )
        return None, out
    if not isinstance(data, dict) or "nbformat" not in data:
        p("error", "not-a-notebook", "is JSON but not a Jupyter notebook (no nbformat)")
        return None, out
    major = data.get("nbformat")
    if major != 4:
        p(
            "error" if not isinstance(major, int) or major < 3 else "warning",
            "old-nbformat",
            f"is an nbformat v{major} notebook (this course uses v4); "
            + (
                "nbgrader converts it, but cell ids and metadata may be lost"
                if major == 3
                else "it cannot be read"
            ),
        )
        if major != 3:
            return None, out
        try:
            import nbformat

            data = json.loads(nbformat.writes(nbformat.reads(raw.decode(), as_version=4)))
        except Exception as exc:  # noqa: BLE001 - any conversion failure is the same problem
            p("error", "old-nbformat", f"could not be converted to nbformat v4 ({exc})")
            return None, out
    if not isinstance(data.get("cells"), list):
        p("error", "not-a-notebook", "has no list of cells")
        return None, out
    return data, out


def check_notebook(path: Path, release_nb: dict, student: str, limits: Limits) -> list[Problem]:
    data, out = _load(path, student, limits)
    if data is None:
        return out
    name = path.name

    def p(sev, code, msg):
        out.append(Problem(student, name, sev, code, msg))

    released = {}
    order = []
    for cell in release_nb.get("cells", []):
        nbg = _nbg(cell)
        gid = nbg.get("grade_id")
        if gid:
            released[gid] = (cell, nbg)
            order.append(gid)
    seen: dict[str, int] = {}
    sub_order = []
    student_code = []
    for cell in data["cells"]:
        if not isinstance(cell, dict):
            continue
        nbg = _nbg(cell)
        gid = nbg.get("grade_id")
        if cell.get("cell_type") == "code" and (not gid or not (nbg.get("locked"))):
            student_code.append(_source(cell))
        if not gid:
            continue
        seen[gid] = seen.get(gid, 0) + 1
        if seen[gid] == 1:
            sub_order.append(gid)
    for gid, n in seen.items():
        if n > 1:
            p(
                "error",
                "duplicate-grade-id",
                f"grade id {gid!r} appears {n} times (copied cells): nbgrader refuses such a "
                "notebook; ask the student to delete the copies and resubmit",
            )
    for gid, (cell, nbg) in released.items():
        if gid not in seen:
            if _is_test(nbg):
                p(
                    "warning",
                    "deleted-test-cell",
                    f"test cell {gid!r} was deleted; nbgrader grades it as not passed (0 points)",
                )
            elif nbg.get("solution"):
                p("warning", "deleted-answer-cell", f"answer cell {gid!r} was deleted")
            elif nbg.get("locked"):
                p("info", "deleted-cell", f"read-only cell {gid!r} was deleted")
            continue
        if not (nbg.get("locked") or _is_test(nbg)):
            continue
        sub_cell = next(
            c for c in data["cells"] if isinstance(c, dict) and _nbg(c).get("grade_id") == gid
        )
        if sub_cell.get("cell_type") != cell.get("cell_type") or checksum(
            _source(sub_cell)
        ) != checksum(_source(cell)):
            kind = "test cell" if _is_test(nbg) else "read-only cell"
            p(
                "warning",
                "edited-test-cell" if _is_test(nbg) else "edited-locked-cell",
                f"{kind} {gid!r} was edited; nbgrader restored the original before grading, "
                "so the edit had no effect",
            )
    common = [g for g in sub_order if g in released]
    expected = [g for g in order if g in seen]
    if common != expected:
        p(
            "warning",
            "reordered-cells",
            "cells were moved out of their released order; the notebook runs in the "
            "submitted order (answers used before they are defined fail)",
        )
    code = "\n".join(student_code)
    for why in scan_code(code):
        p("review", "suspicious-code", f"student code {why}: read it before trusting the grade")
    return out


def preflight(
    submission_dir: str | Path,
    release_dir: str | Path,
    student: str | None = None,
    limits: Limits | None = None,
) -> list[Problem]:
    """Problems of one student's submission folder compared with the release folder."""
    submission_dir, release_dir = Path(submission_dir), Path(release_dir)
    limits = limits or Limits.from_env()
    student = student or submission_dir.parent.name
    out: list[Problem] = []
    if not submission_dir.is_dir():
        return [Problem(student, "", "error", "no-submission", "no submission folder")]
    expected = {p.name: p for p in sorted(release_dir.glob("*.ipynb"))}
    released_files = {
        str(p.relative_to(release_dir)) for p in release_dir.rglob("*") if p.is_file()
    }
    for path in sorted(submission_dir.rglob("*")):
        rel = str(path.relative_to(submission_dir))
        if any(part in IGNORED for part in Path(rel).parts):
            continue
        why = _safe_name(path.name)
        if why:
            out.append(
                Problem(student, rel, "warning", "unsafe-name", f"file name has {why}: {rel!r}")
            )
        if path.is_symlink() and path.name not in expected:
            out.append(
                Problem(student, rel, "error", "symlink", "is a symbolic link (not followed)")
            )
            continue
        if path.is_file() and rel not in released_files:
            hint = ""
            if path.suffix == ".ipynb":
                hint = f" (a renamed copy? only {', '.join(expected) or 'the released notebooks'} are graded)"
            out.append(Problem(student, rel, "info", "extra-file", f"extra file, not graded{hint}"))
    if expected and not any(
        (submission_dir / name).exists() or (submission_dir / name).is_symlink()
        for name in expected
    ):
        out.append(
            Problem(
                student,
                "",
                "error",
                "no-notebook",
                f"none of the released notebooks ({', '.join(expected)}) was submitted: "
                "nothing to grade (zero)",
            )
        )
    for name, release_path in expected.items():
        path = submission_dir / name
        if not path.exists() and not path.is_symlink():
            out.append(
                Problem(
                    student, name, "warning", "missing-notebook", "notebook missing: graded as zero"
                )
            )
            continue
        try:
            release_nb = json.loads(release_path.read_text())
        except (OSError, ValueError):
            release_nb = {"cells": []}
        out.extend(check_notebook(path, release_nb, student, limits))
    return out


def fatal(problems: list[Problem]) -> list[Problem]:
    """The problems that make a notebook ungradable as submitted."""
    return [p for p in problems if p.severity == "error"]
