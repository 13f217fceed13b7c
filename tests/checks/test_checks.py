"""Self-checks, both editions, for every assignment: the reference passes, known mistakes fail.

The reference answers and mistakes are computed by executing the instructor-only
source on the default store (never typed here).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from storeops.book import pages
from storeops.chapters import questions
from storeops.checks import CheckFailed, NotAnswered, Number, Series, Text
from storeops.checks.core import decode_keys, encode_keys, graded_edition, self_learner_edition
from storeops.grading import keys as answer_keys
from storeops.grading import source as src

SOURCE = pages.DEFAULT_SOURCE
ASSIGNMENTS = src.assignments(SOURCE)


def _cases():
    for a in ASSIGNMENTS:
        for q in questions(a):
            yield a, q


@pytest.fixture(autouse=True)
def _graded_by_default(monkeypatch):
    monkeypatch.delenv("STOREOPS_COURSE_SEED", raising=False)
    graded_edition()
    yield
    graded_edition()


@pytest.fixture(scope="module")
def store():
    from storeops.data import load_store

    return load_store()


@pytest.fixture(scope="module")
def keys_by_assignment():
    return {a: pages.build_keys(a, SOURCE) for a in ASSIGNMENTS}


def _reference_value(assignment, name):
    q = questions(assignment)[name]
    return answer_keys.reference(assignment, name, SOURCE).value_of(q.var)


def _mistake_values(assignment, name):
    q = questions(assignment)[name]
    ref = answer_keys.reference(assignment, name, SOURCE)
    for m in src.load_mistakes(SOURCE / assignment):
        if m.question == name:
            yield m, ref.mistake_value(m, q.var)


def test_every_assignment_has_self_checks_for_its_questions():
    assert ASSIGNMENTS, "no assignment in chapters/"
    for a in ASSIGNMENTS:
        qs = questions(a)
        for path in src.source_notebooks(SOURCE / a):
            answered = {
                src.question_of(c)
                for c in src.read_notebook(path).cells
                if src.is_answer_cell(c) and src.question_of(c)
            }
            assert answered <= set(qs), (
                f"{a}: answer cells without a self-check: {answered - set(qs)}"
            )


@pytest.mark.parametrize(("assignment", "name"), list(_cases()))
def test_graded_edition_accepts_reference_and_rejects_wrong_type(assignment, name, store, capsys):
    q = questions(assignment)[name]
    q.check(_reference_value(assignment, name))
    assert "plausible" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        q.check(object())


@pytest.mark.parametrize(("assignment", "name"), list(_cases()))
def test_self_learner_edition_reference_passes_and_mistakes_are_named(
    assignment, name, store, keys_by_assignment, capsys
):
    self_learner_edition(encode_keys(keys_by_assignment[assignment]))
    q = questions(assignment)[name]
    q.check(_reference_value(assignment, name))
    assert "correct" in capsys.readouterr().out
    for mistake, value in _mistake_values(assignment, name):
        with pytest.raises(CheckFailed) as err:
            q.check(value)
        assert mistake.message in str(err.value)


def test_orientation_generic_wrong_answers_get_useful_messages(store, keys_by_assignment):
    q1, q2, q3 = (questions("orientation")[k] for k in ("q1", "q2", "q3"))
    right = _reference_value("orientation", "q1")
    self_learner_edition(encode_keys(keys_by_assignment["orientation"]))
    with pytest.raises(CheckFailed, match="not quite.*hint"):
        q1.check(right + 1)
    with pytest.raises(CheckFailed, match="whole number"):
        q1.check(right + 0.5)
    with pytest.raises(CheckFailed, match="entries"):
        q2.check(_reference_value("orientation", "q2").iloc[:-1])
    with pytest.raises(CheckFailed, match="not one of the possible"):
        q3.check("spaceships")
    graded_edition()
    with pytest.raises(CheckFailed, match="below"):  # graded edition: plausibility only
        q1.check(-3)


def test_stub_and_missing_variable_say_not_answered():
    q4 = questions("orientation")["q4"]

    def daily_revenue(channel):
        raise NotImplementedError()

    with pytest.raises(NotAnswered, match="not answered yet"):
        q4.check(daily_revenue)
    with pytest.raises(NotAnswered, match="not defined"):
        questions("orientation")["q1"].check()  # no n_orders in this module's globals


def test_check_reads_the_notebook_variable_from_the_caller(store, capsys):
    notebook_globals = {"q1": questions("orientation")["q1"]}
    notebook_globals["n_orders"] = _reference_value("orientation", "q1")
    exec("q1.check()", notebook_globals)  # as a notebook cell runs: variables are globals
    assert "✓" in capsys.readouterr().out


def test_solution_disabled_in_graded_class_and_shown_to_self_learners(keys_by_assignment, capsys):
    q1 = questions("orientation")["q1"]
    q1.solution()
    out = capsys.readouterr().out
    assert "disabled in a graded class" in out and "len(" not in out
    self_learner_edition(encode_keys(keys_by_assignment["orientation"]))
    q1.solution()
    assert "len(" in capsys.readouterr().out


def test_hints_climb_a_ladder(capsys):
    q2 = questions("orientation")["q2"]
    q2._hint_level = 0
    q2.hint()
    q2.hint()
    out = capsys.readouterr().out
    assert "Hint 1/" in out and "Hint 2/" in out


def test_keys_hold_no_plain_answer(keys_by_assignment):
    for a, keys in keys_by_assignment.items():
        text = json.dumps(
            {
                q: {k: v for k, v in e.items() if k != "solution"}
                for q, e in keys["questions"].items()
            }
        )
        for name in questions(a):
            value = answer_keys.expected(a, name, SOURCE)
            if isinstance(value, (int, np.integer)):  # as a number, not digits inside a hash
                assert not re.search(rf"(?<![\w.]){int(value)}(?![\w.])", text), (a, name)
            if isinstance(value, str):
                assert value not in text
        assert decode_keys(encode_keys(keys)) == keys


def test_keys_of_another_store_fall_back_to_plausibility(keys_by_assignment, capsys):
    keys = dict(keys_by_assignment["orientation"], store="not-this-store")
    self_learner_edition(encode_keys(keys))
    questions("orientation")["q1"].check(12345)  # wrong, but exactness is off on another store
    assert "your store differs" in capsys.readouterr().out


def test_nothing_importable_computes_a_graded_key(tmp_path, monkeypatch):
    """Without the instructor-only source, the key helper refuses (what a student has)."""
    monkeypatch.delenv("STOREOPS_SOURCE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AssertionError, match="instructor-only"):
        answer_keys.grade("orientation", "q1", {"n_orders": 1})


def test_kinds_tolerate_float_noise_and_compare_labels_as_text():
    n = Number(rtol=1e-9)
    assert n.canonical(0.1 + 0.2) == n.canonical(0.3)
    assert n.equal(1e6 + 1e-6, 1e6) and not n.equal(1e6 + 1, 1e6)
    s = Series()
    a = pd.Series([1.0, 2.0], index=pd.period_range("2025-01", periods=2, freq="M"))
    b = pd.Series([2.0 + 1e-12, 1.0], index=["2025-02", "2025-01"])
    assert s.equal(a, b) and s.canonical(a) == s.canonical(b)
    assert not s.equal(a, b * 2)
    t = Text()
    assert t.equal("  Home ", "home") and t.canonical("Home") == t.canonical("home")


def _no_truth_in_the_kernel(monkeypatch):
    """Make the truth and the optimiser unusable, as if the kernel had neither."""
    import storeops.data
    from storeops.grading import judges

    def refuse(*args, **kwargs):
        raise AssertionError("the student's kernel read the truth or ran the optimiser")

    monkeypatch.setattr(storeops.data, "truth_of", refuse)
    monkeypatch.setattr(judges, "best_media_plan", refuse)
    monkeypatch.setattr(judges, "best_bid", refuse)


def test_self_learner_decision_needs_no_truth_in_the_kernel(
    store, keys_by_assignment, monkeypatch, capsys
):
    keys = keys_by_assignment["ch3_promotion"]  # built (instructor side) before the patch
    _no_truth_in_the_kernel(monkeypatch)
    self_learner_edition(encode_keys(keys))
    q8 = questions("ch3_promotion")["q8"]
    q8.check(_reference_value("ch3_promotion", "q8"))
    assert "correct" in capsys.readouterr().out
    mistakes = list(_mistake_values("ch3_promotion", "q8"))
    assert mistakes, "q8 has no catalogued mistake to name"
    for mistake, value in mistakes:
        with pytest.raises(CheckFailed) as err:
            q8.check(value)
        assert mistake.message in str(err.value)


def test_graded_decision_checks_plausibility_without_the_truth(store, monkeypatch, capsys):
    _no_truth_in_the_kernel(monkeypatch)
    q8 = questions("ch3_promotion")["q8"]
    q8.check(_reference_value("ch3_promotion", "q8"))
    for _, value in _mistake_values("ch3_promotion", "q8"):
        q8.check(value)  # a plausible split: only the grader can tell it is wrong
    out = capsys.readouterr().out
    assert "plausible" in out and "correct" not in out


def test_self_learner_blob_carries_only_the_profits_of_the_decision(keys_by_assignment):
    """The blob holds the seed, the window and two profits (and for the bid, scored on expected
    profit, the contribution per order); never the best plan itself."""
    for q, extra in (("q8", set()), ("q13", {"per_order"})):
        judge = keys_by_assignment["ch3_promotion"]["questions"][q]["judge"]
        assert set(judge) == {"seed", "start", "days", "own_profit", "best_profit"} | extra
        assert judge["best_profit"] > judge["own_profit"]
