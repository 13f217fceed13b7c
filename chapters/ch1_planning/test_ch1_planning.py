"""Chapter 1 (planning): the chapter page's promises on several stores, the exercise's
structure, the decision questions' scoring, the pacing widget, transfer not transcription."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storeops.data import load_store

SOURCE = Path(__file__).resolve().parent
ASSIGNMENT = SOURCE.name
NOTEBOOK = SOURCE / f"{ASSIGNMENT}.ipynb"
CHAPTER = SOURCE / "page.md"


@pytest.fixture(scope="module")
def store():
    return load_store()


# -- the chapter page -----------------------------------------------------------------------------
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


@pytest.fixture(scope="module")
def chapter_run():
    """The chapter executed top to bottom as the book build would (with a timeout)."""
    return _execute_chapter()


@pytest.fixture(scope="module", params=["alice", "bob"])
def other_chapter_run(request, tmp_path_factory):
    """The chapter executed on another learner's store (a per-student store of a course)."""
    with pytest.MonkeyPatch.context() as mp:  # the kernel inherits the environment
        mp.setenv("STOREOPS_COURSE_SEED", "20261122")
        mp.setenv("STOREOPS_STUDENT", request.param)
        mp.setenv("STOREOPS_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield _execute_chapter()


def test_chapter_page_format():
    text = CHAPTER.read_text()
    assert text.startswith("---\njupytext:") and "kernelspec:" in text
    first = text.split("```{code-cell}", 1)[1].split("```", 1)[0]
    assert ":tags: [remove-cell]" in first
    code = [line for line in first.splitlines()[1:] if line.strip() and not line.startswith(":")]
    assert len(code) == 1 and code[0].startswith("from storeops.")  # one-line preamble
    assert text.index("After this chapter you can") < text.index("## Positioning")
    assert text.index("## What an operator does") < text.index("## Key terms")
    assert len(re.findall(r"^## ", text, flags=re.M)) >= 6
    assert len(re.findall(r"\{glue:text\}`\w+(:[^`]+)?`", text)) >= 30
    assert len(re.findall(r"```\{glue:figure\}", text)) >= 4
    for term in ("转化率", "客单价", "笔单价", "访客数", "保本投产比", "预售", "双十一", "甘特图"):
        assert term in text, term


def _glued(nb) -> dict[str, object]:
    """Every glued value of the executed page: numbers as floats, the rest as text."""
    values = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if not name:
                continue
            text = o.get("data", {}).get("application/papermill.record/text/plain", "")
            try:
                values[name] = float(text)
            except ValueError:
                values[name] = text.strip("'\"")
    return values


@pytest.mark.slow
def test_chapter_executes_with_figures_and_a_live_widget(chapter_run):
    outputs = [o for c in chapter_run.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" in kinds  # the live KPI tree
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    figures += [o for o in outputs if "application/papermill.record/image/png" in o.get("data", {})]
    assert len(figures) >= 4
    text = CHAPTER.read_text()
    used = set(re.findall(r"\{glue:text\}`(\w+)", text)) | set(
        re.findall(r"```\{glue:figure\} (\w+)", text)
    )
    assert used <= set(_glued(chapter_run)), used - set(_glued(chapter_run))


def _page_claims(g: dict) -> None:
    """The page's fixed sentences, held against the numbers it glues on one store."""
    assert 0 < g["top_cat_share"] <= g["top2_share"] < 1
    assert g["best_margin"] > g["worst_margin"]
    assert g["most_seasonal_swing"] >= g["least_seasonal_swing"] >= 1
    assert g["peak_month_index"] > 1 > g["low_month_index"]
    # "客单价 is on average ... above 笔单价: the buyers who order more than once"
    assert g["buyer_vs_order"] > 0
    # "a 20 % sales goal is mostly a traffic goal": with 5 % + 5 % the rest is visitors
    assert g["visitor_growth"] == pytest.approx(1.2 / 1.05**2 - 1)
    # "an ad ... loses money, even though its ROAS is above 1"
    assert g["break_even_roas"] > 1.5 and 0 < g["share_left"] < 1
    # "Double 11 alone ... holds": the biggest window, a share of the festivals' share
    assert g["top_fest"] == "Double 11" and 0 < g["d11_share"] < g["fest_share"] < 1
    assert g["d11_extra_sales"] > 0  # "it adds ... yuan of sales"
    assert 0 < g["pace_share"] < 1  # mid-month: part of the target made


@pytest.mark.slow
def test_page_claims_hold_on_the_default_store(chapter_run):
    _page_claims(_glued(chapter_run))


@pytest.mark.slow
def test_page_claims_hold_on_other_stores(other_chapter_run):
    _page_claims(_glued(other_chapter_run))


def test_gantt_draws_one_bar_per_task_from_start_to_end():
    import matplotlib.dates as mdates
    import pandas as pd

    from storeops.chapters.ch1_planning.planning import plot_gantt

    tasks = pd.DataFrame(
        {
            "task": ["order stock", "pre-sale"],
            "kind": ["stock", "presale"],
            "start": pd.to_datetime(["2025-10-01", "2025-10-20"]),
            "end": pd.to_datetime(["2025-10-14", "2025-11-10"]),
        }
    )
    ax = plot_gantt(tasks)
    bars = ax.patches
    assert len(bars) == 2
    top = max(bars, key=lambda b: b.get_y())  # the first task is drawn on top
    assert mdates.num2date(top.get_x()).date().isoformat() == "2025-10-01"
    assert top.get_width() == 14  # both ends inclusive
    assert bars[1].get_width() == 22
