"""The live widgets recompute in the built book, in the browser, exactly as Python does.

For every live widget on every page: move each control to several positions (the ends,
one step in from an end, positions in between, every option of a menu), read every figure
the page shows, and compare it with the widget class's Python ``compute`` on the same
state (the state embedded in the page, the controls' values read back from the page).
Nothing may be requested outside 127.0.0.1 and the console must stay free of errors.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from browser_harness import open_offline

from storeops.widgets.live import LiveWidget, live_class

pytestmark = pytest.mark.browser

STATE_RE = re.compile(
    r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S
)
VIEW_RE = re.compile(
    r'<script type="application/vnd.jupyter.widget-view\+json">(.*?)</script>', re.S
)
MAX_STATE_BYTES = 2 * 1024 * 1024


def page_state(path: Path) -> tuple[dict, list[str], int]:
    """(models by id, ids of the models shown, bytes of embedded state) of a built page."""
    text = path.read_text("utf-8")
    blocks = STATE_RE.findall(text)
    models: dict = {}
    for block in blocks:
        models.update(json.loads(block)["state"])
    shown = [json.loads(v)["model_id"] for v in VIEW_RE.findall(text)]
    return models, shown, sum(len(b.encode("utf-8")) for b in blocks)


def live_widgets(models: dict, shown: list[str]) -> list[tuple[type[LiveWidget], dict]]:
    out = []
    for model_id in shown:
        model = models[model_id]
        if model["model_module"] == "anywidget":
            out.append((live_class(model["state"]["_anywidget_id"]), model["state"]))
    return out


def chapter_pages(html_root: Path) -> list[Path]:
    """Built chapter pages (not the exercise pages, whose widgets call the learner's code)."""
    return sorted(
        p
        for top in ("book", "chapters")
        for p in (html_root / top).rglob("*.html")
        if "exercises" not in p.relative_to(html_root).parts
    )


def test_every_widget_on_a_chapter_page_is_live_and_its_state_small(built_book):
    seen = 0
    for path in chapter_pages(built_book):
        models, shown, size = page_state(path)
        rel = path.relative_to(built_book)
        assert size < MAX_STATE_BYTES, f"{rel}: {size:,} bytes of widget state"
        for model_id in shown:
            model = models[model_id]
            assert model["model_module"] == "anywidget", (
                f"{rel}: a {model['model_name']} is shown; chapter widgets must be live"
            )
            live_class(model["state"]["_anywidget_id"])
            seen += 1
    assert seen >= 3, "the KPI tree, the dashboard and the budget allocator are live widgets"


def _control_values(root) -> dict:
    return root.evaluate(
        """r => Object.fromEntries([...r.querySelectorAll('[data-control]')].map(c =>
             [c.dataset.control, c.type === 'range' ? c.valueAsNumber : c.value]))"""
    )


def _figures(root) -> dict:
    return root.evaluate(
        """r => Object.fromEntries([...r.querySelectorAll('[data-figure]')].map(f =>
             [f.dataset.figure, f.textContent]))"""
    )


def _as_state(value, like):
    """A control's value as the trait holds it (slider positions of integer traits are ints)."""
    if isinstance(like, bool) or like is None:
        return value
    if isinstance(like, int) and float(value).is_integer():
        return int(value)
    return value


def _positions(control, rng: random.Random) -> list:
    """Where to put a control: ends, one step in, random stops; every option of a menu."""
    kind = control.evaluate("c => c.type")
    if kind == "range":
        lo, hi, step = (float(control.get_attribute(a)) for a in ("min", "max", "step"))
        n = round((hi - lo) / step)
        stops = {0, n, 1, n - 1, *(rng.randint(0, n) for _ in range(3))}
        return [("key", "Home"), ("key", "End"), ("key", "ArrowLeft")] + [
            ("value", repr(round(lo + k * step, 10)))
            for k in sorted(s for s in stops if 0 <= s <= n)
        ]
    options = control.evaluate("c => [...c.options].map(o => o.value)")
    return [("option", o) for o in options]


def _move(control, how: str, arg: str) -> None:
    if how == "key":
        control.focus()
        control.press(arg)
    elif how == "option":
        control.select_option(arg)
    else:  # a slider dragged to a position: the value set and the input event the drag fires
        control.evaluate(
            "(c, v) => { c.value = v; c.dispatchEvent(new Event('input', {bubbles: true})); }", arg
        )


def _check(root, cls: type[LiveWidget], state: dict, where: str) -> str:
    """Compare the figures shown with Python's for the controls' current values."""
    controls = _control_values(root)
    values = dict(state)
    for key, value in controls.items():  # "spends.search" is the "search" entry of "spends"
        name, _, entry = key.partition(".")
        if entry:
            values[name] = {**values[name], entry: _as_state(value, state[name].get(entry))}
        else:
            values[name] = _as_state(value, state.get(name))
    shown_figures = _figures(root)
    expected = cls.compute(values)
    assert shown_figures == expected, (
        f"{where} at {controls}: browser {shown_figures} != python {expected}"
    )
    return json.dumps(expected, sort_keys=True)


def live_pages(html_root: Path) -> list[Path]:
    return [p for p in chapter_pages(html_root) if live_widgets(*page_state(p)[:2])]


def test_live_widgets_compute_in_the_browser_what_python_computes(built_book, site, browser):
    pages = live_pages(built_book)
    assert pages, "no page shows a live widget"
    rng = random.Random(20)
    for path in pages:
        rel = path.relative_to(built_book).as_posix()
        models, shown, _ = page_state(path)
        widgets = live_widgets(models, shown)
        context, page, outside, errors = open_offline(browser, f"{site}/{rel}")
        try:
            page.wait_for_function(
                "n => document.querySelectorAll('[data-live-widget][data-ready]').length >= n",
                arg=len(widgets),
                timeout=20_000,
            )
            roots = page.locator("[data-live-widget]")
            assert roots.count() == len(widgets), f"{rel}: not every live widget rendered"
            for i, (cls, state) in enumerate(widgets):
                root = roots.nth(i)
                widget_id = root.get_attribute("data-live-widget")
                assert widget_id == state["_anywidget_id"], f"{rel}: widgets out of order"
                label = f"{rel} {widget_id}"
                checked = {_check(root, cls, state, f"{label} as loaded")}
                names = root.evaluate(
                    "r => [...r.querySelectorAll('[data-control]')].map(c => c.dataset.control)"
                )
                assert names, f"{rel} {widget_id}: no control"
                for name in names:
                    control = root.locator(f'[data-control="{name}"]')
                    for how, arg in _positions(control, rng):
                        _move(control, how, arg)
                        checked.add(_check(root, cls, state, f"{label} {name} {how} {arg}"))
                assert len(checked) > len(names), f"{rel} {widget_id}: the figures never changed"
            assert not outside, f"{rel}: requests left 127.0.0.1: {outside[:5]}"
            assert not errors, f"{rel}: console errors: {errors[:3]}"
        finally:
            context.close()
