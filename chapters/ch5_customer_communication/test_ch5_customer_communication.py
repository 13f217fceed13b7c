"""Chapter 5 (customer communication): the staffing model and its live widget, the chapter
page's promises on several stores, and the exercise's structure. The checks every chapter
shares (self-checks in both editions, catalogued mistakes, leak-free release, real nbgrader
autograde, book page) run for it from tests/ already."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from storeops.chapters import questions as registered
from storeops.chapters.ch5_customer_communication import questions as ch5
from storeops.chapters.ch5_customer_communication import widget as staffing
from storeops.data import load_store
from storeops.grading import source as src

SOURCE = Path(__file__).resolve().parent
ASSIGNMENT = SOURCE.name
NOTEBOOK = SOURCE / f"{ASSIGNMENT}.ipynb"
CHAPTER = SOURCE / "page.md"
WIDGET_JS = Path(staffing.__file__).with_name("widget.js")


@pytest.fixture(scope="module")
def store():
    return load_store()


@pytest.fixture(scope="module")
def source_nb():
    import nbformat

    return nbformat.read(NOTEBOOK, as_version=4)


# -- the staffing model and its live widget -------------------------------------------------------
def test_erlang_c_wait_matches_the_textbook_case():
    """Two agents, one erlang of load: a chat waits with probability 1/3 and then, on average,
    a handle time over (c - a) = 1, so the mean wait is a third of the handle time."""
    assert staffing.mean_wait_s(20.0, 180.0, 2) == pytest.approx(60.0)
    # one agent (M/M/1): mean wait = rho / (1 - rho) x handle time
    assert staffing.mean_wait_s(10.0, 60.0, 1) == pytest.approx(12.0)  # rho 1/6: 1/5 x 60 s


def test_an_overloaded_or_empty_hour_waits_the_cap_and_a_quiet_one_nothing():
    assert staffing.mean_wait_s(100.0, 180.0, 0) == staffing.WAIT_CAP_S
    assert staffing.mean_wait_s(100.0, 180.0, 5) == staffing.WAIT_CAP_S  # 5 erlangs, 5 agents
    assert staffing.mean_wait_s(0.0, 180.0, 0) == 0.0


@pytest.fixture(scope="module")
def inputs(store):
    return staffing.staffing_inputs(store)


def test_more_agents_never_lengthen_the_wait_and_staff_cost_grows(inputs):
    views = [
        staffing.staffing_view({**inputs, "agents_evening": n})
        for n in range(staffing.MAX_AGENTS + 1)
    ]
    waits = [v["wait"] for v in views]
    assert all(b <= a + 1e-9 for a, b in zip(waits, waits[1:], strict=False))
    assert waits[0] > waits[-1]
    staff = [v["staff"] for v in views]
    assert all(b > a for a, b in zip(staff, staff[1:], strict=False))


def test_the_day_is_the_busiest_and_its_figures_come_from_the_store(store, inputs):
    chats = store.service_chats
    per_day = chats.groupby(chats["chat_time"].dt.normalize()).size()
    assert inputs["day"] == f"{per_day.idxmax():%Y-%m-%d}"
    pre = chats[
        (chats["kind"] == "pre-sale") & (chats["chat_time"].dt.normalize() == per_day.idxmax())
    ]
    assert sum(inputs["presale_by_hour"]) == len(pre)
    # answering later converts less in the store's chats: the slope is a loss
    assert inputs["loss_per_s"] > 0 and 0 < inputs["quick_conversion"] < 1
    assert inputs["wage"] > 0 and inputs["margin"] > 0


def test_the_widgets_cost_is_staff_plus_lost_margin_and_has_an_interior_best(inputs):
    costs = {
        n: staffing.staffing_view({**inputs, "agents_evening": n})["cost"]
        for n in range(staffing.MAX_AGENTS + 1)
    }
    best = min(costs, key=costs.get)
    assert 0 < best < staffing.MAX_AGENTS  # too few lose orders, too many cost wages
    v = staffing.staffing_view(inputs)
    assert v["cost"] == pytest.approx(v["staff"] + v["lost"] * inputs["margin"])


def test_every_figure_the_view_marks_is_computed_by_python(inputs):
    source = WIDGET_JS.read_text()
    marked = set(re.findall(r'"data-figure": "(\w+)"', source))
    controls = {f"readout.agents_{name}" for name in staffing.BLOCK_NAMES}
    figures = staffing.StaffingCurve(**inputs).figures()
    assert marked | controls == set(figures)
    assert figures["cost"].startswith("¥") and math.isfinite(float(figures["wait"]))


def test_staffing_state_travels_and_stays_small(inputs):
    from storeops.widgets.live import live_class

    w = staffing.StaffingCurve(**inputs)
    state = w.state_values()
    assert live_class(state["_anywidget_id"]) is staffing.StaffingCurve
    assert w.state_bytes() < 200_000


# -- the staffing decision (question 12) ----------------------------------------------------------
def test_a_staffing_plan_must_name_every_block_in_whole_agents(store):
    kind = ch5.q12.kind
    good = dict.fromkeys(ch5.PEAK_BLOCKS, 3)
    assert kind.plan_of(good) == good and not kind.plausible(good, store)
    for bad in (
        {**good, "0-1": 2.5},
        {**good, "0-1": True},
        {k: v for k, v in good.items() if k != "2-8"},
        {**good, "night": 3},
        [3, 3, 3, 3],
    ):
        assert kind.plan_of(bad) is None and kind.plausible(bad, store), bad
    assert kind.plausible({**good, "9-17": ch5.MAX_PEAK_AGENTS + 1}, store)
    assert kind.plausible({**good, "9-17": -1}, store)
    assert not kind.same_plan(good, {**good, "18-23": 4})


def test_the_blocks_cover_the_day_once():
    hours = [h for lo, hi in ch5.PEAK_BLOCKS.values() for h in range(lo, hi)]
    assert hours == list(range(24))


def test_a_staffing_plan_changes_only_its_day(store):
    """The policy graded is the store's own with the plan's agents on that day alone (as
    the simulator reads a plan: agents by day and hour)."""
    from datetime import date

    import numpy as np

    from storeops.sim.evaluate import STORE_DAYS, STORE_START
    from storeops.sim.policy import _frame, _staffing, default_policy

    own = default_policy(int(store.meta["seed"]))
    day = staffing.staffing_inputs(store)["day"]
    plan = {"0-1": 9, "2-8": 1, "9-17": 5, "18-23": 7}
    frame = _frame(STORE_START, STORE_DAYS, ())
    before = _staffing(own, frame)
    after = _staffing(ch5.q12.kind.policy(own, plan, day), frame)
    d = (date.fromisoformat(day) - STORE_START).days
    changed = np.flatnonzero((before != after).any(axis=1))
    assert set(changed) <= {d}
    expected = [plan[k] for k, (lo, hi) in ch5.PEAK_BLOCKS.items() for _ in range(lo, hi)]
    assert after[d].tolist() == expected


# -- the chapter page -----------------------------------------------------------------------------
def test_chapter_page_format():
    text = CHAPTER.read_text()
    assert text.startswith("---\njupytext:") and "kernelspec:" in text
    first = text.split("```{code-cell}", 1)[1].split("```", 1)[0]
    assert ":tags: [remove-cell]" in first
    code = [line for line in first.splitlines()[1:] if line.strip() and not line.startswith(":")]
    assert len(code) == 1 and code[0].startswith("from storeops.")  # one-line preamble
    assert text.index("After this chapter you can") < text.index("## Before the sale")
    for section in ("## After the sale", "## Loyalty", "## Member marketing", "## Writing to"):
        assert section in text, section
    assert text.rstrip().endswith("See the glossary for the working definitions.")
    assert "## What an operator does with this" in text and "## Key terms" in text
    assert len(re.findall(r"\{glue:text\}`\w+(:[^`]+)?`", text)) >= 30
    assert len(re.findall(r"```\{glue:figure\}", text)) >= 4
    for term in (
        "询单转化率",
        "首次响应时间",
        "退款率",
        "店铺动态评分",
        "复购率",
        "留存",
        "RFM",
        "对照组",
        "退订",
    ):
        assert term in text, term


def test_the_glossary_has_the_chapters_terms_linked_to_it():
    glossary = (SOURCE.parents[1] / "book" / "appendix" / "glossary.md").read_text()
    rows = [line for line in glossary.splitlines() if "ch5_customer_communication" in line]
    for term in (
        "询单转化率",
        "首次响应时间",
        "退款率",
        "店铺动态评分",
        "复购率",
        "留存",
        "RFM",
        "对照组",
        "退订",
    ):
        assert any(term in row for row in rows), term


# -- the exercise ---------------------------------------------------------------------------------
def test_exercise_structure(source_nb):
    tests = [c for c in source_nb.cells if src.is_test_cell(c)]
    written = [
        c
        for c in source_nb.cells
        if c.cell_type == "markdown" and src.nbgrader_meta(c).get("grade")
    ]
    assert len(tests) >= 8
    assert sum(src.nbgrader_meta(c)["points"] for c in tests) >= 16
    assert written and all(src.competency(c) == "customer-communication" for c in written)
    assert all("Rubric" in c.source and "Comment bank" in c.source for c in written)
    questions = registered(ASSIGNMENT)
    mistakes = src.load_mistakes(SOURCE)
    for cell in tests:
        q = src.question_of(cell)
        assert src.competency(cell) == "customer-communication", q
        assert f"{q}.check()" in cell.source and f'grade("{ASSIGNMENT}", "{q}"' in cell.source
        assert len(questions[q].hints) >= 3 and questions[q].hints[-1].startswith("Method"), q
        assert sum(m.question == q for m in mistakes) >= 2, q
    concepts = [
        q
        for q in questions.values()
        if q.var in ("refund_denominator", "holdout_purpose", "rating_summary")
    ]
    assert len(concepts) >= 3
    first = next(c for c in source_nb.cells if c.cell_type == "code")
    assert first.source.startswith(f"from storeops.chapters.{ASSIGNMENT}.questions import *")
    assert all(not c.get("outputs") for c in source_nb.cells if c.cell_type == "code")


def test_widget_exploration_is_recorded_in_a_graded_variable(source_nb):
    widget = next(c for c in source_nb.cells if src.grade_id(c).endswith("-widget"))
    q = src.question_of(widget)
    assert "staffing_curve(" in widget.source
    answer = next(c for c in source_nb.cells if src.grade_id(c) == f"{q}-answer")
    assert "explored_evening_agents" in answer.source
    assert any(src.grade_id(c) == f"{q}-test" for c in source_nb.cells)


def test_the_complaint_to_answer_comes_from_the_learners_store(source_nb):
    given = next(c for c in source_nb.cells if src.grade_id(c) == "q11-given")
    assert "store.returns" in given.source and "chats" in given.source


def test_library_does_not_compute_graded_answers():
    """Nothing students can import returns the graded numbers."""
    from storeops.chapters.ch5_customer_communication import cx

    exported = {n for n in dir(cx) if not n.startswith("_")} | set(ch5.__all__)
    exported |= set(staffing.__all__)
    exported = {n for n in exported if not n.startswith("plot_")}  # charts draw, they return no key
    for name in ("conversion", "refund", "defect", "retention", "uplift", "best", "back"):
        assert not any(name in n.lower() for n in exported), name


def test_mistake_messages_do_not_leak_values(leaked_values):
    """No catalogued message quotes the store's answer (in any of the usual roundings)."""
    assert leaked_values(ASSIGNMENT, SOURCE, ("q1", "q2", "q4", "q5", "q6", "q10")) == []


def test_no_reference_solution_is_a_near_copy_of_the_chapter_code(source_nb, page_overlaps):
    """Each reference solution shares under half of its 8-token runs with any one code cell
    of the chapter page (so the exercise asks something the page did not already do)."""
    overlaps = page_overlaps(source_nb, CHAPTER)
    assert all(share < 0.5 for share in overlaps.values()), overlaps


PER_STUDENT = r"""
import json, sys
from pathlib import Path
from storeops.chapters import questions
from storeops.data import load_store
from storeops.grading import keys as K
src = Path(sys.argv[1])
out = {}
for name, q in questions("ch5_customer_communication").items():
    ref = K.reference("ch5_customer_communication", name, src)
    store = ref.namespace["store"]
    expected = K.expected("ch5_customer_communication", name, src)
    value = ref.value_of(q.var)
    ok = q.kind.equal(q.evaluated(value, store), expected) and not q.kind.plausible(value, store)
    clash = [m.id for m, v in K.mistakes_evaluated("ch5_customer_communication", name, src)
             if q.kind.equal(v, expected)]
    shown = expected if isinstance(expected, (int, float, str)) else None
    out[name] = {"ok": bool(ok), "clash": clash, "seed": store.meta["seed"], "value": shown}
truth = load_store(with_truth=True).truth["products"]["skus"]
out["defective"] = sorted(s for s, v in truth.items() if v["defective"])
from storeops.chapters.ch5_customer_communication.questions import PEAK_BLOCKS
from storeops.grading.judges import BEST_PLANS
q = questions("ch5_customer_communication")["q12"]
key = K.expected("ch5_customer_communication", "q12", src)
ref = K.reference("ch5_customer_communication", "q12", src).value_of(q.var)
scores = {m.id: q.kind.score(v, key)
          for m, v in K.mistakes_evaluated("ch5_customer_communication", "q12", src)}
scores["reference"] = q.kind.score({"plan": ref}, key)
scores["no agents"] = q.kind.score({"plan": {k: 0 for k in PEAK_BLOCKS}}, key)
out["staffing"] = {"scores": scores, "best": BEST_PLANS["PeakStaffing", key["seed"]]}
print(json.dumps(out))
"""


@pytest.mark.slow
def test_exercise_works_unchanged_on_per_student_stores_and_their_answers_differ(
    tmp_path, run_on_store, store
):
    """On two learners' stores: every reference passes its own check, no catalogued mistake
    gives the right answer, the defective SKU found from the returns is one the truth made
    defective, the staffing decision scores its reference, mistakes and an empty plan as it
    should, and the store's numbers (its defective SKU, its best staffing) differ between the
    two."""
    for s in ("alice", "bob"):
        (tmp_path / s).mkdir()
    results = {s: run_on_store(PER_STUDENT, s, tmp_path / s) for s in ("alice", "bob")}
    best = {s: r["staffing"]["best"] for s, r in results.items()}
    for student, result in results.items():
        defective = result.pop("defective")
        _staffing_decision_scores(result.pop("staffing")["scores"], student)
        # the default store (the fixture: read before any test switches the environment)
        assert {r["seed"] for r in result.values()} != {store.meta["seed"]}
        for name, r in result.items():
            assert r["ok"], f"{name}: reference fails its own check on {student}'s store"
            assert not r["clash"], f"{name}: mistakes {r['clash']} give the right answer"
        assert result["q3"]["value"] in defective, student
    alice, bob = results["alice"], results["bob"]
    for name in ("q1", "q2", "q3", "q4", "q5", "q6"):
        assert alice[name]["value"] != bob[name]["value"], name
    assert best["alice"] != best["bob"], "the best staffing of the peak day is the same on both"


def _staffing_decision_scores(scores: dict, where: str) -> None:
    """Question 12 on one store: the reference's plan earns full marks, each catalogued
    mistake less, and a day without agents (every chat abandoned) nothing."""
    assert scores.pop("reference") == 1.0, where
    assert scores.pop("no agents") == 0.0, where
    assert scores and all(s < 1.0 for s in scores.values()), (where, scores)


@pytest.mark.slow
def test_staffing_decision_on_the_default_store(store):
    """On the default store: full marks for the reference, less for each mistake, nothing
    for no agents; the best plan found earns more than the store's own staffing, and the
    key is the profit of the store's own staffing on that day (its finance table's)."""
    from storeops.grading import keys
    from storeops.grading.judges import window_kpis

    q = registered(ASSIGNMENT)["q12"]
    key = keys.expected(ASSIGNMENT, "q12", SOURCE.parent)
    assert key["days"] == 1 and key["start"] == staffing.staffing_inputs(store)["day"]
    own = window_kpis(store, key["start"], 1)["net_profit"]
    assert key["own_profit"] == pytest.approx(own, abs=0.01)
    assert key["best_profit"] > key["own_profit"]
    ref = keys.reference(ASSIGNMENT, "q12", SOURCE.parent).value_of(q.var)
    scores = {
        m.id: q.kind.score(v, key)
        for m, v in keys.mistakes_evaluated(ASSIGNMENT, "q12", SOURCE.parent)
    }
    scores["reference"] = q.kind.score({"plan": ref}, key)
    scores["no agents"] = q.kind.score({"plan": dict.fromkeys(ch5.PEAK_BLOCKS, 0)}, key)
    _staffing_decision_scores(scores, "default store")


def test_defective_sku_found_from_the_returns_is_defective_in_the_truth():
    from storeops.grading import keys

    found = keys.expected(ASSIGNMENT, "q3", SOURCE.parent)
    truth = load_store(with_truth=True).truth["products"]["skus"]
    assert truth[found]["defective"]


def test_written_model_answer_is_about_the_stores_own_complaint():
    """The model reply of question 11 is written from the complaint the learner's store gives."""
    from storeops.book.model_answers import MODEL_ANSWERS
    from storeops.grading import keys

    ns = keys.reference(ASSIGNMENT, "q10", SOURCE.parent).namespace
    complaint = ns["complaint"]
    text = MODEL_ANSWERS[ASSIGNMENT]["q11"](ns)
    assert complaint["order_id"] in text and complaint["sku"] in text
    assert str(complaint["reason"]).replace("_", " ") in text
    assert complaint["chat_time"] == max(
        ns["about"]["chat_time"]
    )  # the last escalated chat about a returned line


# -- the page executed (last: the per-student runs switch the environment of this process) --
def _execute_chapter():
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(CHAPTER)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(CHAPTER.parent)}},
    ).execute()
    return nb


def _glued(nb) -> dict:
    values = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name", "")
            text = o.get("data", {}).get("application/papermill.record/text/plain", "")
            if name and text:
                try:
                    values[name] = float(text)
                except ValueError:  # a glued sentence (its repr) or a figure
                    values[name] = text.strip("'\"")
    return values


def _page_claims(nb) -> None:
    """The page's sentences, held against the numbers it glues on one store."""
    g = _glued(nb)
    # the sentences chosen by code agree with the numbers next to them
    assert (g["back_text"] == "fewer") == (g["back_late"] < g["back_on_time"])
    assert (g["late_review_text"] == "more often") == (g["bad_late"] > g["bad_on_time"])
    assert (g["opt_text"] == "more") == (g["opt_repeat"] > g["opt_first"])
    # the claims the page makes in fixed words, whatever the store
    assert g["slow_conv"] < g["fast_conv"]  # "0-10 s ... 1-2 min": slower converts less
    assert g["left_conv"] < g["fast_conv"]
    assert g["orders_lost"] > 0 and g["margin_per_order"] > 0
    assert g["five_share"] > 0.5 and g["one_share"] > g["mid_share"] / 2  # the J shape
    assert 3.5 < g["mean_stars"] < 4.6
    assert g["fest_back"] < g["other_back"]  # "festival buyers come back less" (F6)
    assert g["top_return_rate"] > g["low_return_rate"]
    assert g["seg_best"] != g["seg_worst"] and g["seg_best_rate"] > g["seg_worst_rate"]
    for aspect in ("dsr_desc", "dsr_service", "dsr_logistics"):
        assert 4.0 < g[aspect] <= 5.0


def _figures(nb) -> int:
    return sum(
        any(k.endswith("image/png") for k in o.get("data", {}))
        for cell in nb.cells
        for o in cell.get("outputs", [])
    )


@pytest.fixture(scope="module")
def chapter_run():
    """The chapter executed top to bottom as the book build would (with a timeout)."""
    return _execute_chapter()


@pytest.mark.slow
def test_chapter_executes_with_figures_and_a_widget(chapter_run):
    assert _figures(chapter_run) >= 4
    assert any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        for c in chapter_run.cells
        for o in c.get("outputs", [])
    )


@pytest.mark.slow
def test_page_claims_hold_on_the_default_store(chapter_run):
    _page_claims(chapter_run)


@pytest.fixture(scope="module", params=["alice", "bob"])
def other_chapter_run(request, tmp_path_factory):
    """The chapter executed on another learner's store (a per-student store of a course)."""
    with pytest.MonkeyPatch.context() as mp:  # the kernel inherits the environment
        mp.setenv("STOREOPS_COURSE_SEED", "20261122")
        mp.setenv("STOREOPS_STUDENT", request.param)
        mp.setenv("STOREOPS_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield _execute_chapter()


@pytest.mark.slow
def test_page_claims_hold_on_other_stores(other_chapter_run):
    _page_claims(other_chapter_run)
