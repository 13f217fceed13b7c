"""The hub tests: real accounts, a PostgreSQL server started here when none is given."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# accounts.py, adversarial_corpus.py, browser_harness.py
for extra in (HERE, HERE.parent / "adversarial", HERE.parent / "browser"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


@pytest.fixture(scope="session")
def pg_template():
    """A ``postgresql+psycopg://.../{course}`` URL template: STOREOPS_TEST_PG_URL's (make
    test starts that server) or STOREOPS_GRADEBOOK_URL's, else a server started here on
    127.0.0.1:15433 and stopped afterwards."""
    from storeops.hub import postgres

    given = os.environ.get("STOREOPS_TEST_PG_URL") or os.environ.get("STOREOPS_GRADEBOOK_URL", "")
    if given.startswith("postgresql") and "{course}" in given:
        yield given
        return
    datadir = Path(f"/tmp/storeops-postgres-test-{os.getpid()}")
    url = postgres.start(datadir, port=15434)
    try:
        yield url
    finally:
        postgres.stop(datadir)
        import shutil

        shutil.rmtree(datadir, ignore_errors=True)
