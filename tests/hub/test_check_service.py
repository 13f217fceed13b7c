"""The check service on a real hub, on loopback: ``qK.check()`` in a graded class.

The hub starts (storeops.hub.run, the same code as ``storeops hub``) with the check
service (three HTTP processes sharing the port, the log and the keys), two real student
accounts and a user outside the class. Each student's
``check()`` runs here as in their kernel: their seedless store delivered into
``STOREOPS_DATA``, their own hub token in ``JUPYTERHUB_API_TOKEN``, the service's URL in
``STOREOPS_CHECK_URL``. The answers are computed (the reference solution and each
catalogued mistake run on that student's store), never typed. The tests run in order:
the last one reads the attempt log they left into the course report.
"""

from __future__ import annotations

import io
import os
import signal
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import requests
from accounts import accounts

from storeops.chapters import questions
from storeops.checks import CheckFailed

pytestmark = pytest.mark.slow

ASSIGNMENT, STORE_JUDGED = "orientation", "ch3_promotion"  # ch3 q8 is judged on the store
PORT = 18200
PROCESSES = 3
LIMIT, COOLDOWN = 4, 600
A, B = f"cka{os.getpid() % 100000}", f"ckb{os.getpid() % 100000}"
OUTSIDER = f"ckx{os.getpid() % 100000}"
QS = questions(ASSIGNMENT)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from storeops.hub.run import Hub

    root = Path("/var/tmp") / f"storeops-check-{os.getpid()}"
    settings = dict(LIMIT=LIMIT, COOLDOWN=COOLDOWN, PROCESSES=PROCESSES, TOKEN_TTL=None)
    saved = {k: os.environ.get(f"STOREOPS_CHECK_{k}") for k in settings}
    for k, v in settings.items():
        os.environ.pop(f"STOREOPS_CHECK_{k}", None)
        if v is not None:
            os.environ[f"STOREOPS_CHECK_{k}"] = str(v)
    with accounts(A, B):
        hub = Hub(root, port=PORT, students=[A, B], assignments=[ASSIGNMENT, STORE_JUDGED])
        hub.setup()
        try:
            hub.start()
            deadline = time.monotonic() + 300
            while hub.check_service().get("keys_ready", 0) < 4:  # both students' keys
                assert time.monotonic() < deadline, hub.log_tail()
                time.sleep(0.3)
            hub.api("POST", f"/users/{OUTSIDER}")
            hub.tokens = {
                n: hub.api("POST", f"/users/{n}/tokens", json={"note": "check test"})["token"]
                for n in (A, B, OUTSIDER)
            }
            yield hub
        finally:
            hub.stop()
            for k, v in saved.items():
                k = f"STOREOPS_CHECK_{k}"
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
            import shutil

            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def reference(hub, tmp_path_factory):
    """Per student: the reference run on their own store (answers and mistakes from it)
    and their seedless store delivered as on the hub."""
    from storeops.grading import keys
    from storeops.grading.course import Course
    from storeops.hub.stores import course_seed, deliver

    course = Course.find(hub.course_dir)
    seed = course_seed(course.settings)
    out = {}
    env = {k: os.environ.get(k) for k in ("STOREOPS_COURSE_SEED", "STOREOPS_STUDENT")}
    try:
        os.environ["STOREOPS_COURSE_SEED"] = str(seed)
        for s in (A, B):
            os.environ["STOREOPS_STUDENT"] = s
            ref = keys.Reference.run(
                course.source_dir / ASSIGNMENT, course.source_dir / ASSIGNMENT / "orientation.ipynb"
            )
            from storeops.grading import source as src

            mistakes = src.load_mistakes(course.source_dir / ASSIGNMENT)
            store = deliver(seed, s, tmp_path_factory.mktemp(s) / "store", mode=0o755)
            out[s] = (ref, mistakes, store)
    finally:
        for k, v in env.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    return out


@pytest.fixture
def kernel_of(hub, reference, monkeypatch):
    """Make this process look like ``student``'s kernel on the hub."""

    def become(student: str, token: str | None = None) -> None:
        monkeypatch.delenv("STOREOPS_COURSE_SEED", raising=False)
        monkeypatch.delenv("STOREOPS_STORES", raising=False)
        monkeypatch.setenv("STOREOPS_STUDENT", student)
        monkeypatch.setenv("STOREOPS_DATA", str(reference[student][2]))
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", token or hub.tokens[student])
        monkeypatch.setenv("STOREOPS_CHECK_URL", f"{hub.url}/services/storeops-check/check")

    return become


def check(question: str, value) -> str:
    """What ``qK.check(value)`` says: its output line, or the CheckFailed message."""
    return _check_in(QS[question], value)


def post(hub, token: str | None, question: str, answer, **extra) -> requests.Response:
    from storeops.checks.wire import encode

    headers = {"Authorization": f"token {token}"} if token else {}
    body = {"assignment": ASSIGNMENT, "question": question, "answer": encode(answer), **extra}
    return requests.post(
        f"{hub.url}/services/storeops-check/check", json=body, headers=headers, timeout=30
    )


def test_the_right_answer_is_correct(reference, kernel_of):
    kernel_of(A)
    ref = reference[A][0]
    for name, q in QS.items():
        assert check(name, ref.value_of(q.var)) == f"✓ {name}: correct!"


def test_each_catalogued_mistake_is_named(reference, kernel_of):
    kernel_of(A)
    ref, mistakes, _ = reference[A]
    assert mistakes
    for m in mistakes:
        said = check(m.question, ref.mistake_value(m, QS[m.question].var))
        assert said == f"failed: {m.question}: {m.message}", m.id


def test_a_wrong_answer_gets_the_generic_message_and_no_key(hub, reference):
    ref = reference[A][0]
    right = int(ref.value_of("n_orders"))
    r = post(hub, hub.tokens[A], "q1", right + 1)
    assert r.status_code == 200 and r.json() == {"result": "generic"}
    r = post(hub, hub.tokens[A], "q3", "no such category")
    assert r.json() == {"result": "generic"}
    # the only keys are result/message: the expected values are nowhere in a reply
    assert str(right) not in r.text and ref.value_of("best_category") not in r.text


def test_checks_past_the_limit_are_refused_with_the_time_to_wait(hub, reference, kernel_of):
    kernel_of(B)
    wrong = int(reference[B][0].value_of("n_orders")) + 7
    for _ in range(LIMIT):
        assert check("q1", wrong).startswith("failed: q1: not quite")
    said = check("q1", reference[B][0].value_of("n_orders"))  # even the right answer now
    assert said.startswith("failed: q1: no checks left for now") and "try again in" in said
    r = post(hub, hub.tokens[B], "q1", wrong)
    assert r.status_code == 429 and 0 < r.json()["retry_after"] <= COOLDOWN


def test_checks_sent_at_once_do_not_slip_past_the_limit(hub):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(LIMIT + 4) as pool:
        codes = list(
            pool.map(
                lambda _: post(hub, hub.tokens[B], "q3", "no such category").status_code,
                range(LIMIT + 4),
            )
        )
    assert sorted(codes) == [200] * LIMIT + [429] * 4


def test_a_learner_meets_only_their_own_key(hub, reference):
    answer_of_b = reference[B][0].value_of("revenue_by_month")
    assert not answer_of_b.equals(reference[A][0].value_of("revenue_by_month"))
    # A sends B's right answer, naming B: the token decides, so it is A's key that judges
    r = post(hub, hub.tokens[A], "q2", answer_of_b, student=B, user=B)
    assert r.json()["result"] != "correct"
    assert post(hub, hub.tokens[B], "q2", answer_of_b).json() == {"result": "correct"}
    # a user outside the class, a made-up token, no token: refused
    assert post(hub, hub.tokens[OUTSIDER], "q2", answer_of_b).status_code == 403
    assert post(hub, "f" * 32, "q2", answer_of_b).status_code == 403
    assert post(hub, None, "q2", answer_of_b).status_code == 401


def test_unreachable_service_falls_back_to_plausibility_in_one_line(hub, reference, kernel_of):
    kernel_of(A)
    value = reference[A][0].value_of("n_orders")
    pids = _service_pids(hub)
    assert len(pids) == 1 + PROCESSES  # the keeper and its HTTP processes
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)  # hung: the client's 2 s timeout
    try:
        t0 = time.monotonic()
        said = check("q1", value)
        took = time.monotonic() - t0
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert "check service is not reachable" in said and "\n" not in said
    assert said.startswith("✓ q1: `n_orders` has the right type") and took < 5
    kernel_of(A, token=hub.tokens[OUTSIDER])  # refused is no verdict either: fallback
    assert "check service is not reachable" in check("q1", value)
    os.environ["STOREOPS_CHECK_URL"] = "http://127.0.0.1:9/check"  # down: nothing listens
    assert "check service is not reachable" in check("q1", value)
    assert check("q1", "a text").startswith("failed: q1: expected a number")  # still checked


def test_a_question_judged_on_the_store_gets_its_verdict_within_the_timeout(hub, kernel_of):
    """Chapter 3 q8 (a budget split scored on the learner's store and true curves): its
    keys hold what scoring needs of the store, so the check is a lookup, not a rerun."""
    from storeops.checks.remote import DEFAULT_TIMEOUT
    from storeops.grading import keys
    from storeops.grading import source as src
    from storeops.grading.course import Course
    from storeops.hub.stores import course_seed

    course = Course.find(hub.course_dir)
    folder = course.source_dir / STORE_JUDGED
    env = {k: os.environ.get(k) for k in ("STOREOPS_COURSE_SEED", "STOREOPS_STUDENT")}
    try:
        os.environ.update(
            STOREOPS_COURSE_SEED=str(course_seed(course.settings)), STOREOPS_STUDENT=A
        )
        ref = keys.Reference.run(folder, src.notebook_of_question(folder, "q8"))
    finally:
        for k, v in env.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    q8 = questions(STORE_JUDGED)["q8"]
    mistakes = [m for m in src.load_mistakes(folder) if m.question == "q8"]
    assert mistakes
    kernel_of(A)
    said, took = _timed(lambda: _check_in(q8, ref.value_of(q8.var)))
    assert said == "✓ q8: correct!" and took < DEFAULT_TIMEOUT
    for m in mistakes:
        said, took = _timed(lambda m=m: _check_in(q8, ref.mistake_value(m, q8.var)))
        assert said == f"failed: q8: {m.message}" and took < DEFAULT_TIMEOUT, m.id


def _timed(fn):
    t0 = time.monotonic()
    out = fn()
    return out, time.monotonic() - t0


def _check_in(q, value) -> str:
    buf = io.StringIO()
    try:
        with redirect_stdout(buf):
            q.check(value)
    except CheckFailed as exc:
        return f"failed: {exc}"
    return buf.getvalue().strip()


def test_a_revoked_token_is_refused_within_the_token_ttl(hub):
    """The service trusts a resolved token for the TTL only (the default is tested):
    after that it asks the hub again and a revoked token is refused."""
    from storeops.hub.check_service import Limits

    ttl = Limits().token_ttl
    assert ttl <= 30  # prompt: not the five minutes of HubAuth's default cache
    made = hub.api("POST", f"/users/{A}/tokens", json={"note": "to revoke"})

    def status() -> int:  # a question that does not exist: 404 once the token is accepted
        return post(hub, made["token"], "q0", None).status_code

    assert status() == 404
    hub.api("DELETE", f"/users/{A}/tokens/{made['id']}")
    t0 = time.monotonic()
    while status() != 403:
        assert time.monotonic() - t0 < ttl + 3, "a revoked token still works after the TTL"
        time.sleep(0.5)
    assert all(status() == 403 for _ in range(2 * PROCESSES))  # in every process


def _service_pids(hub) -> list[int]:
    """The check service's processes: the one the hub started and those it started."""
    parents = {}
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if b"storeops.hub.check_service" in cmd:
            parents[int(proc.name)] = int(stat[1])
    first = [pid for pid, parent in parents.items() if parent == hub.proc.pid]
    assert len(first) == 1, "no check service process under the hub"
    return first + [pid for pid, parent in parents.items() if parent == first[0]]


def test_the_attempt_log_feeds_the_course_report(hub, reference, tmp_path):
    from storeops.grading.course import Course
    from storeops.grading.course_report import check_summary, write_check_report
    from storeops.hub.check_service import db_path, read_attempts

    course = Course.find(hub.course_dir)
    log = read_attempts(db_path(course.root))
    assert set(log["student"]) == {A, B}  # the outsider and refused tokens left no attempt
    assert log["time"].is_monotonic_increasing and log["time"].notna().all()
    summary = check_summary(log)
    mistakes = reference[A][1]
    per_question = {m.question for m in mistakes}
    for question in per_question:
        n = sum(m.question == question for m in mistakes)
        named = summary.loc[f"{ASSIGNMENT}/{question}", "top_mistakes"]
        assert all(f"{m.id} (1)" in named for m in mistakes if m.question == question)
        # A was right first (0 checks before), B right on q2 at once; mistakes came later
        assert summary.loc[f"{ASSIGNMENT}/{question}", "checks"] >= 1 + n
    q1 = summary.loc[f"{ASSIGNMENT}/q1"]
    assert q1["stuck"] == B and q1["stuck_learners"] == 1  # LIMIT wrong checks, none right
    assert (log.query("student == @B and question == 'q1'")["result"] == "limit").sum() == 2
    q2 = summary.loc[f"{ASSIGNMENT}/q2"]
    assert q2["correct_learners"] == 2 and q2["median_checks_before_correct"] == 0
    write_check_report(course, tmp_path)
    csv = (tmp_path / "checks.csv").read_text()
    assert csv.splitlines()[0].startswith("question,learners,checks,correct_learners")
    raw = (tmp_path / "check_attempts.csv").read_text().splitlines()
    assert len(raw) == len(log) + 1 and any(B in line for line in raw)
