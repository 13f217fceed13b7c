"""Loading and writing simulated stores: the default store, per-student stores, the cache.

`load_store()` is what every notebook calls.  Where the data come from:

1. ``data_dir`` if given (Parquet files written by `write_store`);
2. per-student mode when ``$STOREOPS_COURSE_SEED`` is set (or a student is named): the
   store of ``student_seed(course_seed, student)``, generated once and cached;
3. ``$STOREOPS_STORES/<student>`` (stores delivered without seed or truth to kernels
   that must not derive the truth: storeops.hub.stores);
4. otherwise the default store: ``$STOREOPS_DATA`` (on a hub: the student's delivered
   store), else the repository's ``datasets/``, else generated once into the cache.

The ground truth is instructor-only: it is read (``truth.json``) or regenerated only when
``with_truth=True``, and never written into the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import weakref
from pathlib import Path

import numpy as np
import pandas as pd

from storeops.errors import StoreOpsError
from storeops.files import file_digest
from storeops.sim.fingerprint import code_fingerprint
from storeops.sim.params import DEFAULT_SEED, GENERATOR_VERSION
from storeops.sim.store import TABLES, Store

__all__ = [
    "DEFAULT_SEED",
    "cache_root",
    "current_student",
    "find_datasets_dir",
    "load_store",
    "manifest_matches",
    "read_store",
    "student_seed",
    "write_store",
]

FORMATS = ("csv", "parquet")
MANIFEST = "MANIFEST.json"
TRUTH = "truth.json"
DEFAULT_META = dict(start="2025-01-01", days=365, scale=1.0)
_SUBMISSION_DIR = re.compile(r"(?:^|/)(?:submitted|autograded|feedback)/([^/]+)/[^/]+(?:/|$)")


def current_student() -> str | None:
    """The student id: $STOREOPS_STUDENT, $JUPYTERHUB_USER, or an nbgrader submission folder."""
    for var in ("STOREOPS_STUDENT", "JUPYTERHUB_USER"):
        v = os.environ.get(var, "").strip()
        if v:
            return v
    m = _SUBMISSION_DIR.search(Path.cwd().resolve().as_posix())
    return m.group(1) if m else None


def student_seed(course_seed: int, student_id: str) -> int:
    """A stable per-student seed derived from the course seed and the student id (sha256)."""
    if isinstance(course_seed, bool) or not isinstance(course_seed, int | np.integer):
        raise StoreOpsError(f"course seed must be an integer, got {course_seed!r}")
    sid = str(student_id).strip()
    if not sid:
        raise StoreOpsError("student id must not be empty")
    digest = hashlib.sha256(f"storeops:{int(course_seed)}:{sid}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % (2**63)


def _course_seed_from_env() -> int | None:
    raw = os.environ.get("STOREOPS_COURSE_SEED", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise StoreOpsError(f"STOREOPS_COURSE_SEED must be an integer, got {raw!r}") from None


def cache_root() -> Path:
    """Folder of generated stores: $STOREOPS_CACHE or ~/.cache/storeops/stores."""
    env = os.environ.get("STOREOPS_CACHE", "").strip()
    return Path(env) if env else Path.home() / ".cache" / "storeops" / "stores"


def find_datasets_dir() -> Path | None:
    """The repository's datasets/ folder, found by walking up from the package and the cwd."""
    starts = [Path(__file__).resolve().parent, Path.cwd().resolve()]
    for s in starts:
        for d in (s, *s.parents):
            if (d / "datasets").is_dir() and (
                (d / "pyproject.toml").exists() or (d / "_config.yml").exists()
            ):
                return d / "datasets"
    return None


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")


def write_store(
    store: Store,
    out_dir,
    formats=FORMATS,
    include_truth: bool = True,
    extra_meta: dict | None = None,
) -> Path:
    """Write the tables (CSV and/or Parquet), MANIFEST.json and (optionally) truth.json atomically.

    Files are written to a temporary folder beside `out_dir`, which then replaces `out_dir`;
    files in `out_dir` that are not part of a store (README.md, .gitignore, ...) are kept.
    """
    if isinstance(formats, str):
        formats = tuple(f.strip() for f in formats.split(",") if f.strip())
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise StoreOpsError(f"unknown format {bad[0] if bad else ''!r}; choose from csv, parquet")
    out = Path(out_dir).expanduser().absolute()
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
    except OSError as exc:
        raise StoreOpsError(f"cannot write to {out}: {exc.strerror or exc}") from None
    try:
        files = {}
        for name in TABLES:
            df = store.tables[name]
            for fmt in formats:
                p = tmp / f"{name}.{fmt}"
                (_write_csv if fmt == "csv" else _write_parquet)(df, p)
                files[p.name] = dict(table=name, format=fmt, rows=len(df), sha256=file_digest(p))
        if include_truth and store.truth is not None:
            p = tmp / TRUTH
            p.write_text(json.dumps(store.truth, indent=1, default=_json_default) + "\n")
            files[TRUTH] = dict(sha256=file_digest(p))
        manifest = dict(
            seed=store.meta["seed"],
            generator_version=store.meta["generator_version"],
            generator_fingerprint=code_fingerprint(),
            start=store.meta["start"],
            days=store.meta["days"],
            scale=store.meta["scale"],
            channels=store.meta.get("channels"),
            formats=list(formats),
            includes_truth=bool(include_truth and store.truth is not None),
            row_counts={n: len(store.tables[n]) for n in TABLES},
            files=files,
        )
        if extra_meta:
            manifest.update(extra_meta)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, default=_json_default) + "\n")
        generated = set(files) | {MANIFEST, TRUTH} | {f"{n}.{f}" for n in TABLES for f in FORMATS}
        old = None
        if out.exists():
            if not out.is_dir():
                raise StoreOpsError(f"{out} exists and is not a folder")
            for entry in out.iterdir():
                if entry.name not in generated and not (tmp / entry.name).exists():
                    if entry.is_dir():
                        shutil.copytree(entry, tmp / entry.name, symlinks=True)
                    else:
                        shutil.copy2(entry, tmp / entry.name)
            old = parent / f".{out.name}.old-{os.getpid()}-{tmp.name[-8:]}"
            os.rename(out, old)
        os.rename(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreOpsError(f"cannot write to {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def read_manifest(data_dir) -> dict | None:
    """The MANIFEST.json of a store folder, or None."""
    p = Path(data_dir) / MANIFEST
    try:
        return json.loads(p.read_text())
    except (OSError, ValueError):
        return None


def manifest_matches(
    data_dir, seed: int, version: str = GENERATOR_VERSION, formats=("parquet",), **meta
) -> bool:
    """True if the folder holds a complete store of this seed and generator version (and code)."""
    m = read_manifest(data_dir)
    if not m or m.get("seed") != seed or m.get("generator_version") != version:
        return False
    if version == GENERATOR_VERSION and m.get("generator_fingerprint") != code_fingerprint():
        return False  # same version number but the generator's code changed
    for k, v in meta.items():
        if v is not None and m.get(k) != v:
            return False
    if any(f not in m.get("formats", []) for f in formats):
        return False
    return all((Path(data_dir) / name).exists() for name in m.get("files", {}))


def read_store(data_dir, with_truth: bool = False) -> Store:
    """Read a store written by `write_store` (Parquet; CSV if no Parquet)."""
    d = Path(data_dir)
    m = read_manifest(d)
    if m is None:
        raise StoreOpsError(
            f"no store in {d} (MANIFEST.json missing); run `storeops data --out {d}`"
        )
    tables = {}
    for name in TABLES:
        pq, csv = d / f"{name}.parquet", d / f"{name}.csv"
        if pq.exists():
            tables[name] = pd.read_parquet(pq)
        elif csv.exists():
            from storeops.sim.schema import read_csv

            tables[name] = read_csv(csv, name)
        else:
            raise StoreOpsError(
                f"table {name} missing in {d}; regenerate with `storeops data --out {d}`"
            )
    meta = {
        k: m.get(k) for k in ("seed", "generator_version", "start", "days", "scale", "channels")
    }
    meta["source"] = str(d)
    truth = None
    if with_truth:
        tp = d / TRUTH
        if tp.exists():
            truth = json.loads(tp.read_text())
        else:
            truth = _regenerate(meta).truth
    return Store(tables, truth, meta)


def _regenerate(meta: dict) -> Store:
    from storeops.sim import generate

    if meta.get("seed") is None:  # a delivered per-student store (storeops.hub.stores)
        raise StoreOpsError(
            "this store was delivered without its seed: its ground truth stays with the instructor"
        )
    if meta.get("generator_version") != GENERATOR_VERSION:
        raise StoreOpsError(
            f"cannot regenerate the truth: store made by generator {meta.get('generator_version')}, this is {GENERATOR_VERSION}"
        )
    return generate(
        seed=meta["seed"],
        start=meta["start"],
        days=meta["days"],
        scale=meta["scale"],
        channels=meta.get("channels"),
    )


def private_cache_root() -> Path:
    """Per-student stores generated from the course seed: their folder names and manifests
    hold the students' seeds, so they live beside the shared cache (which grading kernels
    may read), in a folder only its owner can enter."""
    root = cache_root()
    private = root.with_name(root.name + "-private")
    private.mkdir(parents=True, exist_ok=True)
    os.chmod(private, 0o700)
    return private


def _cached_store(seed: int, with_truth: bool, root: Path | None = None) -> Store:
    """Generate (once) and read the store of `seed` from the cache."""
    d = (root or cache_root()) / f"{seed}-{GENERATOR_VERSION}"
    if not manifest_matches(d, seed, **DEFAULT_META):
        from storeops.sim import generate

        store = generate(seed=seed)
        write_store(store, d, formats=("parquet",), include_truth=False)
        if not with_truth:
            store.truth = None
        store.meta["source"] = str(d)
        return store
    return read_store(d, with_truth=with_truth)


_TRUTHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def truth_of(store: Store) -> dict | None:
    """The ground truth of ``store`` itself (instructor side and self-learner edition only).

    Read from the folder the store came from, or regenerated from its seed; None when the
    store does not say which store it is. Cached per store object (weakly, so an entry dies
    with its store and can never answer for another one).
    """
    truth = getattr(store, "truth", None)
    if truth is not None:
        return truth
    if store in _TRUTHS:
        return _TRUTHS[store]
    meta = getattr(store, "meta", None) or {}
    if meta.get("seed") is None:
        return None
    source = Path(meta["source"]) / TRUTH if meta.get("source") else None
    if source is not None and source.exists():
        truth = json.loads(source.read_text())
    else:
        truth = _regenerate(meta).truth
    _TRUTHS[store] = truth
    return truth


def load_store(student: str | None = None, *, data_dir=None, with_truth: bool = False) -> Store:
    """Load the store this notebook should use (see the module docstring for the order)."""
    if data_dir is not None:
        return read_store(data_dir, with_truth=with_truth)
    course = _course_seed_from_env()
    if course is not None or student is not None:
        sid = student if student is not None else current_student()
        if not sid:
            raise StoreOpsError(
                "per-student data: no student id found; set STOREOPS_STUDENT or pass load_store(student=...)"
            )
        return _cached_store(
            student_seed(course if course is not None else DEFAULT_SEED, sid),
            with_truth,
            private_cache_root(),
        )
    delivered = os.environ.get("STOREOPS_STORES", "").strip()
    if delivered and current_student():  # seedless stores delivered by the grader, per student
        return read_store(Path(delivered) / current_student(), with_truth=with_truth)
    env = os.environ.get("STOREOPS_DATA", "").strip()
    if env:
        return read_store(env, with_truth=with_truth)
    ds = find_datasets_dir()
    if ds is not None and manifest_matches(ds, DEFAULT_SEED, **DEFAULT_META):
        return read_store(ds, with_truth=with_truth)
    return _cached_store(DEFAULT_SEED, with_truth)
