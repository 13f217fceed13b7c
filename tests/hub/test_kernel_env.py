"""Issue 18, requirement 4: no kernel, not even a grading kernel running a student's
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
