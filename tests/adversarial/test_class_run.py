"""For every bad submission: the class run completes, each case gets a fair grade or a
clear per-student error, nobody else is affected, and every submitted file is
byte-identical afterwards. Runs real nbgrader through ``storeops grade``'s pipeline with
the sandbox."""

from __future__ import annotations

import os
import re
from pathlib import Path

import adversarial_corpus as corpus
import pytest

pytestmark = pytest.mark.slow

CASES = {c.student: c for c in corpus.cases()}


def test_whole_class_run_completes(graded_class):
    graded = {o.student for o in graded_class.summary.outcomes}
    assert graded == set(CASES), "every student has an outcome"


@pytest.mark.parametrize("student", sorted(CASES))
def test_fair_grade_or_clear_error(graded_class, student):
    case = CASES[student]
    outcome = graded_class.outcome(student)
    scores = graded_class.scores().get(student)
    problems = graded_class.problems(student)
    codes = {p["code"] for p in problems}
    if case.score is None:  # not gradable: a clear error, never a silent grade
        assert not outcome.ok
        assert outcome.error and "Traceback" not in outcome.error
        assert any(p["severity"] == "error" for p in problems), problems
    else:
        assert outcome.ok or any(p["severity"] == "error" for p in problems), outcome.error
        if outcome.ok:
            low, high = case.score
            assert scores is not None, f"{student} has no gradebook entry"
            assert low <= scores["total"] <= high, (case.note, scores)
            for cell in case.zero_cells:
                assert scores[cell] == 0, (cell, scores)
    missing = set(case.problems) - codes
    assert not missing, f"problems not reported for {student}: {missing} (got {codes})"
    missing_events = set(case.events) - codes
    assert not missing_events, f"sandbox events not reported: {missing_events} (got {codes})"
    for p in problems:
        assert p["message"] and p["severity"] in {"error", "warning", "info", "review"}


def test_good_students_are_unaffected(graded_class):
    scores = graded_class.scores()
    for student in ("good-1", "good-2", "good-3"):
        assert graded_class.outcome(student).ok
        assert scores[student]["total"] == corpus.FULL
        assert not [p for p in graded_class.problems(student) if p["severity"] != "info"]


def test_submitted_files_are_byte_identical(graded_class):
    from storeops.sandbox import compare

    assert graded_class.before, "the snapshot covered the submissions"
    assert compare(graded_class.before, graded_class.after) == []
    assert graded_class.summary.modified == []


def _belongs_to(pid: str, course: str) -> bool:
    """Whether a sandboxed process works in this class's course folder (other grading runs
    on the same machine, e.g. a developer's, use the same uid range). Unknown counts as ours."""
    try:
        return os.readlink(f"/proc/{pid}/cwd").startswith(course)
    except FileNotFoundError:  # it has exited meanwhile
        return False
    except OSError:
        return True


def test_no_process_survives_the_run(graded_class):
    from storeops.sandbox.kernel import UID_BASE, UID_SLOTS

    course = str(graded_class.course.resolve())
    left = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                uid = os.stat(f"/proc/{entry}").st_uid
            except OSError:
                continue
            if UID_BASE <= uid < UID_BASE + UID_SLOTS and _belongs_to(entry, course):
                left.append(entry)
    assert left == [], "fork/subprocess floods were reaped"


def _enforced(graded_class) -> dict:
    import json

    data = json.loads(
        (graded_class.course / "reports" / corpus.ASSIGNMENT / "problems.json").read_text()
    )
    return data["enforced"]


def test_limits_enforced_are_reported(graded_class):
    enforced = _enforced(graded_class)
    for key in ("memory", "file_size", "cpu", "cell_timeout", "notebook_timeout", "output_size"):
        assert enforced[key] is True, (key, enforced[key])
    if os.geteuid() == 0:  # as root here: namespaces and a separate uid are possible
        assert enforced["network"] is True
        assert enforced["separate_user"] is True
        assert enforced["processes"] is True


def test_snooping_student_reads_no_grader_file(graded_class):
    if _enforced(graded_class)["separate_user"] is not True:
        pytest.skip("kernels run as the grader's user here: file protection not available")
    text = graded_class.autograded_outputs("snoop", "q1-answer")
    for what in ("gradebook.db", "/submitted", "autograded", "feedback/good-1"):
        lines = [line for line in text.splitlines() if what in line]
        assert lines and all(line.startswith("DENIED") for line in lines), (what, text)


def test_vandal_changes_nothing(graded_class):
    if _enforced(graded_class)["separate_user"] is not True:
        pytest.skip("kernels run as the grader's user here: file protection not available")
    text = graded_class.autograded_outputs("vandal", "q1-answer")
    writes = [line for line in text.splitlines() if " write " in line]
    assert len(writes) == 5 and all(line.startswith("DENIED") for line in writes), text
    config = graded_class.course / "nbgrader_config.py"
    assert "tampered" not in config.read_text()


def test_network_is_unreachable(graded_class):
    if _enforced(graded_class)["network"] is not True:
        pytest.skip("no network namespace here")
    text = graded_class.autograded_outputs("network", "q1-answer")
    assert "CONNECTED" not in text
    # refused at once by the empty namespace (no route), not after the 1-s timeout
    tries = re.findall(r"NO-NETWORK (\S+) (\w+)", text)
    assert len(tries) == 2 and all(kind != "TimeoutError" for _, kind in tries), text
    assert graded_class.listener.connections == 0


def test_output_flood_is_capped(graded_class):
    path = Path(
        graded_class.course, "autograded", "flood-output", corpus.ASSIGNMENT, corpus.NOTEBOOK
    )
    assert path.stat().st_size < 3 * 2**20  # 100 MB printed, ~2 MB kept
    text = graded_class.autograded_outputs("flood-output", "q1-answer")
    assert "output truncated" in text or "MemoryError" in text


def test_kernel_death_is_explained_in_the_notebook(graded_class):
    assert "segmentation fault" in graded_class.autograded_outputs("segfault", "q3-answer")
    assert "exited with code 3" in graded_class.autograded_outputs("exit", "q2-answer")
    assert "not run" in graded_class.autograded_outputs("exit", "q3-test")


def test_edited_test_cell_is_flagged_by_name(graded_class):
    problems = graded_class.problems("edited-test")
    edited = [p for p in problems if p["code"] == "edited-test-cell"]
    assert edited and "'q1-test'" in edited[0]["message"]
    assert "restored the original" in edited[0]["message"]
    assert graded_class.scores()["edited-test"]["q1-test"] == 0  # the real test ran


def test_tampering_is_named(graded_class):
    named = {
        "patch-helper": "drill_helpers.check_total",
        "patch-shell": "run_cell",
        "swallow-errors": "set_custom_exc",
    }
    for student, what in named.items():
        messages = " ".join(p["message"] for p in graded_class.problems(student))
        assert what in messages, (student, messages)


def test_report_lists_problems_and_limits(graded_class):
    from storeops.grading.course import Course
    from storeops.grading.report import write_report

    path = write_report(Course(graded_class.course), corpus.ASSIGNMENT)
    page = path.read_text()
    assert "Submission problems" in page
    assert "edited-test" in page and "q1-test" in page
    assert "invalid-json" in page
    assert "enforced: memory" in page


def test_feedback_never_shows_hidden_tests(graded_class):
    feedback = list((graded_class.course / "feedback").rglob("*.html"))
    assert len(feedback) >= len(CASES) - 6
    q1_wrong = set(corpus.WRONG_Q1)
    for path in feedback:
        text = path.read_text(errors="replace")
        student = path.relative_to(graded_class.course / "feedback").parts[0]
        found = corpus.leaks(text)
        if student not in q1_wrong:
            found = [f for f in found if f != "4217"]  # their own correct answer
        assert found == [], f"{path}: hidden test leaked: {found}"
