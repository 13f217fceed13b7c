"""The kernel's client of the check service: ``qK.check()`` in a graded class on the hub.

In a graded class the answer keys are not in the student's environment, so ``check()``
can only test type, shape and plausibility. On the class's JupyterHub the check service
(:mod:`storeops.hub.check_service`, instructor side) holds the keys of each student's
own store; this client sends it the answer in the wire format (:mod:`storeops.checks.wire`,
plain JSON, never pickle), authenticated by the learner's own hub token
(``$JUPYTERHUB_API_TOKEN``, which the hub gives every single-user server and its
kernels). The service answers only ``correct``, ``mistake`` (with the catalogued
message), ``generic`` or ``limit`` (with the seconds to wait): never an expected value.

Nothing here knows a key. The client is on when ``$STOREOPS_CHECK_URL`` is set (the
hub's spawner sets it); when the service does not answer within
``$STOREOPS_CHECK_TIMEOUT`` seconds (default 2) the check falls back to plausibility.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from storeops.checks.wire import encode

URL_ENV = "STOREOPS_CHECK_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
TIMEOUT_ENV = "STOREOPS_CHECK_TIMEOUT"
DEFAULT_TIMEOUT = 2.0
RESULTS = ("correct", "mistake", "generic", "limit")


class Unreachable(Exception):
    """The check service did not give a usable answer (down, slow, refused, garbled)."""


def configured() -> bool:
    """Whether this kernel is in a class with a check service (URL and token present)."""
    return bool(os.environ.get(URL_ENV, "").strip() and os.environ.get(TOKEN_ENV, "").strip())


def _timeout() -> float:
    try:
        return max(0.1, float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def ask(
    assignment: str,
    question: str,
    answer: Any,
    *,
    url: str | None = None,
    token: str | None = None,
    timeout: float | None = None,
) -> dict:
    """Send ``answer`` (evaluated where it runs the student's code) to the service; its
    reply ``{"result": one of RESULTS, ...}``, or :class:`Unreachable`. ``url`` and
    ``token`` default to the kernel's environment; ``timeout`` (the question's, for an
    answer the service judges by a run) raises the configured one, never lowers it."""
    body = json.dumps(
        {"assignment": assignment, "question": question, "answer": encode(answer)}
    ).encode()
    request = urllib.request.Request(
        (url or os.environ[URL_ENV]).strip(),
        data=body,
        method="POST",
        headers={
            "Authorization": f"token {(token or os.environ[TOKEN_ENV]).strip()}",
            "Content-Type": "application/json",
        },
    )
    try:
        wait = max(_timeout(), timeout or 0.0)
        with urllib.request.urlopen(request, timeout=wait) as response:  # noqa: S310
            reply = json.loads(response.read(65536))
    except urllib.error.HTTPError as exc:
        if exc.code != 429:
            raise Unreachable(f"HTTP {exc.code}") from None
        try:
            reply = json.loads(exc.read(65536))
        except ValueError:
            raise Unreachable("HTTP 429") from None
    except (OSError, ValueError) as exc:  # URLError, timeouts, resets, bad JSON
        raise Unreachable(type(exc).__name__) from None
    if not isinstance(reply, dict) or reply.get("result") not in RESULTS:
        raise Unreachable("unexpected reply")
    return reply


def wait_text(seconds: float) -> str:
    """``seconds`` as a short human duration (rounded up)."""
    s = max(1, int(-(-float(seconds) // 1)))
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    return f"{m} min {s} s" if s else f"{m} min"
