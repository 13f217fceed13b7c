#!/usr/bin/env bash
# What `make test` runs after the build and lint: the whole suite (SQLite gradebook), then
# the grading suite again with the gradebook on PostgreSQL. The PostgreSQL server (Debian's,
# on 127.0.0.1:15433) is started here for both and stopped on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DIR=$(mktemp -d /tmp/storeops-pg-ci.XXXXXX)
trap '$PY -m storeops.hub.postgres stop --dir "$DIR" || true; rm -rf "$DIR"' EXIT
URL=$($PY -m storeops.hub.postgres start --dir "$DIR" --port "${STOREOPS_PG_PORT:-15433}")
STOREOPS_TEST_PG_URL="$URL" $PY -m pytest "$@"
echo "== the grading suite again, gradebook on PostgreSQL ($URL)"
STOREOPS_GRADEBOOK_URL="$URL" $PY -m pytest tests/grading
