"""Feedback without hidden tests in tracebacks.

nbgrader's ``ClearHiddenTests`` removes hidden tests from a cell's *source*, but a
failing hidden ``assert`` still shows in the cell's *error output*: IPython's
traceback prints the failing line and its neighbours (``assert total == 4217``).
:class:`HideHiddenTracebacks` runs before ``ClearHiddenTests`` in
``GenerateFeedback.preprocessors``: in every cell that has hidden tests, each
error's traceback is reduced to ``ename: evalue``, and any output line that
repeats a hidden-test line is removed. The student still sees which check failed
and its message, never the hidden code or its expected value.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def hidden_lines(source: str, begin: str, end: str) -> list[str]:
    out, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
            continue
        if end in line:
            inside = False
            continue
        if inside and line.strip() and not line.strip().startswith("#"):
            out.append(line.strip())
    return out


def _mentions(text: str, secrets: list[str]) -> bool:
    plain = ANSI.sub("", text)
    return any(s in plain for s in secrets)


class HideHiddenTracebacks(NbGraderPreprocessor):
    """Strip hidden-test code from error outputs of cells with hidden tests."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        secrets = hidden_lines(cell.source, self.begin_test_delimeter, self.end_test_delimeter)
        if not secrets:
            return cell, resources
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                evalue = out.get("evalue", "")
                if _mentions(evalue, secrets):
                    evalue = "(details hidden)"
                out["evalue"] = evalue
                out["traceback"] = [f"{out.get('ename', 'Error')}: {evalue}".rstrip(": ")]
            elif out.get("output_type") == "stream":
                lines = out.get("text", "").splitlines(keepends=True)
                out["text"] = "".join(x for x in lines if not _mentions(x, secrets))
            outputs.append(out)
        cell.outputs = outputs
        return cell, resources
