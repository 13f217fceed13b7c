"""Model answers of written questions, written from the store the page runs on.

A written question's model answer quotes the numbers of the learner's store; typed once it
would be wrong on every other store (and on this one after the simulator changes). The book
build executes the exercise page with the reference solutions, then a last hidden cell calls
:func:`glue_model_answers`, which writes each answer from the page's namespace and glues it
(``<question>_model``) for the model-answer dropdown. Instructor and build side only: the
generator turns a notebook's answers into prose, so it is not part of what a learner imports.
"""

from __future__ import annotations

from collections.abc import Callable


def _ch3_plan(ns: dict) -> str:
    """Question 12 of chapter 3: the July-August promotion plan, from questions 2-13."""
    be, roas = float(ns["break_even_roas"]), ns["roas_by_channel"]
    budget, today, mp = ns["media_budget"], ns["today"], ns["marginal_profit"]
    parts = [f"**On this store** the break-even ROAS of July and August is {be:.2f}."]
    for ch in budget.index:
        verdict = "loses" if roas[ch] < be else "earns"
        move = (
            "is switched off"
            if budget[ch] == 0
            else f"moves from ¥{today[ch]:,.0f} to ¥{budget[ch]:,.0f} a day"
        )
        parts.append(
            f"{ch.capitalize()} returned {roas[ch]:.2f} yuan of revenue per yuan in July and "
            "August, "
            f"so its average yuan {verdict} money, and its next yuan earns {mp[ch]:+.2f} in "
            f"profit: it {move}."
        )
    saved = float((today[budget.index] - budget).sum())
    parts.append(
        f"That spends ¥{abs(saved):,.0f} a day {'less' if saved >= 0 else 'more'} than today; "
        "a holdout region (or a staged cut) checks what search and direct lose with it, since "
        "last-click credit misses the visits that come back later."
    )
    bid = float(ns["search_bid"])
    parts.append(
        f"The search bid is ¥{bid:.2f} a click, below what a click is worth in profit: a higher "
        "bid buys a higher position and more clicks, each dearer than the average one."
    )
    uplift = float(ns["d618_contribution_uplift"])
    parts.append(
        f"6.18, counted from pre-sale to the end of the dip, {'added' if uplift >= 0 else 'cost'}"
        f" ¥{abs(uplift):,.0f} of contribution against ordinary days."
    )
    parts.append(
        "The risk is a cut that loses more orders than the curves say: weekly orders and cost "
        "per order by channel show it within two weeks."
    )
    return " ".join(parts)


def _ch1_brief(ns: dict) -> str:
    """Question 15 of chapter 1: the positioning and festival brief, from questions 3-9."""
    store = ns["store"]
    done = store.orders[store.orders["status"] == "completed"]
    lines = store.order_lines[store.order_lines["order_id"].isin(done["order_id"])]
    lines = lines.merge(store.products[["sku", "category", "unit_cost"]], on="sku")
    sales = (lines["quantity"] * lines["unit_price"]).groupby(lines["category"]).sum()
    cost = (lines["quantity"] * lines["unit_cost"]).groupby(lines["category"]).sum()
    margin = 1 - cost / sales
    top, best = sales.idxmax(), margin.idxmax()
    index = ns["buyer_index"]
    plan, budget = ns["d11_plan"], ns["quarter_budget"]
    if not plan["join"]:
        festival = "stays out of Double 11"
    else:
        cut = f"a {plan['discount']:.0%} storewide discount" if plan["discount"] else "no discount"
        deposit = (
            f"a pre-sale with a {plan['deposit']:.0%} deposit" if plan["deposit"] else "no pre-sale"
        )
        festival = f"joins Double 11 with {cut} and {deposit}"
    months = ", ".join(f"{m} ¥{v:,.0f}" for m, v in budget.items())
    year = store.tables["finance"].sum(numeric_only=True)
    year_be = (year["gross_sales"] - year["discounts"]) / (year["contribution"] + year["ad_spend"])
    be = float(ns["festival_break_even_roas"])
    ads = store.traffic[store.traffic["channel"].isin(["display", "social"])]
    spent = float(ads.loc[ads["date"].dt.strftime("%Y-%m").isin(list(budget.index)), "spend"].sum())
    change = "cut" if float(budget.sum()) < spent else "rise"
    return " ".join(
        [
            f"**On this store** {top} brings the most sales ({sales[top] / sales.sum():.0%}) and "
            f"{best} the best gross margin ({margin[best]:.0%}); paying buyers per day run from "
            f"{index.min():.2f} to {index.max():.2f} times the average month, highest in "
            f"{index.idxmax():%B}.",
            f"Next November's target (25 % above this November, 客单价 up 8 %) needs "
            f"{ns['november_daily_visitors']:,.0f} visitors a day at this November's conversion.",
            f"In Double 11 the break-even ROAS is {be:.2f} ({year_be:.2f} over the year): an ad "
            "must bring back that much revenue per yuan to pay for itself, "
            f"{'more' if be > year_be else 'less'} than over the whole year. "
            f"The plan {festival}.",
            f"The fourth quarter's display and social budgets are {months} (¥{spent:,.0f} "
            "this year), each month funded in proportion to what its ads earn back in profit.",
            f"The Double 11 stock order goes out {ns['order_days_before_presale']} days before "
            "the first pre-sale day (the supplier's late lead time plus a week).",
            f"Risk: the budget {change} {'loses' if change == 'cut' else 'wins'} "
            f"{'more' if change == 'cut' else 'fewer'} orders than last-click figures show; "
            "weekly orders and direct visits show it within two weeks, and a holdout month "
            "settles it.",
        ]
    )


def _ch2_report(ns: dict) -> str:
    """Question 9 of chapter 2: the morning report on the checkout failure of questions 5-6."""
    import pandas as pd

    from storeops.analysis.daily import baseline

    store, day = ns["store"], pd.Timestamp(ns["failure_day"])
    funnel = store.funnel.groupby(["date", "device"])[
        ["sessions", "product_views", "add_to_carts", "orders"]
    ].sum()
    steps = pd.DataFrame(
        {
            "view": funnel["product_views"] / funnel["sessions"],
            "cart": funnel["add_to_carts"] / funnel["product_views"],
            "checkout": funnel["orders"] / funnel["add_to_carts"],
            "orders per session": funnel["orders"] / funnel["sessions"],
        }
    ).unstack("device")
    vs = (steps / steps.apply(baseline, same_weekday=False)).loc[day]
    device = vs["checkout"].idxmin()
    store_conv = (
        funnel["orders"].groupby(level="date").sum()
        / funnel["sessions"].groupby(level="date").sum()
    )
    conv_ratio = float((store_conv / baseline(store_conv, same_weekday=False)).loc[day])
    looked = (
        "looked almost normal, but"
        if conv_ratio >= 0.9
        else f"was down to {conv_ratio:.0%} of usual, because"
    )
    lost = float(ns["lost_orders"])
    return (
        f"**On this store.** On {day:%A %d %B} the store's daily conversion {looked} "
        f"{device} shoppers could not pay: the {device} checkout step (orders per cart) ran at "
        f"{vs[('checkout', device)]:.0%} of its 28-day median while viewing and adding to cart "
        f"ran at {vs[('view', device)]:.0%} and {vs[('cart', device)]:.0%} of theirs. "
        f"{device.capitalize()} took about {lost:,.0f} fewer orders than on a usual "
        f"{day:%A}. I recommend that IT confirm the fix of the {device} payment page and add "
        "an alert on hourly orders per device; customer service sends the affected carts a "
        f"reminder. Tomorrow I will check that the {device} checkout step is back within its "
        "normal band and count the reminder orders separately."
    )


def _ch4_range(ns: dict) -> str:
    """Question 10 of chapter 4: push, clear or drop, from questions 1, 2, 4, 5 and 9."""
    top, sell = float(ns["top20_share"]), float(ns["sell_through"])
    lost, rop, rule = float(ns["lost_units"]), float(ns["reorder_point"]), ns["reorder_rule"]
    short = ns["short"]
    concentrated = "more" if top > 0.8 else "less"
    parts = [
        f"**On this store** the top 20 % of SKUs earn {top:.0%} of the revenue, {concentrated} "
        "concentrated than the 80/20 rule: push the A items with stock and ad budget, and judge "
        "each C item by the job it does (a traffic item or a bundle partner) before dropping it.",
        f"November's sell-through was {sell:.0%}: the {1 - sell:.0%} of SKUs on sale that sold "
        "nothing tie up stock and are the first to clear (at a depth chosen on profit, counting "
        "the write-down) or drop.",
        f"Stock-outs cost {short} about {lost:,.0f} units of sales in the year; its reorder point "
        f"for a 95 % service level is about {rop:,.0f} units, and the rule chosen (a service "
        f"level of {float(rule['service_level']):.0%} with {float(rule['cover_days']):.0f} days "
        + (
            "of cover) buys safety stock because a lost sale costs far more margin than holding "
            "a unit."
            if float(rule["service_level"]) >= 0.9
            else "of cover) keeps safety stock modest because holding a unit costs a good part "
            "of the margin a lost sale would lose."
        ),
        "The limits: demand on stock-out days is censored (estimated from in-stock days), the "
        "elasticities come from temporary cuts and overstate a lasting change, and one year of "
        "data holds one season of each item: check the reorder rule's stock-outs monthly.",
    ]
    return " ".join(parts)


# what a reply offers for each return reason: a fix the store controls, and the cause to treat
_CH5_FIX = {
    "defective": (
        "a free return and a replacement sent as soon as the item is back, or a full "
        "refund if you prefer",
        "check the batch the item came from with the supplier",
    ),
    "late_delivery": (
        "a full refund once the parcel is back, return shipping on us",
        "promise delivery days the courier keeps in the busy weeks",
    ),
    "size_fit": (
        "a free exchange for another size, or a refund once the item is back",
        "add measurements in centimetres to the size chart",
    ),
    "not_as_described": (
        "a refund once the item is back, return shipping on us",
        "replace the photos and the description that misled the buyer",
    ),
    "changed_mind": (
        "a refund within 48 hours of the item arriving back, as the seven-day rule allows",
        "say clearly on the page what the item is and is not",
    ),
}


def _ch5_reply(ns: dict) -> str:
    """Question 11 of chapter 5: a reply to the store's own complaint (the given cell's)."""
    complaint, order = ns["complaint"], ns["order"]
    reason = str(complaint["reason"])
    fix, change = _CH5_FIX.get(reason, _CH5_FIX["not_as_described"])
    waited = float(complaint["wait_s"])
    return " ".join(
        [
            f"**On this store** the complaint is about order {complaint['order_id']}, item "
            f"{complaint['sku']}, returned as {reason.replace('_', ' ')} after a delivery of "
            f"{float(order['delivery_days']):.0f} days; the customer waited {waited:.0f} s for an "
            "agent.",
            f'A reply: "Hello, and sorry for the trouble with {complaint["sku"]} in your order '
            f"ending {str(complaint['order_id'])[-4:]}. We have registered your return; we offer "
            f'{fix}. We will message you as soon as it is done."',
            "It names the order and the problem, offers a fix within the store's rules with a "
            "time the store controls, blames no one and promises nothing the courier decides.",
            f"What the store should change: {change}"
            + (", and answer faster: the wait was long." if waited > 60 else "."),
        ]
    )


MODEL_ANSWERS: dict[str, dict[str, Callable[[dict], str]]] = {
    "ch1_planning": {"q15": _ch1_brief},
    "ch2_data_analysis": {"q9": _ch2_report},
    "ch3_promotion": {"q12": _ch3_plan},
    "ch4_product": {"q10": _ch4_range},
    "ch5_customer_communication": {"q11": _ch5_reply},
}


def model_answer_names(assignment: str) -> list[str]:
    """The written questions of ``assignment`` whose model answer is written from the store."""
    return sorted(MODEL_ANSWERS.get(assignment, {}))


# What ``myst_nb.glue(name, Markdown(text), display=False)`` displays. Importing myst_nb's glue
# loads docutils and Sphinx, seconds of an exercise page that otherwise never needs them.
GLUE_PREFIX = "application/papermill.record/"


def glue_model_answers(assignment: str, namespace: dict) -> None:
    """Glue each written question's model answer (``<question>_model``, Markdown)."""
    from IPython.display import display

    for question, write in MODEL_ANSWERS.get(assignment, {}).items():
        text = write(namespace)
        bundle = {f"{GLUE_PREFIX}text/markdown": text, f"{GLUE_PREFIX}text/plain": text}
        meta = {"scrapbook": {"name": f"{question}_model", "mime_prefix": GLUE_PREFIX}}
        display(bundle, raw=True, metadata=meta)
