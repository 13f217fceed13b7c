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
            f"{ch.capitalize()} returns {roas[ch]:.2f} yuan of revenue per yuan over the year, "
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


MODEL_ANSWERS: dict[str, dict[str, Callable[[dict], str]]] = {
    "ch3_promotion": {"q12": _ch3_plan},
}


def model_answer_names(assignment: str) -> list[str]:
    """The written questions of ``assignment`` whose model answer is written from the store."""
    return sorted(MODEL_ANSWERS.get(assignment, {}))


def glue_model_answers(assignment: str, namespace: dict) -> None:
    """Glue each written question's model answer (``<question>_model``, Markdown)."""
    from IPython.display import Markdown
    from myst_nb import glue

    for question, write in MODEL_ANSWERS.get(assignment, {}).items():
        glue(f"{question}_model", Markdown(write(namespace)), display=False)
