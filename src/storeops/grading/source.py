"""Reading instructor-only exercise sources: questions, solution regions, the mistakes catalogue.

Conventions (chapters/README.md): the answer cell of question ``qK`` has nbgrader
``grade_id`` ``qK-answer`` and its test cell ``qK-test``; ``mistakes.yml`` beside
the source notebook lists per question named variants of the solution region.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
MISTAKES_FILE = "mistakes.yml"
_REGION = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[^\n]*\n(?P<body>.*?)^[ \t]*### END SOLUTION[^\n]*(\n|$)",
    re.S | re.M,
)


@dataclass(frozen=True)
class Mistake:
    question: str
    id: str
    message: str
    code: str


def assignments(source_dir: str | Path) -> list[str]:
    """The assignments in a source folder: its subfolders that hold a notebook."""
    return sorted(
        p.name
        for p in Path(source_dir).iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and any(p.glob("*.ipynb"))
    )


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell) -> str:
    return nbgrader_meta(cell).get("grade_id", "")


def question_of(cell) -> str | None:
    """``q3`` for a cell whose grade_id is ``q3-answer``/``q3-test``/``q3-...``; else None."""
    m = re.match(r"^(q\d+)-", grade_id(cell))
    return m.group(1) if m else None


def is_test_cell(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def is_view_cell(cell) -> bool:
    """A cell that only shows something (``qK-widget``, or ``storeops.reference: false``):
    the answer key does not execute it."""
    if grade_id(cell).endswith("-widget"):
        return True
    return cell.get("metadata", {}).get("storeops", {}).get("reference") is False


def is_answer_cell(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution")) and cell.cell_type == "code"


def competency(cell) -> str | None:
    return cell.get("metadata", {}).get("storeops", {}).get("competency")


class Node(dict):
    """A dict with attribute access, like nbformat's NotebookNode (without importing
    nbformat, which costs a grading kernel almost two seconds)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _node(value):
    if isinstance(value, dict):
        return Node({k: _node(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_node(v) for v in value]
    return value


def read_notebook(path: str | Path) -> Node:
    """A notebook file as nested Nodes, each cell's source joined into one string."""
    nb = _node(json.loads(Path(path).read_text(encoding="utf-8")))
    for cell in nb.get("cells", []):
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
        cell.setdefault("metadata", Node())
    return nb


def solution_body(source: str) -> str:
    """The code inside the solution region (dedented), or the whole cell without one."""
    m = _REGION.search(source)
    return textwrap.dedent(m.group("body")).strip("\n") if m else source


def replace_solution(source: str, code: str) -> str:
    """``source`` with its solution region replaced by ``code`` (re-indented to the region)."""
    m = _REGION.search(source)
    if not m:
        return code
    body = textwrap.indent(textwrap.dedent(code).strip("\n"), m.group("indent")) + "\n"
    return source[: m.start()] + body + source[m.end() :]


def strip_solution_markers(source: str) -> str:
    """The reference solution as a student would have typed it (markers removed)."""
    return replace_solution(source, solution_body(source)) if _REGION.search(source) else source


def hidden_region(source: str) -> str:
    m = re.search(rf"{BEGIN_HIDDEN}[^\n]*\n(.*?){END_HIDDEN}", source, re.S)
    return m.group(1) if m else ""


def load_mistakes(assignment_dir: str | Path) -> list[Mistake]:
    """The catalogue beside the source notebooks (empty when there is none)."""
    path = Path(assignment_dir) / MISTAKES_FILE
    if not path.exists():
        return []
    import yaml

    data = yaml.safe_load(path.read_text()) or {}
    out = []
    for question, items in data.items():
        for item in items or []:
            out.append(Mistake(question, str(item["id"]), str(item["message"]), str(item["code"])))
    return out


def source_notebooks(assignment_dir: str | Path) -> list[Path]:
    return sorted(p for p in Path(assignment_dir).glob("*.ipynb") if not p.name.startswith("."))


def notebook_of_question(assignment_dir: str | Path, question: str) -> Path:
    for path in source_notebooks(assignment_dir):
        nb = read_notebook(path)
        if any(question_of(c) == question and is_answer_cell(c) for c in nb.cells):
            return path
    raise LookupError(f"no answer cell {question}-answer in {assignment_dir}")


def code_shingles(code: str, n: int = 8) -> set[tuple[str, ...]]:
    """The runs of ``n`` consecutive Python tokens of ``code`` (names, numbers, strings and
    operators; comments and layout dropped): what the chapters' near-copy tests compare
    between a reference solution and the page's code cells."""
    import io
    import tokenize

    kept = (tokenize.NAME, tokenize.NUMBER, tokenize.STRING, tokenize.OP)
    tokens = [
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(code).readline)
        if tok.type in kept
    ]
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}
