"""The limits one submission runs under, read from the environment, and what was enforced.

Every limit has an environment variable so that nbgrader (which builds the kernel
manager and the Execute preprocessor itself) and the pipeline's worker processes
agree without passing objects around. ``0`` switches a limit off.

==============================  =======  ==================================================
variable                        default  limit
==============================  =======  ==================================================
STOREOPS_CELL_TIMEOUT           60       seconds per cell (nbgrader ``Execute.timeout``)
STOREOPS_NOTEBOOK_TIMEOUT       600      seconds of wall time per kernel (one notebook)
STOREOPS_MEMORY_MB              2048     address space per kernel process (RLIMIT_AS)
STOREOPS_MAX_PROCS              64       processes of the kernel's sandbox user (RLIMIT_NPROC)
STOREOPS_MAX_FILE_MB            64       largest file the kernel may write (RLIMIT_FSIZE)
STOREOPS_CPU_SECONDS            600      CPU seconds per kernel process (RLIMIT_CPU)
STOREOPS_MAX_OUTPUT_MB          4        output kept per notebook (the rest is dropped)
STOREOPS_MAX_NOTEBOOK_MB        20       submitted notebook size (pre-flight refuses larger)
STOREOPS_SANDBOX_NETWORK        none     ``none``: empty network namespace; ``host``: allowed
STOREOPS_SANDBOX_USER           auto     ``auto``: run kernels as a throw-away uid when root;
                                         ``off``: as the grader's user
==============================  =======  ==================================================
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

ENV = {
    "cell_timeout": ("STOREOPS_CELL_TIMEOUT", 60),
    "notebook_timeout": ("STOREOPS_NOTEBOOK_TIMEOUT", 600),
    "memory_mb": ("STOREOPS_MEMORY_MB", 2048),
    "max_procs": ("STOREOPS_MAX_PROCS", 64),
    "max_file_mb": ("STOREOPS_MAX_FILE_MB", 64),
    "cpu_seconds": ("STOREOPS_CPU_SECONDS", 600),
    "max_output_mb": ("STOREOPS_MAX_OUTPUT_MB", 4),
    "max_notebook_mb": ("STOREOPS_MAX_NOTEBOOK_MB", 20),
}


@dataclass(frozen=True)
class Limits:
    """Limits for one submission's execution (0 = no limit)."""

    cell_timeout: float = 60
    notebook_timeout: float = 600
    memory_mb: int = 2048
    max_procs: int = 64
    max_file_mb: int = 64
    cpu_seconds: int = 600
    max_output_mb: float = 4
    max_notebook_mb: float = 20
    network: str = "none"  # none | host
    user: str = "auto"  # auto | off

    @classmethod
    def from_env(cls, environ: dict | None = None) -> Limits:
        environ = os.environ if environ is None else environ
        values = {}
        for name, (var, default) in ENV.items():
            raw = environ.get(var)
            kind = type(cls.__dataclass_fields__[name].default)
            values[name] = kind(float(raw)) if raw not in (None, "") else kind(default)
        values["network"] = environ.get("STOREOPS_SANDBOX_NETWORK", "none") or "none"
        values["user"] = environ.get("STOREOPS_SANDBOX_USER", "auto") or "auto"
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment that makes ``from_env`` return these limits."""
        env = {var: _fmt(getattr(self, name)) for name, (var, _) in ENV.items()}
        env["STOREOPS_SANDBOX_NETWORK"] = self.network
        env["STOREOPS_SANDBOX_USER"] = self.user
        return env

    @property
    def max_output_bytes(self) -> int:
        return int(self.max_output_mb * 1024 * 1024)

    @property
    def max_notebook_bytes(self) -> int:
        return int(self.max_notebook_mb * 1024 * 1024)


def _fmt(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass
class Enforced:
    """What the operating system actually enforced for a kernel (for the instructor report).

    Each entry is ``True`` (enforced), or a string saying why it could not be.
    """

    limits: dict = field(default_factory=dict)
    memory: bool | str = False
    processes: bool | str = False
    file_size: bool | str = False
    cpu: bool | str = False
    network: bool | str = False
    separate_user: bool | str = False
    sources_hidden: bool | str = False
    cell_timeout: bool | str = False
    notebook_timeout: bool | str = False
    output_size: bool | str = False

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Enforced:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def lines(self) -> list[str]:
        """One human line per protection, for the report and the README."""
        lim = self.limits
        labels = {
            "cell_timeout": f"per-cell wall time {lim.get('cell_timeout')} s",
            "notebook_timeout": f"per-notebook wall time {lim.get('notebook_timeout')} s",
            "memory": f"memory {lim.get('memory_mb')} MB address space per process",
            "processes": f"at most {lim.get('max_procs')} processes",
            "file_size": f"files up to {lim.get('max_file_mb')} MB",
            "cpu": f"{lim.get('cpu_seconds')} CPU seconds per process",
            "output_size": f"output kept up to {lim.get('max_output_mb')} MB per notebook",
            "network": "no network (empty network namespace)",
            "separate_user": "kernel runs as a throw-away unprivileged user",
            "sources_hidden": "instructor sources hidden from the kernel (keys computed by "
            "the grader)",
        }
        out = []
        for key, label in labels.items():
            value = getattr(self, key)
            if value is True:
                out.append(f"enforced: {label}")
            else:
                out.append(f"NOT enforced: {label} ({value or 'switched off'})")
        return out
