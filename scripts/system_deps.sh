#!/usr/bin/env bash
# System packages the tests need and pip cannot provide: Debian's chromium (browser
# tests) and PostgreSQL server (gradebook tests); node's configurable-http-proxy for the
# hub comes from npm into grader/hub/node_modules (package.json there). Installs only what
# is missing, with one apt-get update. Needs root or sudo for apt.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  apt_opts=(-o DPkg::Lock::Timeout=600 -y -qq)
  $sudo apt-get update -qq -o DPkg::Lock::Timeout=600
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "${missing[@]}" >/dev/null
fi
# configurable-http-proxy, locally (no global install), pinned by grader/hub/package-lock.json
if [ ! -x grader/hub/node_modules/.bin/configurable-http-proxy ]; then
  (cd grader/hub && npm ci --no-audit --no-fund --silent)
fi
