"""A hub that died leaves nothing running in its class's folders.

JupyterHub starts its managed services (the course's formgrader, the check service) in
sessions of their own; when the hub itself dies at start (a service slow to answer, a
port taken), they outlive it and hold the ports the next start needs.
"""

from __future__ import annotations

import subprocess
import time

from storeops.hub.run import Hub


def test_stop_ends_what_a_dead_hub_left_in_its_folders(tmp_path):
    hub = Hub(tmp_path / "class")
    hub.course_dir.mkdir(parents=True)
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    orphan = subprocess.Popen(["sleep", "300"], cwd=hub.course_dir, start_new_session=True)
    bystander = subprocess.Popen(["sleep", "300"], cwd=elsewhere, start_new_session=True)
    try:
        hub.stop()  # no hub process of its own: it died before
        deadline = time.monotonic() + 10
        while orphan.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert orphan.poll() is not None
        assert bystander.poll() is None
    finally:
        for p in (orphan, bystander):
            p.kill()
            p.wait()
