"""Safety layer for grading untrusted notebooks.

What the instructor pipeline calls, per class run and per submission:

* :func:`configure` (in ``nbgrader_config.py``): run kernels in the sandbox;
* :func:`protect_course`, :func:`backup_gradebook`, :func:`repair_class` before a run;
* :func:`preflight` per submission: a list of :class:`Problem`;
* :func:`snapshot` / :func:`compare` around the run (submissions byte-identical);
* :func:`read_events` per student after autograde: timeouts, kernel deaths,
  truncated output, and the :class:`Enforced` limits for the report.

See ``grader/README.md`` for the threat model.
"""

from __future__ import annotations

from storeops.sandbox.gradebook import (
    backup_gradebook,
    check_class,
    latest_backup,
    protect_course,
    repair_class,
    restore_gradebook,
)
from storeops.sandbox.limits import Enforced, Limits
from storeops.sandbox.preflight import Problem, fatal, preflight
from storeops.sandbox.snapshot import compare, snapshot

__all__ = [
    "Enforced",
    "Limits",
    "Problem",
    "backup_gradebook",
    "check_class",
    "compare",
    "configure",
    "fatal",
    "latest_backup",
    "preflight",
    "protect_course",
    "read_events",
    "repair_class",
    "restore_gradebook",
    "snapshot",
]

EXECUTE = "storeops.sandbox.execute.SandboxedExecute"
ANSWERS = "storeops.grading.answers.GradeAnswers"  # keys computed here, not in the kernel
HIDE = "storeops.sandbox.feedback.HideHiddenTracebacks"
EVENTS_ENV = "STOREOPS_SANDBOX_EVENTS"  # where SandboxedExecute writes per-notebook events


def configure(c, limits: Limits | None = None) -> None:
    """Make nbgrader autograde through the sandbox (call from ``nbgrader_config.py``).

    Replaces ``Execute`` in ``Autograde.autograde_preprocessors`` by
    :class:`~storeops.sandbox.execute.SandboxedExecute`, followed by
    :class:`~storeops.grading.answers.GradeAnswers` (the hidden tests' keys are
    computed in the grader from the answers the kernel exports), and sets the per-cell
    timeout and nbgrader's ``LimitOutput`` from :class:`Limits` (environment), and
    puts :class:`~storeops.sandbox.feedback.HideHiddenTracebacks` before
    ``ClearHiddenTests`` in the feedback preprocessors (adding the latter if absent).
    It does not touch ``os.environ``: each kernel manager reads its OS limits from the
    environment (:meth:`Limits.from_env`), so set ``STOREOPS_*`` there, not ``limits``.
    """
    limits = limits or Limits.from_env()
    c.Autograde.autograde_preprocessors = [
        EXECUTE,
        ANSWERS,
        "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor",
        "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.SaveAutoGrades",
        "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    c.Execute.timeout = int(limits.cell_timeout) or None
    c.Execute.interrupt_on_timeout = True
    c.Execute.execute_retries = 0
    c.LimitOutput.max_lines = 1000
    c.LimitOutput.max_traceback = 100
    feedback = list(
        c.GenerateFeedback.get("preprocessors")
        or [
            "nbgrader.preprocessors.GetGrades",
            "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
            "nbgrader.preprocessors.ClearHiddenTests",
        ]
    )
    if "nbgrader.preprocessors.ClearHiddenTests" not in feedback:
        feedback.append("nbgrader.preprocessors.ClearHiddenTests")
    if HIDE not in feedback:
        feedback.insert(feedback.index("nbgrader.preprocessors.ClearHiddenTests"), HIDE)
    c.GenerateFeedback.preprocessors = feedback


def read_events(events_dir, assignment: str, student: str) -> dict:
    from storeops.sandbox.execute import read_events as _read

    return _read(events_dir, assignment, student)
