"""Live widgets in the built book: time to ready, repaint per control move, state size.

Prints figures; not a test (timings are noisy on a shared machine). Needs the built book
(``make book``) and Debian's chromium. Run with
``.venv/bin/python benchmarks/bench_live_widgets.py [--moves N]``.

For every page with live widgets, served from 127.0.0.1 with every other request
aborted:

* ready: when the last live widget on the page was painted, in ms after navigation
  started (the page stamps it on each widget's ``data-ready``); the goal is < 2 s;
* repaint: per control, N moves to random positions; "update" is the input event to
  the figures rewritten and laid out, "frame" the input event to the end of the next
  animation frame (what the reader sees); the goal is < 50 ms;
* state: bytes of widget state embedded in the page; the goal is < 2 MB.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import statistics
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
STATE_RE = re.compile(
    r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S
)

# One move: set the control, fire the event a drag or a menu fires, time the update (the
# figures rewritten, layout forced) and the next frame.
MOVE_JS = """
async ([root, name, value]) => {
  const c = document.querySelectorAll('[data-live-widget]')[root]
    .querySelector(`[data-control="${name}"]`);
  const t0 = performance.now();
  c.value = value;
  c.dispatchEvent(new Event(c.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true}));
  void document.body.offsetHeight;
  const t1 = performance.now();
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return [t1 - t0, performance.now() - t0];
}
"""

CONTROLS_JS = """
root => [...document.querySelectorAll('[data-live-widget]')[root]
  .querySelectorAll('[data-control]')].map(c => c.tagName === 'SELECT'
    ? {name: c.dataset.control, options: [...c.options].map(o => o.value)}
    : {name: c.dataset.control, min: +c.min, max: +c.max, step: +c.step})
"""


def live_pages() -> list[Path]:
    return sorted(
        p for p in HTML.rglob("*.html") if '"model_module": "anywidget"' in p.read_text("utf-8")
    )


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve():
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=40, help="moves per control")
    parser.add_argument("--loads", type=int, default=3, help="page loads for the ready time")
    args = parser.parse_args()
    import random

    from playwright.sync_api import sync_playwright

    pages = live_pages()
    if not pages:
        raise SystemExit("no built page with live widgets: run `make book` first")
    server = serve()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rng = random.Random(4)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        context.route(
            "**/*",
            lambda r: (
                r.continue_() if r.request.url.startswith((base, "data:", "blob:")) else r.abort()
            ),
        )
        for path in pages:
            rel = path.relative_to(HTML).as_posix()
            state = sum(len(b.encode()) for b in STATE_RE.findall(path.read_text("utf-8")))
            page = context.new_page()
            ready = []
            for _ in range(args.loads):
                page.goto(f"{base}/{rel}", wait_until="load")
                n = len(
                    [
                        m
                        for b in STATE_RE.findall(path.read_text("utf-8"))
                        for m in json.loads(b)["state"].values()
                        if m["model_module"] == "anywidget"
                    ]
                )
                page.wait_for_function(
                    "n => document.querySelectorAll('[data-live-widget][data-ready]').length >= n",
                    arg=n,
                    timeout=30_000,
                )
                stamps = page.eval_on_selector_all(
                    "[data-live-widget]", "els => els.map(e => +e.dataset.ready)"
                )
                ready.append(max(stamps))
            print(
                f"{rel}: state {state / 1024:,.1f} kB, ready {statistics.median(ready):,.0f} ms "
                f"(median of {args.loads} loads, max {max(ready):,.0f} ms)"
            )
            for i in range(n):
                widget = page.locator("[data-live-widget]").nth(i).get_attribute("data-live-widget")
                for control in page.evaluate(CONTROLS_JS, i):
                    update, frame = [], []
                    for _ in range(args.moves):
                        if "options" in control:
                            value = rng.choice(control["options"])
                        else:
                            k = rng.randint(
                                0, round((control["max"] - control["min"]) / control["step"])
                            )
                            value = repr(round(control["min"] + k * control["step"], 10))
                        u, f = page.evaluate(MOVE_JS, [i, control["name"], value])
                        update.append(u)
                        frame.append(f)
                    print(
                        f"  {widget.rsplit('.', 1)[-1]:<20} {control['name']:<16} "
                        f"update median {statistics.median(update):5.1f} ms max {max(update):5.1f}; "
                        f"frame median {statistics.median(frame):5.1f} ms max {max(frame):5.1f}"
                    )
            page.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
