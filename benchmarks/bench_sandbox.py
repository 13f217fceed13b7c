"""Overhead of the grading sandbox per submission.

Executes the same small notebook (the adversarial suite's correct ``drill``
submission, and optionally any notebook given on the command line) with
nbclient, N times each way:

* plain:     jupyter_client's AsyncKernelManager (what nbgrader uses by default);
* sandboxed: storeops.sandbox's SandboxedKernelManager (namespaces, rlimits,
             throw-away uid, watchdog, reaping) and the tamper guard's round trips.

Prints the median and min seconds per notebook (kernel start + run + shutdown)
and the difference. Usage:

    .venv/bin/python benchmarks/bench_sandbox.py [-n 5] [NOTEBOOK.ipynb ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "adversarial"))


def drill_notebook(workdir: Path) -> Path:
    """The correct drill submission (solutions typed into the source, hidden tests inline)."""
    import adversarial_corpus as corpus

    nb = corpus.source_notebook()
    for cell in nb.cells:
        cell.source = "\n".join(
            line for line in cell.source.splitlines() if "BEGIN" not in line and "END" not in line
        )
    (workdir / "drill_helpers.py").write_text(corpus.HELPER)
    path = workdir / "drill.ipynb"
    nbformat.write(nb, path)
    return path


def run(path: Path, sandboxed: bool, timeout: int = 60) -> float:
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    kwargs = {}
    if sandboxed:
        from storeops.sandbox.execute import SandboxedExecute

        client = SandboxedExecute(timeout=timeout, allow_errors=True)
        start = time.perf_counter()
        client.preprocess(nb, {"metadata": {"path": str(path.parent)}})
        return time.perf_counter() - start
    kwargs["kernel_manager_class"] = AsyncKernelManager
    client = NotebookClient(
        nb,
        timeout=timeout,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
        **kwargs,
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="runs per variant (default 5)")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    os.environ["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        os.chmod(tmp, 0o755)
        work = Path(tmp)
        notebooks = [drill_notebook(work), *args.notebooks]
        rows = []
        for nb in notebooks:
            times = {}
            for variant in ("plain", "sandboxed"):
                run(nb, variant == "sandboxed")  # warm caches
                times[variant] = [run(nb, variant == "sandboxed") for _ in range(args.n)]
            rows.append((nb.name, times))
    print(f"seconds per notebook (kernel start + run + shutdown), {args.n} runs each")
    print(
        f"{'notebook':24} {'plain med':>10} {'sandbox med':>12} {'overhead':>9} {'min plain':>10} {'min sandbox':>12}"
    )
    for name, t in rows:
        p, s = statistics.median(t["plain"]), statistics.median(t["sandboxed"])
        print(
            f"{name:24} {p:10.2f} {s:12.2f} {s - p:+9.2f} {min(t['plain']):10.2f} "
            f"{min(t['sandboxed']):12.2f}"
        )
    print(json.dumps({name: t for name, t in rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
