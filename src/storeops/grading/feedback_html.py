"""Feedback HTML for a grading process that writes one report after another.

nbgrader's ``generate_feedback`` builds a new ``HTMLExporter`` for every student, and
each new exporter parses and compiles the same Jinja templates again (about half of
the feedback's cost). :class:`FeedbackHTMLExporter` is ``HTMLExporter`` with the
compiled templates kept for the process: Jinja's bytecode cache, keyed by template
name and file and checked against the template source's checksum, so an edited
template is compiled afresh. Rendering, preprocessors (hidden tests removed) and the
output are exactly nbconvert's. ``storeops grade`` uses it (pipeline.py).
"""

from __future__ import annotations

import jinja2
from nbconvert.exporters import HTMLExporter


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates in memory: ``{bucket key: (source checksum, code)}``."""

    def __init__(self) -> None:
        self.code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        hit = self.code.get(bucket.key)
        if hit is not None and hit[0] == bucket.checksum:
            bucket.code = hit[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        self.code.clear()


COMPILED = CompiledTemplates()


class FeedbackHTMLExporter(HTMLExporter):
    """``HTMLExporter`` whose templates are compiled once per process."""

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = COMPILED
        return environment
