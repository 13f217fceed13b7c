"""The grader-side hidden tests (storeops.grading.answers): exported answers vs the keys.

In-process and fast: autograded test cells are built from the real orientation source,
with the outputs a grading kernel would leave, and graded by ``GradeAnswers``. The
expected values come from the reference solution on the default store
(``keys.expected``), the wrong ones from the mistakes catalogue.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from storeops.grading import answers, keys, source, wire

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "chapters"
A = "orientation"


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv(keys.SOURCE_ENV, str(SOURCES))
    monkeypatch.delenv("STOREOPS_COURSE_SEED", raising=False)
    monkeypatch.setenv(answers.EVENTS_ENV, str(tmp_path / "events"))


def _test_cells() -> dict[str, nbformat.NotebookNode]:
    nb = source.read_notebook(SOURCES / A / f"{A}.ipynb")
    out = {}
    for cell in nb.cells:
        if source.is_test_cell(cell) and answers.calls(cell.source):
            out[source.question_of(cell)] = nbformat.from_dict(json.loads(json.dumps(cell)))
    return out


def _export(question: str, value, problems=()) -> nbformat.NotebookNode:
    payload = {
        "assignment": A,
        "question": question,
        "answer": wire.encode(value),
        "problems": list(problems),
    }
    return nbformat.v4.new_output("display_data", data={wire.MIME: payload, "text/plain": "x"})


def _grade(cells: list) -> tuple[list, list]:
    nb = nbformat.v4.new_notebook(cells=cells)
    resources = {"nbgrader": {"student": "s1", "assignment": A, "notebook": A}}
    pp = answers.GradeAnswers()
    nb, _ = pp.preprocess(nb, resources)
    return nb.cells, pp._events


def _outputs_text(cells) -> str:
    return json.dumps([c.get("outputs", []) for c in cells])


def _raw_answer(question: str):
    """What the student's variable would hold for a correct answer (before evaluation)."""
    q = keys._question(A, question)
    ref = keys.reference(A, question)
    if getattr(q.kind, "runs_student_code", False):
        return keys.expected(A, question)  # a function's results, evaluated in the kernel
    return ref.value_of(q.var)


def test_every_question_correct_gets_a_tick_and_no_error():
    cells = _test_cells()
    assert set(cells) == {"q1", "q2", "q3", "q4"}
    for q, cell in cells.items():
        cell.outputs = [_export(q, _raw_answer(q))]
    graded, events = _grade(list(cells.values()))
    for cell in graded:
        assert [o.output_type for o in cell.outputs] == ["stream"], cell.outputs
        assert "correct" in cell.outputs[0].text
        assert not any(wire.MIME in o.get("data", {}) for o in cell.outputs)
    assert events == []


def test_each_catalogued_mistake_is_named_without_the_expected_value():
    cells = _test_cells()
    for m in source.load_mistakes(SOURCES / A):
        ref = keys.reference(A, m.question)
        q = keys._question(A, m.question)
        if getattr(q.kind, "runs_student_code", False):
            wrong = q.evaluated(ref.rerun_with(m)[q.var], ref.namespace.get("store"))
        else:
            wrong = ref.mistake_value(m, q.var)
        cell = nbformat.from_dict(json.loads(json.dumps(cells[m.question])))
        cell.outputs = [_export(m.question, wrong)]
        (graded,), _ = _grade([cell])
        (out,) = graded.outputs
        assert out.output_type == "error", m.id
        assert m.message in out.evalue, m.id
        exp = keys.expected(A, m.question)
        if isinstance(exp, (int, float)):
            assert str(exp) not in json.dumps(out)


def test_wrong_answer_gets_the_generic_message_with_plausibility_problems():
    cell = _test_cells()["q1"]
    cell.outputs = [_export("q1", -5, problems=["the number is below 1"])]
    (graded,), _ = _grade([cell])
    (out,) = graded.outputs
    assert out.output_type == "error"
    assert "does not match the expected answer" in out.evalue
    assert "below 1" in out.evalue


def test_suppressed_export_is_zero_and_reported_as_tampering():
    """A test cell that ran cleanly but recorded no answer (display patched away) must
    not get nbgrader's 'no error = full points'."""
    cell = _test_cells()["q1"]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="all tests passed\n")]
    (graded,), events = _grade([cell])
    assert graded.outputs[-1].output_type == "error"
    assert "no answer was recorded" in graded.outputs[-1].evalue
    assert events and events[0]["kind"] == "tampering" and "q1" in events[0]["message"]
    saved = json.loads(
        (Path(answers.os.environ[answers.EVENTS_ENV]) / A / "s1" / f"{A}.json").read_text()
    )
    assert saved["events"][0]["kind"] == "tampering"


def test_forged_or_doubled_exports_do_not_count():
    cells = _test_cells()
    right = _raw_answer("q1")
    # the right value exported under another question's name, in q1's cell
    cells["q1"].outputs = [_export("q3", right)]
    # two exports in one cell
    cells["q3"].outputs = [_export("q3", _raw_answer("q3")), _export("q3", "books")]
    graded, _ = _grade([cells["q1"], cells["q3"]])
    assert all(c.outputs[-1].output_type == "error" for c in graded)
    assert "more than one answer" in graded[1].outputs[-1].evalue


def test_exports_outside_test_cells_are_dropped_and_score_nothing():
    stray = nbformat.v4.new_code_cell("n_orders = 1")
    stray.metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": "q1-answer"}
    stray.outputs = [_export("q1", _raw_answer("q1"))]
    (graded,), _ = _grade([stray])
    assert graded.outputs == []


def test_kernel_failure_stays_a_failure():
    cell = _test_cells()["q2"]
    cell.outputs = [
        nbformat.v4.new_output(
            "error", ename="GradeFailed", evalue="q2: not answered yet.", traceback=["✗"]
        ),
        _export("q2", _raw_answer("q2")),
    ]
    (graded,), _ = _grade([cell])
    assert [o.output_type for o in graded.outputs] == ["error"]


@pytest.mark.parametrize("answer", [{"pickle": "gASV"}, {"int": "x"}, [1, 2], None])
def test_malformed_export_is_zero_not_a_crash(answer):
    cell = _test_cells()["q1"]
    out = _export("q1", 0)
    out.data[wire.MIME]["answer"] = answer
    cell.outputs = [out]
    (graded,), _ = _grade([cell])
    assert graded.outputs[-1].output_type == "error"


def test_missing_sources_is_a_grader_error_not_a_zero(monkeypatch, tmp_path):
    monkeypatch.setenv(keys.SOURCE_ENV, str(tmp_path / "nowhere"))
    monkeypatch.chdir(tmp_path)
    cell = _test_cells()["q1"]
    cell.outputs = [_export("q1", 1)]
    with pytest.raises(RuntimeError, match="source folder"):
        _grade([cell])


def test_grading_kernel_only_exports(monkeypatch):
    """In a grading kernel, grade() never looks for sources: it displays the answer."""
    import storeops.grading.keys as k

    shown = []
    monkeypatch.setenv(k.EXPORT_ENV, "1")
    monkeypatch.setenv(keys.SOURCE_ENV, "/nonexistent")
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    k.grade(A, "q3", {"best_category": "apparel"})
    (bundle,) = shown
    payload = bundle[wire.MIME]
    assert payload["question"] == "q3" and wire.decode(payload["answer"]) == "apparel"
    with pytest.raises(k.GradeFailed, match="not defined"):
        k.grade(A, "q3", {})
