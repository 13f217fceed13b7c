"""Self-check questions: ``q1.check()``, ``q1.hint()``, ``q1.solution()``.

Two editions, chosen at run time:

* graded (the default, and what an nbgrader release gets): ``check()`` tests only
  type, shape and plausibility; ``solution()`` is disabled. Nothing importable
  here can compute an answer: the answer keys of a graded class live in hidden
  tests and instructor-only files (see ``storeops.grading.keys``).
* self-learner: enabled by :func:`self_learner_edition` with a key blob that the
  book build writes into the self-learner notebook only. The blob holds salted
  hashes of the rounded reference answers (and of each catalogued mistake, to
  name it) for the default store, the mistake messages, and the solution code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import zlib
from dataclasses import dataclass, field
from typing import Any

from storeops.checks import remote
from storeops.checks.kinds import Kind

# Which edition is active, per assignment: {assignment: keys dict}.
_KEYS: dict[str, dict] = {}


class CheckFailed(AssertionError):
    """A failed self-check. Shown as a short message, without a traceback, in IPython."""

    def _render_traceback_(self) -> list[str]:  # IPython hook: replaces the traceback
        return [f"\x1b[31m✗ {self}\x1b[0m"]


class NotAnswered(CheckFailed):
    """The answer is still the starter stub."""


def _display(text: str, colour: str) -> None:
    try:
        from IPython.display import HTML, display

        from storeops.notebook import in_notebook

        if in_notebook():
            display(HTML(f'<div style="color:{colour};font-weight:600">{_esc(text)}</div>'))
            return
    except ImportError:  # pragma: no cover - IPython is always present in the course env
        pass
    print(text)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def salted_hash(salt: str, question: str, canonical: str) -> str:
    """The hash stored for an answer: sha256 of salt, question name and canonical text."""
    return hashlib.sha256(f"{salt}|{question}|{canonical}".encode()).hexdigest()


def encode_keys(keys: dict) -> str:
    """Pack a keys dict into the opaque blob written into self-learner notebooks."""
    return base64.b64encode(zlib.compress(json.dumps(keys, sort_keys=True).encode())).decode()


def decode_keys(blob: str) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(blob)).decode())


def self_learner_edition(blob: str) -> None:
    """Switch this kernel to the self-learner edition for the blob's assignment."""
    keys = decode_keys(blob)
    _KEYS[keys["assignment"]] = keys


def graded_edition(assignment: str | None = None) -> None:
    """Back to the graded edition (used by tests)."""
    if assignment is None:
        _KEYS.clear()
    else:
        _KEYS.pop(assignment, None)


def store_fingerprint(store: Any) -> str:
    """A short fingerprint of a store, so self-learner keys are used only on their store."""
    meta = getattr(store, "meta", None) or {}
    if "seed" in meta:
        parts = [meta.get(k) for k in ("seed", "generator_version", "start", "days", "scale")]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    orders = store.orders
    head = orders["order_id"].astype(str).head(50).str.cat(sep=",")
    text = f"{len(orders)}|{len(store.order_lines)}|{len(store.products)}|{head}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Question:
    """One self-checked question.

    ``var`` is the notebook variable (or function) that holds the answer, ``kind``
    how to check it, ``hints`` a ladder from gentle to specific (never the answer).
    ``truth`` (optional) maps the simulator's ground truth to the expected value;
    it is used only by the instructor's hidden tests.
    """

    assignment: str
    name: str
    var: str
    kind: Kind
    hints: list[str] = field(default_factory=list)
    truth: Any = None
    _hint_level: int = field(default=0, repr=False)

    # -- student API -------------------------------------------------------------
    def check(self, value: Any = None) -> None:
        """Check the answer: success message, a named mistake, or a useful hint."""
        if value is None:
            value = _caller_value(self.var)
        store = _caller_store()
        self._check(value, store)

    def hint(self, n: int | None = None) -> None:
        """Show the next hint (or hint ``n``, 1-based)."""
        if not self.hints:
            _display(f"No hints for {self.name}.", "#555")
            return
        if n is None:
            self._hint_level = min(self._hint_level + 1, len(self.hints))
            n = self._hint_level
        n = max(1, min(n, len(self.hints)))
        more = " (call again for the next hint)" if n < len(self.hints) else ""
        _display(
            f"Hint {n}/{len(self.hints)} for {self.name}: {self.hints[n - 1]}{more}", "#1a5fb4"
        )

    def solution(self) -> None:
        """Show the reference solution (self-learner edition only)."""
        keys = _KEYS.get(self.assignment)
        if not keys:
            _display(
                f"{self.name}.solution() is disabled in a graded class: "
                "your answer is checked when the notebook is graded.",
                "#555",
            )
            return
        code = keys["questions"].get(self.name, {}).get("solution")
        if not code:
            _display(f"No solution recorded for {self.name}.", "#555")
            return
        try:
            from IPython.display import Markdown, display

            from storeops.notebook import in_notebook

            if in_notebook():
                display(Markdown(f"Solution to {self.name}:\n\n```python\n{code}\n```"))
                return
        except ImportError:  # pragma: no cover
            pass
        print(f"Solution to {self.name}:\n{code}")

    # -- machinery ------------------------------------------------------------------
    def evaluated(self, value: Any, store: Any) -> Any:
        return self.kind.evaluate(value, store)

    def _check(self, value: Any, store: Any) -> None:
        try:
            problems = self.kind.plausible(value, store)
            keys = _KEYS.get(self.assignment)
            exact = keys is not None and store is not None
            if exact and keys.get("store") != store_fingerprint(store):
                exact = False
                note = " (your store differs from the book's, so only plausibility is checked)"
            else:
                note = ""
            if problems:
                raise CheckFailed(f"{self.name}: {'; '.join(problems)}.")
            if not exact and not note and remote.configured():
                self._check_remotely(value, store)
                return
            if not exact:
                self._plausible(note)
                return
            evaluated = self.evaluated(value, store)
        except NotImplementedError:
            raise NotAnswered(
                f"{self.name}: not answered yet - replace `raise NotImplementedError()` "
                "with your code."
            ) from None
        qkeys = keys["questions"][self.name]
        # A question judged on the true curves finds its key (curves, best gain) in the
        # blob: the kernel never reads the truth nor runs the optimiser.
        judge = {"key": qkeys["judge"]} if "judge" in qkeys else {}
        digest = salted_hash(
            keys["salt"], self.name, self.kind.canonical(evaluated, store, **judge)
        )
        if digest == qkeys["answer"]:
            self._verdict("correct")
            return
        for mistake in qkeys.get("mistakes", []):
            if digest == mistake["hash"]:
                self._verdict("mistake", mistake["message"])
        self._verdict("generic")

    def _plausible(self, note: str = "") -> None:
        _display(
            f"✓ {self.name}: `{self.var}` has the right type and shape and a plausible "
            f"value{note}. The exact value is checked when your notebook is graded.",
            "#26a269",
        )

    def _verdict(self, result: str, message: str = "") -> None:
        """Say ``correct``, or fail naming the catalogued mistake, or with the generic
        message: the same words whether the key is in a self-learner blob or on the
        check service."""
        if result == "correct":
            _display(f"✓ {self.name}: correct!", "#26a269")
            return
        if result == "mistake" and message:
            raise CheckFailed(f"{self.name}: {message}")
        raise CheckFailed(
            f"{self.name}: not quite. `{self.var}` has the right type and shape, but its value "
            f"is not the expected one. Re-read the question, then try {self.name}.hint()."
        )

    def _check_remotely(self, value: Any, store: Any) -> None:
        """A graded class with a check service: the learner's own key judges the answer.
        A function answer runs here (the student's code stays in the kernel); the service
        evaluates a data answer on the learner's store itself."""
        answer = self.evaluated(value, store) if self.kind.runs_student_code else value
        try:
            reply = remote.ask(self.assignment, self.name, answer, timeout=self.kind.check_timeout)
        except remote.Unreachable:
            _display(
                f"✓ {self.name}: `{self.var}` has the right type and shape and a plausible "
                "value; the check service is not reachable right now, so only that was "
                "checked (the exact value is checked when your notebook is graded).",
                "#26a269",
            )
            return
        if reply["result"] == "limit":
            raise CheckFailed(
                f"{self.name}: no checks left for now ({reply.get('limit', '?')} per "
                f"{remote.wait_text(reply.get('cooldown', 0))}); try again in "
                f"{remote.wait_text(reply.get('retry_after', 0))}."
            )
        message = reply.get("message") if isinstance(reply.get("message"), str) else ""
        self._verdict(reply["result"], message[:500])


def _frame_globals() -> dict:
    """Globals of the notebook code that called into this module."""
    frame = sys._getframe(1)
    here = __name__
    while frame is not None and frame.f_globals.get("__name__") == here:
        frame = frame.f_back
    return frame.f_globals if frame is not None else {}


def _caller_value(var: str) -> Any:
    g = _frame_globals()
    if var not in g:
        raise NotAnswered(f"`{var}` is not defined yet: run the cell where you compute it.")
    return g[var]


def _caller_store() -> Any:
    return store_in(_frame_globals())


def store_in(namespace: dict) -> Any:
    """The notebook's ``store`` if it has one, else the store ``load_store()`` gives here."""
    store = namespace.get("store")
    if store is not None and hasattr(store, "orders"):
        return store
    try:
        from storeops.data import load_store

        return load_store()
    except Exception:  # noqa: BLE001 - without data, only type checks run
        return None
