"""A self-learner without a checkout: the wheel installs into a fresh virtual environment
outside the repository (dependencies from the package index), and a downloaded
self-learner notebook, answered with the reference solutions, runs top to bottom on the
default store generated into the user's cache, every self-check printing "correct"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from storeops.book import pages
from storeops.grading import source as src

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "orientation"

RUN = """
import json, sys
import nbformat
from nbclient import NotebookClient

nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=300, startup_timeout=120, kernel_name="python3").execute()
out = {}
for cell in nb.cells:
    texts = []
    for o in cell.get("outputs", []):
        texts.append(o.get("text", ""))
        texts.extend(str(v) for v in o.get("data", {}).values())
    out[cell.get("id")] = "\\n".join(texts)
json.dump(out, open(sys.argv[2], "w"))
"""


def _run(args, **kw):
    run = subprocess.run(args, capture_output=True, text=True, **kw)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    return run


@pytest.mark.slow
def test_downloaded_notebook_runs_on_the_installed_wheel(tmp_path):
    for stale in ("lib", *(p.name for p in (ROOT / "build").glob("bdist.*"))):
        shutil.rmtree(ROOT / "build" / stale, ignore_errors=True)  # would end up in the wheel
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        timeout=600,
    )
    wheel = tmp_path / pages.WHEEL
    assert wheel.exists(), sorted(p.name for p in tmp_path.iterdir())

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], timeout=1200)

    # the download exactly as the book ships it, answered with the reference solutions
    out = tmp_path / "site"
    zip_path = next(p for p in pages.build(ASSIGNMENT, out_dir=out) if p.suffix == ".zip")
    learner = tmp_path / "learner"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(learner)
    (notebook,) = learner.rglob("*.ipynb")
    nb = nbformat.read(notebook, as_version=4)
    source = src.read_notebook(pages.DEFAULT_SOURCE / ASSIGNMENT / notebook.name)
    solutions = {c.get("id"): c.source for c in source.cells if src.is_answer_cell(c)}
    answered = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("id") in solutions:
            cell.source = src.strip_solution_markers(solutions[cell.id])
            answered += 1
    assert answered >= 4
    nb.cells.append(nbformat.v4.new_code_cell("import storeops; print(storeops.__file__)"))
    nb.cells[-1].id = "where"
    nbformat.write(nb, notebook)

    home = tmp_path / "home"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STOREOPS_", "PYTHON", "VIRTUAL_ENV", "JUPYTER"))
    }
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin")
    result = tmp_path / "outputs.json"
    (tmp_path / "run.py").write_text(RUN)
    _run(
        [str(python), str(tmp_path / "run.py"), str(notebook), str(result)],
        cwd=notebook.parent,
        env=env,
        timeout=900,
    )
    outputs = json.loads(result.read_text())
    assert outputs["where"].strip().startswith(str(venv)), outputs["where"]
    checks = {cid: text for cid, text in outputs.items() if cid and cid.endswith("-test")}
    assert len(checks) >= 4
    for cid, text in checks.items():
        assert f"{cid.split('-')[0]}: correct!" in text, (cid, text[-500:])
    stores = home / ".cache" / "storeops" / "stores"
    assert any(stores.glob("*/MANIFEST.json")), "the default store was not generated into the cache"
