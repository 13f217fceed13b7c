"""Private per-student stores.

Two real student accounts get their stores through the hub's spawner hook; a probe runs
as each student with the environment the hub gives their kernels and tries what a
curious trainee would: ``load_store(with_truth=True)``, the seed from the environment,
the store's files or the committed course config, the instructor's seed file, the other
student's store."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from accounts import accounts

from storeops.data import student_seed
from storeops.hub.run_as import command_as
from storeops.sim import generate

ROOT = Path(__file__).resolve().parents[2]
SEED = 731_904_226  # this test's course seed; never committed as the course's
STUDENTS = (f"sta{os.getpid() % 100000}", f"stb{os.getpid() % 100000}")

PROBE = r"""
import json, os, sys
from pathlib import Path
out = {"env": dict(os.environ)}
from storeops.data import load_store
from storeops.errors import StoreOpsError
import pandas as pd
store = load_store()
out["orders"] = int(pd.util.hash_pandas_object(store.orders, index=False).sum())
out["source"] = store.meta.get("source")
try:
    t = load_store(with_truth=True).truth
    out["truth"] = "revealed" if t else "empty"
except StoreOpsError as exc:
    out["truth"] = "refused: " + str(exc)
texts = {}
for p in Path(out["source"]).iterdir():
    if p.suffix in (".json", ".txt", ".md"):
        texts[p.name] = p.read_text()
out["store_texts"] = texts
out["course_json"] = Path(sys.argv[1]).read_text()
for key, path in (("seed_file", sys.argv[2]), ("other_store", sys.argv[3])):
    try:
        Path(path).read_bytes()
        out[key] = "read"
    except OSError as exc:
        out[key] = type(exc).__name__
print(json.dumps(out))
"""


def _digest(orders: pd.DataFrame) -> int:
    return int(pd.util.hash_pandas_object(orders, index=False).sum())


def _spawn(name: str, env: dict) -> dict:
    """What JupyterHub does before starting a student's server: the hook, then the env."""
    from storeops.hub.stores import pre_spawn_hook

    spawner = SimpleNamespace(user=SimpleNamespace(name=name), environment=dict(env))
    pre_spawn_hook(spawner)
    return spawner.environment


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    from storeops.hub.stores import write_seed_file

    instructor = Path("/var/tmp") / f"storeops-instructor-{os.getpid()}"
    seed_file = write_seed_file(instructor / "course_seed", SEED)
    saved = os.environ.get("STOREOPS_COURSE_SEED_FILE")
    os.environ["STOREOPS_COURSE_SEED_FILE"] = str(seed_file)
    try:
        with accounts(*STUDENTS) as users:
            out = {}
            for i, name in enumerate(STUDENTS):
                u = users[name]
                # the hub's own environment may hold the seed: the hook must drop it
                extra = _spawn(name, {"STOREOPS_COURSE_SEED": str(SEED)})
                env = {
                    "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
                    "HOME": u.pw_dir,
                    "USER": name,
                    "JUPYTERHUB_USER": name,
                    **extra,
                }
                other = users[STUDENTS[1 - i]].pw_dir + "/store/orders.parquet"
                probe = [sys.executable, "-c", PROBE, str(ROOT / "grader" / "course.json")]
                cmd, report = command_as(name, [*probe, str(seed_file), other])
                proc = subprocess.run(
                    cmd,
                    env=env,
                    cwd=u.pw_dir,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert proc.returncode == 0, proc.stderr[-3000:]
                enforced = json.loads(report.read_text())
                shutil.rmtree(report.parent)
                assert enforced["separate_user"] is True, enforced
                out[name] = json.loads(proc.stdout)
            yield out
    finally:
        if saved is None:
            os.environ.pop("STOREOPS_COURSE_SEED_FILE", None)
        else:
            os.environ["STOREOPS_COURSE_SEED_FILE"] = saved
        for p in sorted(instructor.rglob("*"), reverse=True):
            p.unlink()
        instructor.rmdir()


def test_each_student_loads_their_own_store_and_the_two_differ(probes):
    for name in STUDENTS:
        own = generate(seed=student_seed(SEED, name))
        assert probes[name]["orders"] == _digest(own.orders), name
        assert probes[name]["source"].endswith(f"/{name}/store")
    assert probes[STUDENTS[0]]["orders"] != probes[STUDENTS[1]]["orders"]


def test_with_truth_is_refused_in_the_students_kernel(probes):
    for name in STUDENTS:
        assert probes[name]["truth"].startswith("refused"), probes[name]["truth"]


def test_instructor_seed_file_and_other_students_store_are_unreadable(probes):
    for name in STUDENTS:
        assert probes[name]["seed_file"] == "PermissionError"
        assert probes[name]["other_store"] == "PermissionError"


def test_nothing_the_student_sees_regenerates_their_store(probes):
    """Every integer in the student's environment, their store's text files and the
    committed course config, tried as a course seed and as the store's own seed (the
    first test shows the same comparison finds the store from the instructor's seed)."""
    for name in STUDENTS:
        seen = probes[name]
        text = json.dumps([seen["env"], seen["store_texts"], seen["course_json"]])
        assert str(SEED) not in text and str(student_seed(SEED, name)) not in text
        candidates = {int(x) for x in re.findall(r"(?<![\w.])\d{3,19}(?![\w.])", text)}
        hits = []
        for x in sorted(candidates):
            for seed in {x % 2**63, student_seed(x, name)}:
                if _digest(generate(seed=seed).orders) == seen["orders"]:
                    hits.append(x)
        assert hits == []
