"""Every chapter folder is in the table of contents, with its page and its exercise page."""

from __future__ import annotations

from pathlib import Path

import yaml

from storeops.grading import source as src

ROOT = Path(__file__).resolve().parents[2]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] for c in part["chapters"]]


def test_every_chapter_folder_is_listed_page_first_then_exercises():
    files = _toc_files()
    chapters = src.assignments(ROOT / "chapters")
    assert chapters
    for slug in chapters:
        exercise = f"book/exercises/{slug}"
        assert exercise in files, f"{slug}: its exercise page is missing from _toc.yml"
        if (ROOT / "chapters" / slug / "page.md").exists():
            page = f"chapters/{slug}/page"
            assert page in files, f"{slug}: its page is missing from _toc.yml"
            assert files.index(page) + 1 == files.index(exercise), f"{slug}: page, then exercises"


def test_every_listed_file_exists():
    for f in _toc_files():
        hits = [
            p for p in (ROOT / f).parent.glob(Path(f).name + ".*") if p.suffix in (".md", ".ipynb")
        ]
        generated = f.startswith("book/exercises/") or f == "book/appendix/data_dictionary"
        assert hits or generated, f"{f} is in _toc.yml but not in the repository"
