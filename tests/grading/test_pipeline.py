"""The class pipeline's products, idempotence, one student, LMS zip, report."""

from __future__ import annotations

import csv

import pytest

from storeops.cli import main
from storeops.grading.demo import make_class
from storeops.grading.pipeline import grade_class
from storeops.grading.report import items_of


def _csv_rows(path):
    with open(path) as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh)}


@pytest.mark.slow
def test_grades_csv_has_every_student_with_their_total(demo_class):
    rows = _csv_rows(demo_class.summaries["orientation"].csv)
    scores = demo_class.scores("orientation")
    for student in demo_class.students["orientation"]:
        assert float(rows[student]["raw_score"]) == pytest.approx(sum(scores[student].values()))
    correct = next(s for s in rows if s.endswith("-correct"))
    blank = next(s for s in rows if s.endswith("-blank"))
    assert float(rows[correct]["raw_score"]) > float(rows[blank]["raw_score"]) == 0


@pytest.mark.slow
def test_rerun_is_idempotent(demo_class):
    course = demo_class.course
    before = _csv_rows(demo_class.summaries["orientation"].csv)
    again = grade_class(course, "orientation", workers=2, progress=False)
    assert all(o.skipped for o in again.outcomes if o.student in before)
    after = _csv_rows(again.csv)
    for student in demo_class.students["orientation"]:
        assert after[student]["raw_score"] == before[student]["raw_score"]


@pytest.mark.slow
def test_one_student_via_the_cli(demo_class, capsys):
    course = demo_class.course
    student = demo_class.student("orientation", "correct")
    code = main(
        [
            "grade",
            "orientation",
            "--student",
            student,
            "--force",
            "--quiet",
            "--course",
            str(course.root),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "graded 1 submissions" in out


@pytest.mark.slow
def test_lms_zip_is_collected_with_nbgrader_zip_collect(demo_class, tmp_path):
    course = demo_class.course
    archive = tmp_path / "downloads.zip"
    ids = make_class(course, "orientation", 2, lms_zip=archive, prefix="z", packed=True)
    summary = grade_class(
        course, "orientation", workers=2, archive=archive, progress=False, report=False
    )
    graded = {o.student for o in summary.outcomes if not o.skipped}
    assert graded == set(ids)
    scores = demo_class.scores("orientation")
    correct, mistaken = (
        next(s for s, k in ids.items() if k.label == label) for label in ("correct", "pack-1")
    )
    assert sum(scores[correct].values()) > sum(scores[mistaken].values())


@pytest.mark.slow
def test_report_has_plots_statistics_and_profiles(demo_class):
    from storeops.grading.report import write_report

    report = write_report(demo_class.course, "orientation")  # everyone graded so far
    html = report.read_text()
    assert html.count("<img") >= 5
    competencies = {i.competency for i in items_of(demo_class.course, "orientation").values()}
    for comp in competencies:
        assert comp in html
    for student in demo_class.students["orientation"]:
        assert student in html
    import pandas as pd

    stats = pd.read_csv(report.parent / "item_statistics.csv", index_col="cell")
    scores = pd.DataFrame(demo_class.scores("orientation")).T
    q1 = stats.loc["q1-test"]
    assert q1["difficulty"] == pytest.approx((scores["q1-test"] / q1["points"]).mean())
    assert stats["discrimination_r"].dropna().between(-1, 1).all()


def test_every_submission_ran_in_its_own_kernel(demo_class):
    """Pre-started kernels (sandbox/prestart.py) speed up the class run, but a kernel is
    never shared: each graded notebook names the kernel that ran it, all different, and
    some of them were pre-started (so the check is about the pre-started path too)."""
    import json

    kernels = []
    for a in demo_class.course.assignments():
        folder = demo_class.course.root / "reports" / "sandbox" / a
        for path in sorted(folder.glob("*/*.json")):
            kernel = json.loads(path.read_text()).get("kernel")
            assert kernel and kernel.get("id"), path
            kernels.append(kernel)
    n_notebooks = sum(len(s.outcomes) for s in demo_class.summaries.values())
    assert len(kernels) >= n_notebooks - 3  # broken files never reach a kernel
    ids = [k["id"] for k in kernels]
    assert len(set(ids)) == len(ids)
    assert any(k["prestarted"] for k in kernels)


def test_an_ungraded_submission_is_an_error_in_its_problems_once():
    """nbgrader can give up on a submission whose sandbox saw only warnings (a kernel with
    broken builtins garbles its replies under load): the instructor's problem list must still
    show it as an error, with nbgrader's reason, and only once."""
    from storeops.grading.pipeline import Outcome, _failed

    warning = {"student": "s", "notebook": "a.ipynb", "severity": "warning", "code": "crash"}
    ungraded = _failed(
        Outcome("s", False, 1.0, error="ValueError: Invalid Signature", problems=[warning])
    )
    errors = [p for p in ungraded.problems if p["severity"] == "error"]
    assert [(p["code"], p["message"]) for p in errors] == [
        ("grading-failed", "ValueError: Invalid Signature")
    ]
    assert warning in ungraded.problems
    assert _failed(ungraded).problems == ungraded.problems  # not added twice
    fatal = {"student": "s", "notebook": "", "severity": "error", "code": "not-a-notebook"}
    assert _failed(Outcome("s", False, 1.0, error="x", problems=[fatal])).problems == [fatal]
