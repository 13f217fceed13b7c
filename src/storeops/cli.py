"""The `storeops` command: one entry point, subcommands registered by their own modules.

Each module listed in SUBCOMMAND_MODULES defines ``register(subparsers)``, which adds
its parsers and sets ``func`` (called with the parsed arguments, returns an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from storeops import __version__
from storeops.errors import StoreOpsError

# Modules that add subcommands; a module that does not exist yet is skipped.
SUBCOMMAND_MODULES = [
    "storeops.data.cli",
    "storeops.book.cli",
    "storeops.grading.cli",
    "storeops.hub.cli",
    "storeops.grading.course_report",
]


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str):  # noqa: D102 - argparse API
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="storeops",
        description="Store Ops Workbook: simulated store data, book and exercise tools.",
    )
    parser.add_argument("--version", action="version", version=f"storeops {__version__}")
    subparsers = parser.add_subparsers(
        title="subcommands", dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                continue  # that subcommand's package is not part of this build yet
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return int(args.func(args) or 0)
    except StoreOpsError as exc:
        print(f"storeops {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"storeops {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
