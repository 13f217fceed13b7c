"""The check service under load: ``--learners`` learners checking at once, on a real hub.

A hub on loopback (storeops.hub.run, port 18300) with the check service; ``--learners``
hub users in the students' group, each with their own token and store (no server is
spawned: each learner sends the request the kernel's client, ``storeops.checks.remote``,
sends, on a connection of their own, all from one asyncio loop that does little more
than write the request and read the reply, so that the client takes as little of the
machine's two cores as it can). Each learner's answer to orientation q2 (revenue by
month) is computed here from their own store with the solution's pandas, not taken from
the service.

1. keys: one check per learner asks for their keys (a 503 "busy" reply, not counted);
   the service's workers compute them (reported, not part of the figures). With
   ``--root`` the hub folder is kept, and a later run finds the keys (and the learners'
   stores) computed.
2. Then, for each setup (the hub restarted with ``$STOREOPS_CHECK_PROCESSES``, the
   learners' tokens kept), in this one run:
   * ``1 process, proxy``: one HTTP process behind the hub's proxy (the old setup);
   * ``1 process, direct``: one HTTP process, on its own port (as the kernels now call it);
   * ``N processes, direct``: one HTTP process per core (the default).
   Each learner's token is resolved once (a request to a question that does not exist),
   then ``--bursts`` bursts: every learner checks at once.
3. ``tokens past TTL``: the last setup again once every resolved token is older than the
   token TTL, as in a class where learners check minutes apart: each check is answered
   at once and the service asks the hub about the token behind the reply.
4. ``first checks``: the last setup restarted with no token known, as when a class first
   checks: each check waits for the hub to say who its learner is.

Prints per setup the median and p95 of each burst, the CPU time the service's HTTP
processes spent per check (what the machine's other load does not change much), and the
share of replies "correct"; the load average before and after. Needs root (the hub's course folder) and the proxy.

    .venv/bin/python benchmarks/bench_check_service.py [--learners 300] [--root DIR]
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

ASSIGNMENT, QUESTION = "orientation", "q2"
PORT = 18300
SETTLE = 10  # seconds after a start before measuring, as in a class whose hub is running


async def _one(host: str, port: int, request: bytes) -> tuple[float, int, bytes]:
    t = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port, limit=2**20)
    writer.write(request)
    data = await reader.read()  # the server closes: Connection: close
    took = time.perf_counter() - t
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return took, status, body


def _requests(url: str, tokens: dict, answers: dict, question: str = QUESTION) -> dict:
    from urllib.parse import urlparse

    u = urlparse(url)
    out = {}
    for n, token in tokens.items():
        body = json.dumps(
            {"assignment": ASSIGNMENT, "question": question, "answer": answers.get(n)}
        ).encode()
        head = (
            f"POST {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\nAuthorization: token {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        out[n] = head.encode() + body
    return out


def burst(url: str, tokens: dict, answers: dict, question: str = QUESTION):
    """Every learner's check at once: {learner: (seconds, status, reply result)}, wall."""
    from urllib.parse import urlparse

    u = urlparse(url)
    requests_ = _requests(url, tokens, answers, question)

    async def run():
        t0 = time.perf_counter()
        got = await asyncio.gather(*(_one(u.hostname, u.port, r) for r in requests_.values()))
        return got, time.perf_counter() - t0

    got, wall = asyncio.run(run())
    out = {}
    for n, (took, status, body) in zip(requests_, got, strict=True):
        try:
            result = json.loads(body).get("result") if status == 200 else f"HTTP {status}"
        except ValueError:
            result = f"HTTP {status} (unreadable)"
        out[n] = (took, status, result)
    return out, wall


def figures(out: dict) -> tuple[float, float, float]:
    ms = sorted(1000 * v[0] for v in out.values())
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    correct = sum(v[2] == "correct" for v in out.values()) / len(out)
    return statistics.median(ms), p95, correct


def _http_pids() -> list[int]:
    """The check service's HTTP processes (their command line ends with ``--http``)."""
    from storeops.hub.check_service import HTTP_FLAG

    pids = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"storeops.hub.check_service" in cmd and HTTP_FLAG.encode() in cmd:
            pids.append(int(proc.name))
    return pids


def _cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes ``pids`` have used."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measured_burst(url: str, tokens: dict, answers: dict) -> tuple[float, float, float, float]:
    """One burst's median, p95, share correct, and the service's CPU ms per check."""
    pids = _http_pids()
    before = _cpu(pids)
    out, _ = burst(url, tokens, answers)
    return (*figures(out), 1000 * (_cpu(pids) - before) / len(out))


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _learners(hub, names: list[str]) -> dict:
    have: set[str] = set()
    while True:  # the hub pages its user list
        page = hub.api("GET", f"/users?offset={len(have)}&limit=200")
        have |= {u["name"] for u in page}
        if len(page) < 200:
            break
    missing = [n for n in names if n not in have]
    if missing:
        hub.api("POST", "/users", json={"usernames": missing})
    hub.api("POST", "/groups/nbgrader-storeops/users", json={"users": names})
    return {
        n: hub.api("POST", f"/users/{n}/tokens", json={"note": "bench"})["token"] for n in names
    }


def _answers(hub, names: list[str], root: Path) -> dict:
    """Each learner's answer from their own store (kept in ``root`` for a later run)."""
    from storeops.checks.wire import encode
    from storeops.data import load_store
    from storeops.grading.course import Course
    from storeops.hub.stores import course_seed

    saved = root / "bench_answers.json"
    answers = json.loads(saved.read_text()) if saved.exists() else {}
    os.environ["STOREOPS_COURSE_SEED"] = str(course_seed(Course.find(hub.course_dir).settings))
    for n in names:
        if n not in answers:
            store = load_store(student=n)
            done = store.orders[store.orders["status"] == "completed"]
            by_month = done.groupby(done["order_time"].dt.to_period("M"))["revenue"].sum()
            answers[n] = encode(by_month)
    saved.write_text(json.dumps(answers))
    return answers


def _forget_tokens(hub) -> None:
    """The service's record of resolved tokens emptied (the service stopped)."""
    import sqlite3

    from storeops.hub.check_service import keys_path

    with sqlite3.connect(keys_path(hub.course_dir)) as db:
        db.execute("DELETE FROM tokens")


def _start(hub, processes: int) -> None:
    import requests

    os.environ["STOREOPS_CHECK_PROCESSES"] = str(processes)
    pidfile = hub.private / "jupyterhub-proxy.pid"
    deadline = time.monotonic() + 30
    while pidfile.exists() and time.monotonic() < deadline:  # the last proxy is gone
        try:
            os.kill(int(pidfile.read_text()), 0)
        except (ProcessLookupError, ValueError):
            break
        time.sleep(0.2)
    hub.start()
    health = f"http://127.0.0.1:{PORT + 4}/services/storeops-check/health"
    pids, deadline = set(), time.monotonic() + 180
    while len(pids) < processes:  # every HTTP process is up (connections spread at random)
        assert time.monotonic() < deadline, hub.log_tail()
        try:
            pids.add(requests.get(health, timeout=2).json()["pid"])
        except (requests.RequestException, ValueError, KeyError):
            time.sleep(0.3)
    time.sleep(SETTLE)  # the hub and the course service finish starting (their CPU)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--bursts", type=int, default=3)
    parser.add_argument("--root", type=Path, default=None, help="hub folder to keep and reuse")
    args = parser.parse_args()

    from storeops.hub.check_service import Limits
    from storeops.hub.run import Hub

    keep = args.root is not None
    root = args.root or Path("/var/tmp") / f"storeops-bench-check-{os.getpid()}"
    names = [f"learner{i:03d}" for i in range(args.learners)]
    os.environ["STOREOPS_CHECK_LIMIT"] = "1000000"  # every burst is judged
    os.environ.pop("STOREOPS_CHECK_TOKEN_TTL", None)
    ttl = Limits().token_ttl
    hub = Hub(root, port=PORT, students=[], assignments=[ASSIGNMENT])
    hub.setup()
    proxy = f"{hub.url}/services/storeops-check/check"
    direct = f"http://127.0.0.1:{PORT + 4}/services/storeops-check/check"
    cores = os.cpu_count() or 1
    print(f"load average at start: {load()} ({cores} cores)")
    try:
        _start(hub, cores)
        tokens = _learners(hub, names)
        t0 = time.perf_counter()
        burst(direct, tokens, {}, QUESTION)  # asks for every learner's keys (503: not counted)
        while hub.check_service().get("keys_ready", 0) < len(names):
            time.sleep(1)
        answers = _answers(hub, names, root)
        print(
            f"keys of {len(names)} learners (and their answers here): {time.perf_counter() - t0:.0f} s"
        )
        hub.stop()

        setups = [("1 process, proxy", 1, proxy), ("1 process, direct", 1, direct)]
        setups.append((f"{cores} processes, direct", cores, direct))
        for label, processes, url in setups:
            _start(hub, processes)
            burst(url, tokens, answers, "q0")  # each token resolved once (404, not counted)
            rows = [measured_burst(url, tokens, answers) for _ in range(args.bursts)]
            _say(label, rows, len(names))
            if (label, processes, url) == setups[-1]:
                time.sleep(ttl + 1)  # every resolved token is now older than the TTL
                _say(
                    f"{label}, tokens past TTL", [measured_burst(url, tokens, answers)], len(names)
                )
                hub.stop()
                _forget_tokens(hub)  # nobody has checked yet: each check waits for the hub
                _start(hub, processes)
                _say(f"{label}, first checks", [measured_burst(url, tokens, answers)], len(names))
            hub.stop()
    finally:
        print(f"load average at the end: {load()}")
        hub.stop()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def _say(label: str, rows: list, n: int) -> None:
    bursts = "; ".join(f"{m:.0f} / {p:.0f}" for m, p, _, _ in rows)
    cpu = "; ".join(f"{c:.2f}" for _, _, _, c in rows)
    correct = min(c for _, _, c, _ in rows)
    print(
        f"{label:<32} {n} at once, median / p95 ms per burst: {bursts}; "
        f"service CPU ms per check: {cpu}; correct: {correct:.1%}"
    )


if __name__ == "__main__":
    main()
