"""Issue 18, requirement 4: no kernel, not even a grading kernel running a student's
code, receives the course seed or where to read it."""

from storeops.sandbox.kernel import scrub_env


def test_grading_kernels_never_get_the_course_seed():
    env = {
        "STOREOPS_COURSE_SEED": "20261122",
        "STOREOPS_COURSE_SEED_FILE": "/srv/storeops/instructor/course_seed",
        "STOREOPS_STORES": "/var/cache/storeops/delivered",
        "PATH": "/usr/bin",
    }
    assert scrub_env(env) == {
        "STOREOPS_STORES": "/var/cache/storeops/delivered",
        "PATH": "/usr/bin",
    }
