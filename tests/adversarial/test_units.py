"""Unit tests of the safety layer that run without executing any submission."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import adversarial_corpus as corpus
import pytest

from storeops.errors import StoreOpsError
from storeops.sandbox import (
    Limits,
    backup_gradebook,
    compare,
    fatal,
    preflight,
    restore_gradebook,
    snapshot,
)
from storeops.sandbox.feedback import HideHiddenTracebacks
from storeops.sandbox.gradebook import sqlite_path
from storeops.sandbox.kernel import scrub_env

GOOD = ("good-1", "good-2", "good-3")


@pytest.fixture(scope="module")
def released_class(tmp_path_factory):
    course = corpus.make_course(tmp_path_factory.mktemp("units"))
    corpus.release(course)
    cases = corpus.cases()
    corpus.build_class(course, cases)
    return course, cases


def _problems(course, student):
    return preflight(
        course / "submitted" / student / corpus.ASSIGNMENT,
        course / "release" / corpus.ASSIGNMENT,
        student,
    )


def test_preflight_reports_every_case_clearly(released_class):
    course, cases = released_class
    for case in cases:
        problems = _problems(course, case.student)
        codes = {p.code for p in problems}
        assert set(case.problems) <= codes, (case.student, [str(p) for p in problems])
        assert bool(fatal(problems)) == (case.score is None), (case.student, codes)
        for p in problems:
            assert p.student == case.student and len(p.message) > 10


def test_good_submissions_have_no_problems(released_class):
    course, _ = released_class
    for student in GOOD:
        assert _problems(course, student) == []


def test_edited_test_named_and_restoration_explained(released_class):
    course, _ = released_class
    edited = [p for p in _problems(course, "edited-test") if p.code == "edited-test-cell"]
    assert len(edited) == 1
    assert "'q1-test'" in edited[0].message and "restored" in edited[0].message


def test_preflight_of_missing_folder_and_symlink(released_class, tmp_path):
    course, _ = released_class
    rel = course / "release" / corpus.ASSIGNMENT
    assert [p.code for p in preflight(tmp_path / "nobody" / "drill", rel)] == ["no-submission"]
    folder = tmp_path / "linker" / "drill"
    folder.mkdir(parents=True)
    (folder / corpus.NOTEBOOK).symlink_to(course / "gradebook.db")
    codes = {p.code for p in preflight(folder, rel, "linker")}
    assert "symlink" in codes


def test_snapshot_detects_any_change(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "nb.ipynb").write_bytes(b"{}")
    (tmp_path / "é.txt").write_text("x")
    before = snapshot(tmp_path)
    assert compare(before, snapshot(tmp_path)) == []
    (tmp_path / "a" / "nb.ipynb").write_bytes(b"{ }")
    (tmp_path / "new").write_text("")
    (tmp_path / "é.txt").unlink()
    assert compare(before, snapshot(tmp_path)) == [
        "changed: a/nb.ipynb",
        "added: new",
        "deleted: é.txt",
    ]


def test_backup_and_restore_sqlite(tmp_path):
    db = tmp_path / "gradebook.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE grade (id INTEGER PRIMARY KEY, score REAL)")
    con.executemany("INSERT INTO grade (score) VALUES (?)", [(1.0,), (2.0,)])
    con.commit()
    url = f"sqlite:///{db}"
    backup = backup_gradebook(url, tmp_path / "backups")
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    con.execute("DELETE FROM grade")
    con.commit()
    con.close()
    restore_gradebook(backup, url)
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM grade").fetchone()[0] == 2
    con.close()


def test_backup_keeps_only_recent_copies(tmp_path):
    db = tmp_path / "g.db"
    sqlite3.connect(db).close()
    for _ in range(4):
        backup_gradebook(f"sqlite:///{db}", tmp_path / "b", keep=2)
    assert len(list((tmp_path / "b").glob("gradebook-*.db"))) == 2


def test_other_databases_name_their_dump_tool():
    assert sqlite_path("sqlite:////abs/g.db").as_posix() == "/abs/g.db"
    assert sqlite_path("sqlite:///rel/g.db").as_posix() == "rel/g.db"
    with pytest.raises(StoreOpsError, match="pg_dump"):
        backup_gradebook("postgresql://grader@db/gradebook", "/tmp/unused")


def test_limits_round_trip_through_the_environment():
    limits = Limits(cell_timeout=5, memory_mb=300, network="host")
    assert Limits.from_env(limits.to_env()) == limits
    assert Limits.from_env({}) == Limits()


def test_kernel_environment_has_no_credentials():
    env = scrub_env(
        {
            "PATH": "/bin",
            "STOREOPS_SOURCE_DIR": "/src",
            "STOREOPS_GRADEBOOK_URL": "postgresql://u:pw@db/g",
            "AWS_SECRET_ACCESS_KEY": "x",
            "GITHUB_TOKEN": "x",
            "JUPYTERHUB_API_TOKEN": "x",
        }
    )
    assert env == {"PATH": "/bin", "STOREOPS_SOURCE_DIR": "/src"}


def test_hidden_test_lines_never_reach_a_traceback():
    import nbformat

    cell = nbformat.v4.new_code_cell(
        'assert "total" in globals()\n### BEGIN HIDDEN TESTS\n'
        "assert total == 4217, 'q1: wrong'  # hidden-check-q1\n### END HIDDEN TESTS"
    )
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="q1: wrong",
            traceback=[
                "\x1b[0;31m----> 3\x1b[0m assert total == 4217, 'q1: wrong'",
                "AssertionError: q1: wrong",
            ],
        ),
        nbformat.v4.new_output(
            "stream",
            name="stdout",
            text="assert total == 4217, 'q1: wrong'  # hidden-check-q1\nok\n",
        ),
    ]
    out, _ = HideHiddenTracebacks().preprocess_cell(cell, {}, 0)
    text = json.dumps(out.outputs)
    assert corpus.leaks(text) == []
    assert "q1: wrong" in text and "ok" in text


def test_launcher_applies_limits_and_isolates_network(tmp_path):
    """launch.py on a plain command: rlimits set, and (as root) no route anywhere."""
    from storeops.sandbox.kernel import LAUNCHER

    cfg = {
        "network": "none",
        "memory_bytes": 300 * 2**20,
        "fsize_bytes": 2**20,
        "cpu_seconds": 20,
        "nproc": 0,
        "uid": None,
        "report": str(tmp_path / "enforced.json"),
    }
    (tmp_path / "cfg.json").write_text(json.dumps(cfg))
    probe = (
        "import resource, socket\n"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20,"
        " resource.getrlimit(resource.RLIMIT_FSIZE)[0])\n"
        "s = socket.socket(); s.settimeout(1)\n"
        "try:\n    s.connect(('192.0.2.1', 80)); print('connected')\n"
        "except OSError as e:\n    print(type(e).__name__)\n"
    )
    out = subprocess.run(
        [
            sys.executable,
            str(LAUNCHER),
            str(tmp_path / "cfg.json"),
            "--",
            sys.executable,
            "-c",
            probe,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = out.stdout.split()
    assert lines[:2] == ["300", str(2**20)], out
    enforced = json.loads((tmp_path / "enforced.json").read_text())
    assert enforced["memory"] is True and enforced["file_size"] is True
    if enforced["network"] is True:
        assert lines[2] == "OSError"  # "Network is unreachable", not a timeout
    else:
        assert isinstance(enforced["network"], str)  # says why it was not possible


def _run_launcher(tmp: Path, cfg: dict, probe: str) -> str:
    from storeops.sandbox.kernel import LAUNCHER

    (tmp / "cfg.json").write_text(json.dumps(cfg))
    out = subprocess.run(
        [sys.executable, str(LAUNCHER), str(tmp / "cfg.json"), "--", sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.stdout + out.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_launcher_hides_world_readable_sources_and_their_git_repository():
    """A course clone anyone may read (e.g. /srv/course): the kernel's uid still sees an
    empty source folder and an empty .git (which holds every version of the sources).
    The same probe without hiding reads the key, so the test can fail."""
    from storeops.sandbox.kernel import UidSlot, _reachable_paths, hidden_paths

    top = Path(tempfile.mkdtemp(prefix="storeops-hide-"))
    try:
        top.chmod(0o755)
        src = top / "exercises" / "source"
        src.mkdir(parents=True)
        (src / "key.txt").write_text("42")
        (top / ".git" / "objects").mkdir(parents=True)
        for d in (top / "exercises", src, top / ".git", top / ".git" / "objects"):
            d.chmod(0o755)
        assert hidden_paths(str(src)) == [str(src), str(top / ".git")]
        probe = (
            "import os\n"
            f"print('src', os.listdir({str(src)!r}), 'git', os.listdir({str(top / '.git')!r}))\n"
            "try:\n"
            f"    print('key', open({str(src / 'key.txt')!r}).read())\n"
            "except OSError as e:\n"
            "    print('key', type(e).__name__)\n"
        )
        slot = UidSlot()
        try:
            box = top / "box"  # the kernel's own folder (it writes the report after setuid)
            box.mkdir()
            os.chown(box, slot.uid, slot.uid)
            base = {
                "uid": slot.uid,
                "gid": slot.uid,
                "expose": _reachable_paths([sys.executable], None, {}),
                "stage": str(top / "stage"),
                "report": str(box / "enforced.json"),
            }
            (top / "stage").mkdir()
            hidden = _run_launcher(top, {**base, "hide": hidden_paths(str(src))}, probe)
            enforced = json.loads((box / "enforced.json").read_text())
            shown = _run_launcher(top, {**base, "hide": []}, probe)
        finally:
            slot.release()
        assert "src [] git []" in hidden and "key FileNotFoundError" in hidden, hidden
        assert enforced["sources_hidden"] is True and enforced["separate_user"] is True
        assert "key 42" in shown, shown  # control: without hiding the uid could read it
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_grading_kernel_environment_has_no_source_folder(tmp_path, monkeypatch):
    """What SandboxedKernelManager passes to launch.py: export mode on, no source path."""
    from storeops.grading import keys
    from storeops.sandbox.kernel import SandboxedKernelManager

    monkeypatch.setenv(keys.SOURCE_ENV, str(tmp_path / "src"))
    seen = {}

    async def fake_launch(self, cmd, **kw):
        seen.update(kw["env"])
        seen["cfg"] = json.loads(Path(cmd[2]).read_text())
        raise RuntimeError("stop here")

    monkeypatch.setattr(
        "jupyter_client.manager.AsyncKernelManager._async_launch_kernel", fake_launch
    )
    km = SandboxedKernelManager(kernel_name="python3")
    km._make_box()
    km.connection_file = str(km.box / "kernel.json")
    Path(km.connection_file).write_text("{}")
    import asyncio

    try:
        with pytest.raises(RuntimeError, match="stop here"):
            asyncio.run(
                km._async_launch_kernel(
                    [sys.executable, "-m", "ipykernel_launcher"],
                    env={**os.environ},
                    cwd=str(tmp_path),
                )
            )
    finally:
        km.finish()
    assert keys.SOURCE_ENV not in seen and seen[keys.EXPORT_ENV] == "1"
    if os.geteuid() == 0:
        assert str(tmp_path / "src") in seen["cfg"]["hide"]
        assert not any(str(tmp_path / "src") in p for p in seen["cfg"]["expose"])
