"""Issue 18, requirements 1 and 2: a class on JupyterHub, end to end, as real users on
loopback. The hub starts (storeops.hub.run, the same code as ``storeops hub``); the
instructor releases; two students (real local accounts) fetch, answer (one right, one
with a catalogued mistake), validate and submit through the REST endpoints nbgrader's
Assignments extension calls; the instructor collects with nbgrader, grades with
``storeops grade`` and releases feedback; the students fetch their feedback and the one
with the mistake sees it named."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import requests
from accounts import accounts

pytestmark = pytest.mark.slow

ASSIGNMENT = "orientation"
NOTEBOOK = "orientation.ipynb"
COURSE = "storeops"
PORT = 18100
RIGHT, WRONG = f"hra{os.getpid() % 100000}", f"hrb{os.getpid() % 100000}"
BIN = Path(sys.executable).parent


class Student:
    def __init__(self, hub, name: str) -> None:
        self.hub, self.name = hub, name
        self.base = f"{hub.url}/user/{name}"
        self.headers: dict[str, str] = {}

    def start(self) -> None:
        self.hub.api("POST", f"/users/{self.name}/server")
        deadline = time.monotonic() + 180
        while not self.hub.api("GET", f"/users/{self.name}")["servers"].get("", {}).get("ready"):
            assert time.monotonic() < deadline, self.hub.log_tail()
            time.sleep(0.5)
        token = self.hub.api("POST", f"/users/{self.name}/tokens", json={"note": "e2e"})["token"]
        self.headers = {"Authorization": f"token {token}"}

    def get(self, path: str, **kw):
        r = requests.get(self.base + path, headers=self.headers, timeout=300, **kw)
        assert r.ok, (path, r.status_code, r.text[:1000])
        return r.json()

    def post(self, path: str, **kw):
        r = requests.post(self.base + path, headers=self.headers, timeout=600, **kw)
        assert r.ok, (path, r.status_code, r.text[:1000])
        return r.json()

    def action(self, what: str) -> dict:
        """What the Assignments tab's Fetch / Submit / Fetch feedback buttons post."""
        out = self.post(
            f"/assignments/{what}", data={"course_id": COURSE, "assignment_id": ASSIGNMENT}
        )
        assert out["success"], out
        return out

    def listing(self) -> list[dict]:
        out = self.get("/assignments", params={"course_id": COURSE})
        assert out["success"], out
        return [a for a in out["value"] if a["assignment_id"] == ASSIGNMENT]

    def read_notebook(self, path: str):
        model = self.get(f"/api/contents/{path}", params={"content": "1"})
        return nbformat.from_dict(model["content"])

    def write_notebook(self, path: str, nb) -> None:
        r = requests.put(
            f"{self.base}/api/contents/{path}",
            headers=self.headers,
            json={"type": "notebook", "format": "json", "content": nb},
            timeout=60,
        )
        assert r.ok, r.text[:1000]


def _instructor(hub, *cmd: str) -> subprocess.CompletedProcess:
    """A command in the instructor's course folder, with the hub's API for nbgrader's
    JupyterHub auth plugin (which asks the hub who is enrolled)."""
    env = dict(
        hub.env(),
        JUPYTERHUB_API_TOKEN=hub.admin_token,
        JUPYTERHUB_API_URL=f"http://127.0.0.1:{hub.port + 2}/hub/api",
        JUPYTERHUB_USER="instructor",  # as in a terminal of the instructor's hub server
    )
    proc = subprocess.run(
        cmd, cwd=hub.course_dir, env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, (cmd, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


def _answered(hub, fetched, mistake=None):
    """The fetched notebook with every answer cell solved (one catalogued mistake in
    ``mistake``'s question when given), built from the instructor's source."""
    from storeops.grading import source as src
    from storeops.grading.course import Course
    from storeops.grading.demo import Archetype, submission

    course = Course(hub.course_dir)
    solved = submission(course, ASSIGNMENT, NOTEBOOK, Archetype("correct"))
    answers = {
        src.grade_id(c): c.source for c in solved.cells if src.nbgrader_meta(c).get("solution")
    }
    source = {
        src.grade_id(c): c.source
        for c in src.read_notebook(course.source_dir / ASSIGNMENT / NOTEBOOK).cells
    }
    for cell in fetched.cells:
        if src.nbgrader_meta(cell).get("solution"):  # code answers and written ones
            cell.source = answers[src.grade_id(cell)]
            if mistake is not None and src.question_of(cell) == mistake.question:
                cell.source = src.replace_solution(source[src.grade_id(cell)], mistake.code)
    return fetched


@pytest.fixture(scope="module")
def hub_class():
    from storeops.grading import source as src
    from storeops.hub.run import Hub

    root = Path(f"/tmp/storeops-hub-test-{os.getpid()}")
    with accounts(RIGHT, WRONG):
        hub = Hub(root, port=PORT, students=[RIGHT, WRONG], assignments=[ASSIGNMENT])
        hub.setup()
        try:
            started = hub.start()
            yield (
                hub,
                started,
                src.load_mistakes(hub.course_dir.parent / "exercises" / "source" / ASSIGNMENT),
            )
        finally:
            hub.stop()
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def run(hub_class):
    hub, started, mistakes = hub_class
    mistake = next(m for m in mistakes if m.question == "q1")
    out = {"started": started, "mistake": mistake, "students": {}}

    _instructor(hub, str(BIN / "storeops"), "release", ASSIGNMENT)
    _instructor(hub, str(BIN / "nbgrader"), "release_assignment", ASSIGNMENT, "--force")

    students = {RIGHT: Student(hub, RIGHT), WRONG: Student(hub, WRONG)}
    for name, s in students.items():
        s.start()
        seen = {"listed": s.listing()}
        s.action("fetch")
        path = f"{COURSE}/{ASSIGNMENT}/{NOTEBOOK}"
        nb = _answered(hub, s.read_notebook(path), mistake if name == WRONG else None)
        s.write_notebook(path, nb)
        seen["validate"] = s.post("/assignments/validate", data={"path": path})
        s.action("submit")
        seen["after_submit"] = s.listing()
        out["students"][name] = seen

    _instructor(hub, str(BIN / "nbgrader"), "collect", ASSIGNMENT)
    graded = _instructor(
        hub, str(BIN / "storeops"), "grade", ASSIGNMENT, "--quiet", "--workers", "2"
    )
    out["grade_log"] = graded.stdout
    from storeops.grading.course import Course
    from storeops.grading.report import scores_table

    table, _ = scores_table(Course(hub.course_dir), ASSIGNMENT)
    out["scores"] = table.fillna(0.0).to_dict(orient="index")
    _instructor(hub, str(BIN / "nbgrader"), "release_feedback", ASSIGNMENT)

    for name, s in students.items():
        s.action("fetch_feedback")
        listing = s.listing()
        folder = f"{COURSE}/{ASSIGNMENT}/feedback"
        stamps = s.get(f"/api/contents/{folder}")["content"]
        html = s.get(
            f"/api/contents/{stamps[0]['path']}/{ASSIGNMENT}.html",
            params={"type": "file", "format": "text"},
        )["content"]
        out["students"][name].update(feedback=html, after_feedback=listing)
    return out


def test_hub_starts_and_serves_the_course(run):
    assert run["started"] < 120


def test_students_see_the_release_in_their_assignments_list(run):
    for name in (RIGHT, WRONG):
        listed = run["students"][name]["listed"]
        assert [a["status"] for a in listed] == ["released"], listed


def test_validate_runs_in_the_students_server_and_passes_the_right_answer(run):
    right = run["students"][RIGHT]["validate"]
    assert right["success"], right
    assert "failed" not in str(right["value"]).lower()
    assert run["students"][WRONG]["validate"]["success"]


def test_submissions_reach_the_instructor_and_are_graded(run):
    for name in (RIGHT, WRONG):
        statuses = {a["status"] for a in run["students"][name]["after_submit"]}
        assert "submitted" in statuses, run["students"][name]["after_submit"]
    right, wrong = run["scores"][RIGHT], run["scores"][WRONG]
    assert wrong["q1-test"] == 0 < right["q1-test"]
    assert {k: v for k, v in wrong.items() if k.startswith("q") and not k.startswith("q1-")} == {
        k: v for k, v in right.items() if k.startswith("q") and not k.startswith("q1-")
    }


def test_feedback_names_the_mistake_only_for_the_student_who_made_it(run):
    message = run["mistake"].message.strip()
    wrong = run["students"][WRONG]["feedback"]
    right = run["students"][RIGHT]["feedback"]
    assert message.split(";")[0] in wrong
    assert message.split(";")[0] not in right
