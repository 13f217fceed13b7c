"""The data-dictionary appendix is generated from the schema and builds without warnings."""

from __future__ import annotations

import subprocess
import sys

from storeops.sim.dictionary import DIAGRAM_NAME, write_page
from storeops.sim.schema import SCHEMA


def test_page_lists_every_table_and_column_with_type_and_unit(tmp_path):
    page = write_page(tmp_path / "appendix" / "data_dictionary.md")
    text = page.read_text()
    for t in SCHEMA.values():
        assert f"### {t.name}" in text
        for c in t.columns:
            assert f"| `{c.name}` | {c.type} | {c.unit} |" in text, (t.name, c.name)
    svg = tmp_path / "appendix" / DIAGRAM_NAME
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()
    assert DIAGRAM_NAME in text


def test_page_and_diagram_are_reproducible(tmp_path):
    a = write_page(tmp_path / "a" / "data_dictionary.md")
    b = write_page(tmp_path / "b" / "data_dictionary.md")
    assert a.read_bytes() == b.read_bytes()
    assert (a.parent / DIAGRAM_NAME).read_bytes() == (b.parent / DIAGRAM_NAME).read_bytes()


def test_page_builds_with_sphinx_warnings_as_errors(tmp_path):
    src = tmp_path / "src"
    write_page(src / "data_dictionary.md")
    (src / "conf.py").write_text(
        'extensions = ["myst_parser"]\nmaster_doc = "data_dictionary"\nexclude_patterns = ["_build"]\n'
    )
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(src),
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "out" / "data_dictionary.html").read_text()
    assert "order_lines" in html and DIAGRAM_NAME in html
