"""``storeops new-chapter SLUG``: a new chapter's two folders from a minimal working template.

The template (``chapter_template/`` beside this file) is one question with a function
answer, one catalogued mistake, one widget and the chapter's own tests; every file has
``__slug__`` (and the notebook ``__title__``) where the new chapter's name goes. The
exercise page is added to ``_toc.yml`` so the book lists the chapter.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from storeops.errors import StoreOpsError

TEMPLATE = Path(__file__).resolve().parent / "chapter_template"
_SLUG = re.compile(r"[a-z][a-z0-9_]*")


def new_chapter(slug: str, root: Path) -> list[Path]:
    """Write ``chapters/<slug>/`` and ``src/storeops/chapters/<slug>/`` under ``root``."""
    if not _SLUG.fullmatch(slug) or keyword.iskeyword(slug) or "__" in slug:
        raise StoreOpsError(
            f"{slug!r} is not a chapter slug: lower-case letters, digits and single "
            "underscores, starting with a letter (it is a folder, a Python package and the "
            "nbgrader assignment name)"
        )
    targets = {
        "content": root / "chapters" / slug,
        "package": root / "src" / "storeops" / "chapters" / slug,
    }
    toc = root / "_toc.yml"
    for path in (*targets.values(), toc.parent):
        if path != toc.parent and path.exists():
            raise StoreOpsError(f"{path} already exists: choose another slug")
    if not toc.exists() or not targets["package"].parent.is_dir():
        raise StoreOpsError(f"{root} is not the repository root (no _toc.yml or src/storeops)")
    title = slug.replace("_", " ").capitalize()
    written = []
    for part, dest in targets.items():
        for tmpl in sorted((TEMPLATE / part).glob("*.tmpl")):
            out = dest / tmpl.name.removesuffix(".tmpl").replace("__slug__", slug)
            out.parent.mkdir(parents=True, exist_ok=True)
            text = tmpl.read_text().replace("__slug__", slug).replace("__title__", title)
            out.write_text(text)
            written.append(out)
    _add_to_toc(toc, slug)
    written.append(toc)
    return written


def _add_to_toc(toc: Path, slug: str) -> None:
    """Append the exercise page to the "Chapters" part (text edit: the comments stay)."""
    lines = toc.read_text().splitlines(keepends=True)
    entry = f"      - file: book/exercises/{slug}\n"
    start = next((i for i, line in enumerate(lines) if "caption: Chapters" in line), None)
    if start is None:
        raise StoreOpsError(f"{toc} has no 'Chapters' part: add book/exercises/{slug} by hand")
    end = start + 1
    while end < len(lines) and not lines[end].lstrip().startswith("- caption:"):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    lines.insert(end, entry)
    toc.write_text("".join(lines))
