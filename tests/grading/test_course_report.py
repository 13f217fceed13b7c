"""``storeops report --course`` over the demo class (every
assignment graded by real nbgrader): every student, progress equal to nbgrader's own
scores, the five areas, hardest questions first, a page per learner about that learner
only, and CSV + HTML with plots."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from storeops.grading.course_report import AREAS, profiles, write_course_report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(demo_class, tmp_path_factory):
    return write_course_report(demo_class.course, tmp_path_factory.mktemp("course-report"))


def test_every_student_of_every_assignment_with_nbgraders_scores(demo_class, report):
    from nbgrader.api import Gradebook

    course = demo_class.course
    students = pd.read_csv(report / "students.csv", index_col="student")
    with Gradebook(course.config().CourseDirectory.db_url) as gb:
        by_assignment = {
            a: {sub.student.id: sub for sub in gb.assignment_submissions(a)}
            for a in course.assignments()
        }
        everyone = {s for subs in by_assignment.values() for s in subs}
        assert set(demo_class.students["orientation"]) <= everyone
        assert set(students.index) == everyone
        for a, subs in by_assignment.items():
            for s in everyone:
                got = students.loc[s, f"assignment:{a}"]
                if s in subs:
                    assert got == pytest.approx(subs[s].score / subs[s].max_score), (s, a)
                else:
                    assert pd.isna(got), (s, a)


def test_profile_is_over_the_five_areas_and_empty_where_no_question_exists(demo_class, report):
    areas = pd.read_csv(report / "areas.csv", index_col="student")
    assert tuple(areas.columns) == AREAS
    assert areas["customer-communication"].isna().all()  # no exercise tagged with it yet
    from nbgrader.api import Gradebook

    with Gradebook(demo_class.course.config().CourseDirectory.db_url) as gb:
        # ch3 is the only assignment with promotion questions
        promotion = {sub.student.id for sub in gb.assignment_submissions("ch3_promotion")}
    assert set(demo_class.students["ch3_promotion"]) <= promotion
    assert set(areas.index[areas["promotion"].notna()]) == promotion


def test_hardest_questions_come_first(report):
    q = pd.read_csv(report / "questions.csv")
    assert q["mean_share"].is_monotonic_increasing
    assert q["question"].str.match(r"^\w+/q\d+$").all()


def test_learner_pages_are_about_that_learner_only(report):
    students = pd.read_csv(report / "students.csv", index_col="student").index
    for s in students:
        page = (report / "learners" / f"{s}.html").read_text()
        named = {o for o in students if re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", page)}
        assert named == {s}


def test_report_html_has_its_plots(report):
    assert (report / "report.html").read_text().count("data:image/png;base64") >= 4


def test_skill_profile_shares_points_over_every_tag_of_an_item():
    long = pd.DataFrame(
        [
            dict(
                student="ann",
                assignment="a",
                item="q1-test",
                question="a/q1",
                area="planning",
                skills=["pricing"],
                score=1.0,
                max_score=2.0,
                submitted=True,
            ),
            dict(
                student="ann",
                assignment="a",
                item="q2-test",
                question="a/q2",
                area="planning",
                skills=["pricing", "forecasting"],
                score=3.0,
                max_score=3.0,
                submitted=True,
            ),
        ]
    )
    skills = profiles(long)["skills"]
    assert skills.loc["ann", "pricing"] == pytest.approx(4 / 5)
    assert skills.loc["ann", "forecasting"] == pytest.approx(1.0)
