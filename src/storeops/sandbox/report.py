"""The instructor report's "Submission problems" section, from ``problems.json``.

``grade_class`` writes ``reports/<assignment>/problems.json``: per student the
pre-flight problems and sandbox events (timeouts, kernel deaths, truncated output,
tampering), the submissions that changed during the run (must be none), the
students regraded after a crash, the gradebook backup, and what the sandbox
enforced. :func:`problems_section` renders it as an HTML fragment.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from storeops.sandbox.limits import Enforced

ORDER = {"error": 0, "review": 1, "warning": 2, "info": 3}


def write_problems(path: str | Path, data: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str))
    tmp.replace(path)
    return path


def problems_section(path: str | Path) -> str:
    path = Path(path)
    if not path.exists():
        return ""
    data = json.loads(path.read_text())
    esc = html.escape
    rows = []
    for student, problems in sorted(data.get("students", {}).items()):
        for p in sorted(problems, key=lambda p: ORDER.get(p.get("severity"), 9)):
            rows.append(
                f"<tr class='{esc(p.get('severity', ''))}'><td>{esc(student)}</td>"
                f"<td>{esc(p.get('severity', ''))}</td><td>{esc(p.get('notebook', ''))}</td>"
                f"<td>{esc(p.get('code', ''))}</td><td>{esc(p.get('message', ''))}</td></tr>"
            )
    parts = ["<h2>Submission problems</h2>"]
    if rows:
        parts.append(
            "<p>Errors: not gradable as submitted (zero). Review: code that reaches for the "
            "grader; read it before trusting the grade. Edited test cells were restored by "
            "nbgrader before grading.</p><table class='t'><tr><th>student</th><th>severity</th>"
            "<th>file</th><th>problem</th><th>details</th></tr>" + "".join(rows) + "</table>"
        )
    else:
        parts.append("<p>No problems found in any submission.</p>")
    modified = data.get("modified") or []
    parts.append(
        "<p><b>Submitted files changed during grading:</b> "
        + (esc(", ".join(modified)) if modified else "none (all byte-identical)")
        + "</p>"
    )
    if data.get("repaired"):
        items = ", ".join(f"{s} ({why})" for s, why in sorted(data["repaired"].items()))
        parts.append(f"<p>Regraded after an interrupted run: {esc(items)}</p>")
    if data.get("backup"):
        parts.append(
            f"<p>Gradebook backed up before this run to <code>{esc(data['backup'])}</code>.</p>"
        )
    if data.get("enforced"):
        lines = Enforced.from_dict(data["enforced"]).lines()
        parts.append(
            "<h3>Sandbox</h3><ul>" + "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul>"
        )
    return "\n".join(parts)
