"""The library's imports flow one way: sim -> data -> analysis -> widgets -> chapters -> the rest.

Every ``import storeops...`` in src/storeops (at module level or inside a function) is
read with ast, so a lazy import cannot hide a back edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "storeops"

# Lower layers never import higher ones; a layer may import itself and anything below.
LAYERS = [
    {"storeops", "storeops.errors", "storeops.files", "storeops.notebook"},
    {"storeops.sim"},
    {"storeops.data"},
    {"storeops.analysis", "storeops.plotting"},
    {"storeops.widgets", "storeops.checks"},
    {"storeops.chapters"},
    {
        "storeops.grading",
        "storeops.sandbox",
        "storeops.book",
        "storeops.hub",
        "storeops.cli",
        "storeops.sphinxext",
    },
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The storeops modules ``path`` imports (absolute or relative)."""
    own = _module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m == "storeops" or m.startswith("storeops.")}


def _layer(module: str) -> int:
    best = None
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (
                best is None or len(name) > len(best[1])
            ):
                best = (i, name)
    assert best is not None, f"{module} is in no layer: add it to LAYERS (and ARCHITECTURE.md)"
    return best[0]


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _chapter(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "chapters" else None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_its_own_layer_or_below(module):
    here = _layer(module)
    back = sorted(m for m in _imports(MODULES[module]) if _layer(m) > here)
    assert not back, f"{module} (layer {here}) imports a higher layer: {back}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _chapter(m)))
def test_a_chapter_imports_no_other_chapter(module):
    others = sorted(
        m for m in _imports(MODULES[module]) if _chapter(m) and _chapter(m) != _chapter(module)
    )
    assert not others, f"{module} imports another chapter: {others}"


def test_the_layer_check_sees_back_edges(tmp_path, monkeypatch):
    """A lazy import of a higher layer inside a function is reported."""
    fake = SRC / "sim" / "__layer_probe__.py"
    monkeypatch.setitem(MODULES, "storeops.sim.__layer_probe__", fake)
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from storeops.data import load_store\n")
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: probe.open().read())
    with pytest.raises(AssertionError, match="imports a higher layer"):
        test_imports_only_its_own_layer_or_below("storeops.sim.__layer_probe__")


def _closure(start: str) -> set[str]:
    """Every storeops module reachable from ``start`` through imports."""
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m in seen or m not in MODULES:
            continue
        seen.add(m)
        todo.extend(_imports(MODULES[m]))
    return seen


@pytest.mark.parametrize(
    "questions", sorted(m for m in MODULES if _chapter(m) and m.endswith(".questions"))
)
def test_what_a_student_imports_holds_no_instructor_code(questions):
    """The grading package (answer keys, reference runs) is never reachable from a notebook."""
    reached = _closure(questions)
    assert not {m for m in reached if m.startswith("storeops.grading")}, sorted(reached)
    callers = sorted(m for m in reached if _uses_truth_of(MODULES[m]))
    assert not callers, f"{questions} reaches modules that read the truth: {callers}"


def _uses_truth_of(path: Path, source: str | None = None) -> bool:
    """Whether ``path`` imports, calls or passes around ``truth_of`` (its definition aside)."""
    tree = ast.parse(source if source is not None else path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "truth_of":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "truth_of":
            return True
        if isinstance(node, ast.ImportFrom | ast.Import) and any(
            a.name.rpartition(".")[2] == "truth_of" for a in node.names
        ):
            return True
    return False


@pytest.mark.parametrize(
    "source",
    [
        "def f(store):\n    from storeops.data import truth_of\n",
        "import storeops.data\ndef f(s):\n    return storeops.data.truth_of(s)\n",
        "from storeops import data\nget = data.truth_of\n",
    ],
)
def test_the_truth_check_sees_lazy_and_indirect_uses(source):
    assert _uses_truth_of(Path("probe.py"), source)


def test_the_truth_check_ignores_the_definition():
    assert not _uses_truth_of(Path("probe.py"), "def truth_of(store):\n    return None\n")
