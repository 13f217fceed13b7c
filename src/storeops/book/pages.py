"""The self-learner edition, generated from the same source as the nbgrader release.

For each assignment in chapters/ this writes, at build time (never by hand):

* ``book/exercises/<assignment>.ipynb``: the book page. Questions and starter code
  (not executed), each reference solution in a collapsed cell (``hide-input``),
  executed so that the self-check calls below it show a result, the hints in a
  dropdown, model answers of written questions in a dropdown; hidden tests removed.
* ``book/exercises/<assignment>-notebook.zip``: the self-learner notebook to download:
  starter code, self-checks, no hidden test, no plain answer. Its one extra cell
  enables exact self-checks with salted hashes of the rounded reference answers
  for the default store (computed here by running the reference solution).

Solutions and hidden tests are removed with nbgrader's own preprocessors
(``ClearSolutions``, ``ClearHiddenTests``, ``ClearOutput``), exactly as in a release.
"""

from __future__ import annotations

import copy
import hashlib
import zipfile
from pathlib import Path

import nbformat

from storeops import __version__
from storeops.book.model_answers import model_answer_names
from storeops.errors import StoreOpsError
from storeops.grading import source as src
from storeops.widgets.live import KERNEL_BACKED_CALL, KERNEL_NOTE

REPO = Path(__file__).resolve().parents[3]
DEFAULT_SOURCE = REPO / "chapters"
DEFAULT_OUT = REPO / "book" / "exercises"
# The library as a wheel, built by `make book` into build/wheel/ and shipped with each exercise page.
WHEEL = f"storeops-{__version__}-py3-none-any.whl"
KEYS_COMMENT = "# Self-check keys: salted hashes of rounded answers (no answer in plain text)."


# -- nbgrader transforms -----------------------------------------------------------------
def _clear(nb, *, outputs: bool = True):
    """Apply nbgrader's ClearSolutions and ClearHiddenTests (and ClearOutput) to a copy."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions

    nb = copy.deepcopy(nb)
    resources: dict = {}
    nb, resources = ClearSolutions().preprocess(nb, resources)
    nb, resources = ClearHiddenTests().preprocess(nb, resources)
    if outputs:
        nb, resources = ClearOutput().preprocess(nb, resources)
    return nb


def _strip_hidden(cell_source: str) -> str:
    """A test cell as a self-learner sees it (hidden block removed), via ClearHiddenTests."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell_source)])
    nb.cells[0].metadata = {
        "nbgrader": {
            "grade": True,
            "solution": False,
            "grade_id": "t",
            "points": 1,
            "locked": True,
            "schema_version": 3,
        }
    }
    nb.metadata = {"kernelspec": {"language": "python", "name": "python3"}}
    return _clear(nb).cells[0].source.rstrip()


# -- self-learner keys -------------------------------------------------------------------
def build_keys(assignment: str, source_dir: Path = DEFAULT_SOURCE) -> dict:
    """Salted hashes of the reference answers and catalogued mistakes on the default store."""
    from storeops.chapters import questions
    from storeops.checks.core import salted_hash, store_fingerprint
    from storeops.grading import keys as answer_keys

    qs = questions(assignment)
    adir = source_dir / assignment
    store = None
    out: dict = {"assignment": assignment, "questions": {}}
    for name, q in qs.items():
        ref = answer_keys.reference(assignment, name, source_dir)
        store = ref.namespace.get("store")
        if "salt" not in out:
            out["store"] = store_fingerprint(store)
            out["salt"] = hashlib.sha256(f"{assignment}|{out['store']}".encode()).hexdigest()[:16]
        value = answer_keys.expected(assignment, name, source_dir)
        # Judged on the truth: the key itself goes into the blob (the public default store
        # only), so the self-learner kernel needs neither truth_of nor the optimiser.
        judge = {"key": value} if q.truth is not None else {}
        entry = {
            "answer": salted_hash(out["salt"], name, q.kind.canonical(value, store, **judge)),
            "mistakes": [
                {
                    "hash": salted_hash(out["salt"], name, q.kind.canonical(v, store, **judge)),
                    "message": m.message,
                }
                for m, v in answer_keys.mistakes_evaluated(assignment, name, source_dir)
            ],
            "solution": src.strip_solution_markers(ref.answer_source[name]).strip(),
        }
        if judge:
            entry["judge"] = value
        if any(m["hash"] == entry["answer"] for m in entry["mistakes"]):
            raise StoreOpsError(f"{assignment} {name}: a catalogued mistake gives the right answer")
        out["questions"][name] = entry
    if not src.source_notebooks(adir):
        raise StoreOpsError(f"no source notebook in {adir}")
    return out


def keys_cell(keys: dict):
    from storeops.checks.core import encode_keys

    cell = nbformat.v4.new_code_cell(f'{KEYS_COMMENT}\nself_learner_edition("{encode_keys(keys)}")')
    cell.id = "self-check-keys"
    return cell


# -- the two products ----------------------------------------------------------------------
def student_notebook(source_nb, keys: dict):
    """The self-learner notebook: the release transforms, plus the keys cell after setup."""
    nb = _clear(source_nb)
    cells = []
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        cell.metadata.pop("storeops", None)
        cells.append(cell)
        if cell.get("id") == "setup":
            cells.append(keys_cell(keys))
    nb.cells = cells
    return nb


def _cell(new, text: str, tags: list[str] | None = None, cid: str | None = None):
    cell = new(text)
    if tags:
        cell.metadata["tags"] = tags
    if cid:
        cell.id = cid
    return cell


def _md(text: str, tags: list[str] | None = None, cid: str | None = None):
    return _cell(nbformat.v4.new_markdown_cell, text, tags, cid)


def _code(text: str, tags: list[str] | None = None, cid: str | None = None):
    return _cell(nbformat.v4.new_code_cell, text, tags, cid)


def book_page(source_nb, assignment: str, keys: dict, download: str):
    """The book page of one source notebook (see the module docstring)."""
    from storeops.chapters import questions

    qs = questions(assignment)
    written = model_answer_names(assignment)
    starter = {c.get("id"): c for c in _clear(source_nb).cells}
    cells = []
    for cell in source_nb.cells:
        cid = cell.get("id")
        meta = src.nbgrader_meta(cell)
        q = src.question_of(cell)
        if cell.cell_type == "markdown" and meta.get("solution"):
            body = cell.source.strip()
            if q in written:  # the rubric, then the answer written from this store
                body += f"\n\n```{{glue:md}} {q}_model\n:format: myst\n```"
            cells.append(
                _md(
                    f"````{{admonition}} Model answer\n:class: dropdown\n{body}\n````",
                    cid=f"{cid}-model",
                )
            )
            continue
        if cell.cell_type == "markdown":
            cells.append(_md(cell.source, cid=cid))
            if cid == "intro":
                cells.append(
                    _md(
                        f"Work on your own copy: {{download}}`download the notebook <{download}>` "
                        "(unzip it and open it in JupyterLab). On this page, each reference solution "
                        "is folded: try first, then click to show it.\n\n"
                        f"The notebook needs the course library: download {{download}}`{WHEEL} "
                        f"<../../build/wheel/{WHEEL}>` and run `pip install {WHEEL}` (Python 3.11+).",
                        cid="download",
                    )
                )
            continue
        if src.is_answer_cell(cell):
            cells.append(_code(starter[cid].source, tags=["skip-execution"], cid=f"{cid}-starter"))
            cells.append(
                _code(
                    src.strip_solution_markers(cell.source),
                    tags=["hide-input"],
                    cid=f"{cid}-solution",
                )
            )
            continue
        if src.is_test_cell(cell):
            cells.append(_code(_strip_hidden(cell.source), cid=f"{cid}-check"))
            if q in qs and qs[q].hints:
                hints = "\n".join(f"{i}. {h}" for i, h in enumerate(qs[q].hints, 1))
                cells.append(
                    _md(
                        f"```{{admonition}} Hints for {q}\n:class: dropdown\n{hints}\n```",
                        cid=f"{q}-hints",
                    )
                )
            continue
        cells.append(_code(cell.source, cid=cid))
        if KERNEL_BACKED_CALL.search(cell.source):
            cells.append(_md(KERNEL_NOTE, cid=f"{cid}-kernel-note"))
        if cid == "setup":
            kc = keys_cell(keys)
            kc.metadata["tags"] = ["remove-cell"]
            cells.append(kc)
    if written:  # after every reference solution has run
        glue = f"from storeops.book.model_answers import glue_model_answers\n\nglue_model_answers({assignment!r}, globals())"
        cells.append(_code(glue, tags=["remove-cell"], cid="model-answers"))
    page = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(source_nb.metadata))
    return page


def build(
    assignment: str, source_dir: Path = DEFAULT_SOURCE, out_dir: Path = DEFAULT_OUT
) -> list[Path]:
    """Write the page(s) and the download zip of one assignment; return the files written."""
    adir = source_dir / assignment
    if not adir.is_dir():
        raise StoreOpsError(f"no assignment {assignment!r} in {source_dir}")
    keys = build_keys(assignment, source_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    notebooks = src.source_notebooks(adir)
    zip_path = out_dir / f"{assignment}-notebook.zip"
    written = []
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in notebooks:
            nb = nbformat.read(path, as_version=4)
            zf.writestr(f"{assignment}/{path.name}", nbformat.writes(student_notebook(nb, keys)))
            page = book_page(nb, assignment, keys, zip_path.name)
            name = assignment if len(notebooks) == 1 else f"{assignment}-{path.stem}"
            page_path = out_dir / f"{name}.ipynb"
            nbformat.write(page, page_path)
            written.append(page_path)
    written.append(zip_path)
    return written
