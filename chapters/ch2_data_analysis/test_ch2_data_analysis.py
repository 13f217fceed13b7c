"""Chapter 2 (data analysis): helpers, dashboard widget, exercise format, answer keys
against the data and the simulator's truth, catalogued mistakes, self-checks, chapter."""

from __future__ import annotations

import html
import re

import conftest_ch2 as ch2
import numpy as np
import pandas as pd
import pytest
from conftest_ch2 import ASSIGNMENT, CHAPTER, SOURCE_DIR, incident

from storeops.analysis.daily import baseline, full_weeks, per_day, week_label, window
from storeops.analysis.diagnose import runs, runs_by
from storeops.chapters import questions
from storeops.chapters.ch2_data_analysis.widget import KpiDashboard, kpi_dashboard
from storeops.checks import CheckFailed, NotAnswered, graded_edition
from storeops.grading import keys
from storeops.grading import source as src
from storeops.widgets.base import NOT_IMPLEMENTED

QUESTIONS = questions(ASSIGNMENT)
truth_store, source_nb, instructor_env = ch2.truth_store, ch2.source_nb, ch2.instructor_env


# -- generic helpers ------------------------------------------------------------------
def test_per_day_counts_missing_days_as_zero():
    frame = pd.DataFrame(
        {"t": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 23:59", "2025-01-03 08:00"])}
    )
    days = pd.date_range("2025-01-01", periods=4)
    got = per_day(frame.assign(n=1), "t", "n", days=days)
    assert got.tolist() == [2, 0, 1, 0]


def test_full_weeks_drop_partial_weeks_and_label_monday_to_sunday():
    days = pd.date_range("2025-01-01", "2025-01-31")  # Wednesday to Friday
    whole = full_weeks(days)
    assert whole[0] == pd.Timestamp("2025-01-06") and whole[-1] == pd.Timestamp("2025-01-26")
    assert len(whole) == 21
    assert str(week_label(whole)[0]) == "2025-01-06/2025-01-12"


def test_baseline_uses_only_earlier_days():
    s = pd.Series(np.arange(70.0), index=pd.date_range("2025-01-01", periods=70))
    same = baseline(s)
    assert same.iloc[:28].isna().all()
    day = 40  # same weekday 1..4 weeks earlier: 33, 26, 19, 12 -> median 22.5
    assert same.iloc[day] == 22.5
    rolling = baseline(s, same_weekday=False)
    assert rolling.iloc[day] == np.median(np.arange(day - 28, day))
    spiked = s.copy()
    spiked.iloc[day] = 1e9
    assert baseline(spiked).iloc[day] == same.iloc[day]  # a day is never its own baseline


def test_runs_find_consecutive_stretches():
    flags = pd.Series([0, 1, 1, 0, 1, 1, 1], index=pd.date_range("2025-01-01", periods=7))
    got = runs(flags.astype(bool))
    assert got["length"].tolist() == [2, 3]
    assert got["start"].tolist() == [pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-05")]
    both = runs_by(pd.concat({"a": flags.astype(bool), "b": ~flags.astype(bool)}), level=0)
    assert both.loc["b", "length"].tolist() == [1, 1]
    assert runs(flags.astype(bool) & False).empty


def test_window_is_inclusive():
    s = pd.Series(1, index=pd.date_range("2025-01-01", periods=10))
    assert len(window(s, "2025-01-03", "2025-01-05")) == 3


# -- the dashboard widget -----------------------------------------------------------------
DAYS = pd.date_range("2025-01-01", periods=21)


def _toy_kpi(metric):
    sessions = pd.Series(np.where(np.arange(21) % 2, 300.0, 100.0), index=DAYS)
    orders = pd.Series(np.where(np.arange(21) % 2, 3.0, 10.0), index=DAYS)
    sales = orders * 50.0
    return {
        "sessions": sessions,
        "orders": orders,
        "sales": sales,
        "conversion": orders / sessions,
        "aov": sales / orders,
    }[metric]


def test_dashboard_period_ratios_are_ratios_of_totals():
    view = KpiDashboard(_toy_kpi, DAYS)
    conv = view.period_value("conversion", 0, 1)
    assert conv == pytest.approx(13 / 400)  # not the mean of 0.10 and 0.01
    assert conv != pytest.approx(_toy_kpi("conversion").iloc[:2].mean())
    assert view.period_value("sales", 0, 6) == pytest.approx(_toy_kpi("sales").iloc[:7].sum())


def test_dashboard_compares_with_the_chosen_earlier_days():
    view = KpiDashboard(_toy_kpi, DAYS)
    assert view.comparison_range(14, 20, "previous period") == (7, 13)
    assert view.comparison_range(14, 15, "one week earlier") == (7, 8)
    text = view.summary_html(14, 20, "one week earlier")
    assert "2025-01-15 to 2025-01-21" in text and "2025-01-08 to 2025-01-14" in text


def test_dashboard_with_a_stub_shows_the_friendly_message_not_a_traceback():
    def daily_kpi(metric):
        raise NotImplementedError()

    box = kpi_dashboard(daily_kpi, dates=DAYS)
    shown = html.unescape(box.refresh())
    assert NOT_IMPLEMENTED in shown and "Traceback" not in shown
    box.controls["metric"].value = "sales"  # callbacks keep working
    assert NOT_IMPLEMENTED in html.unescape(box.refresh())


def test_dashboard_turns_errors_and_wrong_types_into_one_line():
    def raises(metric):
        raise KeyError(metric)

    shown = html.unescape(kpi_dashboard(raises, dates=DAYS).refresh())
    assert "Your function raised KeyError" in shown and "Traceback" not in shown

    def wrong_type(metric):
        return [1, 2, 3]

    shown = html.unescape(kpi_dashboard(wrong_type, dates=DAYS).refresh())
    assert "needs a pandas Series" in shown


def test_dashboard_controls_redraw_and_week_buttons_move_the_range():
    box = kpi_dashboard(_toy_kpi, dates=DAYS, days=7)
    span = box.controls["span"]
    assert span.index == (14, 20)
    offered = box.controls["compare"].options  # only comparisons the data reach back to
    assert "one week earlier" in offered and "four weeks earlier" not in offered
    box.controls["ahead"].click()  # already at the end: clamped
    assert span.index == (14, 20)
    box.controls["back"].click()
    assert span.index == (7, 13)
    box.controls["metric"].value = "conversion"
    assert "conversion rate" in box.refresh()


def test_dashboard_asks_the_function_once_per_metric():
    calls = []

    def counting(metric):
        calls.append(metric)
        return _toy_kpi(metric)

    box = kpi_dashboard(counting, dates=DAYS)
    for _ in range(5):
        box.shift(-7)
        box.controls["metric"].value = "aov"
    assert sorted(calls) == sorted(["sessions", "orders", "conversion", "aov", "sales"])


# -- the exercise source ----------------------------------------------------------------------
def test_exercise_has_enough_graded_work_each_with_competency(source_nb):
    tests = [c for c in source_nb.cells if src.is_test_cell(c)]
    points = [src.nbgrader_meta(c)["points"] for c in tests]
    assert len(tests) >= 8 and sum(points) >= 16  # the chapter standard, item 10
    assert all(src.competency(c) == "data-analysis" for c in tests)
    written = [
        c
        for c in source_nb.cells
        if c.cell_type == "markdown" and src.nbgrader_meta(c).get("grade")
    ]
    assert written and all("Rubric" in c.source and src.competency(c) for c in written)
    assert source_nb.cells[1].source.startswith(
        f"from storeops.chapters.{ASSIGNMENT}.questions import *"
    )


def test_every_autograded_question_has_a_hint_ladder_and_a_self_check(source_nb):
    for name, q in QUESTIONS.items():
        assert len(q.hints) >= 2, name
        test = next(c for c in source_nb.cells if src.grade_id(c) == f"{name}-test")
        assert test.source.startswith(f"{name}.check()")


def test_widget_exploration_is_recorded_in_a_graded_plain_variable(source_nb):
    ids = {src.grade_id(c): c for c in source_nb.cells}
    assert "kpi_dashboard(daily_kpi, store)" in ids["q1-widget"].source
    assert "dashboard" in ids["q4-text"].source
    assert QUESTIONS["q4"].var == "worst_week"
    assert src.nbgrader_meta(ids["q4-test"])["points"] > 0


def test_three_concept_checks_one_read_from_a_chart_and_a_decision(source_nb):
    """The chapter standard, items 8 and 9: concept checks (one read from a plot drawn in the
    notebook) and a decision judged on the learner's store."""
    from storeops.checks.decisions import PlanDecision

    ids = {src.grade_id(c): c for c in source_nb.cells}
    concepts = [n for n in ("q10", "q11", "q12") if n in QUESTIONS]
    assert len(concepts) == 3
    assert "plot" in ids["q12-chart"].source and "chart" in ids["q12-text"].source
    assert any(isinstance(q.kind, PlanDecision) for q in QUESTIONS.values())


def test_every_question_has_at_least_two_catalogued_mistakes():
    mistakes = src.load_mistakes(SOURCE_DIR / ASSIGNMENT)
    for name in QUESTIONS:
        assert len([m for m in mistakes if m.question == name]) >= 2, name


# -- answer keys: the reference on the default store, against data and truth -------------
@pytest.fixture(scope="module")
def expected():
    keys._CACHE.clear()
    return {name: keys.expected(ASSIGNMENT, name, SOURCE_DIR) for name in QUESTIONS}


def test_incident_answers_match_the_simulators_ground_truth(expected, truth_store):
    truth = truth_store.truth
    failure = incident(truth, "checkout_failure")
    assert expected["q5"] == f"{pd.Timestamp(failure['start']):%Y-%m-%d}"
    assert expected["q6"] > 0  # the failing device took fewer orders than usual
    assert expected["q7"] == incident(truth, "bad_traffic")["channel"]


def test_lead_times_are_the_best_sellers_waits(expected, truth_store):
    """The ten SKUs are the best sellers by units, and each median lies between the shortest
    and the longest actual wait of its purchase orders."""
    store = truth_store
    done = store.orders.loc[store.orders["status"] == "completed", "order_id"]
    lines = store.order_lines[store.order_lines["order_id"].isin(done)]
    units = lines.groupby("sku")["quantity"].sum()
    lead = expected["q8"]
    assert len(lead) == 10 and units[lead.index].min() >= units.drop(lead.index).max()
    po = store.purchase_orders
    for sku, median in lead.items():
        waits = po.loc[po["sku"] == sku, "actual_arrival"] - po.loc[po["sku"] == sku, "order_date"]
        assert waits.dt.days.min() <= median <= waits.dt.days.max()


def test_daily_kpis_are_consistent_with_the_tables(expected, truth_store):
    store = truth_store
    sessions, orders, conversion, aov, sales = expected["q1"]
    completed = store.orders[store.orders["status"] == "completed"]
    assert len(sessions) == len(store.calendar)
    assert sessions.sum() == store.traffic["sessions"].sum()
    assert orders.sum() == len(completed)
    assert sales.sum() == pytest.approx(completed["revenue"].sum())
    assert np.allclose(conversion * sessions, orders)
    assert np.allclose(aov * orders, sales)


def test_decomposition_adds_up_to_the_change_in_sales(expected, truth_store):
    store = truth_store
    completed = store.orders[store.orders["status"] == "completed"]
    day = completed["order_time"].dt.normalize()

    def sales(period):
        start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1])
        return completed.loc[(day >= start) & (day <= end), "revenue"].sum()

    cases = QUESTIONS["q3"].kind.cases(store)
    assert len(cases) >= 2
    for (before, after), effects in zip(cases, expected["q3"], strict=True):
        assert list(effects.index) == ["traffic", "conversion", "order_value"]
        assert effects.sum() == pytest.approx(sales(after) - sales(before))


def test_week_over_week_chains_to_the_overall_change(expected, truth_store):
    store = truth_store
    completed = store.orders[store.orders["status"] == "completed"]
    days = full_weeks(store.calendar["date"])
    first, last = days[:7], days[-7:]
    day = completed["order_time"].dt.normalize()
    ratio = completed.loc[day.isin(last), "revenue"].sum() / (
        completed.loc[day.isin(first), "revenue"].sum()
    )
    assert np.prod(1 + expected["q2"].to_numpy()) == pytest.approx(ratio)


def test_worst_week_is_an_ordinary_week_that_fell(expected, truth_store):
    store = truth_store
    monday = pd.Timestamp(expected["q4"])
    fest = set(pd.DatetimeIndex(store.calendar.loc[store.calendar["festival"] != "", "date"]))
    both = pd.date_range(monday - pd.Timedelta(days=7), periods=14)
    assert monday.weekday() == 0 and not fest & set(both)
    completed = store.orders[store.orders["status"] == "completed"]
    day = completed["order_time"].dt.normalize()
    week = completed.loc[day.isin(both[7:]), "revenue"].sum()
    before = completed.loc[day.isin(both[:7]), "revenue"].sum()
    assert week < before


# -- catalogued mistakes: each loses its question, with a message naming it ---------------
def _mistakes():
    return [(m.question, m.id) for m in src.load_mistakes(SOURCE_DIR / ASSIGNMENT)]


@pytest.mark.parametrize(("question", "mistake_id"), _mistakes())
def test_hidden_test_names_each_mistake(question, mistake_id, instructor_env):
    ref = keys.reference(ASSIGNMENT, question, SOURCE_DIR)
    mistake = next(
        m
        for m in src.load_mistakes(SOURCE_DIR / ASSIGNMENT)
        if (m.question, m.id) == (question, mistake_id)
    )
    q = QUESTIONS[question]
    namespace = {"store": ref.namespace["store"], q.var: ref.mistake_value(mistake, q.var)}
    with pytest.raises(keys.GradeFailed) as failed:
        keys.grade(ASSIGNMENT, question, namespace)
    assert mistake.message in str(failed.value)


@pytest.mark.parametrize("question", list(QUESTIONS))
def test_hidden_test_passes_the_reference(question, instructor_env, capsys):
    ref = keys.reference(ASSIGNMENT, question, SOURCE_DIR)
    var = QUESTIONS[question].var
    keys.grade(ASSIGNMENT, question, {"store": ref.namespace["store"], var: ref.namespace[var]})
    assert f"✓ {question}" in capsys.readouterr().out


# -- self-checks ---------------------------------------------------------------------------------
def test_graded_edition_checks_form_not_value(truth_store):
    graded_edition(ASSIGNMENT)
    q5, q1 = QUESTIONS["q5"], QUESTIONS["q1"]
    assert not q5.kind.plausible("2025-01-01", truth_store)  # any day of the year is plausible
    with pytest.raises(CheckFailed):
        q5._check("yesterday", truth_store)

    def stub(metric):
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        q1._check(stub, truth_store)


def test_self_learner_edition_knows_the_answer_and_names_mistakes():
    from storeops.book.pages import build_keys
    from storeops.checks import self_learner_edition
    from storeops.checks.core import encode_keys

    ref = keys.reference(ASSIGNMENT, "q7", SOURCE_DIR)
    store = ref.namespace["store"]
    self_learner_edition(encode_keys(build_keys(ASSIGNMENT, SOURCE_DIR)))
    try:
        q7 = QUESTIONS["q7"]
        q7._check(ref.namespace["bad_channel"], store)  # correct: no exception
        for mistake in [
            m for m in src.load_mistakes(SOURCE_DIR / ASSIGNMENT) if m.question == "q7"
        ]:
            with pytest.raises(CheckFailed, match=re.escape(mistake.message[:40])):
                q7._check(ref.mistake_value(mistake, "bad_channel"), store)
    finally:
        graded_edition(ASSIGNMENT)


def test_hints_never_state_an_answer(expected):
    for name, q in QUESTIONS.items():
        if isinstance(expected[name], str):
            assert all(expected[name] not in hint for hint in q.hints), name


# -- a per-student store: the same exercise, unchanged ---------------------------------------
@pytest.mark.slow
def test_exercise_works_unchanged_on_a_per_student_store(monkeypatch):
    from storeops.data import load_store

    monkeypatch.setenv("STOREOPS_COURSE_SEED", "777")
    monkeypatch.setenv("STOREOPS_STUDENT", "ch2-tester")
    keys._CACHE.clear()
    try:
        got = {n: keys.expected(ASSIGNMENT, n, SOURCE_DIR) for n in ("q5", "q7")}
        truth = load_store(with_truth=True).truth
    finally:
        keys._CACHE.clear()
    failure = incident(truth, "checkout_failure")
    assert got["q5"] == f"{pd.Timestamp(failure['start']):%Y-%m-%d}"
    assert got["q7"] == incident(truth, "bad_traffic")["channel"]


# -- the chapter: its findings are the store's true incidents ----------------------------------
def _page_glue() -> dict[str, str]:
    """Execute the chapter page (as the book build does) and collect its glued values."""
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(CHAPTER)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={}).execute()
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = next(v for k, v in out["data"].items() if k.endswith("text/plain"))
                values[name] = text.strip("'\"")
    return values


@pytest.fixture(scope="module")
def chapter_glue():
    return _page_glue()


@pytest.fixture(scope="module", params=["alice", "bob"])
def other_chapter_glue(request, tmp_path_factory):
    """The page's glued values on another learner's store (a per-student store of a course);
    the environment is restored before any other test runs (the truth fixture reads it)."""
    with pytest.MonkeyPatch.context() as mp:  # the kernel inherits the environment
        mp.setenv("STOREOPS_COURSE_SEED", "20261122")
        mp.setenv("STOREOPS_STUDENT", request.param)
        mp.setenv("STOREOPS_CACHE", str(tmp_path_factory.mktemp("cache")))
        return _page_glue()


def _page_claims(g: dict[str, str]) -> None:
    """The page's typed qualitative sentences, held against the numbers it glues."""
    # "the biggest fall ..., the week after the peak"
    assert g["wow_min_after_peak"] == "True"
    # the mean of the daily rates is "close here" to the pooled conversion
    assert abs(float(g["mean_of_daily"]) / float(g["pooled_conv"]) - 1) < 0.05
    # "One run stands out": the failure is far longer than any other run of down hours
    assert int(g["fail_hours"]) >= 2 * int(g["second_run"])
    # "In the week of ... sales fell by": the worst ordinary week is a fall
    assert float(g["drop_rel"]) > 0
    # "... lost the most money": the category with the largest change lost money
    assert not g["cat_big_loss_v"].startswith("¥-")
    # "The two refund rates differ too"
    assert g["refund_by_count"] != g["refund_by_money"]


@pytest.mark.slow
def test_page_claims_hold_on_the_default_store(chapter_glue):
    _page_claims(chapter_glue)


@pytest.mark.slow
def test_page_claims_hold_on_other_stores(other_chapter_glue):
    _page_claims(other_chapter_glue)


def test_glossary_and_page_give_the_platforms_definitions():
    """Conversion, 客单价 and the refund rate as the seller tools define them, the same in the
    glossary and on the page (and chapter 5's per-sub-order refund rate)."""
    glossary = (SOURCE_DIR.parent / "book" / "appendix" / "glossary.md").read_text()
    row = {
        line.split("|")[2].strip(): line for line in glossary.splitlines() if line.count("|") > 4
    }
    assert "paying buyers / visitors" in row["转化率"]
    assert "客单价 = sales / paying buyers" in row["笔单价; the seller tools' 客单价 is per buyer"]
    assert "refunded sub-orders" in row["退款率 / 退货率"] and "by money" in row["退款率 / 退货率"]
    assert "those who chatted" in row["询单转化率"]
    page = CHAPTER.read_text()
    for definition in ("paying buyers / visitors", "sales / paying buyers", "refunded sub-orders"):
        assert definition.replace(" ", "") in page.replace("*", "").replace(" ", "").replace(
            "\n", ""
        ), definition


@pytest.mark.slow
def test_chapter_finds_the_true_incidents(chapter_glue, truth_store):
    truth = truth_store.truth
    failure = incident(truth, "checkout_failure")
    start, end = pd.Timestamp(failure["start"]), pd.Timestamp(failure["end"])
    assert chapter_glue["fail_device"] == failure["device"]
    assert chapter_glue["fail_from"] == f"{start:%H:00}"
    assert chapter_glue["fail_to"] == f"{end:%H:00}"
    assert chapter_glue["fail_day"] == f"{start:%A %d %B}"
    assert chapter_glue["bad_channel"] == incident(truth, "bad_traffic")["channel"]
    assert chapter_glue["out_sku"] == incident(truth, "stockout")["sku"]
    bad = incident(truth, "bad_traffic")
    assert chapter_glue["bad_from"] == f"{pd.Timestamp(bad['start']):%d %B}"


@pytest.mark.slow
def test_chapter_quotes_numbers_through_glue_only(chapter_glue):
    text = CHAPTER.read_text()
    prose = re.sub(r"```.*?```", "", text, flags=re.S)  # code cells removed
    prose = re.sub(r"\{glue:text\}`[^`]*`", "", prose)
    prose = re.sub(r"^---.*?---", "", prose, flags=re.S)
    typed = re.findall(r"(?<![\w.-])\d[\d,.]*\s*%|¥\s?\d", prose)
    assert not typed, typed
    assert len(chapter_glue) >= 30


# -- transfer, not transcription -----------------------------------------------------------------
# q1-q4 practise the dashboard the chapter builds (the learner writes the function behind the
# chapter's widget); the incident questions from q5 on must ask what the page did not do.
TRANSFER_FROM = 5


def test_no_incident_solution_is_a_near_copy_of_the_chapter_code(source_nb):
    """Each reference solution from q5 on shares under half of its 8-token runs with any one
    code cell of the chapter page."""
    import jupytext

    page = [c.source for c in jupytext.read(CHAPTER).cells if c.cell_type == "code"]
    page_shingles = [src.code_shingles(code) for code in page]
    checked = 0
    for cell in source_nb.cells:
        if not src.is_answer_cell(cell) or cell.cell_type != "code":
            continue
        if int(src.grade_id(cell).split("-")[0][1:]) < TRANSFER_FROM:
            continue
        mine = src.code_shingles(src.strip_solution_markers(cell.source))
        if len(mine) < 5:
            continue
        checked += 1
        worst = max(len(mine & other) / len(mine) for other in page_shingles)
        assert worst < 0.5, f"{src.grade_id(cell)} repeats a code cell of the page ({worst:.0%})"
    assert checked >= 4


def test_near_copy_check_catches_a_copy():
    import jupytext

    page = [c.source for c in jupytext.read(CHAPTER).cells if c.cell_type == "code"]
    copied = next(code for code in page if "down_runs" in code)
    assert src.code_shingles(copied) == src.code_shingles("# a comment\n" + copied)


def test_model_answer_of_the_report_is_written_from_the_store():
    """The q9 model answer quotes the failure day and the orders lost on the store it is
    shown for (two stores, two answers)."""
    from storeops.book.model_answers import MODEL_ANSWERS

    ref = keys.reference(ASSIGNMENT, "q8", SOURCE_DIR)  # one run holds every answer
    ns = ref.namespace
    model = MODEL_ANSWERS[ASSIGNMENT]["q9"](ns)
    day = pd.Timestamp(ns["failure_day"])
    assert f"{day:%d %B}" in model and f"{ns['lost_orders']:,.0f}" in model
    other = dict(ns, failure_day=f"{day + pd.Timedelta(days=7):%Y-%m-%d}", lost_orders=-1.0)
    assert MODEL_ANSWERS[ASSIGNMENT]["q9"](other) != model


# -- the decision: scored on the learner's own store against the best budget ------------------
def test_incident_budget_is_scored_against_the_best_budget(instructor_env, truth_store):
    """On the default store: the reference budget earns full marks; buying more of the channel
    (more revenue, less profit) earns less than full marks; a budget that loses money against
    the store's own plan earns zero; a half-way cut earns partial credit; another channel's
    budget earns nothing. Every catalogued mistake earns less than full marks."""
    from storeops.grading.plans import own_window

    q = QUESTIONS["q13"]
    key = keys.expected(ASSIGNMENT, "q13", SOURCE_DIR)
    ref = keys.reference(ASSIGNMENT, "q13", SOURCE_DIR)
    channel = incident(truth_store.truth, "bad_traffic")["channel"]
    store = ref.namespace["store"]
    assert key["best_profit"] >= key["own_profit"]
    assert q.kind.score(q.kind.evaluate(ref.value_of(q.var), store), key) == 1.0

    _, mean, _ = own_window(key["seed"], key["start"], key["days"], {})
    today = mean[channel]

    def plan(budget, ch=channel):
        return {"plan": {ch: budget}}

    more = plan(1.5 * today)
    assert q.kind.profit(more, key) < key["own_profit"] < key["best_profit"]
    assert q.kind.score(more, key) < 1.0
    assert q.kind.score(plan(3 * today), key) == 0.0
    assert 0 < q.kind.score(plan(0.5 * today), key) < 1.0
    other = next(c for c in ("display", "social") if c != channel)
    assert q.kind.score(plan(0.0, other), key) == 0.0
    for mistake, value in keys.mistakes_evaluated(ASSIGNMENT, "q13", SOURCE_DIR):
        assert q.kind.score(value, key) < 1.0, mistake.id


def test_incident_budget_answers_are_checked_for_form():
    q = QUESTIONS["q13"]
    assert q.kind.plausible({"display": 100.0}, None) == []
    assert q.kind.plausible({"display": -1.0}, None)
    assert q.kind.plausible({"search": 10.0}, None)
    assert q.kind.plausible({"display": 1.0, "social": 2.0}, None)
    assert q.kind.plausible(100.0, None)


@pytest.mark.slow
@pytest.mark.parametrize("student", ["alice", "bob", "carol"])
def test_incident_budget_reference_earns_full_marks_on_other_stores(student, monkeypatch):
    """On per-student stores the reference budget still earns full marks, three times today's
    budget earns zero and every catalogued mistake less than full."""
    from storeops.grading.plans import own_window

    monkeypatch.setenv("STOREOPS_COURSE_SEED", "777")
    monkeypatch.setenv("STOREOPS_STUDENT", student)
    keys._CACHE.clear()
    try:
        q = QUESTIONS["q13"]
        key = keys.expected(ASSIGNMENT, "q13", SOURCE_DIR)
        ref = keys.reference(ASSIGNMENT, "q13", SOURCE_DIR)
        answer = q.kind.evaluate(ref.value_of(q.var), None)
        assert q.kind.score(answer, key) == 1.0
        ((channel, _),) = answer["plan"].items()
        _, mean, _ = own_window(key["seed"], key["start"], key["days"], {})
        assert q.kind.score({"plan": {channel: 3 * mean[channel]}}, key) == 0.0
        for mistake, value in keys.mistakes_evaluated(ASSIGNMENT, "q13", SOURCE_DIR):
            assert q.kind.score(value, key) < 1.0, mistake.id
    finally:
        keys._CACHE.clear()


# -- the second decision: the search budget of the quiet weeks, against the best budget ---------
def _search_budget_case(seed_env: dict, monkeypatch) -> tuple:
    """On the store `seed_env` selects: the question, its key, the reference answer, and the
    store's own mean daily search budget in the window."""
    from storeops.grading.plans import own_window

    for name, value in seed_env.items():
        monkeypatch.setenv(name, value)
    keys._CACHE.clear()
    q = QUESTIONS["q14"]
    key = keys.expected(ASSIGNMENT, "q14", SOURCE_DIR)
    ref = keys.reference(ASSIGNMENT, "q14", SOURCE_DIR)
    answer = q.kind.evaluate(ref.value_of(q.var), None)
    _, mean, _ = own_window(key["seed"], key["start"], key["days"], {})
    return q, key, answer, mean["search"]


def _sales(key: dict, q, budget: float | None) -> float:
    """Sales in the key's window under a search budget (None: the store's own plan), from one
    run of the whole store."""
    from storeops.sim.evaluate import evaluate
    from storeops.sim.policy import default_policy

    policy = default_policy(key["seed"])
    if budget is not None:
        policy = q.kind.policy(policy, {"search": budget})
    return evaluate(key["seed"], policy, key["start"], key["days"]).kpis["gross_sales"]


def _assert_search_budget_scoring(q, key, answer, own_budget) -> None:
    assert key["best_profit"] > key["own_profit"]
    assert q.kind.score(answer, key) == 1.0
    # more search sells more and earns less: less than full marks (here nothing)
    more = {"plan": {"search": 1.5 * own_budget}}
    assert _sales(key, q, 1.5 * own_budget) > _sales(key, q, None)
    assert q.kind.profit(more, key) < key["own_profit"]
    assert q.kind.score(more, key) < 1.0
    # a budget that loses money against the store's own plan earns nothing
    for budget in (0.0, 3 * own_budget):
        assert q.kind.profit({"plan": {"search": budget}}, key) < key["own_profit"]
        assert q.kind.score({"plan": {"search": budget}}, key) == 0.0
    assert q.kind.score({"plan": {"display": answer["plan"]["search"]}}, key) == 0.0
    for mistake, value in keys.mistakes_evaluated(ASSIGNMENT, "q14", SOURCE_DIR):
        assert q.kind.score(value, key) < 1.0, mistake.id


def test_search_budget_is_scored_against_the_best_budget(instructor_env, monkeypatch):
    """On the default store: the reference budget earns full marks, 1.5 times the store's own
    budget (more sales, less profit) less than full, a budget that loses money against the
    store's own plan (none, or three times its own) zero, every catalogued mistake less than
    full."""
    try:
        _assert_search_budget_scoring(*_search_budget_case({}, monkeypatch))
    finally:
        keys._CACHE.clear()


@pytest.mark.slow
def test_search_budget_works_on_a_per_student_store_whose_best_differs(instructor_env, monkeypatch):
    """On a per-student store the same holds, and its best search budget differs from the
    default store's (the key is computed from each store, not shared)."""
    from storeops.grading.plans import best_channel_budget
    from storeops.sim.evaluate import evaluate
    from storeops.sim.policy import default_policy

    try:
        q, default_key, _, _ = _search_budget_case({}, monkeypatch)
        case = _search_budget_case(
            {"STOREOPS_COURSE_SEED": "777", "STOREOPS_STUDENT": "alice"}, monkeypatch
        )
        _assert_search_budget_scoring(*case)
        key = case[1]
        assert key["seed"] != default_key["seed"]
        window = (q.kind.start, q.kind.days)
        best = {}
        for k in (default_key, key):
            own = evaluate(k["seed"], default_policy(k["seed"]), *window).kpis
            best[k["seed"]] = best_channel_budget(k["seed"], "search", *window, own)[0]
        assert abs(best[key["seed"]] / best[default_key["seed"]] - 1) > 0.02, best
    finally:
        keys._CACHE.clear()


def test_search_budget_answers_are_checked_for_form():
    q = QUESTIONS["q14"]
    assert q.kind.plausible({"search": 3000.0}, None) == []
    assert q.kind.plausible({"search": -1.0}, None)
    assert q.kind.plausible({"display": 10.0}, None)
    assert q.kind.plausible({"search": 1.0, "social": 2.0}, None)
    assert q.kind.plausible(3000.0, None)
