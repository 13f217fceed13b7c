"""The `storeops` command: help for every subcommand, one-line errors, no tracebacks."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from storeops.cli import build_parser


def subcommands() -> list[str]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return sorted(action.choices)
    return []


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "storeops.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_every_subcommand():
    result = run("--help")
    assert result.returncode == 0
    names = subcommands()
    assert names, "no subcommand is registered"
    for name in names:
        assert name in result.stdout


@pytest.mark.parametrize("name", subcommands())
def test_every_subcommand_has_help(name):
    result = run(name, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: storeops " + name in result.stdout


@pytest.mark.parametrize("name", [None, *subcommands()])
def test_wrong_argument_is_one_line_error_without_traceback(name):
    args = ([name] if name else []) + ["--no-such-option"]
    result = run(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "error" in lines[0]


def test_unknown_subcommand_is_one_line_error():
    result = run("no-such-command")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_user_error_is_reported_as_one_line(monkeypatch, capsys):
    """A StoreOpsError raised by a subcommand becomes one line on stderr and exit code 2."""
    from storeops import cli
    from storeops.errors import StoreOpsError

    def register(subparsers):
        p = subparsers.add_parser("boom", help="fails")

        def fail(_args):
            raise StoreOpsError("the output folder is not writable")

        p.set_defaults(func=fail)

    fake = type(sys)("fake_cmd")
    fake.register = register
    monkeypatch.setitem(sys.modules, "fake_cmd", fake)
    monkeypatch.setattr(cli, "SUBCOMMAND_MODULES", ["fake_cmd"])
    assert cli.main(["boom"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["storeops boom: error: the output folder is not writable"]
