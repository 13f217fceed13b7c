"""Run a benchmark's measuring script in a fresh process, on this code or on another version.

`src` is the src/ folder of another version of the code (for example from
`git archive <rev> src | tar -x -C /tmp/base`); put first on the path, it is what the child
imports, so that before and after are timed by the same script under the same load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run_child(args: list[str], src: str | None = None) -> dict:
    """`python *args` in a fresh process; the JSON of its last line of output, which must hold
    `package` (the storeops it imported)."""
    env = dict(os.environ)
    if src:  # the other version's package comes first on the path
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (src, env.get("PYTHONPATH"))))
    r = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"the {'baseline ' if src else ''}run failed:\n{r.stderr}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    if src and not os.path.abspath(out["package"]).startswith(os.path.abspath(src)):
        raise SystemExit(f"the baseline run imported {out['package']}, not the code in {src}")
    return out
