"""Subcommands ``book-pages`` (the self-learner exercise pages) and ``new-chapter``."""

from __future__ import annotations

import argparse
from pathlib import Path

from storeops.errors import StoreOpsError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "book-pages",
        help="generate the self-learner exercise pages (book/exercises/) from chapters/<slug>/",
        description="Write book/exercises/<assignment>.ipynb (questions, starter code, "
        "self-checks, hints, folded solutions; no hidden tests) and the downloadable "
        "self-learner notebook, from the same source as the nbgrader release.",
    )
    p.add_argument("assignment", nargs="?")
    p.add_argument("--all", action="store_true", help="every assignment in the source folder")
    p.add_argument("--source", type=Path, help="source folder (default: chapters)")
    p.add_argument("--out", type=Path, help="output folder (default: book/exercises)")
    p.set_defaults(func=run)

    p = subparsers.add_parser(
        "new-chapter",
        help="scaffold a chapter: chapters/SLUG/ and src/storeops/chapters/SLUG/ (see chapters/README.md)",
        description="Write a new chapter's content folder and library package from a minimal "
        "working template (one question, one mistake, one widget, passing tests) and list its "
        "exercise page in _toc.yml.",
    )
    p.add_argument("slug", help="the chapter's name, e.g. ch4_product (also the assignment name)")
    p.add_argument("--root", type=Path, help="repository root (default: this checkout)")
    p.set_defaults(func=run_new_chapter)


def run_new_chapter(args: argparse.Namespace) -> int:
    from storeops.book import pages
    from storeops.book.scaffold import new_chapter

    root = (args.root or pages.REPO).resolve()
    for path in new_chapter(args.slug, root):
        print(f"wrote {path.relative_to(root)}")
    print(
        f"next: write chapters/{args.slug}/{args.slug}.ipynb and its questions "
        "(chapters/README.md), then `make book` and `make test`"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    from storeops.book import pages
    from storeops.grading import source as src

    source = args.source or pages.DEFAULT_SOURCE
    out = args.out or pages.DEFAULT_OUT
    if args.all == bool(args.assignment):
        raise StoreOpsError("give one ASSIGNMENT or --all")
    names = src.assignments(source) if args.all else [args.assignment]
    for name in names:
        for path in pages.build(name, source, out):
            print(f"wrote {path}")
    return 0
