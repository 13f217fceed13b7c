"""Widgets are views: shared helpers here, one module per chapter beside this file.

``explorer`` wraps a student's function in controls and shows its result, a
friendly "not implemented yet" message while the function is still a stub, and
a one-line message (never a traceback) when it raises.
"""

from storeops.notebook import in_notebook
from storeops.widgets.base import explorer, safe_call

__all__ = ["explorer", "in_notebook", "safe_call"]
