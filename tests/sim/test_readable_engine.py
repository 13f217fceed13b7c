"""The engine stays readable: no function in storeops.sim runs over about 80 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import storeops.sim

MAX_LINES = 80


def test_no_simulator_function_is_longer_than_80_lines():
    long = []
    for path in sorted(Path(storeops.sim.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{path.name}:{node.name} ({lines} lines)")
    assert not long, long
