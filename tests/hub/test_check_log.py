"""The check service's attempt log and settings, without a hub: the limit holds when
several processes admit checks at once, and bad settings get one clear error."""

from __future__ import annotations

import multiprocessing

import pytest

from storeops.errors import StoreOpsError
from storeops.hub.check_service import AttemptLog, Limits, read_attempts

LIMIT, PROCESSES, TRIES = 7, 4, 12


def _admit_many(path: str, start, out) -> None:
    log = AttemptLog(path)
    start.wait()
    limits = Limits(limit=LIMIT, cooldown=600)
    out.put([log.admit("ann", "orientation", "q1", limits)[0] for _ in range(TRIES)])


def test_the_limit_is_exact_when_processes_admit_checks_at_once(tmp_path):
    path = str(tmp_path / "attempts.sqlite")
    AttemptLog(path).close()
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_admit_many, args=(path, start, out)) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    start.set()
    waits = [w for _ in procs for w in out.get(timeout=120)]
    for p in procs:
        p.join(30)
    assert sum(w == 0 for w in waits) == LIMIT
    assert all(0 < w <= 600 for w in waits if w)
    log = read_attempts(path)
    assert len(log) == PROCESSES * TRIES and log["time"].is_monotonic_increasing
    assert (log["result"] == "pending").sum() == LIMIT
    assert (log["result"] == "limit").sum() == PROCESSES * TRIES - LIMIT


def test_the_wait_is_until_the_oldest_counted_check_leaves_the_cool_down(tmp_path):
    log = AttemptLog(tmp_path / "attempts.sqlite")
    limits = Limits(limit=2, cooldown=100)
    assert log.admit("ann", "a", "q1", limits, now=1000)[0] == 0
    assert log.admit("ann", "a", "q1", limits, now=1030)[0] == 0
    assert log.admit("ann", "a", "q1", limits, now=1040)[0] == pytest.approx(60)
    assert log.admit("bob", "a", "q1", limits, now=1040)[0] == 0  # another learner
    assert log.admit("ann", "a", "q2", limits, now=1040)[0] == 0  # another question
    assert log.admit("ann", "a", "q1", limits, now=1100.5)[0] == 0  # the first one left


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("STOREOPS_CHECK_LIMIT", "0", "$STOREOPS_CHECK_LIMIT must be >= 1, not '0'"),
        ("STOREOPS_CHECK_COOLDOWN", "soon", "$STOREOPS_CHECK_COOLDOWN must be a number"),
        ("STOREOPS_CHECK_TOKEN_TTL", "-1", "$STOREOPS_CHECK_TOKEN_TTL must be >= 0, not '-1'"),
        ("STOREOPS_CHECK_PROCESSES", "2.5", "$STOREOPS_CHECK_PROCESSES must be a number"),
    ],
)
def test_a_bad_setting_is_one_error_naming_it_and_its_value(monkeypatch, env, value, named):
    monkeypatch.setenv(env, value)
    with pytest.raises(StoreOpsError) as err:
        Limits.of({})
    assert named in str(err.value)


def test_course_json_settings_and_their_errors(monkeypatch):
    for name in ("LIMIT", "COOLDOWN", "TOKEN_TTL", "PROCESSES"):
        monkeypatch.delenv(f"STOREOPS_CHECK_{name}", raising=False)
    block = {"limit": 3, "cooldown_seconds": 60, "token_ttl_seconds": 5, "processes": 2}
    assert Limits.of({"check_service": block}) == Limits(3, 60.0, 5.0, 2)
    with pytest.raises(StoreOpsError, match=r"course.json check_service.limit must be >= 1"):
        Limits.of({"check_service": {"limit": -2}})


def test_keys_of_edited_sources_are_stale_and_only_the_asked_question_is_read(tmp_path):
    import os

    from storeops.grading.course import copy_course
    from storeops.grading.wire import WireError
    from storeops.hub.check_keys import KeyStore, stamp

    course = copy_course(
        tmp_path / "c", assignments=["orientation"], per_student_stores=True, course_seed=7
    )
    before = stamp(course, "orientation")
    raw = {
        "q1": {"expected": {"int": "12"}, "mistakes": [["off-by-one", "one off", {"int": "13"}]]},
        "q2": {"expected": {"no such tag": 1}, "mistakes": [], "facts": None},  # undecodable
    }
    store = KeyStore(tmp_path / "keys.sqlite", {"orientation": before})
    store.put("ann", "orientation", raw)
    k = store.question("ann", "orientation", "q1")
    assert k["expected"] == 12 and k["mistakes"][0][0].id == "off-by-one" and k["facts"] is None
    assert store.ready() == 1 and store.question("bob", "orientation", "q1") is None
    with pytest.raises(WireError):  # q2 is read only when q2 is checked
        store.question("ann", "orientation", "q2")

    notebook = next((course.source_dir / "orientation").glob("*.ipynb"))
    os.utime(notebook, ns=(notebook.stat().st_atime_ns, notebook.stat().st_mtime_ns + 10**9))
    after = stamp(course, "orientation")
    assert after != before
    fresh = KeyStore(tmp_path / "keys.sqlite", {"orientation": after})
    assert fresh.question("ann", "orientation", "q1") is None and not fresh.has(
        "ann", "orientation"
    )
    assert fresh.ready() == 0


class _Hub:
    """Stands in for HubAuth: answers who owns a token after ``delay`` seconds, counting the
    questions; ``revoked`` tokens belong to nobody."""

    auth_header_pat = None
    access_scopes = {"access:services!service=storeops-check"}

    def __init__(self, delay: float = 0.2) -> None:
        self.delay, self.asked, self.revoked = delay, 0, set()

    async def user_for_token(self, token, use_cache=False, sync=False):
        import asyncio

        self.asked += 1
        await asyncio.sleep(self.delay)
        if token in self.revoked:
            return None
        return {"kind": "user", "name": token.split("-")[0], "scopes": list(self.access_scopes)}

    def check_scopes(self, wanted, model):
        return set(wanted) & set(model["scopes"])


def test_a_known_token_past_its_ttl_is_answered_at_once_and_a_revoked_one_soon_refused(tmp_path):
    """Checks minutes apart must not each wait for the hub (300 at once queue on its one
    process): a token resolved earlier is answered without waiting, and the hub is asked
    again behind the reply; once the hub says it is revoked, every process refuses it,
    and a token never seen waits for the hub."""
    import asyncio
    import time

    from storeops.hub.check_keys import KeyStore
    from storeops.hub.check_service import Tokens

    hub = _Hub(delay=0.2)
    stores = [KeyStore(tmp_path / "keys.sqlite", {}) for _ in range(2)]  # two HTTP processes
    first, second = (Tokens(hub, s, ttl=0.05) for s in stores)

    async def timed(tokens, token):
        t = time.perf_counter()
        name = await tokens.learner(token)
        return name, time.perf_counter() - t

    async def scenario():
        assert (await timed(first, "ann-1"))[1] >= 0.2  # never seen: waits for the hub
        await asyncio.sleep(0.1)  # past the TTL
        name, took = await timed(second, "ann-1")  # the other process knows it from the file
        await asyncio.sleep(0.01)
        assert name == "ann" and took < 0.1 and hub.asked == 2  # ... and re-asks behind
        await asyncio.sleep(0.3)
        hub.revoked.add("ann-1")
        await asyncio.sleep(0.1)
        assert (await first.learner("ann-1")) == "ann"  # stale, once, while it re-asks
        await asyncio.sleep(0.3)  # the hub has answered: revoked
        assert await first.learner("ann-1") is None
        assert await second.learner("ann-1") is None  # the other process asks before answering
        assert (await timed(second, "bob-1"))[1] >= 0.2

    asyncio.run(scenario())
