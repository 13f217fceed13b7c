"""Transfer, not transcription: how much of a reference solution repeats the chapter page.

A chapter's tests hold each reference solution of its exercise against every code cell of its
page: the share of the solution's runs of 8 tokens (names, numbers, strings, operators;
comments and layout dropped) that one page cell also has. Under half means the exercise asks
something the page did not already do.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

RUN = 8  # tokens in a run


def tokens(code: str) -> list[str]:
    """Python tokens with names, numbers, strings and operators kept, comments and layout
    dropped."""
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING, tokenize.OP):
            out.append(tok.string)
    return out


def shingles(code: str, n: int = RUN) -> set[tuple]:
    """The runs of `n` tokens of `code`."""
    found = tokens(code)
    return {tuple(found[i : i + n]) for i in range(len(found) - n + 1)}


def copied_shares(notebook: Path, page: Path, shortest: int = 5) -> dict[str, float]:
    """Per reference solution of the exercise `notebook` (by grade id, at least `shortest`
    runs long), the largest share of its runs that one code cell of `page` also has."""
    import jupytext

    from storeops.grading import source as src

    cells = [shingles(c.source) for c in jupytext.read(page).cells if c.cell_type == "code"]
    out = {}
    for cell in src.read_notebook(notebook).cells:
        if cell.cell_type != "code" or not src.is_answer_cell(cell):
            continue
        mine = shingles(src.strip_solution_markers(cell.source))
        if len(mine) >= shortest:
            out[src.grade_id(cell)] = max((len(mine & c) / len(mine) for c in cells), default=0.0)
    return out
