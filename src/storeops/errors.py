"""Errors that the command line reports as one line, without a traceback."""


class StoreOpsError(Exception):
    """A problem the user can fix (bad input, missing file); shown as one line."""
