"""The instructor pipeline: release verification, parallel grading, demo class, report.

``keys`` is the hidden tests' answer key (works only where the instructor-only
sources are); ``source`` reads those sources; ``pipeline`` grades a class.
"""
