"""The Store Ops Workbook nbgrader course (run nbgrader from this folder, or use `storeops`).

Settings that scripts also need (course id, where sources live, per-student
stores) are in course.json beside this file, read here and by storeops.grading.
"""

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = json.loads((HERE / "course.json").read_text())

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = COURSE["course_id"]
c.CourseDirectory.root = str(HERE)
# Sources live in chapters/<assignment>/ beside the chapter's page and tests, outside this folder.
c.CourseDirectory.source_directory = os.path.relpath(
    (HERE / COURSE["source_directory"]).resolve(), HERE
)
# A chapter folder holds its page, tests and instructor-only files beside the source
# notebook; none of them is copied into a release (helper files an assignment ships are).
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "page.md",
    "test_*.py",
    "conftest*.py",
    ".pytest_cache",
    "feedback",
    "mistakes.yml",
    "*.keys.json",
    "*truth*",
]

# Gradebook: SQLite in grader/ by default; any SQLAlchemy URL (e.g. PostgreSQL) via the env.
# A "{course}" in the URL becomes this course's own database, created on first use
# (one PostgreSQL server for several courses: storeops.hub.postgres).
_db_url = os.environ.get("STOREOPS_GRADEBOOK_URL", f"sqlite:///{HERE / 'gradebook.db'}")
if "{course}" in _db_url:
    from storeops.hub.postgres import course_database

    _db_url = course_database(_db_url, HERE)
c.CourseDirectory.db_url = _db_url

# Kernels can hang: a start-up timeout here; the per-cell timeout comes with the sandbox below.
c.Execute.startup_timeout = 60

# Feedback keeps the test messages but strips hidden-test code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]

# LMS downloads (zip collect): files named <student>_<notebook>.ipynb, optionally with
# numeric ids between (Canvas style <student>_<id>_<id>_<notebook>.ipynb). Student ids have no "_".
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[A-Za-z0-9.\-]+)_(?:\d+_)*(?P<file_id>[^/]+\.ipynb)$"
)
c.ZipCollectApp.strict = False

# Hidden tests locate the instructor-only sources through this variable; kernels inherit it.
# course.json is authoritative for this course, so these override the caller's environment.
os.environ["STOREOPS_SOURCE_DIR"] = str((HERE / COURSE["source_directory"]).resolve())
# The seed comes from $STOREOPS_COURSE_SEED_FILE (instructor-only) when set; course.json's
# is an example for the demo (storeops.hub.stores).
if COURSE.get("per_student_stores"):
    from storeops.data import cache_root
    from storeops.hub.stores import DELIVERED, course_seed

    os.environ["STOREOPS_COURSE_SEED"] = str(course_seed(COURSE))
    os.environ["STOREOPS_STORES"] = str(cache_root() / DELIVERED)
else:
    os.environ.pop("STOREOPS_COURSE_SEED", None)
    os.environ.pop("STOREOPS_STORES", None)

# Untrusted submissions run in the sandbox (grader/README.md "Threat model"):
# resource limits, no network, a throw-away uid, per-notebook wall time, output cap,
# tamper guard, and feedback tracebacks without hidden tests. Limits: STOREOPS_* env.
from storeops.sandbox import configure as _sandbox  # noqa: E402

_sandbox(c)
