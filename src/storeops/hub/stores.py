"""Private per-student stores: generated instructor-side, delivered as data only.

A student's store is ``generate(student_seed(course_seed, student))``. Whoever holds
the course seed (or the student's seed) can regenerate the store *with its ground
truth*, which answers the data-analysis questions. So:

* the course seed lives in an instructor-only file (mode 0600, outside the committed
  config; ``$STOREOPS_COURSE_SEED_FILE``). ``course.json``'s ``course_seed`` is an
  example used only when no seed file is configured (the self-learner demo);
* the instructor side (the hub's spawner hook, the grader) generates each student's
  store and writes its tables only: no ``truth.json`` and a MANIFEST whose ``seed`` is
  null, so ``load_store(with_truth=True)`` refuses instead of regenerating;
* the student's kernel gets ``STOREOPS_DATA`` pointing at their delivered store and
  never ``STOREOPS_COURSE_SEED``; grading kernels get ``STOREOPS_STORES`` (a folder of
  delivered stores, one per student) and the sandbox scrubs the seed from their env.

Whether a delivered store is current is recorded as a one-way digest of the student's
seed (``delivery``), which reveals nothing usable: the seed has 63 bits.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import stat
from pathlib import Path

from storeops.errors import StoreOpsError

SEED_FILE_ENV = "STOREOPS_COURSE_SEED_FILE"
STORE_DIRNAME = "store"  # in the student's home: ~/store
DELIVERED = "delivered"  # grading: <store cache>/delivered/<student>/


def read_seed_file(path: str | Path) -> int:
    """The course seed from an instructor-only file (refused when others may read it)."""
    p = Path(path)
    try:
        st = p.stat()
        text = p.read_text().strip()
    except OSError as exc:
        raise StoreOpsError(f"cannot read the course seed file {p}: {exc.strerror}") from None
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise StoreOpsError(
            f"the course seed file {p} is readable by others (mode "
            f"{oct(stat.S_IMODE(st.st_mode))}): chmod 600 it, students must not read it"
        )
    try:
        return int(text)
    except ValueError:
        raise StoreOpsError(f"the course seed file {p} does not hold an integer") from None


def write_seed_file(path: str | Path, seed: int) -> Path:
    """Write the course seed readable by its owner only (folder 0700)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(p.parent, 0o700)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"{int(seed)}\n")
    os.chmod(p, 0o600)
    return p


def course_seed(settings: dict | None = None) -> int:
    """The course seed: ``$STOREOPS_COURSE_SEED_FILE``, else course.json's
    ``course_seed_file``, else its example ``course_seed`` (demo only)."""
    settings = settings or {}
    path = os.environ.get(SEED_FILE_ENV, "").strip() or settings.get("course_seed_file")
    if path:
        return read_seed_file(Path(path).expanduser())
    if "course_seed" not in settings:
        raise StoreOpsError(f"no course seed: set ${SEED_FILE_ENV} to an instructor-only file")
    return int(settings["course_seed"])


def _delivery_id(seed: int, student: str) -> str:
    from storeops.data import student_seed

    s = student_seed(seed, student)
    return hashlib.sha256(f"storeops-delivery:{s}".encode()).hexdigest()[:24]


def is_current(dest: str | Path, seed: int, student: str) -> bool:
    from storeops.data import read_manifest
    from storeops.sim.fingerprint import code_fingerprint

    m = read_manifest(dest)
    return bool(
        m
        and m.get("delivery") == _delivery_id(seed, student)
        and m.get("generator_fingerprint") == code_fingerprint()
        and all((Path(dest) / name).exists() for name in m.get("files", {}))
    )


def deliver(
    seed: int,
    student: str,
    dest: str | Path,
    owner: tuple[int, int] | None = None,
    mode: int = 0o700,
) -> Path:
    """Generate ``student``'s store and write its tables (no truth, no seed) to ``dest``;
    ``owner`` (uid, gid) gets the folder. Nothing is written when it is already current."""
    from storeops.data import student_seed, write_store
    from storeops.sim import generate

    dest = Path(dest)
    if not is_current(dest, seed, student):
        store = generate(seed=student_seed(seed, student))
        write_store(
            store,
            dest,
            formats=("parquet",),
            include_truth=False,
            extra_meta={"seed": None, "student": student, "delivery": _delivery_id(seed, student)},
        )
    for path in [dest, *dest.rglob("*")]:
        if owner is not None:
            os.lchown(path, *owner)
        if path.is_dir():
            os.chmod(path, mode)
        else:
            os.chmod(path, mode & 0o666)
    return dest


def student_env(store_dir: str | Path) -> dict[str, str]:
    """What a student's server and kernels get: where their store is, nothing else."""
    return {"STOREOPS_DATA": str(store_dir)}


def deliver_to_account(seed: int, username: str, home: str | Path | None = None) -> Path:
    """Deliver into a local account's home (``~/store``), owned by that account."""
    entry = pwd.getpwnam(username)
    home = Path(home or entry.pw_dir)
    return deliver(seed, username, home / STORE_DIRNAME, owner=(entry.pw_uid, entry.pw_gid))


def pre_spawn_hook(spawner) -> None:
    """JupyterHub ``Spawner.pre_spawn_hook``: the student's store into their home, and
    an environment without the course seed."""
    name = spawner.user.name
    seed = course_seed(_course_settings())
    dest = deliver_to_account(seed, name)
    env = dict(spawner.environment or {})
    for key in list(env):
        if key.startswith("STOREOPS_COURSE_SEED"):
            env.pop(key)
    env.update(student_env(dest))
    spawner.environment = env


def _course_settings() -> dict:
    from storeops.grading.course import Course

    return Course.find().settings


def deliver_for_grading(settings: dict, students: list[str], cache: Path) -> Path:
    """Grading kernels' stores: ``cache/delivered/<student>`` for each student (readable
    by the sandbox's kernel uids through the store cache they already reach)."""
    seed = course_seed(settings)
    root = cache / DELIVERED
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    for s in students:
        deliver(seed, s, root / s, mode=0o755)
    return root
