"""A class on JupyterHub, end to end, as real users on
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
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
import requests
from accounts import accounts
from browser_harness import CHROMIUM, CHROMIUM_ARGS

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
        if not self.hub.api("GET", f"/users/{self.name}")["servers"]:  # not spawned by a login
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


@contextmanager
def _browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("no Debian chromium: make system-deps (make test installs it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(60_000)
            try:
                yield page
            except Exception:
                page.screenshot(path=f"/tmp/storeops-e2e-failure-{os.getpid()}.png")
                raise
        finally:
            browser.close()


def _log_in(page, hub, name: str) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    page.wait_for_url("**/lab**", timeout=240_000)
    page.wait_for_selector(".jp-LauncherCard", timeout=120_000)


def _nbgrader_menu(page) -> list[str]:
    page.click(".lm-MenuBar-itemLabel:text-is('Nbgrader')")
    items = page.locator(".lm-Menu-content .lm-Menu-itemLabel").all_inner_texts()
    page.keyboard.press("Escape")
    return [i.strip() for i in items if i.strip()]


def _open_assignments(page) -> None:
    page.click(".lm-MenuBar-itemLabel:text-is('Nbgrader')")
    page.click(".lm-Menu-itemLabel:text-is('Assignment List')")
    page.wait_for_selector("text=Released assignments")


def _work_in_lab(page, wanted) -> None:
    """Open the fetched notebook from the Assignments tab, type each answer into its
    cell (code and written answers), save."""
    links = page.locator(f"a:text-is('{ASSIGNMENT}'):visible")
    links.first.click()  # unfolds the downloaded assignment: its notebooks are links too
    page.wait_for_function(
        f"""[...document.querySelectorAll('a')].filter(a => a.textContent.trim() == '{ASSIGNMENT}'
            && a.offsetParent !== null).length >= 2"""
    )
    links.last.click()
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
    from storeops.grading import source as src

    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
    for i, cell in enumerate(wanted.cells):
        if not src.nbgrader_meta(cell).get("solution"):
            continue
        target = cells.nth(i)
        target.scroll_into_view_if_needed()
        if cell.cell_type == "markdown":
            target.dblclick()  # a rendered answer opens for editing
        target.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(cell.source)
        page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1500)


@pytest.fixture(scope="module")
def hub_class():
    from storeops.grading import source as src
    from storeops.grading.course import Course
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
                src.load_mistakes(Course(hub.course_dir).source_dir / ASSIGNMENT),
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
    path = f"{COURSE}/{ASSIGNMENT}/{NOTEBOOK}"
    # the student who answers right does it all in JupyterLab, in Chromium
    s = students[RIGHT]
    with _browser() as page:
        _log_in(page, hub, RIGHT)
        s.start()  # the server the login spawned; a token for the checks below
        seen = {"listed": s.listing(), "menu": _nbgrader_menu(page)}
        _open_assignments(page)
        page.click("button:has-text('Fetch')")
        page.wait_for_selector("button:has-text('Submit')", timeout=120_000)
        wanted = _answered(hub, s.read_notebook(path))
        _work_in_lab(page, wanted)
        seen["saved"] = s.read_notebook(path)
        seen["wanted"] = wanted
        seen["validate"] = s.post("/assignments/validate", data={"path": path})
        page.click(".lm-TabBar-tabLabel:text-is('Assignments')")  # back from the notebook
        page.click("button:has-text('Submit'):visible")
        deadline = time.monotonic() + 120
        while "submitted" not in {a["status"] for a in s.listing()}:
            assert time.monotonic() < deadline, "the Submit button did not submit"
            time.sleep(1)
        seen["after_submit"] = s.listing()
        out["students"][RIGHT] = seen
    # the other one through the same REST endpoints the Assignments extension calls
    s = students[WRONG]
    s.start()
    seen = {"listed": s.listing()}
    s.action("fetch")
    s.write_notebook(path, _answered(hub, s.read_notebook(path), mistake))
    seen["validate"] = s.post("/assignments/validate", data={"path": path})
    s.action("submit")
    seen["after_submit"] = s.listing()
    out["students"][WRONG] = seen

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


def test_students_have_the_assignments_list_and_no_instructor_extension(run):
    assert run["students"][RIGHT]["menu"] == ["Assignment List"]


def test_the_answers_typed_in_jupyterlab_were_saved(run):
    from storeops.grading import source as src

    saved, wanted = run["students"][RIGHT]["saved"], run["students"][RIGHT]["wanted"]
    for mine, theirs in zip(saved.cells, wanted.cells, strict=True):
        if src.nbgrader_meta(theirs).get("solution"):
            assert mine.source.strip() == theirs.source.strip()


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
