"""The words customers write: review texts, return notes and service-chat messages.

Every template is written in the colloquial Chinese of Taobao and Tmall buyers and in plain
English with the same meaning; each text is in its buyer's language (`buyer_language`: the
order's buyer writes every text about the order in one). A text is a row of slots (an
opening, what happened, a detail, an aside, a closing ...), each slot a list of alternatives
chosen by what the text is about (its topic, the product's category, the buyer's mood), and
an alternative may hold up to two placeholders (the item, days on the road, a courier, a
size, a colour, a price, an order number ...). Every choice and every placeholder's value
comes from uniforms keyed by the row's own key (`keyed_uniforms`), so a text depends only on
(seed, its key) and the events it is about: a plan that changes other rows leaves it as it
was.

What a text is about follows the events the simulator made: a review of a late delivery
complains about the courier, one of a defective product or a return for a defect about its
quality, a return's note gives its reason, an after-sale chat about a late parcel chases it;
the review's tone follows its stars. Each text's intent, cause and sentiment are truth
(`text_truth`), never a column.

Texts are built without a Python string per row: every literal and every placeholder value
is an entry of one pool, a text is a list of pool indices, and Arrow takes the pieces in row
order so that their bytes are the texts one after the other (`_join`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

import numpy as np
import pyarrow as pa

from storeops.sim.params import CATEGORIES
from storeops.sim.rng import keyed_uniforms
from storeops.sim.service import CONTACT_AFTER_DELIVERY, CONTACT_PER_LATE_DAY

LANGS = ("zh", "en")
CATS = tuple(CATEGORIES)
INTENTS = (
    "praise",  # a review of 4-5 stars
    "mixed",  # 3 stars
    "complaint",  # 1-2 stars
    "ask_size",  # pre-sale questions
    "ask_delivery",
    "ask_stock",
    "ask_price",
    "chase_delivery",  # after-sale contacts
    "report_defect",
    "report_wrong_item",
    "ask_usage",
    "ask_refund",
    "return",  # a return's note
)
CAUSES = (
    "none",  # no simulated event behind the text (a question, a mishap the store does not model)
    "late_delivery",  # courier days past three (a review or return: past five)
    "defect",  # a defective product, or an item returned as defective
    "size_fit",  # the return reasons
    "not_as_described",
    "changed_mind",
    "festival",  # a price question on a festival's pre-sale or peak day
    "logistics_stop",  # a delivery question while couriers stop for the New Year
)
SENTIMENTS = ("negative", "neutral", "positive")
LATE_REVIEW_DAYS = 5  # courier days past which a review is about the delivery (as its stars)
LATE_CHAT_DAYS = 3  # past which an after-sale contact may be about it (as its chance)

# placeholders: the per-row values a template may hold (one per alternative at most)
VARS = (
    *("item", "n", "size", "colour", "price", "courier", "city", "height", "kg", "jin", "k"),
    "tail",  # the last four digits of an order number, as buyers quote them
    "hh",  # an hour of the day
    "budget",  # yuan
)
COURIERS = (
    ("中通", "ZTO"),
    ("圆通", "YTO"),
    ("韵达", "Yunda"),
    ("申通", "STO"),
    ("顺丰", "SF Express"),
    ("极兔", "J&T"),
    ("邮政", "China Post"),
)
CITIES = (
    ("北京", "Beijing"),
    ("上海", "Shanghai"),
    ("广州", "Guangzhou"),
    ("深圳", "Shenzhen"),
    ("成都", "Chengdu"),
    ("杭州", "Hangzhou"),
    ("武汉", "Wuhan"),
    ("西安", "Xi'an"),
    ("南京", "Nanjing"),
    ("重庆", "Chongqing"),
    ("长沙", "Changsha"),
    ("哈尔滨", "Harbin"),
    ("乌鲁木齐", "Urumqi"),
    ("厦门", "Xiamen"),
)
COLOURS = (
    ("黑色", "black"),
    ("白色", "white"),
    ("灰色", "grey"),
    ("藏青色", "navy"),
    ("米色", "beige"),
    ("粉色", "pink"),
    ("卡其色", "khaki"),
    ("浅蓝色", "light blue"),
    ("墨绿色", "dark green"),
    ("酒红色", "burgundy"),
)
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
# the product names' item words (storeops.sim.products.NAME_WORDS) as buyers write them
ITEM_ZH = {
    "T-shirt": "T恤",
    "Hoodie": "卫衣",
    "Jeans": "牛仔裤",
    "Dress": "连衣裙",
    "Jacket": "外套",
    "Skirt": "半身裙",
    "Socks": "袜子",
    "Coat": "大衣",
    "Serum": "精华",
    "Lipstick": "口红",
    "Cleanser": "洗面奶",
    "Sunscreen": "防晒霜",
    "Mask": "面膜",
    "Toner": "爽肤水",
    "Cream": "面霜",
    "Towel": "毛巾",
    "Pillow": "枕头",
    "Lamp": "台灯",
    "Storage box": "收纳盒",
    "Mug": "马克杯",
    "Blanket": "毯子",
    "Rug": "地毯",
    "Earbuds": "耳机",
    "Charger": "充电器",
    "Power bank": "充电宝",
    "Speaker": "音箱",
    "Phone case": "手机壳",
    "Cable": "数据线",
    "Mouse": "鼠标",
    "Tea": "茶叶",
    "Coffee": "咖啡",
    "Nuts": "坚果",
    "Snack box": "零食礼盒",
    "Noodles": "面条",
    "Chocolate": "巧克力",
    "Honey": "蜂蜜",
    "Diapers": "纸尿裤",
    "Wipes": "湿巾",
    "Bottle": "奶瓶",
    "Stroller toy": "推车玩具",
    "Bib": "围兜",
    "Baby lotion": "宝宝润肤乳",
    "Yoga mat": "瑜伽垫",
    "Running shoes": "跑鞋",
    "Dumbbell": "哑铃",
    "Water bottle": "运动水杯",
    "Jump rope": "跳绳",
    "Shorts": "运动短裤",
    "Novel": "小说",
    "Cookbook": "菜谱",
    "Notebook": "笔记本",
    "Workbook": "练习册",
    "Comic": "漫画",
    "Planner": "手账本",
}


@dataclass(frozen=True)
class Slot:
    """One slot of a grammar: alternatives (zh, en) chosen by the row's codes of `dims`.

    `table` maps a tuple of dimension values to its alternatives; "*" stands for any value
    of the trailing dimensions (the lookup drops dimensions from the right: (a, b), (a, "*"),
    then `default`).
    """

    dims: tuple[str, ...]
    table: dict
    default: tuple = (("", ""),)


# every placeholder's value is one of few strings: a section of one pool per language, which
# the texts' literals join, so that a text is a list of indices into one pool
NUMBERS = 10000  # "0" ... "9999": days, prices, heights, weights, counts
ITEMS = tuple(ITEM_ZH)
_SECTIONS = dict(
    item=[(ITEM_ZH[w], w if w == "T-shirt" else w.lower()) for w in ITEMS],
    number=[(str(i), str(i)) for i in range(NUMBERS)],
    size=[(s, s) for s in SIZES],
    colour=list(COLOURS),
    courier=list(COURIERS),
    city=list(CITIES),
)
_SECTION_OF = dict(
    item="item", size="size", colour="colour", courier="courier", city="city"
)  # the other placeholders are numbers
_VALUES = {
    lang: [alt[k] for sec in _SECTIONS.values() for alt in sec] for k, lang in enumerate(LANGS)
}
_SECTION_START = dict(
    zip(_SECTIONS, np.cumsum([0] + [len(s) for s in _SECTIONS.values()])[:-1].tolist(), strict=True)
)
# per placeholder (VARS index + 1; 0: none): where its section starts in the values
_VAR_START = np.array(
    [0] + [_SECTION_START[_SECTION_OF.get(v, "number")] for v in VARS], dtype=np.int64
)


@dataclass(frozen=True)
class _Compiled:
    """A slot's alternatives flattened over every combination of its dimensions' values."""

    shape: tuple[int, ...]
    start: np.ndarray  # per combination: its first alternative
    count: np.ndarray  # per combination: how many
    texts: dict  # per language: [alternative, MAX_PLACEHOLDERS + 1] literal ids (0: "")
    vars: np.ndarray  # [language, alternative, MAX_PLACEHOLDERS]: VARS index + 1 (0: none)


MAX_PLACEHOLDERS = 2


def _split(text: str, lang: str, first: bool) -> tuple[list[str], list[str]]:
    """An alternative as its texts around the placeholders (MAX_PLACEHOLDERS + 1, padded with
    "") and the placeholders' names; English after the `first` slot gets the space that
    separates it from the slot before."""
    parts = re.split(r"\{(\w*)\}", text)
    texts, names = parts[::2], parts[1::2]
    if len(names) > MAX_PLACEHOLDERS or any(n not in VARS for n in names):
        raise ValueError(f"template {text!r}: at most {MAX_PLACEHOLDERS} placeholders of {VARS}")
    if lang == "en" and not first and text:
        texts[0] = " " + texts[0]
    return texts + [""] * (MAX_PLACEHOLDERS - len(names)), names


def _alternatives(slot: Slot, vocab: dict) -> tuple[list, list, list]:
    """Each combination's alternatives (the trailing-"*" lookup), and where each starts."""
    alts, start, count = [], [], []
    for combo in product(*(vocab[d] for d in slot.dims)):
        mine = slot.default
        for k in range(len(combo), 0, -1):
            key = combo[:k] + ("*",) * (len(combo) - k)
            if key in slot.table:
                mine = slot.table[key]
                break
        start.append(len(alts))
        count.append(len(mine))
        alts.extend(mine)
    return alts, start, count


def compile_slot(
    slot: Slot, vocab: dict, literals: dict[str, dict[str, int]], first: bool = False
) -> _Compiled:
    """Flatten `slot` over the values of its dimensions (`vocab`: each dimension's values),
    adding its literals to `literals` (per language: text -> id, "" is 0). The `first` slot
    of a grammar has no empty English alternative (the next slot's space would lead)."""
    alts, start, count = _alternatives(slot, vocab)
    distinct = list(dict.fromkeys(alts))  # combinations share alternatives: compile each once
    rows = {lang: np.zeros((len(distinct), MAX_PLACEHOLDERS + 1), np.int64) for lang in LANGS}
    names = np.zeros((len(LANGS), len(distinct), MAX_PLACEHOLDERS), dtype=np.int8)
    for a, alt in enumerate(distinct):
        for la, (lang, text) in enumerate(zip(LANGS, alt, strict=True)):
            if first and lang == "en" and not text:
                raise ValueError(f"template {alt!r}: a first slot's English may not be empty")
            around, found = _split(text, lang, first)
            ids = literals[lang]
            rows[lang][a] = [ids.setdefault(t, len(ids)) for t in around]
            names[la, a, : len(found)] = [VARS.index(n) + 1 for n in found]
        # the same placeholders in both (a weight in jin reads as kg in English)
        same = [
            sorted(VARS[k - 1].replace("jin", "kg") for k in names[la, a] if k) for la in (0, 1)
        ]
        if same[0] != same[1]:
            raise ValueError(f"template {alt!r}: the languages' placeholders differ")
    where = {alt: a for a, alt in enumerate(distinct)}
    at = np.array([where[alt] for alt in alts], dtype=np.int64)
    texts = {lang: rows[lang][at] for lang in LANGS}
    kinds = names[:, at]
    return _Compiled(
        tuple(len(vocab[d]) for d in slot.dims),
        np.array(start, dtype=np.int64),
        np.array(count, dtype=np.int64),
        texts,
        kinds,
    )


@dataclass(frozen=True)
class Grammar:
    """Compiled slots (with their dimensions) and the pool of every string a text is made of:
    "", then per language (LANGS) the placeholder values and the literals."""

    slots: tuple[tuple[tuple[str, ...], _Compiled], ...]
    # per slot, the literal ids and placeholders at position k of the alternative a in the
    # language la, at [k][la * alternatives + a], only for the positions some alternative uses
    flat: tuple[tuple[dict[int, np.ndarray], dict[int, np.ndarray]], ...]
    pool: pa.Array
    values_at: np.ndarray  # per language: where its placeholder values start in the pool


def compile_grammar(slots: tuple[Slot, ...], vocab: dict) -> Grammar:
    """Compile `slots`; every id (but "" at 0) points into the pool."""
    literals = {lang: {"": 0} for lang in LANGS}
    compiled = tuple(
        (s.dims, compile_slot(s, vocab, literals, first=k == 0)) for k, s in enumerate(slots)
    )
    strings, values_at = [""], []
    for lang in LANGS:
        values_at.append(len(strings))
        strings += _VALUES[lang]
        first = len(strings)  # literal i (from 1) is at first + i - 1
        ordered = [""] * len(literals[lang])
        for text, i in literals[lang].items():
            ordered[i] = text
        strings += ordered[1:]
        for _, slot in compiled:
            t = slot.texts[lang]
            t[t > 0] += first - 1
    flat = tuple(
        (
            {
                k: np.concatenate([slot.texts[la][:, k] for la in LANGS]).astype(np.int32)
                for k in range(MAX_PLACEHOLDERS + 1)
                if any(slot.texts[la][:, k].any() for la in LANGS)
            },
            {
                k: slot.vars[:, :, k].reshape(-1).astype(np.int64)
                for k in range(MAX_PLACEHOLDERS)
                if slot.vars[:, :, k].any()
            },
        )
        for _, slot in compiled
    )
    pool = pa.array(strings, type=pa.large_string())
    return Grammar(compiled, flat, pool, np.array(values_at))


SLOTS_PER_UNIFORM = 3  # a 24-bit uniform picks among three slots' few alternatives


def slot_uniforms(grammar: Grammar) -> int:
    """How many uniform columns `compose` reads for `grammar`'s slots."""
    return -(-len(grammar.slots) // SLOTS_PER_UNIFORM)


CHUNK_ROWS = 1 << 18  # texts composed at once: more is slower (large temporaries) and bigger


def compose(
    grammar: Grammar,
    codes: dict[str, np.ndarray],
    u: np.ndarray,
    values: dict[str, np.ndarray],
    lang: np.ndarray,
) -> pa.Array:
    """Each row's text in its language (`lang`: index into LANGS): slot s takes the
    alternative that `u` picks among those of the row's codes of its dimensions (the slots
    read `u`'s columns SLOTS_PER_UNIFORM at a time, as the digits of a mixed-radix number,
    `slot_uniforms` columns in all), its placeholders filled with `values[name]` (per row:
    the item's index in ITEMS, the number, or the index into SIZES, COLOURS, COURIERS,
    CITIES). Rows go CHUNK_ROWS at a time."""
    if u.shape[0] <= CHUNK_ROWS:
        return _compose(grammar, codes, u, values, lang)
    # one array: a column of many chunks is slow in pandas
    return pa.concat_arrays(
        [
            _compose(
                grammar,
                {k: v[i : i + CHUNK_ROWS] for k, v in codes.items()},
                u[i : i + CHUNK_ROWS],
                {k: v[i : i + CHUNK_ROWS] for k, v in values.items()},
                lang[i : i + CHUNK_ROWS],
            )
            for i in range(0, u.shape[0], CHUNK_ROWS)
        ]
    )


def _compose(grammar, codes, u, values, lang) -> pa.Array:
    """`compose` of rows that fit at once."""
    n = u.shape[0]
    # per placeholder (VARS index + 1), each row's value's id in the pool (row 0: none), as
    # one array: [placeholder * n + row]
    value = np.zeros((len(VARS) + 1, n), dtype=np.int32)
    for name, v in values.items():
        k = VARS.index(name) + 1
        value[k] = grammar.values_at[lang] + _VAR_START[k] + v
    value = value.reshape(-1)
    rows = np.arange(n)
    columns = []  # a piece per row (0: none), by slot and position
    for s, ((dims, slot), (texts, kinds)) in enumerate(
        zip(grammar.slots, grammar.flat, strict=True)
    ):
        combo = np.ravel_multi_index(tuple(codes[d] for d in dims), slot.shape) if dims else 0
        count = slot.count[combo]
        if s % SLOTS_PER_UNIFORM == 0:
            x = u[:, s // SLOTS_PER_UNIFORM].astype(np.float64)
        digit = np.minimum((x * count).astype(np.int64), count - 1)
        x = x * count - digit  # uniform again, for the next slot
        pick = slot.start[combo] + digit + lang * slot.count.sum()  # in the row's language
        for k in range(MAX_PLACEHOLDERS + 1):
            if k in texts:
                columns.append(texts[k].take(pick))
            if k in kinds:
                columns.append(value.take(kinds[k].take(pick) * n + rows))
    ids = np.empty((len(columns), n), dtype=np.int32)
    for j, column in enumerate(columns):
        ids[j] = column
    return _join(grammar.pool, ids)


def _join(pool: pa.Array, ids: np.ndarray) -> pa.Array:
    """Per row (a column of `ids`), the pool's strings at `ids` (0: "", left out) joined into
    one string.

    The pieces are taken from the pool in the rows' order, so that their bytes already are
    the texts one after the other: each row's text starts where its first piece does.
    """
    keep = ids != 0
    first = np.zeros(ids.shape[1] + 1, dtype=np.int64)  # each row's first piece
    np.cumsum(keep.sum(axis=0), out=first[1:])
    pieces = pool.take(pa.array(ids.T[keep.T].astype(np.int64)))
    _, offsets, data = pieces.buffers()
    starts = np.frombuffer(offsets, dtype=np.int64, count=len(pieces) + 1)[pieces.offset :]
    return pa.LargeStringArray.from_buffers(
        ids.shape[1], pa.py_buffer(np.ascontiguousarray(starts[first])), data
    )


# ---------------------------------------------------------------------------------------------
# Reviews: opening, the problem or the praise in detail, a verdict, an aside, who it is for,
# a closing. A review is about its cause (a defect, a late parcel, the reason it went back);
# one without a cause praises, shrugs or gripes as its stars say.

REVIEW_TOPICS = (
    "praise",
    "meh",
    "gripe",
    "late_delivery",
    "defect",
    "size_fit",
    "not_as_described",
    "changed_mind",
)

DEFECT = {
    "apparel": (
        ("{item}穿了一次就开线了，", "The {item} came apart at the seams after one wear."),
        ("{item}有个破洞，", "There is a hole in the {item}."),
        ("{item}洗一次就掉色了，", "The {item} faded after a single wash."),
        ("{item}线头特别多，", "The {item} has loose threads everywhere."),
        ("{item}拉链是坏的，", "The {item}'s zip is broken."),
    ),
    "beauty": (
        ("{item}用了过敏，脸上起疹子，", "The {item} gave me a rash."),
        ("{item}收到就漏了，", "The {item} leaked in the parcel."),
        ("{item}泵头坏了按不出来，", "The {item}'s pump is broken."),
        ("{item}里面有结块，", "The {item} is lumpy inside."),
        ("{item}的盖子是裂的，", "The {item}'s cap is cracked."),
    ),
    "home": (
        ("{item}收到就有裂痕，", "The {item} arrived cracked."),
        ("{item}有明显瑕疵，", "The {item} has an obvious flaw."),
        ("{item}用了两天就坏了，", "The {item} broke after two days."),
        ("{item}掉毛特别严重，", "The {item} sheds terribly."),
        ("{item}边角是破的，", "The {item}'s corner is broken."),
    ),
    "electronics": (
        ("{item}充不进电，", "The {item} won't charge."),
        ("{item}用了三天就坏了，", "The {item} died after three days."),
        ("{item}接触不良，时好时坏，", "The {item} has a loose connection and cuts out."),
        ("{item}发烫得厉害，", "The {item} gets dangerously hot."),
        ("{item}一直有杂音，", "The {item} keeps buzzing."),
    ),
    "food": (
        ("{item}包装漏气了，", "The {item}'s pack was leaking air."),
        ("{item}有股怪味，", "The {item} smells off."),
        ("{item}受潮结块了，", "The {item} is damp and clumped."),
        ("{item}里面有异物，", "There was something foreign in the {item}."),
        ("{item}胀袋了，", "The {item}'s bag was bloated."),
    ),
    "baby": (
        ("{item}有很重的异味，", "The {item} has a strong chemical smell."),
        ("{item}边缘有毛刺很扎手，", "The {item} has sharp rough edges."),
        ("{item}用一次就坏了，", "The {item} broke on first use."),
        ("{item}宝宝用了起红疹，", "The {item} gave my baby a rash."),
        ("{item}封口是破的，", "The {item}'s seal was broken."),
    ),
    "sports": (
        ("{item}用了一周就断了，", "The {item} snapped after a week."),
        ("{item}开胶了，", "The {item} is coming unglued."),
        ("{item}有一道裂缝，", "The {item} has a crack."),
        ("{item}表面掉皮了，", "The {item}'s surface is peeling."),
        ("{item}一用就坏了，", "The {item} broke as soon as I used it."),
    ),
    "books": (
        ("{item}缺了好几页，", "The {item} is missing several pages."),
        ("{item}印刷模糊，", "The {item}'s print is blurry."),
        ("{item}装订散了，", "The {item}'s binding fell apart."),
        ("{item}封面破损了，", "The {item}'s cover is damaged."),
        ("{item}有几页印反了，", "Some pages of the {item} are printed upside down."),
    ),
}
PRAISE = {
    "apparel": (
        ("{item}面料很舒服，", "The {item} feels really comfortable."),
        ("{item}版型很好，", "The {item} has a great cut."),
        ("{item}上身效果很好，", "The {item} looks great on."),
        ("{item}做工很细致，", "The {item} is well made."),
        ("{item}颜色很正，没有色差，", "The {item}'s colour matches the photos exactly."),
        ("{item}穿着很显瘦，", "The {item} is really flattering."),
    ),
    "beauty": (
        ("{item}很好用，", "The {item} works really well."),
        ("{item}质地很清爽，", "The {item} has a light texture."),
        ("{item}味道好闻，", "The {item} smells lovely."),
        ("{item}用了不过敏，", "No reaction at all to the {item}."),
        ("{item}是正品，", "The {item} is genuine."),
        ("{item}保湿效果好，", "The {item} keeps my skin moist."),
    ),
    "home": (
        ("{item}质量很好，", "The {item} is good quality."),
        ("{item}很实用，", "The {item} is very practical."),
        ("{item}比想象中还大，", "The {item} is even bigger than I expected."),
        ("{item}摆在家里很好看，", "The {item} looks lovely at home."),
        ("{item}做工扎实，", "The {item} feels solid."),
        ("{item}手感很好，", "The {item} feels nice."),
    ),
    "electronics": (
        ("{item}很好用，", "The {item} works perfectly."),
        ("{item}做工很精致，", "The {item} is nicely built."),
        ("{item}续航很给力，", "The {item} lasts a long time."),
        ("{item}反应很灵敏，", "The {item} is very responsive."),
        ("{item}兼容性很好，", "The {item} works with all my devices."),
        ("{item}音质清楚，", "The {item} sounds clear."),
    ),
    "food": (
        ("{item}很好吃，", "The {item} tastes great."),
        ("{item}很新鲜，", "The {item} is really fresh."),
        ("{item}味道很正，", "The {item} has an authentic taste."),
        ("{item}日期很新，", "The {item} has a long shelf life left."),
        ("{item}分量很足，", "Generous portion of {item}."),
        ("{item}家里人都爱吃，", "The whole family enjoys the {item}."),
    ),
    "baby": (
        ("{item}很柔软，", "The {item} is very soft."),
        ("{item}宝宝用着很好，", "The {item} works well for my baby."),
        ("{item}没有异味，", "The {item} has no odd smell."),
        ("{item}材质很安全，", "The {item} feels safe."),
        ("{item}很好用，", "The {item} is easy to use."),
        ("{item}宝宝很喜欢，", "My baby loves the {item}."),
    ),
    "sports": (
        ("{item}很结实，", "The {item} is sturdy."),
        ("{item}用着很顺手，", "The {item} is comfortable to use."),
        ("{item}质量很好，", "The {item} is good quality."),
        ("{item}很轻便，", "The {item} is light."),
        ("{item}防滑效果好，", "The {item} grips well."),
        ("{item}练起来很舒服，", "Training with the {item} feels good."),
    ),
    "books": (
        ("{item}印刷很清晰，", "The {item} is printed clearly."),
        ("{item}纸张很好，", "The {item} has good paper."),
        ("{item}内容很实用，", "The {item} has useful content."),
        ("{item}是正版，", "The {item} is a genuine copy."),
        ("{item}包装完好，没有折角，", "The {item} arrived with no bent corners."),
        ("{item}孩子很爱看，", "My kid loves reading the {item}."),
    ),
}
SIZE_FIT = {
    "apparel": (
        ("平时穿{size}，这件偏小，", "I usually wear {size} and this runs small."),
        ("拍的{size}码，穿着偏大，", "I ordered {size} and it is too big."),
        ("{item}尺码不太准，", "The {item}'s sizing is off."),
        ("{item}袖子有点短，", "The {item}'s sleeves are a bit short."),
        ("{jin}斤穿{size}有点紧，", "At {kg} kg, {size} is a bit tight."),
    ),
    "sports": (
        ("{item}尺码偏小，", "The {item} runs small."),
        ("{item}比平时穿的大半码，", "The {item} is half a size bigger than usual."),
        ("{item}尺寸不合适，", "The {item} is the wrong size for me."),
    ),
    "*": (
        ("{item}尺寸比想象的小，", "The {item} is smaller than I thought."),
        ("{item}大小不合适，", "The {item} is the wrong size for me."),
        ("{item}规格没看清，买错了，", "I misread the {item}'s dimensions."),
    ),
}
NOT_AS_DESCRIBED = (
    ("{item}和图片色差很大，", "The {item} looks nothing like the photos."),
    ("{item}材质跟描述的不一样，", "The {item}'s material is not as described."),
    ("{item}实物比图片差很多，", "The real {item} is much worse than the pictures."),
    ("{item}跟详情页说的不符，", "The {item} does not match the listing."),
    ("{item}是{colour}的，和图片不一样，", "The {item} is {colour}, not what the photo shows."),
)
CHANGED_MIND = (
    ("{item}买重复了，", "I bought the {item} twice by mistake."),
    ("{item}家里已经有了，", "We already had the {item} at home."),
    ("{item}拍多了{k}件，", "I ordered {k} too many of the {item}."),
    ("{item}不太适合我，", "The {item} is not really for me."),
)
LATE_DETAIL = (
    ("快递走了{n}天，", "The parcel took {n} days."),
    ("等了整整{n}天，", "I waited a full {n} days."),
    ("下单后{n}天才收到，", "It arrived {n} days after I ordered."),
    ("{courier}{n}天才送到，", "{courier} took {n} days to deliver."),
    ("路上走了{n}天，", "It spent {n} days in transit."),
)


def _by_category(table: dict) -> dict:
    return {(topic, cat): alts for topic, per in table.items() for cat, alts in per.items()}


_WHO = (
    ("买给女朋友的，", "Bought it for my girlfriend."),
    ("买给老公的，", "Bought it for my husband."),
    ("给爸妈买的，", "Bought it for my parents."),
    ("自己用的，", "For my own use."),
    ("送同事的，", "A gift for a colleague."),
    ("办公室用，", "For the office."),
    ("给孩子买的，", "Bought it for my kid."),
    ("{courier}送的，", "It came with {courier}."),
    ("", ""),
)
# a closing's trailing emoji or particles, per mood: the closings are written with each
_EMOJI = dict(
    positive=(("", ""), ("😊", " 😊"), ("❤️", " ❤️"), ("～～", "~~"), ("👏", " 👏")),
    neutral=(("", ""), ("。。", ".."), ("🤔", " 🤔")),
    negative=(("", ""), ("😡", " 😡"), ("！！", "!!"), ("👎", " 👎")),
)


def _with_emoji(closings: tuple, mood: str) -> tuple:
    return tuple(
        (a + e, b + (f if b else f.lstrip())) for a, b in closings for e, f in _EMOJI[mood]
    )


REVIEW_SLOTS = (
    Slot(
        ("sentiment",),
        {
            ("negative",): (
                ("差评！", "Bad review!"),
                ("真的无语了，", "Honestly speechless."),
                ("很失望，", "Very disappointed."),
                ("第一次给差评，", "My first ever bad review."),
                ("踩雷了，", "Total letdown."),
                ("后悔买了，", "I regret buying this."),
                ("气死了，", "So annoyed."),
                ("本来挺期待的，", "I had high hopes."),
                ("大家别买了，", "Don't buy this, everyone."),
                ("说实话很失望，", "Honestly, very disappointed."),
            ),
            ("neutral",): (
                ("收到了，", "Received it."),
                ("说说感受，", "Some honest thoughts."),
                ("用了几天，", "Used it for a few days."),
                ("客观评价一下，", "An objective review."),
                ("第一次买这家，", "First order from this shop."),
                ("实话实说，", "To be honest."),
                ("怎么说呢，", "Hard to say."),
                ("拿到手了，", "It's here."),
                ("评价晚了，", "A late review."),
            ),
            ("positive",): (
                ("收到了，", "Arrived today."),
                ("宝贝收到了，", "Got the item."),
                ("第二次回购了，", "Buying this for the second time."),
                ("拆开看了一下，", "Just unboxed it."),
                ("用了一周来评价，", "Reviewing after a week of use."),
                ("朋友推荐的店，", "A friend recommended this shop."),
                ("一直在这家买，", "I always shop here."),
                ("看了很多家最后选了这家，", "Compared many shops and picked this one."),
                ("先用了几天再来评，", "Used it a few days before reviewing."),
                ("迟来的好评，", "A late but good review."),
                ("趁活动入手的，", "Picked it up on a promotion."),
            ),
        },
    ),
    Slot(
        ("topic", "category"),
        {
            **_by_category({"praise": PRAISE, "defect": DEFECT, "size_fit": SIZE_FIT}),
            ("size_fit", "*"): SIZE_FIT["*"],
            ("meh", "*"): (
                ("{item}还行吧，", "The {item} is okay."),
                ("{item}一般般，", "The {item} is so-so."),
                ("{item}中规中矩，", "The {item} is average."),
                ("{item}和想象的差不多，", "The {item} is about what I expected."),
                ("{item}凑合能用，", "The {item} will do."),
                ("{item}没有特别惊艳，", "The {item} is nothing special."),
            ),
            ("gripe", "*"): (
                ("{item}做工很粗糙，", "The {item} is roughly made."),
                ("{item}用着很别扭，", "The {item} is awkward to use."),
                ("{item}感觉不值这个价，", "The {item} is overpriced."),
                ("{item}有股味道，", "The {item} has a smell."),
                ("{item}看着很廉价，", "The {item} looks cheap."),
                ("{item}和别家的比差远了，", "The {item} is far behind other shops'."),
            ),
            ("late_delivery", "*"): LATE_DETAIL,
            ("not_as_described", "*"): NOT_AS_DESCRIBED,
            ("changed_mind", "*"): CHANGED_MIND,
        },
    ),
    Slot(
        ("topic", "sentiment"),
        {
            ("praise", "*"): (
                ("和图片一样，", "Just like the pictures."),
                ("和描述的一致，", "Exactly as described."),
                ("性价比很高，", "Great value for money."),
                ("比实体店便宜，", "Cheaper than in the shops."),
                ("超出预期，", "Better than expected."),
                ("非常满意，", "Very satisfied."),
                ("值这个价，", "Fair for the price."),
                ("很喜欢，", "I love it."),
            ),
            ("meh", "*"): (
                ("价格还可以，", "The price is fair."),
                ("对得起这个价，", "Fine for the price."),
                ("没什么大问题，", "No big problems."),
                ("有优点也有缺点，", "Some good, some bad."),
                ("凑合用，", "It'll do."),
            ),
            ("gripe", "*"): (
                ("太差了，", "Terrible."),
                ("完全不值，", "Waste of money."),
                ("很失望，", "Very disappointing."),
                ("和宣传的差太远，", "Far from what was promised."),
                ("用着很糟心，", "Frustrating to use."),
            ),
            ("late_delivery", "positive"): (
                ("物流慢了点，不过东西没问题，", "Shipping was slow, but the item is fine."),
                (
                    "虽然{courier}有点慢，东西还是很好的，",
                    "{courier} was slow, but the item is good.",
                ),
                ("送得慢但是值得等，", "Slow delivery, but worth the wait."),
                ("就是快递慢了点，", "Only the delivery was a bit slow."),
            ),
            ("late_delivery", "neutral"): (
                ("物流太慢了，", "Delivery was too slow."),
                ("{courier}真的慢，", "{courier} is really slow."),
                ("发货太慢，得改进，", "Shipping is slow and needs to improve."),
                ("快递慢得让人着急，", "The slow delivery was stressful."),
            ),
            ("late_delivery", "negative"): (
                ("物流慢得离谱，", "Ridiculously slow delivery."),
                (
                    "{courier}慢死了，催了好几次，",
                    "{courier} was painfully slow, I chased it again and again.",
                ),
                ("这么慢，急用的都耽误了，", "So slow that it came too late for when I needed it."),
                ("发货慢还不给个说法，", "Slow shipping and no explanation."),
                ("物流好几天不更新，太慢了，", "Tracking stalled for days, far too slow."),
            ),
            ("defect", "negative"): (
                ("明显的质量问题，", "Clearly a quality defect."),
                ("这是次品吧，", "This is a defective unit."),
                ("质量问题太严重了，", "Serious quality defects."),
                ("质量太差了，全是瑕疵，", "Terrible quality, full of flaws."),
                ("这种质量问题也能发出来？", "How did a defective item get shipped?"),
            ),
            ("defect", "neutral"): (
                ("有点质量问题，", "Some quality defects."),
                ("品控有问题，有瑕疵，", "Quality control missed a flaw."),
                ("希望改进一下质量问题，", "Please fix the quality defect."),
                ("可能是这批货的质量问题，", "Maybe a bad batch with a defect."),
            ),
            ("defect", "positive"): (
                (
                    "有点小瑕疵，客服很快给处理了，",
                    "A small flaw, but the shop sorted it out quickly.",
                ),
                (
                    "质量问题找了客服，处理得很及时，",
                    "I reported the defect and it was handled promptly.",
                ),
                ("虽然有瑕疵，售后态度很好，", "It had a flaw, but after-sales were great."),
            ),
            ("size_fit", "positive"): (
                ("换了一次尺码，客服很耐心，", "I exchanged the size and the staff were patient."),
                ("退换很方便，", "Returns and exchanges were easy."),
                ("尺码问题不怪商家，", "The size issue isn't the shop's fault."),
            ),
            ("size_fit", "*"): (
                ("已经申请退货了，", "I've asked for a return."),
                ("只能退了，", "Had to send it back."),
                ("建议拍大一码，", "Size up if you buy it."),
                ("尺码表不准，", "The size chart is inaccurate."),
            ),
            ("not_as_described", "positive"): (
                ("不过退货很顺利，", "But the return went smoothly."),
                ("客服很快同意退了，", "The shop agreed to the return quickly."),
            ),
            ("not_as_described", "*"): (
                ("货不对板，", "Not what was advertised."),
                ("和描述不一样，退了，", "Not as described, so I returned it."),
                ("图片仅供参考吧，", "The photos are just for show."),
            ),
            ("changed_mind", "positive"): (
                (
                    "东西本身没问题，退货也很顺利，",
                    "Nothing wrong with it, and the return was smooth.",
                ),
                ("商家支持七天无理由，很贴心，", "The seven-day no-reason return made it easy."),
            ),
            ("changed_mind", "*"): (
                ("退了，", "Sent it back."),
                ("七天无理由退了，", "Returned it within seven days."),
                ("{item}不想要了，", "Don't want the {item} anymore."),
            ),
        },
    ),
    Slot(
        ("sentiment",),
        {
            ("positive",): (
                ("包装很用心，", "Carefully packed."),
                ("客服很耐心，", "The service staff were patient."),
                ("还送了小礼物，", "They included a small gift."),
                ("包装很严实，", "Well packed, nothing crushed."),
                ("客服回复很及时，", "Service replied quickly."),
                ("价格也实惠，", "Good price too."),
                ("店家很贴心，", "A thoughtful shop."),
                ("", ""),
            ),
            ("neutral",): (
                ("包装一般，", "Packaging was basic."),
                ("价格还算合理，", "The price is reasonable."),
                ("客服态度还行，", "Service was okay."),
                ("没有赠品，", "No free gift."),
                ("说明书有点简单，", "The manual is a bit thin."),
                ("", ""),
            ),
            ("negative",): (
                ("客服也爱答不理，", "Service couldn't care less."),
                ("包装也很简陋，", "Packaging was shabby too."),
                ("这个价格真不值，", "Not worth the money."),
                ("售后推来推去，", "After-sales kept passing the buck."),
                ("说明书都没有，", "Not even a manual."),
                ("", ""),
            ),
        },
    ),
    Slot(
        ("category",),
        {
            ("apparel",): (
                *_WHO,
                ("{height}，{jin}斤，", "I'm {height} cm and {kg} kg."),
                ("{jin}斤穿{size}刚好，", "{size} fits me well at {kg} kg."),
                ("平时穿{size}，拍的{size}，", "I usually wear {size} and ordered {size}."),
                ("买了{k}件不同颜色的，", "Bought {k} in different colours."),
            ),
        },
        (
            *_WHO,
            ("买了{k}个，", "Bought {k}."),
            ("已经买过{k}次了，", "Bought it {k} times already."),
            ("用了{k}天了，", "Used it for {k} days."),
        ),
    ),
    Slot(
        ("sentiment",),
        {
            ("positive",): _with_emoji(
                (
                    ("会回购的！", "Will buy again!"),
                    ("推荐购买！", "Recommended!"),
                    ("五星好评！", "Five stars!"),
                    ("好评！", "Good review!"),
                    ("值得入手，推荐！", "Worth getting, recommended!"),
                    ("下次还来，满意。", "I'll be back, very happy."),
                    ("赞👍", "Thumbs up 👍"),
                    ("满意，好评。", "Happy, good review."),
                    ("给个好评吧。", "Leaving a good review."),
                    ("喜欢的可以冲！", "Go for it if you love it!"),
                ),
                "positive",
            ),
            ("neutral",): _with_emoji(
                (
                    ("就这样吧。", "That's all."),
                    ("一般般吧。", "So-so overall."),
                    ("给三星吧。", "Three stars."),
                    ("凑合用吧。", "It will do."),
                    ("再观察一下。", "Will see how it holds up."),
                    ("中评。", "Neutral review."),
                    ("还过得去。", "It's passable."),
                ),
                "neutral",
            ),
            ("negative",): _with_emoji(
                (
                    ("不会再买了。", "Never buying again."),
                    ("差评！", "Bad review!"),
                    ("大家慎重，太失望了。", "Think twice, everyone; disappointing."),
                    ("再也不来了，差评！", "Never coming back!"),
                    ("太失望了。", "So disappointed."),
                    ("一星都不想给，太差了。", "Terrible, not even worth one star."),
                    ("后悔死了。", "Deeply regret it."),
                    ("避雷！", "Avoid!"),
                ),
                "negative",
            ),
        },
    ),
)

# ---------------------------------------------------------------------------------------------
# Service chats: the customer's first message. Pre-sale questions (size, delivery, stock,
# price) and after-sale contacts (a late parcel, a defect, a wrong item, a usage question, a
# refund for a return).

CHAT_TOPICS = (
    "ask_size",
    "ask_delivery",
    "ask_stock",
    "ask_price",
    "late_delivery",
    "defect",
    "wrong_item",
    "usage",
    "refund",
)
PRESALE_TOPICS = CHAT_TOPICS[:4]
_PRESALE_HELLO = (
    ("亲，", "Hi!"),
    ("你好，", "Hello."),
    ("在吗？", "Anyone there?"),
    ("老板，", "Hi boss."),
    ("客服在吗？", "Is someone from service there?"),
    ("您好，", "Good day."),
    ("打扰一下，", "Excuse me."),
    ("hello，", "Hey there."),
    ("", "Hi there!"),
)
_UPSET_HELLO = (
    ("在吗？", "Are you there?"),
    ("客服！", "Customer service!"),
    ("怎么回事？", "What is going on?"),
    ("你好，", "Hello."),
    ("亲，", "Hi."),
    ("麻烦看一下，", "Please take a look."),
    ("急！", "Urgent!"),
)
_CALM_HELLO = (
    ("你好，", "Hello."),
    ("亲，", "Hi."),
    ("在吗？", "Are you there?"),
    ("客服你好，", "Hello, service."),
    ("打扰了，", "Sorry to bother you."),
    ("", "Hello!"),
)
_ORDER_NUMBER = (
    ("订单尾号{tail}，", "Order ending {tail}."),
    ("订单号后四位{tail}，", "Order number ending in {tail}."),
    ("我的单号尾号{tail}，", "My order ends in {tail}."),
    ("尾号{tail}的订单，", "About order ...{tail}."),
    ("收货人在{city}，订单尾号{tail}，", "Delivered to {city}, order ending {tail}."),
    ("{courier}单号尾号{tail}，", "{courier} tracking ending {tail}."),
)
CHAT_SLOTS = (
    Slot(
        ("topic",),
        {
            **{(t,): _PRESALE_HELLO for t in PRESALE_TOPICS},
            **{(t,): _UPSET_HELLO for t in ("late_delivery", "defect", "wrong_item")},
            **{(t,): _CALM_HELLO for t in ("usage", "refund")},
        },
    ),
    Slot(
        ("topic",),
        {
            (t,): (
                ("我在{city}，", "I'm in {city}."),
                ("这款{colour}的，", "About the {colour} one."),
                ("看了{k}天了，", "I've been looking for {k} days."),
                ("之前在你家买过{k}次，", "I've bought here {k} times before."),
                ("收藏了{k}天了，", "I saved it {k} days ago."),
                ("帮{city}的朋友问的，", "Asking for a friend in {city}."),
                ("{hh}点直播间看到的，", "Saw it in the {hh}:00 live stream."),
                ("打算买{k}件，", "I plan to buy {k}."),
                ("人在{city}，", "I live in {city}."),
                ("", ""),
            )
            for t in PRESALE_TOPICS
        },
        _ORDER_NUMBER,
    ),
    Slot(
        ("topic", "category"),
        {
            ("ask_size", "apparel"): (
                ("我{height}，{jin}斤，穿什么码？", "I'm {height} cm and {kg} kg, which size?"),
                (
                    "平时穿{size}，这款{item}要拍大一码吗？",
                    "I usually wear {size}, should I size up in the {item}?",
                ),
                ("{item}偏大还是偏小？", "Does the {item} run large or small?"),
                ("身高{height}穿{size}码合适吗？", "Will {size} fit me at {height} cm?"),
                ("{jin}斤穿{size}会不会紧？", "At {kg} kg, will {size} be tight?"),
                ("{item}有{size}码吗？", "Do you have the {item} in {size}?"),
            ),
            ("ask_size", "sports"): (
                (
                    "平时穿{size}码，{item}正码吗？",
                    "I usually wear {size}, does the {item} fit true to size?",
                ),
                ("{item}尺寸多大？", "What size is the {item}?"),
                ("我{jin}斤，{item}选哪个规格？", "I'm {kg} kg, which {item} should I pick?"),
                ("{item}有几个规格？", "What sizes does the {item} come in?"),
            ),
            ("ask_size", "books"): (
                ("{item}是多大开本的？", "What format is the {item}?"),
                ("{item}有多少页？", "How many pages does the {item} have?"),
                ("{item}适合几岁的孩子？", "What age is the {item} for?"),
            ),
            ("ask_size", "*"): (
                ("{item}是多大的？", "How big is the {item}?"),
                ("{item}规格是多少？", "What are the {item}'s specs?"),
                ("{item}有大号的吗？", "Is there a bigger {item}?"),
                ("{item}和图片上一样大吗？", "Is the {item} as big as in the photo?"),
                ("{item}一共几个规格？", "How many sizes of the {item} are there?"),
            ),
            ("ask_delivery", "*"): (
                ("{item}今天下单什么时候发货？", "If I order the {item} today, when does it ship?"),
                ("{item}发{city}几天能到？", "How many days for the {item} to reach {city}?"),
                ("{item}能发{courier}吗？", "Can you ship the {item} with {courier}?"),
                (
                    "{item}发{city}包邮吗？几天到？",
                    "Is shipping the {item} to {city} free? How long?",
                ),
                ("急用，{k}天内能到{city}吗？", "I need it within {k} days, can it reach {city}?"),
                (
                    "{item}默认发什么快递？到{city}要多久？",
                    "Which courier for the {item}, and how long to {city}?",
                ),
                ("{item}现在拍什么时候到？", "If I buy the {item} now, when will it arrive?"),
            ),
            ("ask_stock", "apparel"): (
                ("{colour}{size}码还有吗？", "Is {colour} in {size} still available?"),
                ("{item}{colour}还有货吗？", "Is the {item} in stock in {colour}?"),
                ("{colour}的什么时候补货？", "When will {colour} be back in stock?"),
                ("{item}现在是现货还是预售？", "Is the {item} in stock or pre-order?"),
            ),
            **{
                ("ask_stock", cat): (
                    ("{item}什么时候补货？", "When will the {item} be back in stock?"),
                    ("{item}现在是现货还是预售？", "Is the {item} in stock or pre-order?"),
                    (
                        "想买{k}个{item}，库存够吗？",
                        "I want {k} of the {item}, do you have enough?",
                    ),
                    ("{item}还有货吗？", "Do you still have the {item}?"),
                )
                for cat in ("food", "books")
            },
            ("ask_stock", "*"): (
                ("{item}{colour}还有货吗？", "Is the {item} in stock in {colour}?"),
                ("{item}什么时候补货？", "When will the {item} be back in stock?"),
                ("{item}现在是现货还是预售？", "Is the {item} in stock or pre-order?"),
                ("想买{k}个{item}，库存够吗？", "I want {k} of the {item}, do you have enough?"),
                ("{item}还有货吗？", "Do you still have the {item}?"),
            ),
            ("ask_price", "*"): (
                ("{price}块能便宜点吗？", "It's {price} yuan, can you go a bit lower?"),
                ("{item}有优惠券吗？", "Any coupons for the {item}?"),
                ("{item}买{k}件有折扣吗？", "Is there a discount on {k} of the {item}?"),
                ("{item}活动价什么时候开始？", "When does the {item} go on sale?"),
                ("{item}现在拍是到手价吗？", "Is the listed price for the {item} final?"),
                ("会员买{item}有优惠吗？", "Any member discount on the {item}?"),
                (
                    "{item}满减怎么算？买{k}件能减多少？",
                    "How much do I save on {k} of the {item}?",
                ),
                ("{price}有点贵，还会降价吗？", "{price} yuan is a bit much, will it drop?"),
            ),
            ("late_delivery", "*"): (
                ("订单{n}天了才收到，", "My order took {n} days to arrive."),
                ("{courier}走了{n}天，太慢了。", "{courier} took {n} days, far too slow."),
                ("快递怎么这么慢？都{n}天了。", "Why is delivery so slow? It has been {n} days."),
                ("物流好几天没更新，{n}天才到。", "Tracking stalled for days; it took {n} days."),
                ("今天才到，路上走了{n}天，", "Only arrived today after {n} days on the road."),
            ),
            **_by_category({"defect": DEFECT}),
            ("wrong_item", "*"): (
                (
                    "收到的{item}颜色不对，我拍的是{colour}。",
                    "The {item} came in the wrong colour; I ordered {colour}.",
                ),
                ("发错货了，这不是我买的{item}。", "Wrong item, this is not the {item} I bought."),
                ("少发了一件{item}。", "One {item} is missing from my parcel."),
                ("尺码发错了，我要的是{size}。", "Wrong size sent, I ordered {size}."),
                ("{item}的赠品没有收到。", "The free gift with the {item} is missing."),
            ),
            ("usage", "food"): (
                ("{item}保质期到什么时候？", "When does the {item} expire?"),
                ("{item}开封后怎么保存？", "How should I store the {item} once opened?"),
                ("{item}能开发票吗？", "Can I get an invoice for the {item}?"),
                ("{item}怎么吃比较好？", "What is the best way to eat the {item}?"),
            ),
            ("usage", "books"): (
                ("{item}有配套的答案吗？", "Does the {item} come with answers?"),
                ("{item}能开发票吗？", "Can I get an invoice for the {item}?"),
                ("{item}是第几版的？", "Which edition is the {item}?"),
                ("{item}有电子版吗？", "Is there an e-version of the {item}?"),
            ),
            ("usage", "apparel"): (
                ("{item}能机洗吗？", "Can the {item} go in the washing machine?"),
                ("{item}会缩水吗？", "Will the {item} shrink?"),
                ("{item}能开发票吗？", "Can I get an invoice for the {item}?"),
                ("{item}怎么洗不掉色？", "How do I wash the {item} without fading?"),
            ),
            ("usage", "*"): (
                ("{item}怎么用？说明书看不懂。", "How do I use the {item}? The manual is unclear."),
                ("{item}能开发票吗？", "Can I get an invoice for the {item}?"),
                ("{item}怎么清洁？", "How should I clean the {item}?"),
                ("{item}保修多久？", "How long is the {item}'s warranty?"),
                ("{item}能和别的一起用吗？", "Can the {item} be used with other products?"),
            ),
        },
    ),
    Slot(
        ("topic", "cause"),
        {
            ("refund", "size_fit"): (
                (
                    "{item}尺码不合适，申请退货了，",
                    "The {item} didn't fit, I've requested a return.",
                ),
                ("{item}尺寸不合适，退了，", "The {item} is the wrong size, I'm returning it."),
                ("{item}大小不合适，想退，", "The {item} doesn't fit, I want to return it."),
            ),
            ("refund", "not_as_described"): (
                (
                    "{item}和描述不一样，申请退款了，",
                    "The {item} is not as described, I've asked for a refund.",
                ),
                ("{item}色差太大，退了，", "The {item}'s colour is way off, returning it."),
                ("{item}货不对板，要退，", "The {item} isn't what was advertised, returning it."),
            ),
            ("refund", "changed_mind"): (
                (
                    "{item}不想要了，七天无理由退了，",
                    "Changed my mind about the {item}, returning it within seven days.",
                ),
                ("{item}拍多了，退一件，", "Ordered too many {item}, returning one."),
                ("{item}家里有了，退了，", "Already have the {item} at home, returning it."),
            ),
            ("refund", "late_delivery"): (
                ("{item}等太久了，退了吧，", "The {item} took too long, I'm returning it."),
                (
                    "{item}到得太晚用不上了，已申请退货，",
                    "The {item} came too late to be useful, return requested.",
                ),
            ),
        },
    ),
    Slot(
        ("topic",),
        {
            **{
                (t,): _with_emoji(
                    (
                        ("想今天{hh}点前下单。", "I'd like to order before {hh}:00 today."),
                        ("送{city}的朋友，着急。", "A gift for a friend in {city}, urgent."),
                        ("谢谢～", "Thanks!"),
                        ("{hh}点前拍今天能发吗？", "If I pay before {hh}:00, will it ship today?"),
                        ("预算{budget}以内。", "My budget is under {budget} yuan."),
                        (
                            "预算{budget}左右，想买{k}件。",
                            "Budget about {budget} yuan for {k} pieces.",
                        ),
                        ("麻烦回复一下。", "Please reply."),
                        ("在线等。", "Waiting online."),
                        ("看中{k}个月了。", "I've wanted it for {k} months."),
                        ("第一次买，不太懂。", "First time buying, not sure."),
                        ("", ""),
                        ("想多买{k}件。", "Thinking of buying {k}."),
                    ),
                    "positive",
                )
                for t in PRESALE_TOPICS
            },
            ("late_delivery",): (
                ("以后能不能换个快递？", "Could you use another courier next time?"),
                ("太耽误事了。", "This really held me up."),
                ("给个说法吧。", "I'd like an explanation."),
                ("下次还这么慢就不买了。", "If it is this slow again I'm done."),
                ("怎么补偿？", "How will you make up for it?"),
            ),
            ("defect",): (
                ("这是质量问题吧？", "This is a quality defect, right?"),
                ("明显的质量问题，怎么处理？", "Clearly defective, what will you do?"),
                ("次品吧，给换一个。", "It's a defective unit, please replace it."),
                ("质量问题，要求退款。", "It's defective, I want a refund."),
                ("照片发你了，质量问题你看下。", "I've sent photos of the defect, please look."),
                ("质量问题运费你们出吧？", "It's a defect, so you cover the postage?"),
            ),
            ("wrong_item",): (
                ("麻烦给补发。", "Please send the right one."),
                ("怎么处理？", "How will you fix this?"),
                ("太粗心了吧。", "That was careless."),
                ("我要换货。", "I want an exchange."),
                ("", ""),
            ),
            ("usage",): (
                ("谢谢。", "Thanks."),
                ("麻烦了。", "Thank you for your help."),
                ("", ""),
                ("在线等。", "Waiting online."),
                ("急用。", "I need it soon."),
            ),
            ("refund",): (
                ("退款什么时候到账？", "When will the refund arrive?"),
                ("麻烦尽快处理。", "Please process it soon."),
                ("运费谁出？", "Who pays the return postage?"),
                ("寄回地址是哪里？", "What is the return address?"),
                ("{courier}单号已经填了。", "I've entered the {courier} tracking number."),
                ("多久能退回来？", "How long does the refund take?"),
            ),
        },
    ),
)

# ---------------------------------------------------------------------------------------------
# Return notes: why the buyer sent the item back, in a line or two.

RETURN_SLOTS = (
    Slot(
        (),
        {},
        (
            ("", "Return request."),
            ("", "Returning an item."),
            ("亲，", "Hi."),
            ("你好，", "Hello."),
            ("客服，", "To the service team:"),
            ("麻烦了，", "Sorry for the trouble."),
        ),
    ),
    Slot(
        (),
        {},
        (
            *_ORDER_NUMBER,
            ("收到{k}天了，", "Received it {k} days ago."),
            ("{hh}点刚收到，", "It came at {hh}:00."),
        ),
    ),
    Slot(
        ("cause", "category"),
        {
            **_by_category({"defect": DEFECT, "size_fit": SIZE_FIT}),
            ("size_fit", "*"): SIZE_FIT["*"],
            ("late_delivery", "*"): (
                ("等了{n}天才到，已经不需要了，", "It took {n} days, I no longer need it."),
                ("物流太慢，{n}天，", "Delivery far too slow: {n} days."),
                ("快递{n}天才送到，错过了要用的时候，", "Took {n} days and missed the occasion."),
                ("{courier}太慢了，不要了，", "{courier} was too slow, I don't want it now."),
            ),
            ("not_as_described", "*"): NOT_AS_DESCRIBED,
            ("changed_mind", "*"): (
                ("{item}不想要了，", "Don't want the {item} anymore."),
                *CHANGED_MIND,
                ("{item}七天无理由退货，", "Seven-day no-reason return of the {item}."),
                ("{item}买了别家的，", "Bought the {item} elsewhere."),
            ),
        },
    ),
    Slot(
        ("cause",),
        {
            ("defect",): (
                ("质量问题，申请退货。", "Quality defect, returning it."),
                ("次品，要求退款。", "Defective unit, refund please."),
                ("明显质量问题，运费商家出。", "Clearly defective; the shop pays the postage."),
                ("有瑕疵，退了。", "Flawed, sending it back."),
            ),
            ("size_fit",): (
                ("想换{size}码的。", "I'd like to swap it for {size}."),
                ("东西没用过，已用{courier}寄回。", "Unused, sent back with {courier}."),
                (
                    "包装都还在，{courier}单号已填。",
                    "All packaging kept; {courier} tracking entered.",
                ),
                ("已经用{courier}寄回了。", "Sent back with {courier}."),
            ),
        },
        (
            ("{item}没用过。", "The {item} is unused."),
            ("{item}包装完好。", "The {item}'s packaging is intact."),
            ("已经用{courier}寄回了。", "Sent back with {courier}."),
            ("{courier}单号已填。", "{courier} tracking number entered."),
            ("{item}只试了一下。", "Only tried the {item} once."),
            ("{item}没拆。", "The {item} is still sealed."),
        ),
    ),
    Slot(
        (),
        {},
        (
            ("麻烦尽快退款。", "Please refund soon."),
            ("谢谢。", "Thanks."),
            ("辛苦了。", "Thanks for your trouble."),
            ("请尽快处理。", "Please handle it soon."),
            ("", ""),
            ("🙏", "🙏"),
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# What each text is about, its placeholders' values, and the texts.

_VOCAB = dict(
    sentiment=SENTIMENTS, topic=None, category=CATS, cause=CAUSES
)  # topic: per kind of text
# the pre-sale questions' weights (PRESALE_TOPICS) by category; a festival's pre-sale and peak
# days make price questions likelier, a logistics stop delivery questions
PRESALE_WEIGHTS = dict(apparel=(0.40, 0.25, 0.15, 0.20), sports=(0.25, 0.30, 0.20, 0.25))
PRESALE_WEIGHTS_OTHER = (0.12, 0.38, 0.20, 0.30)
FESTIVAL_PRICE_MULT = 2.5
STOP_DELIVERY_MULT = 4.0
WRONG_ITEM_SHARE = 0.3  # of delivery contacts with no cause the simulator makes
DEFECT_CONTACT_SHARE = 0.5  # of those whose order holds a defective product: about the defect
# what a return reason (storeops.sim.aftersales.REASONS) is, as a cause
RETURN_CAUSES = ("size_fit", "defect", "late_delivery", "not_as_described", "changed_mind")


@dataclass(frozen=True)
class Shelf:
    """What texts say about the products: per SKU its category, item word (index into ITEMS)
    and list price, and which SKUs are on sale each day (a browsing shopper asks about one)."""

    category: np.ndarray
    item: np.ndarray
    price: np.ndarray
    launched: np.ndarray  # [day, sku]


def shelf(names, category: np.ndarray, price: np.ndarray, launched: np.ndarray) -> Shelf:
    """The `Shelf` of a catalogue whose names read "<adjective> <item word> <number>"."""
    words = [str(n).split(" ", 1)[1].rsplit(" ", 1)[0] for n in names]
    unknown = sorted({w for w in words if w not in ITEM_ZH})
    if unknown:
        raise ValueError(f"product item word {unknown[0]!r} has no Chinese in ITEM_ZH")
    return Shelf(
        np.asarray(category, dtype=np.int64),
        np.array([ITEMS.index(w) for w in words], dtype=np.int64),
        np.clip(np.round(np.asarray(price, dtype=float)), 0, NUMBERS - 1).astype(np.int64),
        launched,
    )


_COMPILED: dict[str, Grammar] = {}


def grammar(kind: str) -> Grammar:
    """The compiled grammar of "review", "chat" or "return" texts (compiled once)."""
    if kind not in _COMPILED:
        slots, topics = dict(
            review=(REVIEW_SLOTS, REVIEW_TOPICS),
            chat=(CHAT_SLOTS, CHAT_TOPICS),
            **{"return": (RETURN_SLOTS, REVIEW_TOPICS)},
        )[kind]
        _COMPILED[kind] = compile_grammar(slots, {**_VOCAB, "topic": topics})
    return _COMPILED[kind]


# the random placeholders and how many values each takes, drawn from two uniforms per text
_RADIX = (
    (
        ("size", len(SIZES)),
        ("colour", len(COLOURS)),
        ("courier", len(COURIERS)),
        ("city", len(CITIES)),
        ("budget", 190),
    ),
    (("height", 36), ("kg", 48), ("k", 8)),
    (("tail", 9000), ("hh", 13)),
)
VALUE_UNIFORMS = len(_RADIX)


def _values(u: np.ndarray, sku: np.ndarray, shelf_: Shelf, n=None) -> dict[str, np.ndarray]:
    """Each placeholder's value per row (see `compose`): the item and its price from `sku`,
    courier days `n`, the rest from `u` (VALUE_UNIFORMS columns), each uniform read as the
    digits of a mixed-radix number."""
    out = dict(item=shelf_.item[sku], price=shelf_.price[sku])
    for col, digits in enumerate(_RADIX):
        x = u[:, col].astype(np.float64)
        for name, base in digits:
            digit = np.minimum((x * base).astype(np.int64), base - 1)
            x = x * base - digit
            out[name] = digit
    out["height"] = out["height"] + 150
    out["kg"] = out["kg"] + 42
    out["jin"] = 2 * out["kg"]
    out["k"] = out["k"] + 2
    out["tail"] = out["tail"] + 1000
    out["hh"] = out["hh"] + 10
    out["budget"] = 100 + 10 * out["budget"]
    if n is not None:
        out["n"] = np.clip(n, 0, NUMBERS - 1)
    return out


def _sentiment_of_stars(stars: np.ndarray) -> np.ndarray:
    return np.where(stars <= 2, 0, np.where(stars == 3, 1, 2))


def review_causes(
    stars: np.ndarray, defective: np.ndarray, return_reason: np.ndarray, courier_days: np.ndarray
) -> np.ndarray:
    """What a review is about (index into CAUSES), in this order: a defect (the line went
    back as defective, or its product is defective and it got 3 stars or fewer), a late
    delivery (courier days past LATE_REVIEW_DAYS, as the stars), the reason the line went
    back (`return_reason`: index into RETURN_CAUSES, -1 kept), else none."""
    as_cause = np.array([CAUSES.index(c) for c in RETURN_CAUSES])
    returned = return_reason >= 0
    reason = np.where(returned, as_cause[np.maximum(return_reason, 0)], 0)
    defect = (reason == CAUSES.index("defect")) | (defective & (stars <= 3))
    return np.select(
        [defect, courier_days > LATE_REVIEW_DAYS, returned],
        [CAUSES.index("defect"), CAUSES.index("late_delivery"), reason],
        CAUSES.index("none"),
    )


ENGLISH_SHARE = 0.3  # buyers who write in English (the store also sells abroad)


def buyer_language(seed: int, order_key: np.ndarray, name: str = "buyer-language") -> np.ndarray:
    """The language (index into LANGS) of each order's buyer: all the texts about an order,
    its reviews, return notes and chats, are in one language."""
    return (keyed_uniforms(seed, name, order_key, 1)[:, 0] < ENGLISH_SHARE).astype(np.int64)


def review_texts(
    seed: int,
    shelf_: Shelf,
    key: np.ndarray,
    sku: np.ndarray,
    stars: np.ndarray,
    courier_days: np.ndarray,
    cause: np.ndarray,
    lang: np.ndarray,
) -> tuple[pa.Array, dict[str, np.ndarray]]:
    """Review texts (each in its `lang`) and their labels (intent, cause, sentiment)."""
    sentiment = _sentiment_of_stars(stars)
    # no cause: gripe, meh or praise by the stars; else the cause (REVIEW_TOPICS[3:] follow
    # CAUSES[1:6])
    topic = np.where(cause == 0, np.array([2, 1, 0])[sentiment], cause + 2)
    slots = grammar("review")
    n_slots = slot_uniforms(slots)
    u = keyed_uniforms(seed, "review-text", key, n_slots + VALUE_UNIFORMS)
    codes = dict(sentiment=sentiment, topic=topic, category=shelf_.category[sku])
    values = _values(u[:, n_slots:], sku, shelf_, courier_days)
    texts = compose(slots, codes, u, values, lang)
    intent = np.array([INTENTS.index(i) for i in ("complaint", "mixed", "praise")])[sentiment]
    return texts, dict(intent=intent, cause=cause, sentiment=sentiment)


def return_texts(
    seed: int,
    shelf_: Shelf,
    key: np.ndarray,
    sku: np.ndarray,
    reason: np.ndarray,
    courier_days: np.ndarray,
    lang: np.ndarray,
) -> tuple[pa.Array, dict[str, np.ndarray]]:
    """Return notes (the buyer's words for `reason`, an index into RETURN_CAUSES, each in its
    `lang`) and their labels."""
    cause = np.array([CAUSES.index(c) for c in RETURN_CAUSES])[reason]
    slots = grammar("return")
    n_slots = slot_uniforms(slots)
    u = keyed_uniforms(seed, "return-text", key, n_slots + VALUE_UNIFORMS)
    codes = dict(cause=cause, category=shelf_.category[sku])
    values = _values(u[:, n_slots:], sku, shelf_, courier_days)
    texts = compose(slots, codes, u, values, lang)
    upset = np.isin(
        cause, [CAUSES.index(c) for c in ("defect", "late_delivery", "not_as_described")]
    )
    sentiment = np.where(upset, 0, 1)
    intent = np.full(cause.size, INTENTS.index("return"))
    return texts, dict(intent=intent, cause=cause, sentiment=sentiment)


CHAT_SOURCES = ("presale-order", "presale-browser", "delivery", "return")  # key spaces


@dataclass(frozen=True)
class ChatEvents:
    """What each chat's customer lived, per chat: its key and source (CHAT_SOURCES), day, the
    product (-1: a shopper who asked and did not buy, about a SKU on sale that day), whether
    the day is a festival's (pre-sale or peak) or in a logistics stop, the order's courier
    days, whether the order holds a defective product, and a return contact's reason (index
    into RETURN_CAUSES, -1: none)."""

    key: np.ndarray
    source: np.ndarray
    day: np.ndarray
    sku: np.ndarray
    festive: np.ndarray
    stop: np.ndarray
    courier_days: np.ndarray
    defective: np.ndarray
    return_reason: np.ndarray


def _chat_uniforms(seed: int, ev: ChatEvents, columns: int) -> np.ndarray:
    """Each chat's uniforms from the stream of its source (so key spaces never collide)."""
    u = np.empty((ev.key.size, columns), dtype=np.float32)
    for k, name in enumerate(CHAT_SOURCES):
        mine = np.flatnonzero(ev.source == k)
        u[mine] = keyed_uniforms(seed, f"chat-text-{name}", ev.key[mine], columns)
    return u


def _on_sale(u: np.ndarray, day: np.ndarray, launched: np.ndarray) -> np.ndarray:
    """A SKU on sale on `day`, picked by `u` (the first SKU if none is)."""
    on_day, on_sku = np.nonzero(launched)
    count = np.bincount(on_day, minlength=launched.shape[0])
    first = np.cumsum(count) - count
    n = count[day]
    pick = first[day] + np.minimum((u * n).astype(np.int64), np.maximum(n - 1, 0))
    return np.where(n > 0, on_sku[np.minimum(pick, max(on_sku.size - 1, 0))], 0)


def chat_topics(
    u: np.ndarray, ev: ChatEvents, category: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each chat's topic (CHAT_TOPICS) and cause (CAUSES) from two uniforms per chat.

    Pre-sale: a question drawn with PRESALE_WEIGHTS of its category, price questions
    FESTIVAL_PRICE_MULT times likelier on a festival day (cause: festival), delivery questions
    STOP_DELIVERY_MULT times in a logistics stop (cause: logistics_stop). A delivery contact
    is about the late parcel with the share of its chance the lateness added (service.py's
    CONTACT_PER_LATE_DAY per day past three over the whole chance); else about a defective
    product the order holds (DEFECT_CONTACT_SHARE), a wrong item or a usage question (no
    cause). A return contact is about the defect, or asks after the refund (its reason).
    """
    t = {name: CHAT_TOPICS.index(name) for name in CHAT_TOPICS}
    c = {name: CAUSES.index(name) for name in CAUSES}
    w = np.array([PRESALE_WEIGHTS.get(cat, PRESALE_WEIGHTS_OTHER) for cat in CATS])[category]
    w[:, 3] *= np.where(ev.festive, FESTIVAL_PRICE_MULT, 1.0)
    w[:, 1] *= np.where(ev.stop, STOP_DELIVERY_MULT, 1.0)
    cdf = np.cumsum(w, axis=1)
    ask = np.minimum((u[:, 0:1] * cdf[:, -1:] >= cdf).sum(axis=1), 3)
    late = CONTACT_PER_LATE_DAY * np.maximum(ev.courier_days - LATE_CHAT_DAYS, 0)
    is_late = u[:, 0] < late / (CONTACT_AFTER_DELIVERY + late)
    is_defect = ev.defective & (u[:, 1] < DEFECT_CONTACT_SHARE)
    rest = (u[:, 1] % DEFECT_CONTACT_SHARE) / DEFECT_CONTACT_SHARE  # uniform again
    wrong = rest < WRONG_ITEM_SHARE
    other = np.where(is_defect, t["defect"], np.where(wrong, t["wrong_item"], t["usage"]))
    reason = np.array([CAUSES.index(r) for r in RETURN_CAUSES])[np.maximum(ev.return_reason, 0)]
    topic = np.select(
        [ev.source <= 1, ev.source == 2, reason == c["defect"]],
        [ask, np.where(is_late, t["late_delivery"], other), t["defect"]],
        t["refund"],
    )
    cause = np.select(
        [
            (ev.source <= 1) & (topic == t["ask_price"]) & ev.festive,
            (ev.source <= 1) & (topic == t["ask_delivery"]) & ev.stop,
            topic == t["late_delivery"],
            topic == t["defect"],
            ev.source == 3,
        ],
        [c["festival"], c["logistics_stop"], c["late_delivery"], c["defect"], reason],
        c["none"],
    )
    return topic, cause


CHAT_INTENTS = (
    "ask_size",
    "ask_delivery",
    "ask_stock",
    "ask_price",
    "chase_delivery",
    "report_defect",
    "report_wrong_item",
    "ask_usage",
    "ask_refund",
)  # the intent of each of CHAT_TOPICS


def chat_languages(seed: int, ev: ChatEvents) -> np.ndarray:
    """A chat's language: its order's buyer's (`buyer_language`), a browser's own."""
    order_key = np.where(ev.source == 3, ev.key // 2048, ev.key)  # service.py's return key
    browser = ev.source == 1
    lang = buyer_language(seed, order_key)
    lang[browser] = buyer_language(seed, ev.key[browser], "browser-language")
    return lang


def chat_texts(
    seed: int, shelf_: Shelf, ev: ChatEvents, lang: np.ndarray | None = None
) -> tuple[pa.Array, dict[str, np.ndarray]]:
    """Each chat's first customer message (in `lang`, by default the customer's, see
    `chat_languages`) and its labels."""
    slots = grammar("chat")
    n_slots = slot_uniforms(slots)
    u = _chat_uniforms(seed, ev, 3 + n_slots + VALUE_UNIFORMS)
    sku = np.where(ev.sku >= 0, ev.sku, _on_sale(u[:, 2], ev.day, shelf_.launched))
    category = shelf_.category[sku]
    topic, cause = chat_topics(u[:, :2], ev, category)
    codes = dict(topic=topic, category=category, cause=cause)
    values = _values(u[:, 3 + n_slots :], sku, shelf_, ev.courier_days)
    if lang is None:
        lang = chat_languages(seed, ev)
    texts = compose(slots, codes, u[:, 3 : 3 + n_slots], values, lang)
    upset = np.isin(topic, [CHAT_TOPICS.index(t) for t in UPSET_TOPICS]) | (
        (topic == CHAT_TOPICS.index("refund"))
        & np.isin(cause, [CAUSES.index("not_as_described"), CAUSES.index("late_delivery")])
    )
    intent = np.array([INTENTS.index(i) for i in CHAT_INTENTS])[topic]
    return texts, dict(intent=intent, cause=cause, sentiment=np.where(upset, 0, 1))


UPSET_TOPICS = ("late_delivery", "defect", "wrong_item")  # a chat about one is upset
_ALPHABET = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def text_truth(labels: dict[str, dict[str, np.ndarray]]) -> dict:
    """The labels of every text (instructor-only): per table, one character per row in the
    table's row order for each label, an index (0-9, then a-z) into `vocabulary`."""
    return dict(
        vocabulary=dict(intent=list(INTENTS), cause=list(CAUSES), sentiment=list(SENTIMENTS)),
        tables={
            table: {
                name: _ALPHABET[np.asarray(codes, dtype=np.int64)].tobytes().decode("ascii")
                for name, codes in per.items()
            }
            for table, per in labels.items()
        },
        rule=dict(
            reviews=(
                "cause: a defect (the line went back as defective, or its product is defective "
                f"and got 3 stars or fewer), else a late delivery (courier days past "
                f"{LATE_REVIEW_DAYS}), else the reason the line went back, else none; "
                "sentiment from the stars (1-2 negative, 3 neutral, 4-5 positive); intent: "
                "complaint, mixed or praise as the sentiment"
            ),
            returns="cause: the return reason; negative for a defect, a late delivery or an "
            "item not as described, else neutral; intent: return",
            service_chats=(
                "pre-sale questions by category weights "
                f"{dict(PRESALE_WEIGHTS, other=PRESALE_WEIGHTS_OTHER)} over "
                f"{list(PRESALE_TOPICS)}; price questions x{FESTIVAL_PRICE_MULT} on festival "
                f"days (cause festival), delivery questions x{STOP_DELIVERY_MULT} in a "
                "logistics stop (cause logistics_stop); a delivery contact is about the late "
                "parcel with the share of its contact chance the lateness added, else about a "
                f"defective product in the order ({DEFECT_CONTACT_SHARE}), a wrong item or a "
                "usage question; a return contact reports the defect or asks after the refund "
                "(cause: its reason); negative: late delivery, defect, wrong item, a refund "
                "for an item not as described or late"
            ),
        ),
    )
