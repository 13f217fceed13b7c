"""A kernel waits for the check service as long as the question's judging can take.

A question judged by running the learner's store (chapter 3's plans) takes a simulator
run on the service, seconds when a class checks at once; a lookup answers at once. A slow
service must give the first its verdict and the second its one-line fallback.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storeops.checks import remote
from storeops.checks.kinds import Kind

DELAY = 1.0


class _Slow(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(DELAY)
        body = json.dumps({"result": "correct"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_service(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(remote.TIMEOUT_ENV, str(DELAY / 4))
    yield f"http://127.0.0.1:{server.server_address[1]}/check"
    server.shutdown()
    server.server_close()


def test_a_lookup_question_falls_back_when_the_service_is_slow(slow_service):
    with pytest.raises(remote.Unreachable):
        remote.ask("a", "q1", 1, url=slow_service, token="t")


def test_a_question_judged_by_a_run_waits_for_its_verdict(slow_service):
    reply = remote.ask("a", "q8", 1, url=slow_service, token="t", timeout=DELAY * 10)
    assert reply["result"] == "correct"


def test_a_question_timeout_never_shortens_the_configured_one(slow_service, monkeypatch):
    monkeypatch.setenv(remote.TIMEOUT_ENV, str(DELAY * 10))
    assert remote.ask("a", "q1", 1, url=slow_service, token="t", timeout=0.1)["result"] == (
        "correct"
    )


def test_plan_decisions_wait_longer_than_lookups():
    from storeops.checks.decisions import PlanDecision

    assert Kind.check_timeout is None
    assert PlanDecision.check_timeout > remote.DEFAULT_TIMEOUT * 5
