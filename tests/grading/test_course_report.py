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
    """A learner has a share in an area exactly when they submitted an assignment with a
    graded question of that area (the areas the sources' cells are tagged with)."""
    from nbgrader.api import Gradebook

    from storeops.grading import source as src

    areas = pd.read_csv(report / "areas.csv", index_col="student")
    assert tuple(areas.columns) == AREAS
    course = demo_class.course
    tagged = {area: set() for area in AREAS}
    for a in course.assignments():
        for path in src.source_notebooks(course.source_dir / a):
            for cell in src.read_notebook(path).cells:
                if src.nbgrader_meta(cell).get("grade"):
                    tagged[cell["metadata"]["storeops"]["competency"]].add(a)
    assert all(tagged.values()), tagged  # every area has a chapter's questions now
    with Gradebook(course.config().CourseDirectory.db_url) as gb:
        submitted = {
            a: {s.student.id for s in gb.assignment_submissions(a)} for a in course.assignments()
        }
    for area, assignments in tagged.items():
        expected = set().union(*(submitted[a] for a in assignments))
        assert set(areas.index[areas[area].notna()]) == expected, area


def test_skill_profile_has_one_column_per_skill_tag_of_the_sources(demo_class, report):
    """skills.csv holds a column for every skill tag of a graded cell (chapter 2's new ones
    too) and no other, so the instructor's by-skill view covers every question."""
    from storeops.grading import source as src

    tags = set()
    for a in demo_class.course.assignments():
        for path in src.source_notebooks(demo_class.course.source_dir / a):
            for cell in src.read_notebook(path).cells:
                if src.nbgrader_meta(cell).get("grade"):
                    tags |= set(cell.get("metadata", {}).get("storeops", {}).get("skills", []))
    skills = pd.read_csv(report / "skills.csv", index_col="student")
    assert set(skills.columns) == tags
    assert {"platform-definitions", "budget-decision", "chart-reading"} <= tags
    assert skills.notna().any().all()  # every skill has someone's share


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


def test_report_end_to_end_with_the_gradebook_and_the_check_log(demo_class, tmp_path, monkeypatch):
    """The demo class's gradebook (real nbgrader) and an attempt log of the same learners,
    written by the check service's own path (keys computed on the store, each check
    admitted, judged and logged): one report holds both, side by side per question."""
    from storeops.chapters import questions
    from storeops.checks.wire import encode
    from storeops.grading import keys
    from storeops.grading.course_report import STUCK_AFTER
    from storeops.hub.check_keys import compute_keys, decode_keys
    from storeops.hub.check_service import AttemptLog, Limits, answer

    a, course = "orientation", demo_class.course
    kinds = demo_class.students[a]
    right = next(s for s, k in kinds.items() if k.solved == "all" and not k.mistakes)
    wrong = next(s for s, k in kinds.items() if k.mistakes and not k.broken)
    monkeypatch.setenv("STOREOPS_CHECK_DB", str(tmp_path / "log" / "check_attempts.sqlite"))
    for name in (keys.SOURCE_ENV, "STOREOPS_COURSE_SEED", "STOREOPS_STUDENT"):
        monkeypatch.setenv(name, "-")  # compute_keys sets them: restored afterwards
        monkeypatch.delenv(name)
    key_sets = {s: decode_keys(compute_keys(str(course.root), s, a)) for s in (right, wrong)}
    log, limits, qs = AttemptLog(tmp_path / "log" / "check_attempts.sqlite"), Limits(), questions(a)
    made: dict[str, int] = {}  # checks sent per question

    def check(student: str, q, value) -> dict:
        made[q.name] = made.get(q.name, 0) + 1
        if q.kind.runs_student_code:  # a function answer runs in the learner's kernel
            value = q.evaluated(value, ref.namespace["store"])
        status, reply = answer(log, limits, q, key_sets[student][q.name], student, encode(value))
        assert status == 200
        return reply

    ref = keys.reference(a, "q1", course.source_dir)
    for q in qs.values():
        assert check(right, q, ref.value_of(q.var)) == {"result": "correct"}
    mistakes = list(kinds[wrong].mistakes)
    assert mistakes
    for m in mistakes:
        q = qs[m.question]
        for _ in range(STUCK_AFTER):
            assert check(wrong, q, ref.mistake_value(m, q.var))["result"] == "mistake"

    report = write_course_report(course, tmp_path / "report")
    students = pd.read_csv(report / "students.csv", index_col="student")
    assert {right, wrong} <= set(students.index)  # the gradebook's learners
    checks = pd.read_csv(report / "checks.csv", index_col="question")
    for m in mistakes:
        row = checks.loc[f"{a}/{m.question}"]
        assert row["stuck"] == wrong and m.id in row["top_mistakes"]
    assert (checks.loc[[f"{a}/{q}" for q in qs], "correct_learners"] == 1).all()
    joined = pd.read_csv(report / "questions.csv", index_col="question")
    for name, n in made.items():
        assert joined.loc[f"{a}/{name}", "checks"] == n
        assert 0 <= joined.loc[f"{a}/{name}", "mean_share"] <= 1  # from the gradebook
    page = (report / "report.html").read_text()
    assert "Hardest questions" in page and "Instant checks" in page and wrong in page
