"""The nbgrader course folder (grader/): its config, paths and nbgrader's API on it."""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from storeops.errors import StoreOpsError
from storeops.grading import source as src

DEFAULT_COURSE = Path(__file__).resolve().parents[3] / "grader"


def nbgrader_environment() -> None:
    """Put this interpreter's bin/ on PATH: nbgrader runs ``alembic`` by name."""
    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + path


@dataclass
class Course:
    """An nbgrader course folder holding ``nbgrader_config.py`` and ``course.json``."""

    root: Path

    @classmethod
    def find(cls, path: str | Path | None = None) -> Course:
        root = Path(path or os.environ.get("STOREOPS_COURSE_DIR") or DEFAULT_COURSE).resolve()
        if not (root / "nbgrader_config.py").exists():
            raise StoreOpsError(f"{root} is not an nbgrader course (no nbgrader_config.py)")
        return cls(root)

    @property
    def settings(self) -> dict:
        path = self.root / "course.json"
        return json.loads(path.read_text()) if path.exists() else {}

    @property
    def source_dir(self) -> Path:
        return (self.root / self.settings.get("source_directory", "source")).resolve()

    def dir(self, name: str) -> Path:
        return self.root / name

    def assignments(self) -> list[str]:
        return src.assignments(self.source_dir)

    def check_assignment(self, assignment: str) -> None:
        if not (self.source_dir / assignment).is_dir():
            known = ", ".join(self.assignments()) or "none"
            raise StoreOpsError(
                f"no assignment {assignment!r} in {self.source_dir} (known: {known})"
            )

    def kernel_env(self) -> dict[str, str]:
        """Variables the grading kernels need: where sources are, per-student stores."""
        env = {"STOREOPS_SOURCE_DIR": str(self.source_dir)}
        settings = self.settings
        if settings.get("per_student_stores"):
            from storeops.data import cache_root
            from storeops.hub.stores import DELIVERED, course_seed

            # the grader's own process derives keys from the seed; kernels never get it
            # (sandbox scrub) and read the seedless stores delivered to STOREOPS_STORES
            env["STOREOPS_COURSE_SEED"] = str(course_seed(settings))
            env["STOREOPS_STORES"] = str(cache_root() / DELIVERED)
        return env

    def config(self):
        """The traitlets Config of this course's nbgrader_config.py."""
        from traitlets.config.loader import PyFileConfigLoader

        cwd = os.getcwd()
        try:  # the config file may use relative paths; load it from the course folder
            os.chdir(self.root)
            config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        finally:
            os.chdir(cwd)
        config.CourseDirectory.root = str(self.root)
        return config

    def api(self, **overrides):
        """nbgrader's own API on this course (import of nbgrader happens here, once)."""
        nbgrader_environment()
        os.environ.update(self.kernel_env())
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        config = self.config()
        for section, values in overrides.items():
            for key, value in values.items():
                setattr(config[section], key, value)
        coursedir = CourseDirectory(config=config)
        return NbGraderAPI(coursedir=coursedir, config=config)


def copy_course(
    dest: str | Path,
    course: Course | None = None,
    assignments: list[str] | None = None,
    **settings,
) -> Course:
    """A scratch copy of a course (config + sources, no gradebook or submissions) in ``dest``.

    For trying the pipeline, tests and benchmarks without touching the real grader/.
    ``settings`` override course.json (e.g. ``per_student_stores=True``).
    """
    course = course or Course.find()
    dest = Path(dest)
    (dest / "grader").mkdir(parents=True, exist_ok=True)
    shutil.copy2(course.root / "nbgrader_config.py", dest / "grader" / "nbgrader_config.py")
    data = dict(course.settings, source_directory="../chapters", **settings)
    (dest / "grader" / "course.json").write_text(json.dumps(data, indent=2) + "\n")
    target = dest / "chapters"
    target.mkdir(parents=True, exist_ok=True)
    for name in assignments or course.assignments():
        shutil.copytree(
            course.source_dir / name,
            target / name,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".pytest_cache"),
            dirs_exist_ok=True,
        )
    return Course(dest / "grader")
