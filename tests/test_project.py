"""The project's promises about set-up, CI and the book build."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def read(name: str) -> str:
    return (ROOT / name).read_text("utf-8")


def test_requirements_pin_every_package_exactly_and_end_with_the_project():
    lines = [ln.strip() for ln in read("requirements.txt").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    assert lines[-1] == "-e ."
    for ln in lines[:-1]:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=<>~!]+", ln), f"not an exact pin: {ln}"
    names = {ln.split("==")[0].lower().replace("_", "-") for ln in lines[:-1]}
    for needed in ("jupyter-book", "nbgrader", "jupyterlab", "ipywidgets", "pandas", "matplotlib"):
        assert needed in names
    version = next(ln for ln in lines if ln.lower().startswith("jupyter-book==")).split("==")[1]
    assert version.startswith("1."), "Jupyter Book 2 cannot build offline here"


def test_readme_quick_start_commands_are_make_targets_and_ci_runs_the_test_one():
    readme = read("README.md")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", quick, flags=re.M)
    assert commands == ["make book", "make test"], commands
    targets = set(re.findall(r"^([\w-]+):", read("Makefile"), flags=re.M))
    assert {"book", "test", "lab", "serve"} <= targets
    ci = [ln for ln in read(".ci/run").splitlines() if ln and not ln.startswith("#")]
    assert ci[-1].strip() == "make test"


def test_make_test_lints_and_fails_when_pytest_fails():
    """`make test` runs ruff and pytest; make stops on pytest's non-zero exit (5 = no tests)."""
    dry = subprocess.run(
        ["make", "-n", "test", "PYTEST_ARGS=--collect-only"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "ruff check" in dry and "ruff format --check" in dry and "pytest" in dry
    assert "|| true" not in dry


def test_book_build_is_strict_executed_and_offline():
    config = yaml.safe_load(read("_config.yml"))
    execute = config["execute"]
    assert execute["execute_notebooks"] == "cache"
    assert execute["allow_errors"] is False
    assert execute["timeout"] > 0
    assert "--warningiserror" in read("Makefile") and "--nitpick" in read("Makefile")
    widget_js = config["sphinx"]["config"]["nb_ipywidgets_js"]
    assert widget_js and not any(key.startswith(("http:", "https:", "//")) for key in widget_js)


def toc_files() -> list[str]:
    toc = yaml.safe_load(read("_toc.yml"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return files


def test_no_page_in_the_toc_is_a_placeholder(built_book):
    """Every page in the TOC was built and has real content (not a stub)."""
    for name in toc_files():
        html = built_book / f"{name}.html"
        assert html.exists(), f"{name} is in the TOC but was not built"
        main = html.read_text("utf-8").split('<article class="bd-article"', 1)[-1]
        text = re.sub(r"<[^>]+>", " ", main.split("</article>", 1)[0])
        words = re.findall(r"\w+", text)
        assert len(words) > 150, f"{name} looks like a placeholder ({len(words)} words)"
        assert not re.search(r"\b(TODO|TBD|lorem ipsum|coming soon)\b", text, re.I), name


def test_gitignore_keeps_build_output_and_local_state_out():
    ignored = subprocess.run(
        [
            "git",
            "check-ignore",
            "--no-index",
            "_build/html/index.html",
            ".venv/bin/python",
            "grader/gradebook.db",
            "book/.ipynb_checkpoints/x.ipynb",
            "grader/release/a/b.ipynb",
            "build/static-js/embed-amd.js",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert len(ignored) == 6, ignored
