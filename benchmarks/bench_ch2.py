"""Chapter 2 benchmarks: exercise notebook run time and dashboard callback latency.

Prints figures; not a test (timings are noisy on shared machines). Run with
``.venv/bin/python benchmarks/bench_ch2.py [--callbacks N]``.

* notebook: the self-learner edition (solutions in place, self-checks with keys) and
  the instructor source (solutions + hidden tests, which execute the reference and
  every catalogued mistake), each top to bottom in a fresh kernel via nbclient,
  kernel start included;
* widget: the dashboard built on the reference ``daily_kpi``; median and max latency
  over many callbacks (metric, range, comparison and week-step changes);
* decisions (q13, q14): seconds to build the key of one store (the best budget of the
  incident's channel, and the best search budget of the quiet weeks, as the grader builds
  them) and to score one answer against it (a new, a repeated and another new answer).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ch2_data_analysis"
SOURCE_DIR = ROOT / "chapters"
NOTEBOOK = SOURCE_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def run_notebook(path: Path, env: dict[str, str] | None = None) -> float:
    """Seconds to execute ``path`` top to bottom in a fresh kernel (kernel start included)."""
    nb = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        start = time.perf_counter()
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={}).execute()
        return time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(saved)


def bench_notebooks() -> None:
    from storeops.book import pages

    with tempfile.TemporaryDirectory() as tmp:
        page = pages.build(ASSIGNMENT, SOURCE_DIR, Path(tmp))[0]
        learner = run_notebook(page)
    instructor = run_notebook(NOTEBOOK, {"STOREOPS_SOURCE_DIR": str(SOURCE_DIR)})
    print(f"notebook, self-learner edition (solutions, self-checks): {learner:.2f} s")
    print(f"notebook, instructor source (solutions + hidden tests):  {instructor:.2f} s")


def reference_daily_kpi(store):
    """The q1 reference solution, taken from the source notebook (instructor side)."""
    from storeops.grading import source as src

    nb = src.read_notebook(NOTEBOOK)
    cell = next(c for c in nb.cells if src.grade_id(c) == "q1-answer")
    from storeops.chapters.ch2_data_analysis.questions import np, pd  # noqa: F401 - used by the code

    ns = {"store": store, "pd": pd, "np": np}
    exec(src.strip_solution_markers(cell.source), ns)  # noqa: S102 - our own source
    return ns["daily_kpi"]


def bench_widget(n: int) -> None:
    from storeops.chapters.ch2_data_analysis.widget import COMPARISONS, kpi_dashboard
    from storeops.data import load_store

    store = load_store()
    daily_kpi = reference_daily_kpi(store)
    start = time.perf_counter()
    box = kpi_dashboard(daily_kpi, store)
    built = time.perf_counter() - start
    c = box.controls
    options = list(c["metric"].options)
    n_days = len(box.view.dates)
    compares = [k for k in COMPARISONS if k in c["compare"].options]
    rng = random.Random(1)
    times = []
    for i in range(n):
        kind = i % 4
        t = time.perf_counter()
        if kind == 0:
            c["metric"].value = rng.choice(options)[1]
        elif kind == 1:
            lo = rng.randrange(0, n_days - 8)
            c["span"].index = (lo, min(n_days - 1, lo + rng.choice((6, 27, 90))))
        elif kind == 2:
            c["compare"].value = rng.choice(compares)
        else:
            box.shift(rng.choice((-7, 7)))
        times.append(time.perf_counter() - t)
    times_ms = sorted(1000 * x for x in times)
    print(f"dashboard: built in {1000 * built:.0f} ms (calls daily_kpi once per metric)")
    print(
        f"dashboard callbacks (n={n}): median {statistics.median(times_ms):.2f} ms, "
        f"p95 {times_ms[int(0.95 * (n - 1))]:.2f} ms, max {times_ms[-1]:.2f} ms"
    )


def bench_decision() -> None:
    from storeops.chapters import questions
    from storeops.data import load_store, truth_of
    from storeops.grading import judges

    store = load_store()
    truth = truth_of(store)
    bad = next(i["channel"] for i in truth["incidents"] if i["kind"] == "bad_traffic")
    # each question's answers: a new plan, the same plan again, another new plan (q13's of the
    # incident's channel: another channel's plan scores 0 without a run)
    answers = {
        "q13": [{bad: b} for b in (0.0, 0.0, 500.0)],
        "q14": [{"search": b} for b in (3000.0, 3000.0, 4500.0)],
    }
    for name, plans in answers.items():
        q = questions(ASSIGNMENT)[name]
        start = time.perf_counter()
        key = judges.truth_key(q, truth, store)
        built = time.perf_counter() - start
        times = []
        for plan in plans:
            t = time.perf_counter()
            q.kind.score({"plan": plan}, key)
            times.append(time.perf_counter() - t)
        print(f"decision {name}: key of one store {built:.2f} s")
        print(
            f"decision {name}: scoring one answer "
            + ", ".join(f"{1000 * x:.0f} ms" for x in times)
            + " (new plan, repeated plan, new plan)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=400)
    parser.add_argument("--skip-notebooks", action="store_true")
    args = parser.parse_args(argv)
    bench_widget(args.callbacks)
    bench_decision()
    if not args.skip_notebooks:
        bench_notebooks()
    return 0


if __name__ == "__main__":
    sys.exit(main())
