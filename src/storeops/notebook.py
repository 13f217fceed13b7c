"""Where the code runs: shared by the self-checks and the widgets, which both display."""

from __future__ import annotations


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where rich display works)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
