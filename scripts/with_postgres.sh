#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL server (Debian's, 127.0.0.1:15433), stopped
# on exit whatever happens. The server's URL template is in STOREOPS_TEST_PG_URL (the
# PostgreSQL tests use it); with --gradebook also in STOREOPS_GRADEBOOK_URL, which puts
# every gradebook of the command on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
gradebook=0
if [ "${1:-}" = --gradebook ]; then gradebook=1; shift; fi
PY=.venv/bin/python
DIR=$(mktemp -d /tmp/storeops-pg-ci.XXXXXX)
trap '$PY -m storeops.hub.postgres stop --dir "$DIR" || true; rm -rf "$DIR"' EXIT
URL=$($PY -m storeops.hub.postgres start --dir "$DIR" --port "${STOREOPS_PG_PORT:-15433}")
export STOREOPS_TEST_PG_URL="$URL"
if [ "$gradebook" = 1 ]; then
  export STOREOPS_GRADEBOOK_URL="$URL"
  echo "== gradebook on PostgreSQL ($URL)"
fi
"$@"
