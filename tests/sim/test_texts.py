"""The words customers write (issue 13, requirement 4): review texts, return notes and chat
messages, tied to what happened, deterministic, varied, and telling the truth to a trainee
who counts keywords in the tables alone.

The keyword lists below are the trainee's method (a hand-made lexicon in both languages), not
an answer key: the answers (which SKU is defective, which weeks were late) come from the truth
and from the orders table.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from storeops.sim import DEFAULT_SEED, default_policy, simulate
from storeops.sim import texts as T
from storeops.sim.answers import text_labels
from storeops.sim.policy import budget_by_day, budget_from_days

DEFECT_WORDS = ("质量问题", "次品", "瑕疵", "坏", "破", "裂", "defect", "broken", "flaw", "crack")
SLOW_WORDS = ("慢", "slow")
POSITIVE = (
    *("好评", "满意", "喜欢", "推荐", "回购", "赞"),
    *("great", "love", "recommend", "satisfied", "happy", "buy again", "five stars"),
    *("thumbs up", "good review"),
)
NEGATIVE = (
    *("差评", "失望", "后悔", "太差", "无语", "避雷", "别买", "不会再买"),
    *("disappoint", "regret", "terrible", "never", "avoid", "bad review", "letdown", "waste"),
)
TEXT_COLUMNS = dict(reviews="text", returns="reason_text", service_chats="message")


def _mentions(text: pd.Series, words) -> pd.Series:
    low = text.str.lower()
    return np.logical_or.reduce([low.str.contains(w, regex=False) for w in words])


def _hits(text: pd.Series, words) -> pd.Series:
    low = text.str.lower()
    return sum(low.str.count(w) for w in words)


def _defective_skus(store) -> set[str]:
    return {k for k, v in store.truth["products"]["skus"].items() if v["defective"]}


def test_every_review_return_and_chat_has_a_text_in_its_buyers_language(default_store):
    for table, column in TEXT_COLUMNS.items():
        df = default_store.tables[table]
        assert df[column].str.len().min() > 4, table
        assert set(df["language"]) == {"zh", "en"}
        zh = df["language"] == "zh"
        # Chinese rows are written in Chinese, English rows in ASCII words
        assert df.loc[zh, column].str.contains(r"[\u4e00-\u9fff]").all(), table
        assert not df.loc[~zh, column].str.contains(r"[\u4e00-\u9fff]").any(), table
        assert 0.15 < (~zh).mean() < 0.45
    # a buyer writes everything about an order in one language
    r, c = default_store.reviews, default_store.service_chats
    both = r.merge(c[c["kind"] == "after-sale"], on="order_id", suffixes=("", "_chat"))
    assert len(both) > 100 and (both["language"] == both["language_chat"]).all()


def test_no_two_of_a_thousand_texts_are_the_same_in_either_language(default_store):
    for table, column in TEXT_COLUMNS.items():
        df = default_store.tables[table]
        for lang in ("zh", "en"):
            first = df.loc[df["language"] == lang, column].head(1000)
            assert len(first) == 1000 and first.is_unique, (table, lang)
    # the same thousand reviews written in each language are all different too
    n = 1000
    rng = np.random.default_rng(0)
    books = T.Shelf(
        np.arange(n) % 8, rng.integers(0, len(T.ITEMS), n), np.full(n, 99), np.ones((1, n), bool)
    )
    stars = np.full(n, 5)  # the commonest kind: a 5-star review with nothing to complain of
    cause = np.zeros(n, dtype=np.int64)
    for lang in (0, 1):
        text, _ = T.review_texts(
            DEFAULT_SEED,
            books,
            np.arange(n),
            np.arange(n),
            stars,
            np.full(n, 2),
            cause,
            np.full(n, lang),
        )
        assert len(set(text.to_pylist())) == n


def test_a_text_depends_only_on_its_key_and_what_happened_to_it():
    n = 400
    rng = np.random.default_rng(1)
    books = T.Shelf(
        np.arange(50) % 8,
        rng.integers(0, len(T.ITEMS), 50),
        np.full(50, 99),
        np.ones((1, 50), bool),
    )
    key, sku = rng.integers(0, 2**40, n), rng.integers(0, 50, n)
    stars, days = rng.integers(1, 6, n), rng.integers(1, 9, n)
    cause, lang = rng.integers(0, 6, n), rng.integers(0, 2, n)
    full, labels = T.review_texts(7, books, key, sku, stars, days, cause, lang)
    # other rows gone and the rest shuffled: each remaining row's text is the same
    some = rng.permutation(n)[: n // 3]
    part, part_labels = T.review_texts(
        7, books, key[some], sku[some], stars[some], days[some], cause[some], lang[some]
    )
    assert part.to_pylist() == [full[int(i)].as_py() for i in some]
    assert (part_labels["sentiment"] == labels["sentiment"][some]).all()
    again, _ = T.review_texts(7, books, key, sku, stars, days, cause, lang)
    assert again.equals(full)
    other, _ = T.review_texts(8, books, key, sku, stars, days, cause, lang)
    assert sum(a != b for a, b in zip(other.to_pylist(), full.to_pylist(), strict=True)) > 0.9 * n


def test_the_same_seed_writes_the_same_texts(small_store):
    from storeops.sim import generate

    again = generate(seed=7, days=45, scale=0.1)
    for table, column in TEXT_COLUMNS.items():
        pd.testing.assert_series_equal(
            again.tables[table][column], small_store.tables[table][column]
        )
        pd.testing.assert_series_equal(
            again.tables[table]["language"], small_store.tables[table]["language"]
        )


@pytest.fixture(scope="module")
def more_search(base):
    """The default store with its search budget doubled from the first of July."""
    plan = default_policy(DEFAULT_SEED)
    budgets = []
    for b in plan.budgets:
        if b.channel == "search":
            daily = budget_by_day(b, "2025-01-01", 365)
            daily[181:] *= 2
            b = budget_from_days("search", daily, "2025-01-01")
        budgets.append(b)
    return simulate(DEFAULT_SEED, replace(plan, budgets=tuple(budgets)))


def _reviews_with_context(store) -> pd.DataFrame:
    """Reviews with what a text may depend on: the order's time, channel and delivery, and
    whether and why the line went back."""
    o = store.orders[["order_id", "order_time", "channel", "device", "delivery_days"]]
    ret = store.returns[["order_id", "sku", "reason"]]
    out = store.reviews.merge(o, on="order_id").merge(ret, on=["order_id", "sku"], how="left")
    return out.assign(reason=out["reason"].fillna("-"))


def test_a_plan_change_leaves_the_text_of_an_unchanged_review_as_it_was(base, more_search):
    first = pd.Timestamp("2025-07-01")
    date = dict(reviews="review_date", returns="return_date", service_chats="chat_time")
    for table in TEXT_COLUMNS:
        a, b = base.tables[table], more_search.tables[table]
        pd.testing.assert_frame_equal(
            a[a[date[table]] < first].reset_index(drop=True),
            b[b[date[table]] < first].reset_index(drop=True),
            obj=table,
        )
    # later, orders are renumbered and more of them come in: a review of the same line (the
    # same order time, channel, device and SKU) with the same stars, delivery and return has
    # the same words
    key = ["order_time", "channel", "device", "sku", "stars", "delivery_days", "reason"]
    ra, rb = _reviews_with_context(base), _reviews_with_context(more_search)
    late = ra["order_time"] >= first
    same = ra[late].merge(rb, on=key, suffixes=("", "_new"))
    assert len(same) > 1000
    assert (same["text"] == same["text_new"]).all()
    assert (same["language"] == same["language_new"]).all()


def test_a_keyword_count_on_review_texts_finds_the_defective_sku(store):
    r = store.reviews.assign(defect=lambda d: _mentions(d["text"], DEFECT_WORDS))
    per_sku = r.groupby("sku", observed=True)["defect"].agg(["mean", "size"])
    ranked = per_sku[per_sku["size"] >= 20].sort_values("mean", ascending=False)
    defective = _defective_skus(store)
    assert ranked.index[0] in defective
    # and the defective SKUs' reviews mention defects several times as often as the rest's
    bad = r["sku"].isin(defective)
    assert r.loc[bad, "defect"].mean() > 4 * r.loc[~bad, "defect"].mean()
    # the return notes say so too
    ret = store.returns.assign(defect=lambda d: _mentions(d["reason_text"], DEFECT_WORDS))
    by_sku = ret.groupby("sku", observed=True)["defect"].agg(["mean", "size"])
    top = by_sku[by_sku["size"] >= 15].sort_values("mean", ascending=False).index[0]
    assert top in defective


def test_delivery_complaints_rise_in_the_late_delivery_weeks(store):
    """Weeks whose orders arrived late (couriers' days past five, from the orders table: a
    pre-sale order's wait for its balance is not the courier's) have more reviews and after-sale
    chats about slow delivery."""
    o = store.orders
    wait = (o["balance_date"] - o["order_time"].dt.normalize()).dt.days.fillna(0)
    courier = o["delivery_days"] - wait.clip(lower=0)
    orders = o.assign(week=o["order_time"].dt.to_period("W"), late=courier > 5)
    weekly = orders.groupby("week")["late"].mean()
    r = store.reviews.merge(orders[["order_id", "week"]], on="order_id")
    slow = r.assign(slow=_mentions(r["text"], SLOW_WORDS)).groupby("week")["slow"].mean()
    both = pd.concat([weekly.rename("late"), slow.rename("slow")], axis=1).dropna()
    assert both["late"].corr(both["slow"], method="spearman") > 0.5
    late_weeks = both["late"] >= both["late"].quantile(0.9)
    assert both.loc[late_weeks, "slow"].mean() > 2 * both.loc[~late_weeks, "slow"].mean()
    c = store.service_chats
    after = c[c["kind"] == "after-sale"].merge(orders[["order_id", "late"]], on="order_id")
    says_slow = _mentions(after["message"], SLOW_WORDS)
    assert says_slow[after["late"]].mean() > 3 * says_slow[~after["late"]].mean()


def test_sentiment_words_agree_with_the_stars(store):
    r = store.reviews
    tone = _hits(r["text"], POSITIVE) - _hits(r["text"], NEGATIVE)
    # 1-2 stars read negative, 3 neither, 4-5 positive (a text does not tell 1 from 2 stars)
    band = pd.cut(r["stars"], [0, 2, 3, 5], labels=["1-2", "3", "4-5"])
    by_band = tone.groupby(band, observed=True).mean()
    assert by_band["1-2"] < -1 and abs(by_band["3"]) < 0.5 and by_band["4-5"] > 1
    assert (tone[r["stars"] >= 4] > 0).mean() > 0.9
    assert (tone[r["stars"] <= 2] < 0).mean() > 0.9


def test_the_truth_labels_every_text_and_no_table_holds_a_label(default_store):
    t = default_store.truth["texts"]
    assert set(t["vocabulary"]) == {"intent", "cause", "sentiment"}
    for table in TEXT_COLUMNS:
        labels = text_labels(default_store, table)
        assert len(labels) == len(default_store.tables[table])
    cols = {c for df in default_store.tables.values() for c in df.columns}
    assert not cols & {"intent", "cause", "sentiment", "topic"}
    # the labels say what the words say: reviews labelled with a defect mention one, those
    # labelled with a late delivery mention slowness, praise is 4-5 stars
    r = default_store.reviews
    labels = text_labels(default_store, "reviews")
    assert _mentions(r["text"], DEFECT_WORDS)[labels["cause"] == "defect"].mean() > 0.95
    assert _mentions(r["text"], SLOW_WORDS)[labels["cause"] == "late_delivery"].mean() > 0.95
    assert (r["stars"][labels["intent"] == "praise"] >= 4).all()
    # a return's cause is its reason; a chat's intent matches its kind
    ret = default_store.returns
    reason = ret["reason"].replace({"defective": "defect"})
    assert (text_labels(default_store, "returns")["cause"] == reason).all()
    c = default_store.service_chats
    intent = text_labels(default_store, "service_chats")["intent"]
    assert intent[c["kind"] == "pre-sale"].str.startswith("ask_").all()
    assert set(intent[c["kind"] == "after-sale"]) <= {
        "chase_delivery",
        "report_defect",
        "report_wrong_item",
        "ask_usage",
        "ask_refund",
    }


def test_a_template_with_a_bad_placeholder_is_one_clear_error():
    bad = T.Slot((), {}, (("{item}坏了，{colour}", "The {itme} broke."),))
    with pytest.raises(ValueError, match=r"\{itme\}|itme"):
        T.compile_grammar((bad,), {})
    unequal = T.Slot((), {}, (("{item}坏了", "It broke."),))
    with pytest.raises(ValueError, match="placeholders differ"):
        T.compile_grammar((unequal,), {})
