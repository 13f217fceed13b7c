"""`storeops new-chapter` in a scratch copy of the repository: the scaffolded chapter's own
tests and the checks every chapter gets (both self-check editions, its mistake named) pass,
the TOC test accepts it, and it releases with only its notebook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLUG = "ch9_scaffolded"


def _run(args, cwd, env, timeout=600):
    run = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    return run.stdout


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A copy with the library, the course config, the TOC and the shared chapter tests,
    but no chapter: the scaffolded one is the only one the shared tests see."""
    top = tmp_path_factory.mktemp("repo")
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache")
    shutil.copytree(ROOT / "src", top / "src", ignore=skip)
    for name in ("orientation", "ch1_planning", "ch2_data_analysis", "ch3_promotion"):
        shutil.rmtree(top / "src" / "storeops" / "chapters" / name)
    (top / "grader").mkdir()
    for f in ("nbgrader_config.py", "course.json"):
        shutil.copy2(ROOT / "grader" / f, top / "grader" / f)
    for f in ("_toc.yml", "pyproject.toml"):
        shutil.copy2(ROOT / f, top / f)
    (top / "chapters").mkdir()
    (top / "tests" / "book").mkdir(parents=True)
    shutil.copy2(ROOT / "tests" / "conftest.py", top / "tests" / "conftest.py")
    shutil.copytree(ROOT / "tests" / "checks", top / "tests" / "checks", ignore=skip)
    shutil.copy2(ROOT / "tests" / "book" / "test_toc.py", top / "tests" / "book" / "test_toc.py")
    env = dict(
        os.environ,
        PYTHONPATH=str(top / "src"),
        STOREOPS_DATA=str(ROOT / "datasets"),
        STOREOPS_COURSE_DIR=str(top / "grader"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    cli = [sys.executable, "-c", "import sys; from storeops.cli import main; sys.exit(main())"]
    out = _run([*cli, "new-chapter", SLUG, "--root", str(top)], top, env)
    assert f"chapters/{SLUG}/{SLUG}.ipynb" in out
    return top, env, cli


def test_the_scratch_copy_imports_its_own_library(scratch):
    top, env, _ = scratch
    out = _run([sys.executable, "-c", "import storeops; print(storeops.__file__)"], top, env)
    assert out.strip().startswith(str(top))


@pytest.mark.slow
def test_scaffolded_chapter_passes_its_own_and_the_shared_tests(scratch):
    top, env, _ = scratch
    out = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(top),
            "tests/checks",
            "tests/book/test_toc.py",
            f"chapters/{SLUG}",
            "-k",  # the shared tests parametrised over chapters, the TOC check, its own tests
            f"{SLUG} or every_chapter_folder or has_self_checks or keys_hold_no_plain_answer",
        ],
        top,
        env,
        timeout=900,
    )
    passed = int(out.strip().splitlines()[-1].split(" passed")[0].split()[-1])
    # per question 2 self-check tests; per chapter 2 key tests, 3 source-notebook tests
    # (tests/checks), the TOC test; its own 2
    assert passed == 10, out[-2000:]


@pytest.mark.slow
def test_scaffolded_chapter_releases_only_its_notebook(scratch):
    top, env, cli = scratch
    _run([*cli, "release", SLUG], top, env)
    released = sorted(p.name for p in (top / "grader" / "release" / SLUG).iterdir())
    assert released == [f"{SLUG}.ipynb"]


def test_an_existing_chapter_is_never_overwritten(scratch):
    top, env, cli = scratch
    run = subprocess.run(
        [*cli, "new-chapter", SLUG, "--root", str(top)],
        cwd=top,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and "already exists" in run.stderr
