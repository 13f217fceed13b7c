"""No kernel, not even a grading kernel running a student's
code, receives the course seed, where to read it, or the hub identity of whoever runs
the grader (the kernel's student comes from its submission folder)."""

from storeops.sandbox.kernel import scrub_env


def test_grading_kernels_never_get_the_course_seed_or_the_graders_hub_identity():
    env = {
        "STOREOPS_COURSE_SEED": "20261122",
        "STOREOPS_COURSE_SEED_FILE": "/srv/storeops/instructor/course_seed",
        "STOREOPS_STORES": "/var/cache/storeops/delivered",
        "JUPYTERHUB_USER": "instructor",
        "JUPYTERHUB_API_URL": "http://127.0.0.1:18002/hub/api",
        "PATH": "/usr/bin",
    }
    assert scrub_env(env) == {
        "STOREOPS_STORES": "/var/cache/storeops/delivered",
        "PATH": "/usr/bin",
    }


def test_per_student_stores_are_cached_where_kernels_cannot_look(tmp_path, monkeypatch):
    """Grading kernels read the shared store cache; the grader's per-student stores
    (named and described by the students' seeds) must not be in it."""
    import json
    import stat

    from storeops.data import cache_root, load_store, student_seed

    monkeypatch.setenv("STOREOPS_CACHE", str(tmp_path / "stores"))
    monkeypatch.setenv("STOREOPS_COURSE_SEED", "4242")
    store = load_store(student="ann")
    seed = student_seed(4242, "ann")
    assert store.meta["seed"] == seed
    shared = cache_root()
    seen = [p for p in shared.rglob("*")] if shared.exists() else []
    assert not any(str(seed) in p.name for p in seen)
    assert not any(
        json.loads(p.read_text()).get("seed") == seed for p in seen if p.name == "MANIFEST.json"
    )
    private = tmp_path / "stores-private"
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert (private / f"{seed}-{store.meta['generator_version']}").is_dir()
