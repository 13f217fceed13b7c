"""One demo class per session, graded once by the real pipeline, shared by the grading tests.

Everything happens in a scratch copy of the course (tmp dir), never in grader/. The
class has, per assignment: a correct, a partial, a blank and a broken submission, and
the catalogued mistakes packed several to a submission (one per question, never two
neighbouring questions), so every mistake is graded by real nbgrader in few notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storeops.grading.course import Course, copy_course
from storeops.grading.demo import Archetype, make_class
from storeops.grading.pipeline import Summary, grade_class
from storeops.grading.release import release
from storeops.grading.report import items_of, scores_table


@dataclass
class DemoClass:
    course: Course
    summaries: dict[str, Summary]
    students: dict[str, dict[str, Archetype]]

    def scores(self, assignment: str) -> dict[str, dict[str, float]]:
        table, _ = scores_table(self.course, assignment)
        return table.fillna(0.0).to_dict(orient="index")

    def autograded_cells(self, assignment: str) -> dict[str, float]:
        """Autograded cells (test cells) and their points."""
        return {
            n: i.max_score for n, i in items_of(self.course, assignment).items() if not i.manual
        }

    def student(self, assignment: str, label: str) -> str:
        return next(s for s, k in self.students[assignment].items() if k.label == label)


@pytest.fixture(scope="session")
def demo_class(tmp_path_factory) -> DemoClass:
    course = copy_course(tmp_path_factory.mktemp("course"))
    summaries, students = {}, {}
    for a in course.assignments():
        release(course, a)
        students[a] = make_class(course, a, None, packed=True)
        summaries[a] = grade_class(course, a, workers=2, progress=False)
    return DemoClass(course, summaries, students)
