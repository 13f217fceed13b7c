"""storeops.data: where load_store finds its data, per-student seeds, the cache, the truth."""

from __future__ import annotations

import os

import pandas as pd
import pytest

import storeops.data as data
from storeops.data import current_student, load_store, student_seed, write_store
from storeops.errors import StoreOpsError
from storeops.sim import DEFAULT_SEED, generate


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No per-student or data environment; a private cache."""
    for var in ("STOREOPS_COURSE_SEED", "STOREOPS_STUDENT", "JUPYTERHUB_USER", "STOREOPS_DATA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("STOREOPS_CACHE", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture(scope="module")
def small():
    return generate(seed=21, days=40, scale=0.05)


def test_student_seed_is_stable_and_distinct():
    s = student_seed(2025, "alice")
    assert s == student_seed(2025, "alice") == student_seed(2025, " alice ")
    assert isinstance(s, int) and 0 <= s < 2**63
    assert len({student_seed(2025, f"s{i}") for i in range(200)}) == 200
    assert student_seed(2026, "alice") != s
    with pytest.raises(StoreOpsError):
        student_seed("2025", "alice")
    with pytest.raises(StoreOpsError):
        student_seed(2025, "  ")


def test_current_student_sources(clean_env, monkeypatch):
    monkeypatch.chdir(clean_env)
    assert current_student() is None
    sub = clean_env / "grader" / "submitted" / "bob" / "ps1"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert current_student() == "bob"
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert current_student() == "hubuser"
    monkeypatch.setenv("STOREOPS_STUDENT", "carol")
    assert current_student() == "carol"


def test_load_from_a_folder_with_and_without_truth(clean_env, small):
    write_store(small, clean_env / "ds")
    s = load_store(data_dir=clean_env / "ds")
    assert s.truth is None
    pd.testing.assert_frame_equal(s.orders, small.orders)
    t = load_store(data_dir=clean_env / "ds", with_truth=True)
    assert t.truth["seed"] == 21 and t.truth["elasticity"] == small.truth["elasticity"]


def test_truth_is_regenerated_when_the_folder_has_none(clean_env, small):
    write_store(small, clean_env / "ds", formats=("parquet",), include_truth=False)
    assert not (clean_env / "ds" / "truth.json").exists()
    assert (
        load_store(data_dir=clean_env / "ds", with_truth=True).truth["elasticity"]
        == small.truth["elasticity"]
    )


def test_storeops_data_environment_variable(clean_env, small, monkeypatch):
    write_store(small, clean_env / "ds", formats=("parquet",))
    monkeypatch.setenv("STOREOPS_DATA", str(clean_env / "ds"))
    assert load_store().meta["seed"] == 21


def test_missing_folder_is_a_clear_error(clean_env):
    with pytest.raises(StoreOpsError, match="MANIFEST"):
        load_store(data_dir=clean_env / "nothing")


def test_per_student_store_is_generated_once_and_cached(clean_env, monkeypatch):
    monkeypatch.setenv("STOREOPS_COURSE_SEED", "99")
    monkeypatch.setenv("STOREOPS_STUDENT", "dana")
    first = load_store()
    seed = student_seed(99, "dana")
    assert first.meta["seed"] == seed and first.truth is None
    # per-student stores: beside the shared cache, where grading kernels cannot look
    cached = clean_env / "cache-private" / f"{seed}-{first.meta['generator_version']}"
    assert (cached / "MANIFEST.json").exists()
    assert not (cached / "truth.json").exists()  # the truth never goes into a student's cache
    again = load_store()
    assert again.meta["source"] == str(cached)
    pd.testing.assert_frame_equal(again.orders, first.orders)
    pd.testing.assert_frame_equal(again.customers, generate(seed=seed).customers)
    other = load_store("erin")
    assert other.meta["seed"] == student_seed(99, "erin")


def test_per_student_mode_without_a_student_is_an_error(clean_env, monkeypatch):
    monkeypatch.chdir(clean_env)
    monkeypatch.setenv("STOREOPS_COURSE_SEED", "99")
    with pytest.raises(StoreOpsError, match="no student id"):
        load_store()
    monkeypatch.setenv("STOREOPS_COURSE_SEED", "abc")
    with pytest.raises(StoreOpsError, match="integer"):
        load_store()


def test_default_store_without_datasets_is_generated_into_the_cache(clean_env, monkeypatch):
    monkeypatch.setattr(data, "find_datasets_dir", lambda: None)
    s = load_store()
    assert s.meta["seed"] == DEFAULT_SEED
    assert s.meta["source"].startswith(str(clean_env / "cache"))
    assert len(s.orders) >= 100_000


def test_default_store_prefers_the_repository_datasets(clean_env, monkeypatch, tmp_path):
    ds = data.find_datasets_dir()
    if ds is None or not data.manifest_matches(ds, DEFAULT_SEED, **data.DEFAULT_META):
        pytest.skip("datasets/ not generated (run `storeops data`)")
    assert load_store().meta["source"] == str(ds)


def test_write_store_is_atomic_and_uses_the_umask(clean_env, small):
    out = write_store(small, clean_env / "ds", formats=("parquet",))
    mode = os.stat(out).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o777 & ~umask
    assert [p.name for p in clean_env.iterdir() if p.name.startswith(".")] == []


def test_truth_of_is_the_truth_of_that_very_store(clean_env, small):
    """Two stores alive at once, each without its truth loaded: each gets its own."""
    other = generate(seed=22, days=40, scale=0.05)
    write_store(small, clean_env / "a", formats=("parquet",))  # truth.json beside it
    write_store(other, clean_env / "b", formats=("parquet",), include_truth=False)
    a, b = load_store(data_dir=clean_env / "a"), load_store(data_dir=clean_env / "b")
    assert a.truth is None and b.truth is None
    assert data.truth_of(a)["seed"] == 21 and data.truth_of(b)["seed"] == 22
    assert data.truth_of(b)["elasticity"] == other.truth["elasticity"]
    assert data.truth_of(a) is data.truth_of(a)  # cached for that store object
    assert b.truth is None  # the cache never hands the truth to the learner's store


def test_truth_of_a_store_that_does_not_say_which_it_is_is_none(small):
    from storeops.sim.store import Store

    assert data.truth_of(Store(dict(small.tables), None, {})) is None
