"""``storeops demo-class``: a realistic class of submissions built from the release.

Kinds of student (cycled): correct; one per catalogued mistake (correct except
that question, whose solution region is the mistake's code); partly done (the
first half of the questions); blank (the release as is); broken (a syntax error
and a crashing cell). Student ids say which kind they are, e.g.
``s007-mistake-q2-mean-not-sum``.

``packed=True`` (for tests) puts several mistakes in one submission, at most one
per question and never in two neighbouring questions, so a class covers every
catalogued mistake with fewer notebooks (ids ``sNNN-pack-K``).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from storeops.errors import StoreOpsError
from storeops.grading import source as src
from storeops.grading.course import Course

WRITTEN = (
    "November has the highest revenue in my table, about twice an ordinary month, so I "
    "would run the biggest campaign then, mostly through search, and watch stock levels."
)


@dataclass(frozen=True)
class Archetype:
    """How one demo student answers: which questions, and which mistake if any."""

    label: str
    solved: str = "all"  # "all", "half" or "none"
    mistakes: tuple[src.Mistake, ...] = ()
    broken: bool = False

    @property
    def mistaken_questions(self) -> set[str]:
        return {m.question for m in self.mistakes}


def _packs(mistakes: list[src.Mistake]) -> list[tuple[src.Mistake, ...]]:
    """Greedy packing: one mistake per question, no two neighbouring questions per pack."""
    packs: list[list[src.Mistake]] = []
    for m in mistakes:
        n = int(m.question[1:])
        for pack in packs:
            used = {int(x.question[1:]) for x in pack}
            if not used & {n - 1, n, n + 1}:
                pack.append(m)
                break
        else:
            packs.append([m])
    return [tuple(p) for p in packs]


def archetypes(course: Course, assignment: str, packed: bool = False) -> list[Archetype]:
    mistakes = src.load_mistakes(course.source_dir / assignment)
    kinds = [Archetype("correct")]
    if packed:
        kinds += [Archetype(f"pack-{i}", mistakes=p) for i, p in enumerate(_packs(mistakes), 1)]
    else:
        kinds += [Archetype(f"mistake-{m.question}-{m.id}", mistakes=(m,)) for m in mistakes]
    kinds += [
        Archetype("partial", solved="half"),
        Archetype("blank", solved="none"),
        Archetype("broken", broken=True),
    ]
    return kinds


def submission(course: Course, assignment: str, notebook: str, kind: Archetype):
    """The notebook a student of ``kind`` would submit (built from release + source)."""
    release = nbformat.read(course.dir("release") / assignment / notebook, as_version=4)
    source = {
        src.grade_id(c): c
        for c in src.read_notebook(course.source_dir / assignment / notebook).cells
    }
    answer_questions = sorted(
        {src.question_of(c) for c in release.cells if src.nbgrader_meta(c).get("solution")}
        - {None},
        key=lambda q: int(q[1:]),
    )
    solved = {
        "all": set(answer_questions),
        "half": set(answer_questions[: len(answer_questions) // 2]),
        "none": set(),
    }["none" if kind.broken else kind.solved]
    wrong = {m.question: m for m in kind.mistakes}
    for cell in release.cells:
        meta = src.nbgrader_meta(cell)
        q = src.question_of(cell)
        if not meta.get("solution") or q not in solved:
            continue
        ref = source[src.grade_id(cell)]
        if cell.cell_type == "markdown":
            cell.source = WRITTEN
        elif q in wrong and src.is_answer_cell(cell):
            cell.source = src.replace_solution(ref.source, wrong[q].code)
        else:
            cell.source = src.strip_solution_markers(ref.source)
    if kind.broken:
        code_answers = [c for c in release.cells if src.is_answer_cell(c)]
        if code_answers:
            code_answers[0].source = "n_orders = len(store.orders[\n"  # syntax error
        if len(code_answers) > 1:
            code_answers[1].source = "import missing_module_from_a_tutorial\n"
    return release


def make_class(
    course: Course,
    assignment: str,
    students: int | None,
    lms_zip: Path | None = None,
    prefix: str = "s",
    packed: bool = False,
) -> dict[str, Archetype]:
    """Write ``students`` submissions into submitted/ (or an LMS-style zip).

    Returns ``{student id: Archetype}`` in order. ``students=None`` is one of each kind.
    """
    course.check_assignment(assignment)
    release_dir = course.dir("release") / assignment
    if not release_dir.is_dir():
        from storeops.grading.release import release

        release(course, assignment)
    notebooks = sorted(p.name for p in release_dir.glob("*.ipynb"))
    if not notebooks:
        raise StoreOpsError(f"the release of {assignment} has no notebook")
    kinds = archetypes(course, assignment, packed=packed)
    students = students or len(kinds)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    ids: dict[str, Archetype] = {}
    archive = zipfile.ZipFile(lms_zip, "w") if lms_zip else None
    try:
        for i in range(students):
            kind = kinds[i % len(kinds)]
            student = f"{prefix}{i + 1:03d}-{kind.label}"
            ids[student] = kind
            for name in notebooks:
                nb = submission(course, assignment, name, kind)
                text = nbformat.writes(nb)
                if archive is not None:
                    archive.writestr(f"{student}_{i + 1}_{name}", text)
                    continue
                folder = course.dir("submitted") / student / assignment
                folder.mkdir(parents=True, exist_ok=True)
                (folder / name).write_text(text)
                (folder / "timestamp.txt").write_text(stamp)
    finally:
        if archive is not None:
            archive.close()
    return ids
