"""The live widgets' JavaScript formats numbers exactly as Python does (ties, signs, NaN)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from storeops.plotting import percent, yuan
from storeops.widgets.live import JS_DIR, fixed, grouped, signed

NODE = shutil.which("node")

# exact ties (Python rounds them to even, JavaScript's toFixed away from zero), values just
# off a tie, carries through 9s, negatives rounding to zero, the yuan unit boundaries
SPECIAL = [0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 2.675, 1.005, 9.995, 99.95, 999.5, 999.4999,
           -0.4, -0.0, 0.0, 1234567.5, 1e3, 999.96, 999_949.0, 999_950.0, 1e9, 12.345, 1e-7,
           float("nan"), float("inf"), -float("inf")]  # fmt: skip


def js_results(values: list[float]) -> list[dict]:
    script = (
        (JS_DIR / "live.js").read_text("utf-8")
        + "\nconst vals = JSON.parse(process.argv[1]).map(v => v === null ? NaN : v);\n"
        "const special = {'nan': NaN, 'inf': Infinity, '-inf': -Infinity, '-0': -0};\n"
        "const out = vals.map((v0) => { const v = typeof v0 === 'string' ? special[v0] : v0;\n"
        "  return {f0: fixed(v, 0), f1: fixed(v, 1), f2: fixed(v, 2), g0: grouped(v, 0),\n"
        "          g1: grouped(v, 1), s1: signed(v, 1), y: yuan(v), p: percent(v)}; });\n"
        "console.log(JSON.stringify(out));\n"
    )
    encoded = json.dumps(
        [
            (
                "-0"
                if v == 0 and str(v).startswith("-")
                else str(v)
                if v != v or abs(v) == float("inf")
                else v
            )
            for v in values
        ]
    )
    run = subprocess.run(
        [NODE, "--input-type=module", "-e", script, encoded],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


def test_javascript_formatting_matches_python():
    if NODE is None:
        pytest.fail("Node.js is part of the project's set-up (README): install it")
    rng = random.Random(7)
    values = SPECIAL + [rng.uniform(-1e7, 1e7) for _ in range(300)]
    values += [round(rng.uniform(0, 2000), 3) for _ in range(300)]  # many near-ties
    values += [k / 8 for k in range(-40, 41)]  # exact binary ties at every digit
    for v, got in zip(values, js_results(values), strict=True):
        want = {
            "f0": fixed(v, 0),
            "f1": fixed(v, 1),
            "f2": fixed(v, 2),
            "g0": grouped(v, 0),
            "g1": grouped(v, 1),
            "s1": signed(v, 1),
            "y": yuan(v),
            "p": percent(v),
        }
        assert got == want, f"{v!r}: JavaScript {got} != Python {want}"
