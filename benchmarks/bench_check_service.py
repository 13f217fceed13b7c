"""The check service under load: ``--learners`` learners checking at once, on a real hub.

A hub on loopback (storeops.hub.run, port 18300) with the check service; ``--learners``
hub users in the students' group, each with their own token and store (no server is
spawned: each learner sends the request the kernel's client, ``storeops.checks.remote``,
sends, on a connection of their own, all from one asyncio loop). Each learner's answer to orientation q2 (revenue by month) is computed here
from their own store with the solution's pandas, not taken from the service. Phases:

1. keys: one check per learner starts the computation of their keys (a 503 "busy" reply,
   not counted); the service's workers compute them (reported, not part of the figure);
2. tokens: one request per learner to a question that does not exist (404, not counted)
   so that the service has resolved every token with the hub once, as in a class where
   learners checked before;
3. the burst: every learner checks at once.

Prints the median and p95 response time of the burst and the share of replies "correct".
Needs root (the hub's course folder) and the proxy (``make system-deps``).

    .venv/bin/python benchmarks/bench_check_service.py [--learners 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import time
from pathlib import Path

import requests

ASSIGNMENT, QUESTION = "orientation", "q2"
PORT = 18300


def _answer(store):
    """Orientation q2 as a learner solves it: completed orders' revenue per month."""
    done = store.orders[store.orders["status"] == "completed"]
    return done.groupby(done["order_time"].dt.to_period("M"))["revenue"].sum()


async def _burst(url: str, tokens: dict, answers: dict):
    """Every learner's check sent at once (one connection each, as from separate kernels):
    the same request as the kernel's client (storeops.checks.remote.ask) makes."""
    from tornado.httpclient import AsyncHTTPClient

    from storeops.checks.wire import encode

    AsyncHTTPClient.configure(None, max_clients=len(tokens) + 10)
    client = AsyncHTTPClient()
    bodies = {
        n: json.dumps(
            {"assignment": ASSIGNMENT, "question": QUESTION, "answer": encode(answers[n])}
        )
        for n in tokens
    }
    times, results = {}, {}

    async def learner(n: str) -> None:
        t = time.perf_counter()
        r = await client.fetch(
            url,
            method="POST",
            body=bodies[n],
            headers={"Authorization": f"token {tokens[n]}", "Content-Type": "application/json"},
            raise_error=False,
            request_timeout=60,
        )
        times[n] = time.perf_counter() - t
        results[n] = json.loads(r.body).get("result") if r.code == 200 else f"HTTP {r.code}"

    t0 = time.perf_counter()
    await asyncio.gather(*(learner(n) for n in tokens))
    return times, results, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300)
    args = parser.parse_args()

    from storeops.data import load_store
    from storeops.grading.course import Course
    from storeops.hub.run import Hub
    from storeops.hub.stores import course_seed

    root = Path("/var/tmp") / f"storeops-bench-check-{os.getpid()}"
    names = [f"learner{i:03d}" for i in range(args.learners)]
    hub = Hub(root, port=PORT, students=[], assignments=[ASSIGNMENT])
    hub.setup()
    url = f"{hub.url}/services/storeops-check/check"
    try:
        print(f"hub started in {hub.start():.1f} s")
        while not hub.check_service():
            time.sleep(0.3)
        t0 = time.perf_counter()
        hub.api("POST", "/users", json={"usernames": names})
        hub.api("POST", "/groups/nbgrader-storeops/users", json={"users": names})
        tokens = {
            n: hub.api("POST", f"/users/{n}/tokens", json={"note": "bench"})["token"] for n in names
        }
        print(f"{len(names)} learners and tokens in {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        for n in names:  # starts each learner's keys (503 busy: no attempt counted)
            requests.post(
                url,
                json={"assignment": ASSIGNMENT, "question": QUESTION, "answer": None},
                headers={"Authorization": f"token {tokens[n]}"},
                timeout=60,
            )
        while hub.check_service().get("keys_ready", 0) < len(names):
            time.sleep(1)
        # the stores the service's workers generated are in the private cache by now
        os.environ["STOREOPS_COURSE_SEED"] = str(course_seed(Course.find(hub.course_dir).settings))
        answers = {n: _answer(load_store(student=n)) for n in names}
        print(
            f"keys of {len(names)} learners (and their answers here) in "
            f"{time.perf_counter() - t0:.1f} s"
        )

        for n in names:  # the service resolves each token with the hub once (404, not counted)
            requests.post(
                url,
                json={"assignment": ASSIGNMENT, "question": "q0", "answer": None},
                headers={"Authorization": f"token {tokens[n]}"},
                timeout=60,
            )

        times, results, wall = asyncio.run(_burst(url, tokens, answers))
        ms = sorted(1000 * v for v in times.values())
        correct = sum(r == "correct" for r in results.values()) / len(names)
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        print(
            f"{len(names)} learners checking at once: median {statistics.median(ms):.0f} ms, "
            f"p95 {p95:.0f} ms, max {ms[-1]:.0f} ms, all done in {wall:.2f} s; "
            f"correct: {correct:.1%}"
        )
        others = {r for r in results.values() if r != "correct"}
        if others:
            print(f"other replies: {sorted(others)}")
    finally:
        hub.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
