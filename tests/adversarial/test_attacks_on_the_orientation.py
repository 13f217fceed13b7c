"""The same attacks on the course's real assignment: the orientation release, whose hidden
tests call ``storeops.grading.keys.grade``. Graded by the integrated pipeline (needs
/tmp/issue7_integration.patch), with the production memory limit (pandas + pyarrow)."""

from __future__ import annotations

import json

import adversarial_corpus as corpus
import nbformat
import pytest
from adversarial_corpus import require_sandbox

pytestmark = pytest.mark.slow

A, NB = "orientation", "orientation.ipynb"
WRONG_Q1 = "n_orders = -1\n"
PATCH_KEYS = (
    "import storeops.grading.keys as keys\n"
    "keys.grade = lambda *args, **kwargs: print('all tests passed')\n" + WRONG_Q1
)
READ_KEY = (
    "from storeops.grading.keys import expected\n"
    "try:\n"
    '    n_orders = expected("orientation", "q1")\n'
    "except Exception:\n"
    "    n_orders = 0\n"
)


def read_source(path: str) -> str:
    """q1's answer taken from the instructor's source notebook, if the kernel can read it."""
    return (
        "import json, os\n"
        "n_orders = 0\n"
        f"print('source dir in env:', os.environ.get('STOREOPS_SOURCE_DIR'))\n"
        "try:\n"
        f"    cells = json.load(open({path!r}))['cells']\n"
        "    code = [''.join(c['source']) for c in cells\n"
        "            if c['metadata'].get('nbgrader', {}).get('grade_id') == 'q1-answer'][0]\n"
        "    exec(code.replace('### BEGIN SOLUTION', '').replace('### END SOLUTION', ''))\n"
        "    print('read the source')\n"
        "except Exception as exc:\n"
        "    print('source not readable:', type(exc).__name__)\n"
    )


def _set(nb, gid: str, code: str):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == gid:
            cell.source = code
            return nb
    raise KeyError(gid)


@pytest.fixture(scope="module")
def orientation_class(tmp_path_factory):
    from storeops.grading.course import copy_course
    from storeops.grading.demo import Archetype, submission
    from storeops.grading.pipeline import grade_class
    from storeops.grading.release import release

    # production memory and cell limits (pandas + pyarrow); the course's helper list
    with corpus.limits_env(
        STOREOPS_MEMORY_MB="2048", STOREOPS_CELL_TIMEOUT="60", STOREOPS_PROTECTED_MODULES=None
    ):
        top = tmp_path_factory.mktemp("orientation")
        course = copy_course(top, assignments=[A])
        require_sandbox(course.root)
        # a world-readable course (like a clone in /srv or /work): only the sandbox's
        # hiding keeps the kernel out of the sources
        top.chmod(0o755)
        source_nb = course.source_dir / A / NB
        for path in [top, *source_nb.relative_to(top).parents]:
            (top / path).chmod(0o755)
        release(course, A)
        good = submission(course, A, NB, Archetype("correct"))
        subs = {
            "o-good": good,
            "o-patch-keys": _set(
                nbformat.from_dict(json.loads(json.dumps(good))), "q1-answer", PATCH_KEYS
            ),
            "o-read-key": _set(
                nbformat.from_dict(json.loads(json.dumps(good))), "q1-answer", READ_KEY
            ),
            "o-read-source": _set(
                nbformat.from_dict(json.loads(json.dumps(good))),
                "q1-answer",
                read_source(str(source_nb)),
            ),
            "o-edited-test": _set(
                _set(nbformat.from_dict(json.loads(json.dumps(good))), "q1-answer", WRONG_Q1),
                "q1-test",
                "pass",
            ),
            "o-exit": _set(
                nbformat.from_dict(json.loads(json.dumps(good))),
                "q2-answer",
                "import os\nos._exit(0)",
            ),
        }
        for student, nb in subs.items():
            folder = course.dir("submitted") / student / A
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / NB)
            (folder / "timestamp.txt").write_text(corpus.TIMESTAMP)
        summary = grade_class(course, A, workers=2, progress=False, report=True)

    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(course.config().CourseDirectory.db_url) as gb:
        for sub in gb.assignment_submissions(A):
            scores[sub.student.id] = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
    problems = {o.student: o.problems for o in summary.outcomes}
    return course, summary, scores, problems


def _auto(scores: dict) -> dict:
    return {k: v for k, v in scores.items() if k.endswith("-test")}


def test_correct_submission_full_marks(orientation_class):
    _, summary, scores, _ = orientation_class
    assert all(o.ok for o in summary.outcomes), [(o.student, o.error) for o in summary.outcomes]
    good = _auto(scores["o-good"])
    assert good and all(v > 0 for v in good.values()), good


def test_patched_answer_key_is_restored_and_named(orientation_class):
    _, _, scores, problems = orientation_class
    assert scores["o-patch-keys"]["q1-test"] == 0  # the real grade() ran on n_orders = -1
    assert _auto(scores["o-patch-keys"])["q2-test"] == scores["o-good"]["q2-test"]
    tampering = [p for p in problems["o-patch-keys"] if p["code"] == "tampering"]
    assert tampering and "storeops.grading.keys.grade" in tampering[0]["message"]


def test_answer_key_is_not_reachable_from_the_kernel(orientation_class):
    """Keys are computed by the grader (storeops.grading.answers): calling the key helper
    in the submission gets nothing, and the call is still flagged for review."""
    _, _, scores, problems = orientation_class
    assert scores["o-read-key"]["q1-test"] == 0
    assert _auto(scores["o-read-key"])["q2-test"] == scores["o-good"]["q2-test"] > 0
    flagged = [p for p in problems["o-read-key"] if p["severity"] == "review"]
    assert any("answer-key" in p["message"] for p in flagged), problems["o-read-key"]


def test_sources_are_hidden_from_the_kernel(orientation_class):
    """The course is world-readable, yet the kernel can neither find nor read the source
    notebook (no STOREOPS_SOURCE_DIR, an empty tmpfs over the folder)."""
    course, _, scores, _ = orientation_class
    assert scores["o-read-source"]["q1-test"] == 0
    assert _auto(scores["o-read-source"])["q3-test"] == scores["o-good"]["q3-test"] > 0
    nb = nbformat.read(course.dir("autograded") / "o-read-source" / A / NB, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-answer"]
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert "source dir in env: None" in text, text
    assert "source not readable: FileNotFoundError" in text, text


def test_edited_test_restored_and_flagged(orientation_class):
    _, _, scores, problems = orientation_class
    assert scores["o-edited-test"]["q1-test"] == 0
    edited = [p for p in problems["o-edited-test"] if p["code"] == "edited-test-cell"]
    assert edited and "'q1-test'" in edited[0]["message"]


def test_kernel_exit_keeps_earlier_points(orientation_class):
    _, _, scores, problems = orientation_class
    assert scores["o-exit"]["q1-test"] == scores["o-good"]["q1-test"] > 0
    assert scores["o-exit"]["q2-test"] == 0 and scores["o-exit"]["q4-test"] == 0
    assert any(p["code"] == "kernel_died" for p in problems["o-exit"])


def test_feedback_has_no_hidden_test_code(orientation_class):
    course, _, scores, _ = orientation_class
    files = list(course.dir("feedback").rglob("*.html"))
    assert len(files) == len(scores) == 6
    for path in files:
        text = path.read_text(errors="replace")
        assert "storeops.answer" not in text, path  # exports are replaced by verdicts
        assert 'grade("orientation"' not in text and "grade(&quot;orientation" not in text, path
        assert "HIDDEN TESTS" not in text, path


def test_report_shows_problems_of_the_real_assignment(orientation_class):
    summary = orientation_class[1]
    page = summary.report.read_text()
    assert "Submission problems" in page and "o-edited-test" in page and "tampering" in page
