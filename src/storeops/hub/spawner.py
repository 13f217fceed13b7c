"""The students' spawner: JupyterHub's LocalProcessSpawner, with the switch to the
student's uid done by the sandbox launcher (storeops.hub.run_as) so that the server
runs this venv's interpreter even where the student cannot enter (e.g. under /root),
and with the student's private store delivered before the server starts."""

from __future__ import annotations

import os
import pwd
import shutil

from jupyterhub.spawner import LocalProcessSpawner

from storeops.hub.run_as import command_as


class StudentSpawner(LocalProcessSpawner):
    def make_preexec_fn(self, name):
        home = pwd.getpwnam(name).pw_dir

        def preexec() -> None:  # still root here: the launcher switches to the student
            os.chdir(home)

        return preexec

    async def start(self):
        plain = list(self.cmd)
        self.cmd, report = command_as(self.user.name, plain)
        self._launch_dir = report.parent
        try:
            return await super().start()
        finally:
            self.cmd = plain

    async def stop(self, now=False):
        await super().stop(now=now)
        launch_dir = getattr(self, "_launch_dir", None)
        if launch_dir is not None:  # the launcher's config and report, one per start
            shutil.rmtree(launch_dir, ignore_errors=True)
            self._launch_dir = None
