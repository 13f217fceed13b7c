"""Chapter 3 (promotion): the budget widget, the split question's true-curve grading, the
exercise's structure, per-student stores, and the chapter page's promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storeops.chapters import questions as registered
from storeops.chapters.ch3_promotion import questions as ch3
from storeops.chapters.ch3_promotion.widget import budget_allocator, current_daily_spend
from storeops.data import load_store
from storeops.grading import judges
from storeops.grading import source as src
from storeops.sim import default_policy
from storeops.widgets.base import NOT_IMPLEMENTED

SOURCE = Path(__file__).resolve().parent
ASSIGNMENT = SOURCE.name
NOTEBOOK = SOURCE / f"{ASSIGNMENT}.ipynb"
CHAPTER = SOURCE / "page.md"


@pytest.fixture(scope="module")
def store():
    return load_store(with_truth=True)


@pytest.fixture(scope="module")
def source_nb():
    return src.read_notebook(NOTEBOOK)


# -- the budget allocator widget ------------------------------------------------------------
def _stub(channel, daily_spend):
    raise NotImplementedError()


def test_allocator_with_a_stub_shows_the_friendly_message(store):
    box = budget_allocator(_stub, store, share_left=0.3)
    assert not box.last.ok and box.last.message == NOT_IMPLEMENTED
    view = box.children[-1].value
    assert "Not implemented yet" in view and "Traceback" not in view
    box.sliders["search"].value += 500  # a callback on a stub still answers with the message
    assert "Not implemented yet" in box.children[-1].value


def test_allocator_turns_an_error_into_one_line(store):
    def broken(channel, daily_spend):
        return {"search": 1.0}[channel] * daily_spend

    box = budget_allocator(broken, store, share_left=0.3)
    assert "KeyError" in box.last.message and "\n" not in box.last.message
    assert "Traceback" not in box.children[-1].value


def test_allocator_shows_profit_and_the_next_yuans_profit_of_the_function():
    rates = {"a": 5.0, "b": 2.0}  # revenue = rate * spend; half of each yuan left before ads

    def linear(channel, daily_spend):
        return rates[channel] * daily_spend

    box = budget_allocator(linear, current={"a": 1000.0, "b": 1000.0}, share_left=0.5)
    for ch, rate in rates.items():
        revenue, profit, marginal = box.last.value[ch]
        assert revenue == pytest.approx(rate * 1000.0)
        assert profit == pytest.approx(rate * 1000.0 * 0.5 - 1000.0)  # b: ROAS 2 loses nothing
        assert marginal == pytest.approx(rate * 0.5 - 1)
    assert "same total budget" in box.children[-1].value
    box.sliders["b"].value = 0.0  # b breaks even: dropping it saves its spend, profit unchanged
    html = box.children[-1].value
    assert "budget -¥1.0k" in html and "Predicted profit" in html and "+¥0 a day" in html
    box.sliders["a"].value = 2000.0  # a's next yuan earns 1.5 in profit
    assert "+¥1.5k a day" in box.children[-1].value


def test_allocator_names_a_bad_share():
    with pytest.raises(Exception, match="share_left must be .* got 30"):
        budget_allocator(lambda c, s: s, current={"a": 1.0}, share_left=30)


def test_allocator_tabulates_array_friendly_curves_once(store):
    calls = []

    def counting(channel, daily_spend):
        calls.append(channel)
        return daily_spend**0.5

    box = budget_allocator(counting, store, share_left=0.3)
    assert len(calls) == len(box.sliders)  # one array call per channel
    calls.clear()
    box.sliders["display"].value += 200
    assert calls == [] and box.last.ok


def test_allocator_asks_a_scalar_only_function_about_the_moved_channel(store):
    import math

    calls = []

    def scalar_only(channel, daily_spend):
        calls.append(channel)
        return math.sqrt(daily_spend)  # TypeError on an array: asked value by value

    box = budget_allocator(scalar_only, store, share_left=0.3)
    calls.clear()
    box.sliders["display"].value += 200
    assert set(calls) == {"display"} and len(calls) <= 2
    revenue, _, _ = box.last.value["display"]
    assert revenue == pytest.approx(math.sqrt(box.sliders["display"].value))


def test_today_is_the_media_channels_ordinary_day_spend(store):
    today = current_daily_spend(store)
    assert list(today.index) == [c for c in ("search", "display", "social")]
    cal = store.calendar
    festive = cal.loc[cal["festival"] != "", "date"]
    rows = store.traffic[
        (store.traffic["channel"] == "search") & ~store.traffic["date"].isin(festive)
    ]
    assert today["search"] == pytest.approx(rows["spend"].sum() / len(rows))


# -- the decisions: plans scored by profit on the learner's store ---------------------------------
@pytest.fixture(scope="module")
def media_key(store):
    return judges.decision_key(ch3.q8.kind, store)


def _plan(kind, value, store):
    return kind.evaluate(value, store)


def test_media_budget_scoring(store, media_key):
    """A plan that buys more revenue but less profit scores less than full (here zero: it
    earns less than the store's own budgets); a plan that loses money scores zero."""
    from storeops.sim.evaluate import evaluate

    kind = ch3.q8.kind
    today = current_daily_spend(store)[list(ch3.BOUGHT_PER_MILLE)]
    richer = _plan(kind, today * 1.5, store)  # half as much again on display and social
    own = _plan(kind, today * 1.0, store)
    key = dict(media_key)
    revenue = {}
    for name, plan in (("richer", richer), ("own", own)):
        policy = kind.policy(default_policy(store.meta["seed"]), plan["plan"])
        revenue[name] = evaluate(store.meta["seed"], policy, key["start"], key["days"]).kpis
    assert revenue["richer"]["net_sales"] > revenue["own"]["net_sales"]  # more revenue ...
    assert kind.score(richer, key) < 1.0  # ... less profit
    assert kind.score(richer, key) == 0.0 and kind.profit(richer, key) < key["own_profit"]
    assert kind.score(_plan(kind, today * 3.0, store), key) == 0.0


def test_search_bid_scoring(store):
    kind = ch3.q13.kind
    key = judges.decision_key(kind, store)
    own_bid = next(b.bid for b in default_policy(store.meta["seed"]).budgets if b.bid)
    assert kind.score(_plan(kind, own_bid, store), key) == 0.0  # the store's own: no gain
    high = _plan(kind, own_bid * 2.0, store)  # top positions: dear clicks
    assert kind.score(high, key) == 0.0 and kind.profit(high, key) < key["own_profit"]
    assert key["best_profit"] > key["own_profit"]


def test_the_own_plans_profit_is_read_off_the_learners_store(store, media_key):
    """The key takes the own plan's profit from the store's finance table instead of a run of
    the simulator: the two agree (the store is the own plan run)."""
    from storeops.sim.evaluate import evaluate

    run = evaluate(store.meta["seed"], None, media_key["start"], media_key["days"])
    assert media_key["own_profit"] == pytest.approx(run.profit, abs=0.01)


DECISIONS = r"""
import json, sys
from pathlib import Path
from storeops.chapters import questions
from storeops.chapters.ch3_promotion.widget import current_daily_spend
from storeops.grading import keys as K
src = Path(sys.argv[1])
out = {}
for name in ("q8", "q13"):
    q = questions("ch3_promotion")[name]
    key = K.expected("ch3_promotion", name, src)
    ref = K.reference("ch3_promotion", name, src)
    store = ref.namespace["store"]
    plans = {"reference": q.kind.evaluate(ref.value_of(q.var), store)}
    plans.update({m.id: v for m, v in K.mistakes_evaluated("ch3_promotion", name, src)})
    out[name] = {
        "best": key["best_profit"] - key["own_profit"],
        "gain": {k: q.kind.profit(v, key) - key["own_profit"] for k, v in plans.items()},
        "score": {k: q.kind.score(v, key) for k, v in plans.items()},
    }
from storeops.book.model_answers import MODEL_ANSWERS
ns = ref.namespace
out["q12"] = {
    "model": MODEL_ANSWERS["ch3_promotion"]["q12"](ns),
    "numbers": [f"{ns['break_even_roas']:.2f}", f"¥{ns['search_bid']:.2f}"]
    + [f"{ns['roas_by_channel'][ch]:.2f}" for ch in ns["per_mille"]],
}
out["dip"] = ns["dip_reading"]
today = current_daily_spend(store)[["display", "social"]]
key = K.expected("ch3_promotion", "q8", src)
out["q8"]["score"]["three-times"] = questions("ch3_promotion")["q8"].kind.score(
    {"plan": (today * 3).to_dict()}, key
)
print(json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.parametrize("student", [None, "alice", "bob", "carol", "dave"])
def test_decisions_on_five_stores(student, tmp_path, run_on_store):
    """On five stores: the best plan found earns at least what the reference and every
    catalogued mistake earn (in the measure it is scored in, to half a percent of the best
    gain); the reference earns full marks; every mistake earns less than full; a plan that
    loses money (three times today's display and social budgets) earns zero. And the
    written question's model answer quotes the store's own numbers, and the 9.9 dip is below
    the ordinary level (q15's catalogued messages say so)."""
    result = run_on_store(DECISIONS, student, tmp_path)
    written = result.pop("q12")  # the model answer quotes this store's numbers
    assert result.pop("dip") == "below the ordinary level"
    assert all(n in written["model"] for n in written["numbers"]), written
    for q, r in result.items():
        assert r["best"] > 0, q
        for plan, gain in r["gain"].items():
            assert gain <= r["best"] * 1.005, (q, plan, gain, r["best"])
        assert r["score"].pop("reference") == 1.0, q
        assert all(s < 1.0 for s in r["score"].values()), (q, r["score"])
    assert result["q8"]["score"]["three-times"] == 0.0


def test_a_partial_plan_gets_partial_credit_with_a_message(store, media_key, monkeypatch):
    from storeops.grading import keys

    monkeypatch.setenv(keys.SOURCE_ENV, str(SOURCE.parent))

    kind = ch3.q8.kind
    halfway = current_daily_spend(store)[list(ch3.BOUGHT_PER_MILLE)]
    halfway["display"] *= 0.5  # one step of the right move, nothing else
    value = kind.evaluate(halfway, store)
    share = kind.score(value, media_key)
    assert 0.0 < share < 1.0
    line = keys.verdict(ASSIGNMENT, "q8", value, [])
    assert isinstance(line, keys.Partial) and line.fraction == pytest.approx(share)
    assert "%" in line and "best" in line


def test_the_check_service_hears_partly_right_never_the_key(store, media_key):
    """keys.judge (what the hub's check service calls) names a partial plan 'partly right'
    with its share of the points and a plan no better than the store's own 'no gain'; the
    message never carries the best plan's or the own plan's profit."""
    from storeops.grading import keys

    q = registered(ASSIGNMENT)["q8"]
    halfway = current_daily_spend(store)[list(ch3.BOUGHT_PER_MILLE)]
    halfway["display"] *= 0.5
    found = keys.judge(q, q.kind.evaluate(halfway, store), media_key, [])
    assert isinstance(found, keys.Judged) and found.id == "partly-right"
    assert 0 < found.fraction < 1 and "partly right" in found.message
    nothing = keys.judge(q, {"plan": {"display": 1e5, "social": 1e5}}, media_key, [])
    assert nothing.id == "no-gain" and nothing.fraction == 0
    for judged in (found, nothing):
        for figure in (media_key["best_profit"], media_key["own_profit"]):
            assert f"{figure:,.0f}" not in judged.message
            assert f"{figure:.0f}" not in judged.message
    assert keys.judge(q, "not a plan", media_key, []).id == "no-gain"  # never a crash


# -- the exercise source follows the authoring format and the chapter's requirements -----------
def test_exercise_structure(source_nb):
    tests = [c for c in source_nb.cells if src.is_test_cell(c)]
    written = [
        c
        for c in source_nb.cells
        if c.cell_type == "markdown" and src.nbgrader_meta(c).get("grade")
    ]
    assert len(tests) >= 6
    assert sum(src.nbgrader_meta(c)["points"] for c in tests) >= 12
    assert written and all(src.competency(c) for c in written)
    assert all("Rubric" in c.source for c in written)
    questions = registered(ASSIGNMENT)
    mistakes = src.load_mistakes(SOURCE)
    for cell in tests:
        q = src.question_of(cell)
        assert src.competency(cell) == "promotion", q
        assert f"{q}.check()" in cell.source and f'grade("{ASSIGNMENT}", "{q}"' in cell.source
        assert len(questions[q].hints) >= 2, q
        assert sum(m.question == q for m in mistakes) >= 2, q
    first = next(c for c in source_nb.cells if c.cell_type == "code")
    assert first.source.startswith(f"from storeops.chapters.{ASSIGNMENT}.questions import *")
    assert all(not c.get("outputs") for c in source_nb.cells if c.cell_type == "code")


def test_widget_exploration_is_recorded_in_a_graded_variable(source_nb):
    widget = next(c for c in source_nb.cells if src.grade_id(c).endswith("-widget"))
    q = src.question_of(widget)
    assert "budget_allocator(" in widget.source
    answer = next(c for c in source_nb.cells if src.grade_id(c) == f"{q}-answer")
    assert "media_budget" in answer.source
    assert any(src.grade_id(c) == f"{q}-test" for c in source_nb.cells)


def test_library_does_not_compute_graded_answers():
    """Nothing students can import returns the graded numbers (ctr, roas, carry-over, z...)."""
    import storeops.chapters.ch3_promotion.promotion as promo

    exported = {n for n in dir(promo) if not n.startswith("_")} | set(ch3.__all__)
    for name in ("ctr", "roas", "cost_per_order", "carryover", "adstock", "elasticity", "z_test"):
        assert not any(name in n.lower() for n in exported), name


PER_STUDENT = r"""
import json, sys
from pathlib import Path
from storeops.chapters import questions
from storeops.grading import keys as K
src = Path(sys.argv[1])
out = {}
for name, q in questions("ch3_promotion").items():
    ref = K.reference("ch3_promotion", name, src)
    store = ref.namespace["store"]
    expected = K.expected("ch3_promotion", name, src)
    value = ref.value_of(q.var)
    ok = q.kind.equal(q.evaluated(value, store), expected) and not q.kind.plausible(value, store)
    clash = [m.id for m, v in K.mistakes_evaluated("ch3_promotion", name, src)
             if q.kind.equal(v, expected)]
    out[name] = {"ok": bool(ok), "clash": clash, "seed": store.meta["seed"]}
print(json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.parametrize("student", ["alice", "bob"])
def test_exercise_works_unchanged_on_a_per_student_store(student, tmp_path, run_on_store):
    result = run_on_store(PER_STUDENT, student, tmp_path)
    seeds = {r["seed"] for r in result.values()}
    assert seeds and seeds != {load_store().meta["seed"]}
    for name, r in result.items():
        assert r["ok"], f"{name}: reference fails its own check on {student}'s store"
        assert not r["clash"], f"{name}: mistakes {r['clash']} give the right answer"


# -- the chapter page -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chapter_run():
    """The chapter executed top to bottom as the book build would (with a timeout)."""
    return _execute_chapter()


def _execute_chapter():
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(CHAPTER)
    NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(CHAPTER.parent)}},
    ).execute()
    return nb


def test_chapter_page_format():
    text = CHAPTER.read_text()
    assert text.startswith("---\njupytext:") and "kernelspec:" in text
    first = text.split("```{code-cell}", 1)[1].split("```", 1)[0]
    assert ":tags: [remove-cell]" in first
    code = [line for line in first.splitlines()[1:] if line.strip() and not line.startswith(":")]
    assert len(code) == 1 and code[0].startswith("from storeops.")  # one-line preamble
    assert len(re.findall(r"^## ", text, flags=re.M)) >= 4
    assert len(re.findall(r"\{glue:text\}`\w+:[^`]+`", text)) >= 20  # formatted glue roles
    assert len(re.findall(r"```\{glue:figure\}", text)) >= 3
    for term in ("点击率", "转化率", "客单价", "投入产出比", "大促", "预售", "双十一"):
        assert term in text, term


@pytest.mark.slow
def test_chapter_executes_with_figures_and_a_widget(chapter_run):
    outputs = [o for c in chapter_run.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" in kinds
    glued = {
        o["metadata"]["scrapbook"]["name"] for o in outputs if "scrapbook" in o.get("metadata", {})
    }
    text = CHAPTER.read_text()
    used = set(re.findall(r"\{glue:(?:text|figure)\}`?\s*(\w+)", text))
    used |= set(re.findall(r"```\{glue:figure\} (\w+)", text))
    assert used <= glued, used - glued


def _glued(nb, prefix: str) -> dict[str, float]:
    values = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name", "")
            if name.startswith(prefix):
                text = o.get("data", {}).get("application/papermill.record/text/plain", "")
                try:
                    values[name[len(prefix) :]] = float(text)
                except ValueError:  # a glued sentence or figure
                    continue
    return values


@pytest.mark.slow
def test_chapter_method_recovers_the_true_channel_ranking(chapter_run, store):
    """The chapter's fitted marginal ROIs rank the media channels as the true ones do."""
    values = _glued(chapter_run, "mroi_")
    truth = {ch: store.truth["channels"][ch]["marginal_roi"] for ch in values}
    assert len(values) == 3
    assert sorted(values, key=values.get) == sorted(truth, key=truth.get)


@pytest.mark.slow
def test_chapter_recovers_the_hidden_brand_effect(chapter_run, store):
    """The direct-traffic regression finds the true brand carry-over and elasticity."""
    brand = _glued(chapter_run, "brand_")
    true = store.truth["channels"]["direct"]
    assert brand["decay"] == pytest.approx(true["brand_adstock_decay"], abs=0.1)
    assert brand["elasticity"] == pytest.approx(true["brand_elasticity"], abs=0.1)


@pytest.fixture(scope="module", params=["alice", "bob"])
def other_chapter_run(request, tmp_path_factory):
    """The chapter executed on another learner's store (a per-student store of a course); the
    environment is restored before any other test runs (the store fixture reads it)."""
    with pytest.MonkeyPatch.context() as mp:  # the kernel inherits the environment
        mp.setenv("STOREOPS_COURSE_SEED", "20261122")
        mp.setenv("STOREOPS_STUDENT", request.param)
        mp.setenv("STOREOPS_CACHE", str(tmp_path_factory.mktemp("cache")))
        return _execute_chapter()


def _page_claims(nb) -> None:
    """The page's qualitative sentences, held against the numbers it glues on one store."""
    g = _glued(nb, "")
    assert g["ctr_ratio"] >= 2 and g["ctr_sms"] > g["ctr_search"]  # search far above display
    assert g["aov_max"] / g["aov_min"] < 1.15  # "order values hardly differ by channel"
    assert g["roas_push"] > 3 * max(g["roas_search"], g["roas_display"], g["roas_social"])
    # "search fits best with a short memory", banners and content are remembered longer
    assert g["decay_search"] < min(g["decay_display"], g["decay_social"])
    assert g["brand_decay"] >= 0.8  # "a memory of weeks rather than days"
    assert all(0 < g[f"b_{ch}"] < 1 for ch in ("search", "display", "social"))  # "all three bend"
    assert g["break_even"] > 1.5  # "just to pay for itself, not 1"
    assert abs(g["ab_z"]) > 3  # the CTR difference is "far beyond what chance produces"
    assert g["d11_peak_x"] > 1 and g["d11_dip"] > 0  # a bump, then days that fall short
    # "a search click cost +x% ... a thousand display or social impressions +y% to +z%": rises
    assert g["fest_cpc_search"] > 0 and g["fest_cpm_low"] > 0
    # "the steps do not lose alike": most clicks load, the two named steps lose most
    assert g["step_worst_rate"] <= g["step_second_rate"] < 0.5 < g["step_load"]
    # a test sized for CTR is far too small for conversion: clicks are many times the orders
    assert g["ab_clicks_per_order"] > 10


@pytest.mark.slow
def test_page_claims_hold_on_the_default_store(chapter_run):
    _page_claims(chapter_run)


@pytest.mark.slow
def test_page_claims_hold_on_other_stores(other_chapter_run):
    _page_claims(other_chapter_run)


def test_mistake_messages_do_not_leak_values(leaked_values):
    """No catalogued message quotes the store's answer (in any of the usual roundings)."""
    assert leaked_values(ASSIGNMENT, SOURCE, ("q1", "q2", "q3", "q9", "q10", "q11")) == []


def test_festival_windows_cover_the_calendar_phases(store):
    from storeops.chapters.ch3_promotion.promo_data import festival_windows

    cal = store.calendar
    windows = festival_windows(cal)
    assert windows["days"].sum() == (cal["festival"] != "").sum()
    for row in windows.itertuples():
        span = cal[(cal["date"] >= row.start) & (cal["date"] <= row.end)]
        assert set(span["festival"]) == {row.festival}
        assert set(span["festival_phase"]) == {row.phase}
        assert len(span) == row.days
    d11 = windows[windows["festival"] == "double11"]
    assert list(d11["phase"]) == ["presale", "peak", "dip"]
    assert (d11["start"].iloc[1:].to_numpy() > d11["end"].iloc[:-1].to_numpy()).all()


def test_daily_by_channel_is_a_complete_date_by_channel_table(store):
    from storeops.chapters.ch3_promotion.promo_data import daily_by_channel

    wide = daily_by_channel(store.traffic, "clicks", ["search", "direct", "nowhere"])
    assert list(wide.columns) == ["search", "direct", "nowhere"]
    assert len(wide) == store.calendar["date"].nunique()
    assert wide["nowhere"].eq(0).all() and wide["direct"].eq(0).all()
    search = store.traffic[store.traffic["channel"] == "search"]
    assert wide["search"].sum() == search["clicks"].sum()


# -- transfer, not transcription -----------------------------------------------------------------
def test_no_reference_solution_is_a_near_copy_of_the_chapter_code(source_nb, page_overlaps):
    """Each reference solution shares under half of its 8-token runs with any one code cell
    of the chapter page (so the exercise asks something the page did not already do)."""
    overlaps = page_overlaps(source_nb, CHAPTER)
    assert all(share < 0.5 for share in overlaps.values()), overlaps


def test_near_copy_check_catches_a_copy():
    code = "arms = ab.groupby('variant')[['impressions', 'clicks']].sum()\nz = arms['clicks'] / arms['impressions']\n"
    assert src.code_shingles(code) and src.code_shingles(code) == src.code_shingles("# c\n" + code)
